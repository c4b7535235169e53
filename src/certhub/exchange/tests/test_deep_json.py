"""JSON nested deeper than CertHub can write back is refused where it comes in (C14): API bodies and JSON
Lines files, one limit (core.jsonlimits.MAX_DEPTH), a clear message, nothing written. Before, a record nested
300 deep passed the body check (the parser reads 1,024 levels) and failed with a 500 when it was stored."""

from __future__ import annotations

import httpx
import pytest

from certhub.core.jsonlimits import MAX_DEPTH, depth_of
from certhub.core.models import AuditEvent
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.models import Submission
from certhub.exchange.pipeline import Options, submit_file
from certhub.registry.models import Certificate

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server, world, settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as client:
        yield client


def nested(depth: int) -> str:
    """JSON text of a list `depth` levels deep (orjson itself cannot write 300)."""
    return "[" * depth + '"x"' + "]" * depth


def record(note_depth: int) -> str:
    return '{"number": "CNCA-QMS-2026-9001", "scheme": "QMS", "particulars": {"note": ' + nested(note_depth) + "}}"


def state():
    return Submission.objects.count(), Certificate.objects.count(), AuditEvent.objects.count()


def test_an_api_body_nested_300_deep_is_refused_with_the_limit_named(api, world):
    before = state()
    headers = {"Content-Type": "application/json", "X-API-Key": world.api_keys["cb_hunan"]}
    response = api.post("/submissions", content=('{"records": [' + record(300) + "]}").encode(), headers=headers)
    assert (response.status_code, response.json()) == (
        400,
        {"code": "too_deep", "message": "请求体嵌套超过32层 · JSON nested more than 32 levels deep", "errors": {}},
    )
    assert state() == before
    # At the limit the body is taken in, and the record judged on its fields as any other (it lacks some).
    depth = MAX_DEPTH - 4  # {"records": [{"particulars": {"note": …}}]} adds four levels
    at_limit = api.post("/submissions", content=('{"records": [' + record(depth) + "]}").encode(), headers=headers)
    answer = at_limit.json()
    assert (at_limit.status_code, answer["state"], answer["total_rows"], answer["rejected"]) == (201, "rejected", 1, 1)


def test_a_json_lines_file_names_the_row_nested_too_deep(world, tmp_path, settings):
    settings.SUBMISSION_DIR = tmp_path / "archive"
    path = tmp_path / "certificates.jsonl"
    path.write_text(record(300) + "\n", encoding="utf-8")
    before = Certificate.objects.count()
    options = Options(kind="certificates", mode=SubmissionMode.ALL_OR_NOTHING, channel=SubmissionChannel.COMMAND)
    submission = submit_file(path, path.name, world.organizations["cb_hunan"], options, actor=world.actor("cb_hunan"))
    assert (submission.state, submission.rejected_count) == ("rejected", 1)
    # The row is read as empty, as a line that is not JSON at all: its required fields are named too.
    assert list(submission.problems.values_list("row", "field", "message")) == [
        (1, "", "JSON嵌套超过32层"),
        (1, "number", "必填（证书编号）"),
        (1, "scheme", "必填（认证制度）"),
        (1, "issue_date", "必填（发证日期）"),
        (1, "expiry_date", "必填（有效期至）"),
        (1, "entity_name", "必填（获证组织名称）"),
        (1, "entity_id", "必填（统一社会信用代码）"),
    ]
    assert Certificate.objects.count() == before


def test_depth_is_counted_without_recursion():
    assert [depth_of(v) for v in ("x", [], {}, [[1]], {"a": [{"b": 1}]})] == [0, 1, 1, 2, 3]
    value: object = 1
    for _ in range(100_000):
        value = [value]
    assert depth_of(value) == MAX_DEPTH + 1  # stops counting past the limit


def test_a_record_at_the_limit_is_stored_and_written_back_everywhere(world, settings, tmp_path, client):
    """The guard lets in only what CertHub writes back: a body nested exactly MAX_DEPTH deep (its deepest
    value in a site) is applied, and every answer that writes the record back — the public record, the
    trace, the audit row's canonical bytes — does; one level more and the body is refused. Stored records
    hold no free JSON (a site is kept as text), and orjson's own limit (254) is far off."""
    import orjson

    from certhub.core import canonical
    from certhub.exchange.testing import certificate_row

    settings.SUBMISSION_DIR = tmp_path / "archive"
    maker = world.organizations["maker"]
    headers = {"HTTP_X_API_KEY": world.api_keys["cb_hunan"]}
    # {"records": [{"sites": [{"note": X}]}]}: five levels around X.
    deepest = orjson.loads(nested(MAX_DEPTH - 5))
    row = certificate_row("HN-DEEP-1", maker.uscc, maker.name, sites=[{"address": "长沙市", "note": deepest}])
    body = orjson.dumps({"records": [row]})
    assert depth_of(orjson.loads(body)) == MAX_DEPTH
    answer = client.post("/api/v1/submissions", body, content_type="application/json", **headers)
    assert (answer.status_code, answer.json()["state"], answer.json()["created"]) == (201, "applied", 1)
    certificate = Certificate.objects.get(number="HN-DEEP-1")
    assert depth_of(certificate.sites) == 2  # [{"address": text}]
    record = client.get("/api/v1/certificates/HN-DEEP-1")
    assert (record.status_code, record.json()["sites"]) == (200, certificate.sites)
    trace = client.get("/api/v1/trace/certificate/HN-DEEP-1", **headers)
    assert (trace.status_code, trace.json()["certificate"]["sites"]) == (200, certificate.sites)
    audit = AuditEvent.objects.get(event_type="CERTIFICATE_CREATED", subject_id=str(certificate.pk))
    assert orjson.loads(canonical.dumps(audit.after))["sites"] == certificate.sites
    orjson.dumps(orjson.loads(nested(254)))
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(orjson.loads(nested(255)))
    row["number"], row["sites"] = "HN-DEEP-2", [{"address": "长沙市", "note": [deepest]}]
    refused = client.post(
        "/api/v1/submissions", orjson.dumps({"records": [row]}), content_type="application/json", **headers
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "too_deep")
    assert not Certificate.objects.filter(number="HN-DEEP-2").exists()
