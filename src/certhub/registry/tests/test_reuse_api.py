"""Reuse by other departments and buyers (C2 互认通用·采信, C13 政府采购优先): batch verification of
certificate numbers, matching an organization by name or credit code, and the procurement check — exact
answers, bad input refused with the field named, bounded queries, public fields only, the OpenAPI
document."""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import positive_data_acceptance

from certhub.core.testing import sign_in_client
from certhub.registry import schemas
from certhub.registry.testing import make_uscc

VERIFY = "/api/v1/certificates/verify"
HUNAN = {"name": "湖南标准认证有限公司", "approval_number": "CNCA-R-2004-117"}
YUEYANG = {"name": "岳阳质量认证中心有限公司", "approval_number": "CNCA-R-2011-089"}
QMS = {"code": "QMS", "name": "质量管理体系认证", "name_en": "Quality management system (ISO 9001)"}
EMS = {"code": "EMS", "name": "环境管理体系认证", "name_en": "Environmental management system (ISO 14001)"}
CCC = {"code": "CCC", "name": "强制性产品认证", "name_en": "China Compulsory Certification"}
NOT_FOUND = {"found": False, "status": None, "status_label": None, "holder_name": None, "holder_uscc": None,
             "scheme": None, "certification_body": None, "expiry_date": None, "valid_now": False}  # fmt: skip


@pytest.fixture
def today(monkeypatch):
    """Legal dates are Asia/Shanghai dates; the tests fix "today" so that validity is exact."""
    day = [datetime.date(2026, 6, 1)]
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day[0])
    return day


def post_verify(client, body, **headers):
    return client.post(VERIFY, body, content_type="application/json", **headers)


# ---------------------------------------------------------------- batch verify


