"""API v1 over real HTTP (live server + httpx): search, the public record, writes with API keys, bad input
(field-level 4xx bodies, database unchanged) and the OpenAPI document."""

import httpx
import pytest

from certhub.core.models import ApiKey, AuditEvent
from certhub.registry.models import Certificate, CertificateEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server, world):
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=20) as client:
        yield client


def state():
    return (
        sorted(Certificate.objects.values_list("number", "status")),
        CertificateEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def numbers(response):
    return sorted(item["number"] for item in response.json()["items"])


def test_search_by_number_holder_name_credit_code_and_filters(api, world):
    assert numbers(api.get("/certificates", params={"q": "CNCA-QMS-2025-0002"})) == ["CNCA-QMS-2025-0002"]
    # Holder-name substring (Chinese): 衡阳湘江机械制造有限公司 holds three public certificates.
    assert numbers(api.get("/certificates", params={"q": "湘江机械"})) == [
        "CNCA-EMS-2024-0004",
        "CNCA-QMS-2025-0001",
        "CNCA-QMS-2025-0002",
    ]
    maker = world.organizations["maker"].uscc
    # The draft of the same holder is not public.
    assert numbers(api.get("/certificates", params={"q": maker})) == [
        "2025010701000123",
        "CNCA-QMS-2025-0001",
    ]
    assert numbers(api.get("/certificates", params={"holder_uscc": maker, "scheme": "ccc"})) == ["2025010701000123"]
    response = api.get("/certificates", params={"status": "SUSPENDED"})
    assert response.json()["count"] == 1
    item = response.json()["items"][0]
    assert (item["number"], item["status"], item["status_label"], item["holder"]["region"]) == (
        "CNCA-QMS-2025-0002",
        "SUSPENDED",
        "暂停",
        {"code": "430405", "name": "珠晖区"},
    )
    assert numbers(api.get("/certificates", params={"region": "430100"})) == [
        "2025010701000123",
        "CNCA-QMS-2025-0001",
    ]
    assert numbers(api.get("/certificates", params={"body": "CNCA-R-2011-089"})) == ["CNCA-QMS-2025-0001"]


def test_search_refuses_unknown_filters_with_field_messages(api):
    response = api.get("/certificates", params={"status": "VALID", "scheme": "NOPE", "region": "990000", "limit": 500})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "limit": ["Input should be less than or equal to 100"],
        "status": ["Input should be 'DRAFT', 'ACTIVE', 'SUSPENDED', 'WITHDRAWN', 'CANCELLED' or 'EXPIRED'"],
    }
    response = api.get("/certificates", params={"status": "VALID", "scheme": "NOPE", "region": "990000"})
    assert response.json()["errors"] == {
        "status": ["Input should be 'DRAFT', 'ACTIVE', 'SUSPENDED', 'WITHDRAWN', 'CANCELLED' or 'EXPIRED'"],
    }
    response = api.get("/certificates", params={"status": "ACTIVE", "scheme": "NOPE", "region": "990000"})
    assert response.json()["errors"] == {
        "scheme": ["未知的认证制度“NOPE”"],
        "region": ["未知的行政区划代码“990000”"],
    }


def test_certificate_record_and_history(api, world):
    response = api.get("/certificates/CNCA-EMS-2024-0004")
    assert response.status_code == 200
    record = response.json()
    assert record["status"] == "WITHDRAWN"
    assert record["status_label"] == "撤销"
    assert record["certification_body"] == {
        "name": "湖南标准认证有限公司",
        "approval_number": "CNCA-R-2004-117",
    }
    assert record["history"] == [
        {"from_status": None, "to_status": "ACTIVE", "date": "2024-01-10", "reason": "发证"},
        {"from_status": "ACTIVE", "to_status": "WITHDRAWN", "date": "2025-02-01", "reason": "暂停期满未整改"},
    ]
    assert record["surveillance_overdue"] is False
    ccc = api.get("/certificates/2025010701000123").json()
    assert ccc["ccc_product"] == {"code": "0701", "name": "家用电冰箱和食品冷冻箱"}
    assert ccc["products"] == [{"name": "家用电冰箱", "model": "BCD-218", "trademark": "星城", "gtin": "6901234567892"}]


def test_unknown_draft_and_ambiguous_numbers(api, world):
    unknown = api.get("/certificates/NO-SUCH-1")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "code": "not_found",
        "message": "登记库中没有编号为“NO-SUCH-1”的证书",
        "errors": {},
    }
    assert api.get("/certificates/CNCA-QMS-2025-0003").status_code == 404  # a draft is not public
    ambiguous = api.get("/certificates/CNCA-QMS-2025-0001")
    assert ambiguous.status_code == 409
    assert sorted(ambiguous.json()["errors"]["body"]) == ["CNCA-R-2004-117", "CNCA-R-2011-089"]
    chosen = api.get("/certificates/CNCA-QMS-2025-0001", params={"body": "CNCA-R-2011-089"})
    assert chosen.json()["holder"]["name"] == "衡阳湘江机械制造有限公司"


