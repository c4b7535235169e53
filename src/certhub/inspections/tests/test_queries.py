"""The pages never read a batch's frozen pool: a national pool's snapshot is megabytes, and a list of fifty
results must not fetch it fifty times (select_related would, column by column)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certhub.core.testing import signed_in
from certhub.inspections import actions
from certhub.inspections.tests.test_pages import draw, first_task, record


@pytest.fixture
def published(world, inspection, started):
    batch = draw(inspection, started)
    task = record(first_task(batch), inspection)
    actions.do_publish_result(task=task, late_reason="复核", actor=world.actor("officer_province"))
    return batch


@pytest.mark.parametrize(
    "path",
    [
        "/inspections/",
        "/inspections/plans/",
        "/inspections/batches/",
        "/inspections/results/",
        "/inspections/batches/{batch}/",
        "/api/v1/inspections/results",
    ],
)
def test_public_pages_never_select_the_snapshot(client, published, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path.format(batch=published.number))
    assert response.status_code == 200
    assert [q["sql"] for q in queries if "snapshot" in q["sql"]] == []


@pytest.mark.parametrize(
    "path",
    [
        "/inspections/office/",
        "/inspections/office/plans/",
        "/inspections/office/batches/{batch}/",
        "/inspections/office/reviews/",
        "/inspections/office/plans/{plan}/",
    ],
)
def test_office_pages_never_select_the_snapshot(client, world, published, path):
    signed_in(client, world, "officer_province")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path.format(batch=published.number, plan=published.plan.number))
    assert response.status_code == 200
    assert [q["sql"] for q in queries if "snapshot" in q["sql"]] == []


def test_the_draw_file_is_the_one_reader(client, published):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/inspections/batches/{published.number}/draw.json")
    assert response.status_code == 200
    assert len([q for q in queries if '"snapshot"' in q["sql"]]) == 1