def test_verify_answers_each_number_once_in_order(client, world, today):
    maker, hengyang = world.organizations["maker"].uscc, world.organizations["hengyang"].uscc
    response = post_verify(
        client,
        {
            "numbers": [
                "CNCA-QMS-2025-0002",
                " NOPE-1 ",
                "CNCA-QMS-2025-0003",
                "CNCA-QMS-2025-0001",
                "2025010701000123",
                "CNCA-QMS-2025-0002",
                "CNCA-EMS-2024-0004",
            ]
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "checked": 6,
        "found": 4,
        "valid_now": 2,
        "results": [
            {
                "number": "CNCA-QMS-2025-0002",
                "found": True,
                "status": "SUSPENDED",
                "status_label": "暂停",
                "holder_name": "衡阳湘江机械制造有限公司",
                "holder_uscc": hengyang,
                "scheme": QMS,
                "certification_body": HUNAN,
                "expiry_date": "2028-02-28",
                "valid_now": False,
            },
            {"number": "NOPE-1", **NOT_FOUND},
            {"number": "CNCA-QMS-2025-0003", **NOT_FOUND},  # a draft is never public
            # Two bodies use this number: one entry each, adjacent, in approval-number order.
            {
                "number": "CNCA-QMS-2025-0001",
                "found": True,
                "status": "ACTIVE",
                "status_label": "有效",
                "holder_name": "长沙星城电器有限公司",
                "holder_uscc": maker,
                "scheme": QMS,
                "certification_body": HUNAN,
                "expiry_date": "2028-02-28",
                "valid_now": True,
            },
            {
                "number": "CNCA-QMS-2025-0001",
                "found": True,
                "status": "ACTIVE",
                "status_label": "有效",
                "holder_name": "衡阳湘江机械制造有限公司",
                "holder_uscc": hengyang,
                "scheme": QMS,
                "certification_body": YUEYANG,
                "expiry_date": "2028-02-28",
                "valid_now": True,
            },
            {
                "number": "2025010701000123",
                "found": True,
                "status": "ACTIVE",
                "status_label": "有效",
                "holder_name": "长沙星城电器有限公司",
                "holder_uscc": maker,
                "scheme": CCC,
                "certification_body": HUNAN,
                "expiry_date": "2030-02-28",
                "valid_now": True,
            },
            {
                "number": "CNCA-EMS-2024-0004",
                "found": True,
                "status": "WITHDRAWN",
                "status_label": "撤销",
                "holder_name": "衡阳湘江机械制造有限公司",
                "holder_uscc": hengyang,
                "scheme": EMS,
                "certification_body": HUNAN,
                "expiry_date": "2027-01-09",
                "valid_now": False,
            },
        ],
    }


def test_an_active_certificate_past_its_expiry_date_is_not_valid_now(client, world, today):
    today[0] = datetime.date(2028, 2, 28)  # the last valid day
    last_day = post_verify(client, {"numbers": ["CNCA-QMS-2025-0001"], "body": "CNCA-R-2004-117"}).json()
    assert [(r["status"], r["valid_now"]) for r in last_day["results"]] == [("ACTIVE", True)]
    today[0] = datetime.date(2028, 2, 29)
    after = post_verify(client, {"numbers": ["CNCA-QMS-2025-0001", "2025010701000123"]}).json()
    assert [(r["number"], r["status"], r["valid_now"]) for r in after["results"]] == [
        ("CNCA-QMS-2025-0001", "ACTIVE", False),
        ("CNCA-QMS-2025-0001", "ACTIVE", False),
        ("2025010701000123", "ACTIVE", True),
    ]
    assert (after["checked"], after["found"], after["valid_now"]) == (2, 2, 1)


def test_verify_body_filter_keeps_one_bodys_certificates(client, world, today):
    response = post_verify(client, {"numbers": ["CNCA-QMS-2025-0001", "CNCA-QMS-2025-0002"], "body": "CNCA-R-2011-089"})
    results = response.json()["results"]
    assert [(r["number"], r["found"], r["certification_body"]) for r in results] == [
        ("CNCA-QMS-2025-0001", True, YUEYANG),
        ("CNCA-QMS-2025-0002", False, None),
    ]
    by_name = post_verify(client, {"numbers": ["CNCA-QMS-2025-0001"], "body": "湖南标准认证有限公司"}).json()
    assert [r["certification_body"] for r in by_name["results"]] == [HUNAN]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"numbers": [f"N-{i}" for i in range(101)]},
            {"numbers": ["List should have at most 100 items after validation, not 101"]},
        ),
        ({"numbers": []}, {"numbers": ["List should have at least 1 item after validation, not 0"]}),
        ({"numbers": "CNCA-QMS-2025-0001"}, {"numbers": ["Input should be a valid list"]}),
        ({}, {"numbers": ["Field required"]}),
        ({"numbers": ["CNCA-QMS-2025-0001", "  "]}, {"numbers.1": ["String should have at least 1 character"]}),
        ({"numbers": ["x" * 61]}, {"numbers.0": ["String should have at most 60 characters"]}),
        ({"numbers": [12345]}, {"numbers.0": ["Input should be a valid string"]}),
        (
            {"numbers": ["A", "B\x00"], "body": "\x00"},
            {
                "numbers.1": ["含有NUL字符（\\0） · contains a NUL character"],
                "body": ["含有NUL字符（\\0） · contains a NUL character"],
            },
        ),
    ],
    ids=["101-numbers", "empty-list", "not-a-list", "missing", "blank-number", "too-long", "not-a-string", "nul"],
)
def test_verify_refuses_bad_batches_naming_the_field(client, world, body, errors):
    response = post_verify(client, body)
    assert (response.status_code, response.json()["code"], response.json()["errors"]) == (
        422,
        "validation_failed",
        errors,
    )


def test_verify_takes_exactly_100_numbers(client, world, today):
    numbers = ["CNCA-EMS-2024-0004", *[f"NOPE-{i}" for i in range(99)]]
    body = post_verify(client, {"numbers": numbers}).json()
    assert (body["checked"], body["found"], len(body["results"])) == (100, 1, 100)
    assert [r["number"] for r in body["results"]] == numbers


