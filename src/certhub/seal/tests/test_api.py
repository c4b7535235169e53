"""The seal endpoints over real HTTP: a certificate's seal and its SVG, verification with the current
status, the trust list; every refusal with the common error body and the exact reason."""

from __future__ import annotations

import base64
import datetime
from urllib.parse import quote

import httpx
import pytest
import schemathesis

from certhub.core.actors import SYSTEM
from certhub.ledger.queries import latest_index
from certhub.registry import actions as registry_actions
from certhub.seal import qr
from certhub.seal.actions import do_create_seal_key, do_retire_seal_key
from certhub.seal.claims import scope_digest
from certhub.seal.cose import decode, sign, wrap
from certhub.seal.queries import certificate_expiry, seal_text
from certhub.seal.tests.helpers import EXAMPLE_CLAIMS, EXAMPLE_KEY, cose_of
from certhub.seal.trust import numeric_date

pytestmark = pytest.mark.django_db(transaction=True)

CCC = "2025010701000123"


@pytest.fixture
def api(live_server, world, seal_key):
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as client:
        yield client


def error(response: httpx.Response) -> tuple[int, dict]:
    return response.status_code, response.json()


def test_the_seal_of_an_active_certificate(api, world, seal_key, live_server, settings):
    settings.CERTHUB_SITE_URL = live_server.url  # links are made from the site's address (core.absolute_urls)
    certificate = world.certificates["ccc"]
    response = api.get(f"/certificates/{CCC}/seal")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "qr": seal_text(certificate),
        "svg": f"{live_server.url}/api/v1/certificates/{CCC}/seal.svg?body=CNCA-R-2004-117",
        "pdf": f"{live_server.url}/certificates/{CCC}/certificate.pdf?body=CNCA-R-2004-117",
        "kid": seal_key.kid,
    }
    cose = decode(body["qr"])
    assert cose.kid == seal_key.kid_bytes
    svg = api.get(f"/certificates/{CCC}/seal.svg", params={"body": "CNCA-R-2004-117"})
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["cache-control"] == "no-cache"
    assert svg.content == qr.svg(body["qr"], title=f"证书{CCC}防伪二维码")
    assert svg.content.startswith(b"<?xml")


def test_verify_a_genuine_seal_reads_the_claims_and_the_current_record(api, world, seal_key):
    certificate = world.certificates["ccc"]
    text = api.get(f"/certificates/{CCC}/seal").json()["qr"]
    response = api.post("/seals/verify", json={"qr": text})
    assert response.status_code == 200
    index = latest_index("registry.certificate", str(certificate.pk))
    assert response.json() == {
        "genuine": True,
        "kid": seal_key.kid,
        "message": "防伪二维码真实，证书当前有效",
        "claims": {
            "issuer": "certhub.hunan.example",
            "issued_at": datetime.datetime.fromtimestamp(
                max(numeric_date(certificate.updated_at), numeric_date(seal_key.valid_from)), tz=datetime.UTC
            ).isoformat(),
            "expires_at": "2030-02-28T16:00:00+00:00",
            "number": CCC,
            "scheme": "CCC",
            "holder_name": "长沙星城电器有限公司",
            "holder_uscc": world.organizations["maker"].uscc,
            "certification_body": "CNCA-R-2004-117",
            "scope_sha256": scope_digest("家用电冰箱").hex(),
            "status": "ACTIVE",
            "ledger_index": index,
        },
        "current": {
            "found": True,
            "status": "ACTIVE",
            "status_label": "有效",
            "status_changed_on": certificate.status_changed_on.isoformat(),
            "status_changed": False,
            "changed_fields": [],
            "ledger_index": index,
            "record_changed": False,
            "url": f"/certificates/{CCC}/?body=CNCA-R-2004-117",
        },
    }
    assert numeric_date(certificate_expiry(certificate)) == int(
        datetime.datetime(2030, 2, 28, 16, tzinfo=datetime.UTC).timestamp()
    )