def test_create_certificate_with_api_key(api, world):
    payload = {
        "number": "API-2025-0001",
        "scheme": "QMS",
        "holder_uscc": world.organizations["hengyang"].uscc,
        "scope": "机械零部件的生产",
        "issue_date": "2025-05-01",
        "expiry_date": "2028-04-30",
    }
    response = api.post("/certificates", json=payload, headers={"X-API-Key": world.api_keys["cb_hunan"]})
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["status"]) == ("API-2025-0001", "ACTIVE")
    event = AuditEvent.objects.get(
        subject_type="registry.certificate",
        event_type="CERTIFICATE_CREATED",
        subject_id=str(Certificate.objects.get(number="API-2025-0001").pk),
    )
    assert event.actor_label.startswith("api-key:")
    assert event.actor_role == "CERTIFICATION_BODY"


@pytest.mark.parametrize(
    ("change", "status", "errors"),
    [
        ({"holder_uscc": "914301000000000010"}, 422, {"holder_uscc": ["统一社会信用代码校验位错误"]}),
        ({"holder_uscc": "91430100MA4L1234"}, 422, {"holder_uscc": ["统一社会信用代码须为18位，收到16位"]}),
        ({"scheme": "XYZ"}, 422, {"scheme": ["未知的认证制度“XYZ”"]}),
        ({"expiry_date": "2024-01-01"}, 422, {"expiry_date": ["有效期至（2024-01-01）须晚于发证日期（2025-05-01）"]}),
        ({"number": "CNCA-QMS-2025-0001"}, 409, {"number": ["该认证机构已有编号为CNCA-QMS-2025-0001的证书"]}),
        (
            {"issue_date": "not-a-date"},
            422,
            {"issue_date": ["Input should be a valid date or datetime, invalid character in year"]},
        ),
        ({"status": "SUSPENDED"}, 422, {"status": ["Input should be 'DRAFT' or 'ACTIVE'"]}),
    ],
    ids=[
        "check-digit",
        "malformed-uscc",
        "scheme",
        "expiry-before-issue",
        "duplicate",
        "date-format",
        "initial-status",
    ],
)
def test_create_certificate_bad_input_changes_nothing(api, world, change, status, errors):
    payload = {
        "number": "API-BAD-1",
        "scheme": "QMS",
        "holder_uscc": world.organizations["maker"].uscc,
        "issue_date": "2025-05-01",
        "expiry_date": "2028-04-30",
        **change,
    }
    before = state()
    response = api.post(
        "/certificates", json=payload, headers={"Authorization": f"Bearer {world.api_keys['cb_hunan']}"}
    )
    assert (response.status_code, response.json()["errors"]) == (status, errors)
    assert state() == before


def test_writes_need_a_certification_body_key(api, world):
    payload = {
        "number": "API-2",
        "scheme": "QMS",
        "holder_uscc": world.organizations["maker"].uscc,
        "issue_date": "2025-05-01",
        "expiry_date": "2028-04-30",
    }
    before = state()
    no_key = api.post("/certificates", json=payload)
    assert (no_key.status_code, no_key.json()["code"]) == (401, "unauthenticated")
    wrong = api.post("/certificates", json=payload, headers={"X-API-Key": "chk_deadbeef_nope"})
    assert wrong.status_code == 401
    lab = api.post("/certificates", json=payload, headers={"X-API-Key": world.api_keys["lab"]})
    assert (lab.status_code, lab.json()["message"]) == (403, "只有认证机构的接口密钥可以登记证书")
    # A body outside its approved schemes: 岳阳 may certify only QMS.
    other = api.post(
        "/certificates", json={**payload, "scheme": "EMS"}, headers={"X-API-Key": world.api_keys["cb_yueyang"]}
    )
    assert other.json()["errors"] == {"scheme": ["认证机构未获准开展“环境管理体系认证”认证"]}
    assert state() == before