def test_verify_uses_a_bounded_number_of_queries_whatever_the_batch(
    client, world, today, settings, django_assert_num_queries, django_assert_max_num_queries
):
    numbers = ["CNCA-QMS-2025-0001", "2025010701000123", *[f"NOPE-{i}" for i in range(98)]]
    # Anonymous: count the request (an upsert, and a prune on a window's first request), then one read.
    with django_assert_max_num_queries(3):
        one = post_verify(client, {"numbers": numbers[:1]})
    with django_assert_max_num_queries(3):
        hundred = post_verify(client, {"numbers": numbers})
    assert (len(one.json()["results"]), len(hundred.json()["results"])) == (2, 101)
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 0
    with django_assert_num_queries(1):  # the lookup itself: one query on the public-record read model
        assert post_verify(client, {"numbers": numbers}).json()["found"] == 2


def test_verify_with_a_wrong_key_is_refused(client, world):
    response = post_verify(client, {"numbers": ["CNCA-QMS-2025-0001"]}, HTTP_X_API_KEY="chk_deadbeef_nope")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


# ---------------------------------------------------------------- organization match


def test_name_normalization_folds_width_case_punctuation_and_legal_forms(reference):
    from certhub.registry.queries import distinctive_part, name_core, normalize_name

    assert normalize_name(" 长沙 ＡＢＣ（星城）电器有限公司。") == "长沙abc星城电器有限公司"
    assert name_core(normalize_name("湖南湘江集团有限公司")) == "湖南湘江"  # 集团有限公司 is one legal form
    assert name_core("长沙星城电器股份有限公司") == "长沙星城电器"
    assert name_core("长沙星城电器有限公司长沙分公司") == "长沙星城电器有限公司长沙分公司"  # a branch keeps its name
    assert name_core("公司") == "公司"  # nothing would be left
    assert distinctive_part("湖南省长沙市星城电器") == "星城电器"
    assert distinctive_part("长沙星城电器") == "星城电器"
    assert distinctive_part("长沙") == "长沙"


def candidates(response):
    return [(c["name"], c["score"], c["basis"], c["reasons"]) for c in response.json()["candidates"]]


def test_match_by_name_scores_and_explains(client, world):
    match = "/api/v1/organizations/match"
    assert candidates(client.get(match, {"name": "长沙星城电器有限公司"})) == [
        ("长沙星城电器有限公司", 98, "name_exact", ["名称一致"])
    ]
    # Full-width characters, spaces and brackets are folded before comparing.
    assert candidates(client.get(match, {"name": " 长沙　星城电器（有限公司） "})) == [
        ("长沙星城电器有限公司", 98, "name_exact", ["名称一致"])
    ]
    assert candidates(client.get(match, {"name": "长沙星城电器有限责任公司"})) == [
        ("长沙星城电器有限公司", 95, "name_core", ["名称除组织形式外一致"])
    ]
    # Without its region: found through the trade name, scored by similarity.
    assert candidates(client.get(match, {"name": "湖南省星城电器"})) == [
        ("长沙星城电器有限公司", 71, "name_similar", ["名称相似度71"])
    ]
    assert candidates(client.get(match, {"name": "湘江机械"})) == [
        ("衡阳湘江机械制造有限公司", 75, "name_similar", ["名称相似度75"])
    ]
    # A slip of the pen (电气 for 电器).
    assert candidates(client.get(match, {"name": "长沙星城电气有限公司"})) == [
        ("长沙星城电器有限公司", 85, "name_similar", ["名称相似度85"])
    ]
    response = client.get(match, {"name": "湘江机械", "min_score": 76})
    assert response.json() == {"name": "湘江机械", "uscc": "", "candidates": []}