def test_a_seal_signed_before_a_suspension_is_genuine_but_the_status_is_current(api, world):
    text = api.get(f"/certificates/{CCC}/seal").json()["qr"]
    registry_actions.do_change_certificate_status(
        certificate=world.certificates["ccc"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 10, 1),
        reason="监督抽查不合格",
        actor=world.actor("cb_hunan"),
    )
    body = api.post("/seals/verify", json={"qr": text}).json()
    assert body["genuine"] is True
    assert body["message"] == "防伪二维码真实，但此证书已于2025-10-01暂停"
    assert body["claims"]["status"] == "ACTIVE"
    current = body["current"]
    assert (current["status"], current["status_label"], current["status_changed_on"], current["status_changed"]) == (
        "SUSPENDED",
        "暂停",
        "2025-10-01",
        True,
    )
    assert current["record_changed"] is True and current["ledger_index"] > body["claims"]["ledger_index"]
    # …and the certificate itself no longer gets a seal.
    assert error(api.get(f"/certificates/{CCC}/seal")) == (
        409,
        {
            "code": "not_active",
            "message": f"证书“{CCC}”当前状态为“暂停”，只有有效证书才有防伪二维码",
            "errors": {},
        },
    )


@pytest.mark.parametrize(
    ("qr_text", "code", "message"),
    [
        ("", "bad_prefix", "内容为空：请粘贴或扫描证书上的二维码"),
        (
            "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N",
            "bad_prefix",
            "这是欧盟数字新冠证书（HC1:），不是认证通证书防伪二维码（应以“QC1:”开头）",
        ),
        ("QC1:ABC#", "bad_base45", "第8个字符“#”不在Base45字符集中：二维码内容被改动或抄错"),
        ("QC1:" + "%69 VD92EX0", "bad_compression", "解压失败（zlib）：内容不是压缩数据，或已损坏"),
    ],
)
def test_malformed_codes_are_refused_with_422_and_the_reason(api, qr_text, code, message):
    assert error(api.post("/seals/verify", json={"qr": qr_text})) == (
        422,
        {"code": code, "message": message, "errors": {}},
    )


def test_tampered_unknown_and_retired_keys_are_refused(api, world, seal_key):
    text = api.get(f"/certificates/{CCC}/seal").json()["qr"]
    cose = bytearray(cose_of(text))
    cose[-70] ^= 0x01  # inside the payload's last bytes
    assert error(api.post("/seals/verify", json={"qr": wrap(bytes(cose))})) == (
        422,
        {
            "code": "bad_signature",
            "message": "签名验证失败：二维码内容在签发后被改动，或不是用此密钥签署的",
            "errors": {},
        },
    )
    foreign = wrap(sign(EXAMPLE_CLAIMS.to_payload(), EXAMPLE_KEY))
    status, body = error(api.post("/seals/verify", json={"qr": foreign}))
    assert (status, body["code"]) == (422, "unknown_key")
    do_retire_seal_key(key=seal_key, valid_until=datetime.datetime.now(datetime.UTC), actor=SYSTEM)
    status, body = error(api.post("/seals/verify", json={"qr": text}))
    assert (status, body["code"]) == (422, "key_expired")
    assert body["message"].startswith(f"签名真实，但签名密钥{seal_key.kid}已于")


def test_too_long_and_missing_text_are_refused_by_the_schema(api):
    status, body = error(api.post("/seals/verify", json={"qr": "Q" * 5001}))
    assert (status, body["code"], list(body["errors"])) == (422, "validation_failed", ["qr"])
    status, body = error(api.post("/seals/verify", json={}))
    assert (status, body["code"], list(body["errors"])) == (422, "validation_failed", ["qr"])