def test_status_change_through_the_api(api, world):
    headers = {"X-API-Key": world.api_keys["cb_hunan"]}
    response = api.post(
        "/certificates/CNCA-QMS-2025-0002/status",
        headers=headers,
        json={"status": "ACTIVE", "effective_date": "2025-10-10", "reason": "整改完成"},
    )
    assert response.status_code == 200
    assert response.json()["history"][-1] == {
        "from_status": "SUSPENDED",
        "to_status": "ACTIVE",
        "date": "2025-10-10",
        "reason": "整改完成",
    }
    assert api.get("/certificates/CNCA-QMS-2025-0002").json()["status"] == "ACTIVE"
    before = state()
    forbidden = api.post(
        "/certificates/CNCA-EMS-2024-0004/status",
        headers=headers,
        json={"status": "ACTIVE", "effective_date": "2025-10-10", "reason": "试图恢复"},
    )
    assert (forbidden.status_code, forbidden.json()["errors"]) == (
        409,
        {"status": ["证书状态不能从撤销（WITHDRAWN）变为有效（ACTIVE）"]},
    )
    # 岳阳's key cannot touch 湖南's certificate (not its own, not visible as its own).
    foreign = api.post(
        "/certificates/CNCA-QMS-2025-0002/status",
        headers={"X-API-Key": world.api_keys["cb_yueyang"]},
        json={"status": "SUSPENDED", "effective_date": "2025-10-11", "reason": "x"},
    )
    # Another body's certificate answers exactly as a missing one (C14: existence does not leak).
    missing = api.post(
        "/certificates/CNCA-QMS-2099-0002/status",
        headers={"X-API-Key": world.api_keys["cb_yueyang"]},
        json={"status": "SUSPENDED", "effective_date": "2025-10-11", "reason": "x"},
    )
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == {
        "code": "not_found",
        "message": "登记库中没有编号为“CNCA-QMS-2025-0002”的证书",
        "errors": {},
    }
    assert missing.json()["message"] == "登记库中没有编号为“CNCA-QMS-2099-0002”的证书"
    assert state() == before


def test_oversized_and_non_utf8_bodies_are_refused(api, world):
    headers = {"X-API-Key": world.api_keys["cb_hunan"], "Content-Type": "application/json"}
    before = state()
    big = api.post("/certificates", content=b'{"number": "' + b"x" * (4 * 1024 * 1024 + 10) + b'"}', headers=headers)
    assert (big.status_code, big.json()["message"]) == (
        413,
        "请求体过大：4194328字节，上限4194304字节 · request body too large",
    )
    latin = api.post("/certificates", content='{"number": "证书"}'.encode("gb18030"), headers=headers)
    assert (latin.status_code, latin.json()["code"], latin.json()["message"]) == (
        400,
        "bad_encoding",
        "请求体不是UTF-8编码（第14字节）",
    )  # 证 in GB18030 happens to be valid UTF-8
    broken = api.post("/certificates", content=b'{"number": ', headers=headers)
    assert (broken.status_code, broken.json()["code"]) == (400, "bad_json")
    assert state() == before


def test_registries_and_openapi(api, world):
    body = api.get("/certification-bodies/CNCA-R-2004-117").json()
    assert body["schemes"] == ["CCC", "EMS", "ORGANIC", "QMS"]
    lab = api.get("/labs/231812050341").json()
    assert [(s["parameter"], s["standard"]) for s in lab["scope"]] == [
        ("绝缘电阻", "GB 4706.1-2005"),
        ("铅", "GB 5009.12-2023"),
    ]
    assert lab["signatories"] == [{"name": "周敏", "valid_from": "2023-05-01", "valid_until": None, "scope_count": 1}]
    finder = api.get("/labs", params={"parameter": "铅"}).json()
    assert [entry["cma_number"] for entry in finder] == ["231812050341"]
    assert api.get("/labs", params={"parameter": "汞"}).json() == []
    organization = api.get(f"/organizations/{world.organizations['farm'].uscc}").json()
    assert organization["region"] == {"code": "431102", "name": "零陵区"}
    assert api.get("/schemes/LX_VILLAGE").json()["kind"] == "two_oriented"
    spec = api.get("/openapi.json").json()
    assert spec["info"]["title"] == "CertHub API"
    assert {
        "/api/v1/certificates",
        "/api/v1/certificates/{number}",
        "/api/v1/certificates/{number}/status",
        "/api/v1/labs/{cma_number}",
    } <= set(spec["paths"])
    assert ApiKey.objects.filter(digest__contains=world.api_keys["cb_hunan"]).count() == 0  # stored hashed


def test_counts_stop_at_the_cap(api, world, monkeypatch):
    from certhub.registry.queries import search

    whole = api.get("/certificates").json()
    assert (whole["count"], whole["count_exact"]) == (5, True)  # six minus the draft
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    capped = api.get("/certificates").json()
    assert (capped["count"], capped["count_exact"], len(capped["items"])) == (3, False, 5)


def test_nul_characters_are_refused_not_crashed_on(api, world):
    before = state()
    response = api.get("/certificates", params={"body": "\x00", "q": "湘江"})
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"body": ["含有NUL字符（\\0） · contains a NUL character"]},
    )
    assert api.get("/certificates/AB%00CD").json()["errors"] == {
        "path": ["含有NUL字符（\\0） · contains a NUL character"]
    }
    assert state() == before