def test_match_by_credit_code_is_100_and_checks_the_name_too(client, world):
    hengyang = world.organizations["hengyang"]
    response = client.get("/api/v1/organizations/match", {"uscc": hengyang.uscc.lower(), "name": "湘江机械"})
    body = response.json()
    assert (body["name"], body["uscc"]) == ("湘江机械", hengyang.uscc)
    assert body["candidates"] == [
        {
            "uscc": hengyang.uscc,
            "name": "衡阳湘江机械制造有限公司",
            "region": {"code": "430405", "name": "珠晖区"},
            "score": 100,
            "name_score": 75,
            "basis": "uscc",
            "reasons": ["统一社会信用代码一致", "名称相似度75"],
        }
    ]
    alone = client.get("/api/v1/organizations/match", {"uscc": hengyang.uscc}).json()["candidates"]
    assert [(c["name"], c["score"], c["name_score"], c["reasons"]) for c in alone] == [
        ("衡阳湘江机械制造有限公司", 100, None, ["统一社会信用代码一致"])
    ]


def test_match_orders_best_first_and_stops_at_the_limit(client, world):
    # Two characters cover less of a long name than of a short one.
    both = client.get("/api/v1/organizations/match", {"name": "湖南", "min_score": 0})
    assert candidates(both) == [
        ("湖南标准认证有限公司", 69, "name_similar", ["名称相似度69"]),
        ("湖南省产品质量检验检测研究院", 62, "name_similar", ["名称相似度62"]),
    ]
    first = client.get("/api/v1/organizations/match", {"name": "湖南", "min_score": 0, "limit": 1})
    assert candidates(first) == candidates(both)[:1]
    assert (
        candidates(client.get("/api/v1/organizations/match", {"name": "湖南", "min_score": 65})) == candidates(both)[:1]
    )


def test_match_is_scoped_like_every_organization_query(client, world):
    sign_in_client(client, world.users["officer_changsha"])
    assert client.get("/api/v1/organizations/match", {"name": "湘江机械"}).json()["candidates"] == []
    sign_in_client(client, world.users["officer_hengyang"])
    assert candidates(client.get("/api/v1/organizations/match", {"name": "湘江机械"})) == [
        ("衡阳湘江机械制造有限公司", 75, "name_similar", ["名称相似度75"])
    ]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"name": ["名称和统一社会信用代码至少填写一项"], "uscc": ["名称和统一社会信用代码至少填写一项"]}),
        ({"uscc": "914301000000000010"}, {"uscc": ["统一社会信用代码校验位错误"]}),
        ({"uscc": "91430100MA4L1234", "name": "星城"}, {"uscc": ["统一社会信用代码须为18位，收到16位"]}),
        ({"name": "湘"}, {"name": ["名称至少需要2个字"]}),
        ({"name": "星城", "limit": 51}, {"limit": ["Input should be less than or equal to 50"]}),
    ],
    ids=["nothing", "check-digit", "short-code", "one-character", "limit"],
)
def test_match_refuses_bad_input_naming_the_field(client, world, params, errors):
    response = client.get("/api/v1/organizations/match", params)
    assert (response.status_code, response.json()["errors"]) == (422, errors)


# ---------------------------------------------------------------- procurement check


def check(client, **params):
    return client.get("/api/v1/procurement/check", params)


def certificate_rows(body):
    return [
        (
            c["number"],
            c["status"],
            c["valid_now"],
            c["scheme"]["code"],
            c["certification_body"]["approval_number"],
            c["expiry_date"],
            c["matched_on"],
        )
        for c in body["certificates"]
    ]