def test_numbers_unknown_shared_and_not_active(api, world):
    assert error(api.get("/certificates/CNCA-QMS-2099-9999/seal")) == (
        404,
        {"code": "not_found", "message": "登记库中没有编号为“CNCA-QMS-2099-9999”的证书", "errors": {}},
    )
    assert error(api.get("/certificates/CNCA-QMS-2025-0001/seal")) == (
        409,
        {
            "code": "ambiguous",
            "message": "多个认证机构使用此编号，请用body参数指定",
            "errors": {"body": ["CNCA-R-2004-117", "CNCA-R-2011-089"]},
        },
    )
    chosen = api.get("/certificates/CNCA-QMS-2025-0001/seal", params={"body": "CNCA-R-2011-089"})
    assert chosen.status_code == 200
    assert chosen.json()["qr"] == seal_text(world.certificates["yueyang"])
    # A draft is not public: not found, as for any other public request.
    assert error(api.get("/certificates/CNCA-QMS-2025-0003/seal"))[0] == 404
    assert error(api.get(f"/certificates/{quote('CNCA-EMS-2024-0004')}/seal.svg")) == (
        409,
        {
            "code": "not_active",
            "message": "证书“CNCA-EMS-2024-0004”当前状态为“撤销”，只有有效证书才有防伪二维码",
            "errors": {},
        },
    )


def test_without_a_signing_key_the_answer_is_503(api, world, seal_key):
    do_retire_seal_key(key=seal_key, actor=SYSTEM)
    assert error(api.get(f"/certificates/{CCC}/seal")) == (
        503,
        {
            "code": "seal_unavailable",
            "message": "尚无可用的签章密钥：请管理员运行“certhub seal keys --new”",
            "errors": {},
        },
    )


def test_the_trust_list_is_a_jwk_set_with_every_key_and_its_window(api, world, seal_key):
    second = do_create_seal_key(actor=SYSTEM)
    retired = do_retire_seal_key(
        key=seal_key, valid_until=datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC), actor=SYSTEM
    )
    response = api.get("/trust/keys")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"

    def x(key):
        return base64.urlsafe_b64encode(bytes(key.public_key)).rstrip(b"=").decode()

    assert response.json() == {
        "iss": "certhub.hunan.example",
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": x(seal_key),
                "kid": seal_key.kid,
                "use": "sig",
                "alg": "EdDSA",
                "nbf": numeric_date(seal_key.valid_from),
                "retired": numeric_date(retired.retired_at),
                "exp": 1924992000,
            },
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": x(second),
                "kid": second.kid,
                "use": "sig",
                "alg": "EdDSA",
                "nbf": numeric_date(second.valid_from),
            },
        ],
    }


def test_the_answers_match_the_published_schema(api, world, seal_key, live_server):
    """Each endpoint's success and refusal answers, held to our own OpenAPI document (docs/architecture.md
    convention 17)."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = {(op.method.upper(), op.path): op for op in (r.ok() for r in schema.get_all_operations())}
    text = seal_text(world.certificates["ccc"])
    cases = [
        (("GET", "/api/v1/certificates/{number}/seal"), {"path_parameters": {"number": CCC}}, 200),
        (("GET", "/api/v1/certificates/{number}/seal"), {"path_parameters": {"number": "CNCA-QMS-2025-0001"}}, 409),
        (("GET", "/api/v1/certificates/{number}/seal.svg"), {"path_parameters": {"number": CCC}}, 200),
        (("GET", "/api/v1/certificates/{number}/seal.svg"), {"path_parameters": {"number": "CNCA-EMS-2024-0004"}}, 409),
        (("POST", "/api/v1/seals/verify"), {"body": {"qr": text}, "media_type": "application/json"}, 200),
        (("POST", "/api/v1/seals/verify"), {"body": {"qr": "QC1:%%%"}, "media_type": "application/json"}, 422),
        (("GET", "/api/v1/trust/keys"), {}, 200),
    ]
    for key, arguments, status in cases:
        case = operations[key].Case(**arguments)
        response = case.call(base_url=live_server.url)
        assert response.status_code == status, (key, response.text[:300])
        case.validate_response(response)
