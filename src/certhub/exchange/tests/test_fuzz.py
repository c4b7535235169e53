"""The CSV reader and the row planner under arbitrary input (hypothesis): whatever the bytes, a file is
either refused whole with a reason, or read into rows each of which is planned or rejected with a reason;
nothing else escapes, and nothing is written while validating."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certhub.exchange.choices import RowOutcome, Severity
from certhub.exchange.fields import CERTIFICATE_COLUMNS
from certhub.exchange.readers import FileRejected, read_rows, receive
from certhub.exchange.rows import CertificatePlanner
from certhub.registry.models import Certificate

pytestmark = pytest.mark.django_db

HEADERS = [c.zh for c in CERTIFICATE_COLUMNS] + [c.key for c in CERTIFICATE_COLUMNS]
cell = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=string.digits + "-/年月日.", max_size=12),
    st.sampled_from(["ACTIVE", "暂停", "QMS", "CCC", "2026-01-01", "46000", "", " ", '"', "\r\n", "，", "；"]),
)


def write(tmp: Path, name: str, content: bytes) -> Path:
    path = tmp / name
    path.write_bytes(content)
    return path


def check(world, path: Path) -> None:
    planner = CertificatePlanner(world.bodies["hunan"], "certificates")
    try:
        rows = list(read_rows(receive(path, path.name), "certificates"))
    except FileRejected as refusal:
        assert refusal.message and all(message for _f, _v, message in refusal.problems)
        return
    plan = planner.plan(rows)
    assert len(plan.rows) == len(rows)
    for planned in plan.rows:
        errors = [p for p in plan.problems if p[0] == planned.number and p[4] == Severity.ERROR]
        # A row is rejected exactly when it has an error, and every error names a field or the row.
        assert (planned.outcome == RowOutcome.REJECTED) == bool(errors), (planned, errors)
        assert all(message for _r, _f, _v, message, _s in errors)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=400))
def test_arbitrary_bytes_are_refused_or_read(world, tmp_path, content):
    before = Certificate.objects.count()
    check(world, write(tmp_path, "fuzz.csv", content))
    assert Certificate.objects.count() == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(HEADERS) | st.text(max_size=8), min_size=1, max_size=12),
    rows=st.lists(st.lists(cell, max_size=14), max_size=6),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    separator=st.sampled_from([",", "\t"]),
)
def test_arbitrary_tables_are_refused_or_planned_row_by_row(world, tmp_path, header, rows, encoding, separator):
    def line(cells: list[str]) -> str:
        return separator.join('"' + c.replace('"', '""') + '"' for c in cells) + "\r\n"

    text = line(header) + "".join(line(r) for r in rows)
    try:
        content = text.encode(encoding)
    except UnicodeEncodeError:
        content = text.encode("utf-8")
    before = Certificate.objects.count()
    check(world, write(tmp_path, "fuzz.csv", content))
    assert Certificate.objects.count() == before