def test_procurement_supplier_with_valid_certificates(client, world, today):
    maker = world.organizations["maker"]
    body = check(client, uscc=maker.uscc).json()
    assert {k: v for k, v in body.items() if k != "certificates"} == {
        "uscc": maker.uscc,
        "product": "",
        "checked_on": "2026-06-01",
        "registered": True,
        "supplier": {
            "uscc": maker.uscc,
            "name": "长沙星城电器有限公司",
            "region": {"code": "430104", "name": "岳麓区"},
        },
        "certified": True,
        "message": "该供应商目前持有2张有效认证证书：强制性产品认证、质量管理体系认证",
        "schemes": [CCC, QMS],
        "ccc_product": None,
    }
    # The draft CNCA-QMS-2025-0003 is not evidence: never listed.
    assert certificate_rows(body) == [
        ("2025010701000123", "ACTIVE", True, "CCC", "CNCA-R-2004-117", "2030-02-28", []),
        ("CNCA-QMS-2025-0001", "ACTIVE", True, "QMS", "CNCA-R-2004-117", "2028-02-28", []),
    ]
    assert body["certificates"][0]["ccc_product"] == {"code": "0701", "name": "家用电冰箱和食品冷冻箱"}
    assert body["certificates"][0]["status_label"] == "有效"


def test_procurement_product_by_name_model_and_ccc_code(client, world, today):
    maker = world.organizations["maker"].uscc
    by_name = check(client, uscc=maker, product="电冰箱").json()
    assert (by_name["certified"], by_name["message"]) == (True, "产品“电冰箱”目前有1张有效认证证书：强制性产品认证")
    assert certificate_rows(by_name) == [
        (
            "2025010701000123",
            "ACTIVE",
            True,
            "CCC",
            "CNCA-R-2004-117",
            "2030-02-28",
            ["ccc_product", "products", "scope"],
        )
    ]
    by_model = check(client, uscc=maker, product="ｂｃｄ-218").json()  # full-width, lower case
    assert (by_model["product"], [c["matched_on"] for c in by_model["certificates"]]) == ("bcd-218", [["products"]])
    by_code = check(client, uscc=maker, product="0701").json()
    assert by_code["ccc_product"] == {"code": "0701", "name": "家用电冰箱和食品冷冻箱"}
    assert [(c["number"], c["matched_on"]) for c in by_code["certificates"]] == [("2025010701000123", ["ccc_product"])]
    scope = check(client, uscc=maker, product="电气设备").json()
    assert [(c["number"], c["matched_on"]) for c in scope["certificates"]] == [("CNCA-QMS-2025-0001", ["scope"])]
    none = check(client, uscc=maker, product="0999").json()
    assert (none["certified"], none["ccc_product"], none["certificates"], none["schemes"], none["message"]) == (
        False,
        None,
        [],
        [],
        "没有找到该供应商产品“0999”目前有效的认证证书",
    )


def test_procurement_lists_suspended_and_withdrawn_certificates_after_valid_ones(client, world, today):
    hengyang = world.organizations["hengyang"].uscc
    body = check(client, uscc=hengyang).json()
    assert (body["certified"], body["schemes"], body["message"]) == (
        True,
        [QMS],
        "该供应商目前持有1张有效认证证书：质量管理体系认证",
    )
    assert certificate_rows(body) == [
        ("CNCA-QMS-2025-0001", "ACTIVE", True, "QMS", "CNCA-R-2011-089", "2028-02-28", []),
        ("CNCA-QMS-2025-0002", "SUSPENDED", False, "QMS", "CNCA-R-2004-117", "2028-02-28", []),
        ("CNCA-EMS-2024-0004", "WITHDRAWN", False, "EMS", "CNCA-R-2004-117", "2027-01-09", []),
    ]
    today[0] = datetime.date(2028, 3, 1)  # every certificate of 衡阳湘江 has expired by then
    later = check(client, uscc=hengyang).json()
    assert (later["certified"], later["schemes"], later["message"]) == (False, [], "该供应商目前没有有效的认证证书")
    assert [c["valid_now"] for c in later["certificates"]] == [False, False, False]


