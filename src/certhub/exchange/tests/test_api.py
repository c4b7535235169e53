"""The batch submissions API over real HTTP: the report, idempotence, limits and who may read what."""

import httpx
import pytest

from certhub.exchange.models import Submission
from certhub.exchange.testing import certificate_row
from certhub.registry.models import Certificate, CertificateEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server, world, settings, tmp_path):
    settings.SUBMISSION_DIR = tmp_path / "archive"
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as client:
        yield client


def registry_state():
    return sorted(Certificate.objects.values_list("number", "status", "scope")), CertificateEvent.objects.count()


def test_a_batch_is_reported_record_by_record_and_resubmitting_changes_nothing(api, world):
    key = {"X-API-Key": world.api_keys["cb_hunan"]}
    maker = world.organizations["maker"]
    records = [certificate_row(f"HN-API-{i:04d}", maker.uscc, maker.name) for i in range(1, 4)]
    records[2]["证书状态"] = records[2].pop("status")  # Chinese keys are accepted too
    first = api.post("/submissions", json={"records": records}, headers=key)
    body = first.json()
    assert first.status_code == 201
    assert {
        k: body[k]
        for k in (
            "state",
            "kind",
            "mode",
            "channel",
            "file_format",
            "total_rows",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "problems",
        )
    } == {
        "state": "applied",
        "kind": "certificates",
        "mode": "all",
        "channel": "api",
        "file_format": "jsonl",
        "total_rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "problems": [],
    }
    assert sorted(Certificate.objects.filter(number__startswith="HN-API-").values_list("number", flat=True)) == [
        "HN-API-0001",
        "HN-API-0002",
        "HN-API-0003",
    ]
    before = registry_state()
    again = api.post("/submissions", json={"records": records}, headers=key).json()
    assert (again["state"], again["created"], again["unchanged"], again["sha256"]) == ("applied", 0, 3, body["sha256"])
    assert registry_state() == before


def test_a_bad_record_rejects_the_batch_and_names_it(api, world):
    key = {"X-API-Key": world.api_keys["cb_hunan"]}
    maker = world.organizations["maker"]
    records = [
        certificate_row("HN-API-0101", maker.uscc, maker.name),
        certificate_row("HN-API-0102", maker.uscc, maker.name, scheme="GREEN_FOOD", colour="red"),
    ]
    before = registry_state()
    response = api.post("/submissions", json={"records": records}, headers=key)
    body = response.json()
    assert (response.status_code, body["state"], body["rejected"], body["created"]) == (201, "rejected", 1, 0)
    assert body["problems"] == [
        {"row": 2, "field": "colour", "value": "", "message": "未知字段“colour”", "severity": "error"}
    ]
    assert registry_state() == before
    records[1].pop("colour")
    response = api.post("/submissions", json={"records": records, "mode": "valid"}, headers=key).json()
    assert (response["state"], response["created"], response["rejected"]) == ("partial", 1, 1)
    assert response["problems"] == [
        {
            "row": 2,
            "field": "scheme",
            "value": "GREEN_FOOD",
            "message": "认证机构未获准开展“绿色食品”认证",
            "severity": "error",
        }
    ]


def test_batch_limits_and_who_may_submit(api, world):
    maker = world.organizations["maker"]
    submissions = Submission.objects.count()
    record = certificate_row("HN-API-0201", maker.uscc, maker.name)
    too_many = api.post(
        "/submissions", json={"records": [record] * 1001}, headers={"X-API-Key": world.api_keys["cb_hunan"]}
    )
    assert (too_many.status_code, too_many.json()["code"], list(too_many.json()["errors"])) == (
        422,
        "validation_failed",
        ["records"],
    )
    empty = api.post("/submissions", json={"records": []}, headers={"X-API-Key": world.api_keys["cb_hunan"]})
    assert (empty.status_code, list(empty.json()["errors"])) == (422, ["records"])
    anonymous = api.post("/submissions", json={"records": [record]})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    lab = api.post("/submissions", json={"records": [record]}, headers={"X-API-Key": world.api_keys["lab"]})
    assert (lab.status_code, lab.json()["message"]) == (403, "只有认证机构的接口密钥可以报送证书数据")
    assert Submission.objects.count() == submissions


def test_reading_submissions_is_scoped(api, world):
    maker = world.organizations["maker"]
    record = certificate_row("HN-API-0301", maker.uscc, maker.name)
    created = api.post(
        "/submissions", json={"records": [record]}, headers={"X-API-Key": world.api_keys["cb_hunan"]}
    ).json()
    own = api.get(f"/submissions/{created['id']}", headers={"X-API-Key": world.api_keys["cb_hunan"]})
    assert (own.status_code, own.json()["created"], own.json()["submitted_by"]) == (200, 1, created["submitted_by"])
    other = api.get(f"/submissions/{created['id']}", headers={"X-API-Key": world.api_keys["cb_yueyang"]})
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    listed = api.get("/submissions", headers={"X-API-Key": world.api_keys["cb_yueyang"]})
    assert listed.json() == []
    assert api.get("/submissions").status_code == 401


def test_the_submissions_api_is_in_the_openapi_document(api):
    paths = api.get("/openapi.json").json()["paths"]
    assert sorted(p for p in paths if p.startswith("/api/v1/submissions")) == [
        "/api/v1/submissions",
        "/api/v1/submissions/{submission_id}",
    ]
    assert sorted(paths["/api/v1/submissions"]) == ["get", "post"]
