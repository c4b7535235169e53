"""GET /api/v1/inspections/results and the traces: published results, public fields only (C5 一公开)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from certhub.core.actors import ANONYMOUS, SYSTEM
from certhub.inspections import actions
from certhub.inspections.testing import build_inspection_world
from certhub.trace.queries import organization_trace

LATER = datetime.timedelta(days=4)


@pytest.fixture
def published(world):
    """A drawn batch: the first task published (a problem corrected), the second recorded only."""
    iw = build_inspection_world(world.PASSWORD)
    batch = actions.do_commit_batch(batch=iw.batch, actor=SYSTEM)
    with time_machine.travel(timezone.now() + LATER):
        batch = actions.do_draw_batch(batch=batch, sources=["1 2 3", "4 5"], actor=SYSTEM)
        first, second = batch.tasks.order_by("sequence")[:2]
        day = timezone.localdate()
        for task in (first, second):
            inspector = task.assignments.order_by("slot").first().inspector
            actions.do_record_result(
                task=task,
                result="CORRECTED",
                follow_up="CORRECTION",
                findings="年报未公示",
                inspected_from=day,
                inspected_until=day,
                actor=iw.actor(inspector.user.username),
            )
        actions.do_publish_result(task=first, actor=world.actor("officer_province"))
    first.refresh_from_db()
    return first, second


def expected_record(task):
    return {
        "batch": "2026-430000-01-01",
        "plan": "2026年度企业公示信息双随机抽查计划",
        "department": "湖南省市场监督管理局",
        "items": ["企业公示信息抽查"],
        "target_type": "ENTERPRISE",
        "target_type_label": "企业",
        "target": task.target_key,
        "target_name": task.target_name,
        "inspected_from": task.inspected_from.isoformat(),
        "inspected_until": task.inspected_until.isoformat(),
        "result": "CORRECTED",
        "result_label": "发现问题已责令改正",
        "follow_up": "CORRECTION",
        "follow_up_label": "责令限期改正",
        "published_on": task.published_on.isoformat(),
        "deadline": task.deadline.isoformat(),
        "published_late": False,
        "late_reason": "",
    }


def test_published_results_only_with_public_fields(client, published):
    first, second = published
    body = client.get("/api/v1/inspections/results").json()
    assert body == {"count": 1, "results": [expected_record(first)]}
    by_org = client.get("/api/v1/inspections/results", {"uscc": second.target_key}).json()
    assert by_org == {"count": 0, "results": []}  # recorded, not yet published
    assert "年报未公示" not in client.get("/api/v1/inspections/results").content.decode()


def test_a_malformed_credit_code_is_refused(client, published):
    response = client.get("/api/v1/inspections/results", {"uscc": "91430100000000001X"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["uscc"]


def test_the_organization_trace_carries_its_published_results(published):
    first, second = published
    trace = organization_trace(ANONYMOUS, first.target_key)
    dates = ("inspected_from", "inspected_until", "published_on", "deadline")
    records = [{**r, **{d: r[d].isoformat() for d in dates}} for r in trace["inspections"]]
    assert records == [expected_record(first)]
    assert organization_trace(ANONYMOUS, second.target_key)["inspections"] == []


def test_paging_past_the_deepest_page_is_refused_not_a_server_error(client, world):
    # An offset beyond what the database's integers hold used to answer 500 (found by
    # tests/test_api_schemathesis.py); deep paging is refused as on the registry's lists.
    response = client.get("/api/v1/inspections/results", {"offset": "180332384262364037120"})
    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_failed",
        "message": "offset: Input should be less than or equal to 10000",
        "errors": {"offset": ["Input should be less than or equal to 10000"]},
    }
    assert client.get("/api/v1/inspections/results", {"offset": "10000"}).status_code == 200