def test_procurement_unregistered_and_uncertified_suppliers(client, world, today):
    farm = world.organizations["farm"].uscc
    assert check(client, uscc=farm).json()["message"] == "该供应商目前没有有效的认证证书"
    unknown = make_uscc(4242, "430100")
    body = check(client, uscc=unknown.lower()).json()
    assert body == {
        "uscc": unknown,
        "product": "",
        "checked_on": "2026-06-01",
        "registered": False,
        "supplier": None,
        "certified": False,
        "message": f"登记库中没有统一社会信用代码为{unknown}的机构，不能认定其持有有效认证证书",
        "schemes": [],
        "ccc_product": None,
        "certificates": [],
    }


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({}, {"uscc": ["Field required"]}),
        ({"uscc": ""}, {"uscc": ["必填"]}),
        ({"uscc": "91430100MA4L1234"}, {"uscc": ["统一社会信用代码须为18位，收到16位"]}),
        ({"uscc": "914301000000000010", "product": "电冰箱"}, {"uscc": ["统一社会信用代码校验位错误"]}),
        ({"uscc": "91430100000000001O"}, {"uscc": ["统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"]}),
    ],
    ids=["missing", "empty", "short", "check-digit", "letter-o"],
)
def test_procurement_refuses_bad_credit_codes(client, world, params, errors):
    response = check(client, **params)
    assert (response.status_code, response.json()["code"], response.json()["errors"]) == (
        422,
        "validation_failed",
        errors,
    )


# ---------------------------------------------------------------- the published contract

PUBLIC_FIELDS = {
    schemas.VerifyResult: ["number", "found", "status", "status_label", "holder_name", "holder_uscc", "scheme",
                           "certification_body", "expiry_date", "valid_now"],
    schemas.OrganizationCandidate: ["uscc", "name", "region", "score", "name_score", "basis", "reasons"],
    schemas.SupplierOut: ["uscc", "name", "region"],
    schemas.ProcurementCertificate: ["number", "status", "status_label", "valid_now", "scheme", "certification_body",
                                     "issue_date", "expiry_date", "ccc_product", "matched_on"],
    schemas.ProcurementCheckOut: ["uscc", "product", "checked_on", "registered", "supplier", "certified", "message",
                                  "schemes", "ccc_product", "certificates"],
}  # fmt: skip


def test_reuse_schemas_list_exactly_their_public_fields():
    for schema, fields in PUBLIC_FIELDS.items():
        assert list(schema.model_fields) == fields, schema.__name__


def test_the_endpoints_are_in_the_openapi_document(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    operations = {
        ("post", "/api/v1/certificates/verify"): "VerifyOut",
        ("get", "/api/v1/organizations/match"): "OrganizationMatchOut",
        ("get", "/api/v1/procurement/check"): "ProcurementCheckOut",
    }
    for (method, path), schema in operations.items():
        operation = spec["paths"][path][method]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"
        }
        assert operation["responses"]["429"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }
        assert operation["description"]  # the docstring documents it
    verify_in = spec["components"]["schemas"]["VerifyIn"]["properties"]["numbers"]
    assert (verify_in["minItems"], verify_in["maxItems"]) == (1, 100)
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/procurement/check"]["get"]["parameters"]}
    assert (parameters["uscc"]["required"], parameters["product"]["required"]) == (True, False)


@pytest.mark.django_db(transaction=True)
def test_reuse_endpoints_conform_to_their_schema(live_server, world, settings):
    """Whatever a client sends that the schema allows is answered without a server error, with a response
    that matches the published schema (schemathesis, over real HTTP)."""
    settings.CERTHUB_ANONYMOUS_RATE_LIMIT = 10_000
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    selected = schema.include(path_regex=r"/(certificates/verify|organizations/match|procurement/check)$")
    operations = [result.ok() for result in selected.get_all_operations()]
    assert sorted(op.path for op in operations) == [
        "/api/v1/certificates/verify",
        "/api/v1/organizations/match",
        "/api/v1/procurement/check",
    ]
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
        )
        def conforms(case):
            response = case.call(base_url=live_server.url)
            assert response.status_code < 500, (case.path, case.query, case.body, response.text[:300])
            # A credit code with a wrong check digit is a correct 422 though its format is allowed.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        conforms()
