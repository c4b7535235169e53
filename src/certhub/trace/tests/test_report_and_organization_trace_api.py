"""The report and organization traces over the API (C4 倒查追溯), and every bad input refused with a clear 4xx."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.actors import SYSTEM
from certhub.ledger.queries import entries_of
from certhub.registry import actions
from certhub.registry.models import Organization
from certhub.registry.testing import make_uscc
from certhub.trace import schemas
from certhub.trace.tests.helpers import (
    CCC,
    CCC_SCHEME,
    HUNAN,
    LAB_REF,
    QMS_SCHEME,
    REPORT_SUMMARY,
    ZHOU,
    as_user,
    get,
    verify_proofs,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- a test report


def test_report_trace_checks_items_against_the_scopes_and_links_the_certificate(client, traced):
    trace = get(client, "report/BG-2025-0001").json()
    lab = traced.labs["main"]
    assert trace["view"] == "public"
    assert trace["report"] == {
        **REPORT_SUMMARY,
        "lab": {
            **LAB_REF,
            "cma_valid_from": "2023-05-01",
            "cma_valid_until": "2029-04-30",
            "status": "ACTIVE",
            "uscc": lab.organization.uscc,
        },
        "client": {"name": "长沙星城电器有限公司", "uscc": traced.organizations["maker"].uscc},
        "cma_valid_on_issue_date": True,
        "signatory_valid_on_issue_date": True,
        "items": [
            {
                "parameter": "绝缘电阻",
                "standard": "GB 4706.1-2005",
                "result": None,
                "within_lab_scope": True,
                "within_signatory_scope": True,
            }
        ],
        "registered_at": None,
    }
    assert trace["certificates"] == [
        {
            "number": CCC,
            "status": "ACTIVE",
            "status_label": "有效",
            "scheme": CCC_SCHEME,
            "certification_body": HUNAN,
            "holder_name": "长沙星城电器有限公司",
            "issue_date": "2025-03-01",
            "expiry_date": "2030-02-28",
            "matched_on": ["ccc_product", "products", "scope"],
        }
    ]
    assert [(e["event_type"], e["actor_role"], e["actor_label"]) for e in trace["events"]] == [
        ("TEST_REPORT_CREATED", "LAB", None)
    ]
    assert verify_proofs(trace) == [
        e.index for e in entries_of("registry.testreport", str(traced.reports["fridge"].pk))
    ]
    assert (trace["inspections"], trace["complaints"]) == ([], [])


def test_a_report_outside_the_signatory_or_lab_scope_says_so(client, traced):
    items = get(client, "report/BG-2025-0002").json()["report"]["items"]
    # 铅 is in the lab's scope but not in 周敏's; 镉 is in neither.
    assert [(i["parameter"], i["within_lab_scope"], i["within_signatory_scope"]) for i in items] == [
        ("铅", True, False),
        ("镉", False, False),
    ]
    assert get(client, "report/BG-2025-0002").json()["certificates"] == []


@pytest.mark.parametrize(
    ("username", "view"),
    [
        (None, "public"),
        ("officer_hengyang", "public"),
        ("cb_hunan", "public"),
        ("lab", "full"),
        ("officer_changsha", "full"),
        ("admin", "full"),
    ],
)
def test_who_sees_a_report_in_full(client, traced, username, view):
    trace = get(as_user(client, traced, username), "report/BG-2025-0002").json()
    assert trace["view"] == view
    expected = [("0.3 mg/kg", "lab"), ("0.1 mg/kg", "lab")] if view == "full" else [(None, None), (None, None)]
    assert [(i["result"], trace["events"][0]["actor_label"]) for i in trace["report"]["items"]] == expected
    assert (trace["report"]["registered_at"] is None) == (view == "public")


def test_a_report_number_two_labs_use_is_refused_until_the_lab_is_named(client, traced):
    organization = actions.do_create_organization(
        data={"uscc": make_uscc(7, "430400"), "name": "衡阳市检验检测中心", "region": "430400"}, actor=SYSTEM
    )
    other = actions.do_create_lab(
        decision="湘市监认证〔2020〕12号",
        organization=organization,
        name=organization.name,
        cma_number="201918000001",
        cma_valid_from=datetime.date(2020, 1, 1),
        cma_valid_until=datetime.date(2030, 1, 1),
        actor=SYSTEM,
    )
    scope = actions.do_add_lab_scope(
        decision="湘市监认证〔2020〕12号",
        lab=other,
        field="电器",
        object="家用电器",
        parameter="绝缘电阻",
        standard="GB 4706.1-2005",
        valid_from=datetime.date(2020, 1, 1),
        actor=SYSTEM,
    )
    person = actions.do_create_person(name="赵签", roles=["SIGNATORY"], actor=SYSTEM)
    signatory = actions.do_authorize_signatory(
        decision="湘市监认证〔2020〕12号",
        lab=other,
        person=person,
        scope=[scope],
        valid_from=datetime.date(2020, 1, 1),
        actor=SYSTEM,
    )
    actions.do_create_test_report(
        lab=other,
        number="BG-2025-0001",
        signatory=signatory,
        issue_date=datetime.date(2025, 8, 1),
        conclusion="PASS",
        items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005"}],
        actor=SYSTEM,
    )
    response = get(client, "report/BG-2025-0001")
    assert (response.status_code, response.json()) == (
        409,
        {
            "code": "ambiguous",
            "message": "多个检验检测机构使用此报告编号，请用lab参数指定",
            "errors": {"lab": ["201918000001", "231812050341"]},
        },
    )
    chosen = get(client, "report/BG-2025-0001", lab="201918000001").json()["report"]
    assert (chosen["lab"]["name"], chosen["signatory"]["name"], chosen["client"]) == (
        "衡阳市检验检测中心",
        "赵签",
        None,
    )
    assert get(client, "report/BG-2025-0001", lab="231812050341").json()["report"]["signatory"] == ZHOU


# ---------------------------------------------------------------- an organization


def test_organization_trace_lists_its_certificates_reports_and_records(client, traced):
    maker = traced.organizations["maker"]
    trace = get(client, f"organization/{maker.uscc.lower()}").json()
    assert trace["view"] == "public"
    assert trace["organization"] == {
        "uscc": maker.uscc,
        "name": "长沙星城电器有限公司",
        "region": {"code": "430104", "name": "岳麓区"},
        "industry_section": "C",
        "industry_division": "38",
        "above_designated_size": True,
        "registration_status": "IN_BUSINESS",
        "former_names": [],
    }
    assert (trace["certification_body"], trace["lab"], trace["people"]) == (None, None, None)
    # Public certificates only (the draft is the body's and its officers'), newest first.
    assert [(c["number"], c["status"], c["scheme"]) for c in trace["certificates"]] == [
        (CCC, "ACTIVE", CCC_SCHEME),
        ("CNCA-QMS-2025-0001", "ACTIVE", QMS_SCHEME),
    ]
    assert trace["certificate_count"] == 2
    assert [r["number"] for r in trace["test_reports"]] == ["BG-2025-0002", "BG-2025-0001"]
    assert trace["test_report_count"] == 2
    assert [(e["event_type"], e["actor_role_label"], e["actor_label"]) for e in trace["events"]] == [
        ("ORGANIZATION_CREATED", "系统管理员", None)
    ]
    assert verify_proofs(trace) == [e.index for e in entries_of("registry.organization", str(maker.pk))]

    full = get(as_user(client, traced, "officer_changsha"), f"organization/{maker.uscc}").json()
    assert full["view"] == "full"
    assert [c["number"] for c in full["certificates"]] == [CCC, "CNCA-QMS-2025-0003", "CNCA-QMS-2025-0001"]
    assert (full["certificate_count"], full["people"], full["events"][0]["actor_label"]) == (3, [], "system")


def test_a_labs_organization_trace_shows_its_qualification_people_and_records(client, traced):
    lab = traced.organizations["lab"]
    public = get(client, f"organization/{lab.uscc}").json()
    assert public["lab"] == {
        **LAB_REF,
        "cma_valid_from": "2023-05-01",
        "cma_valid_until": "2029-04-30",
        "status": "ACTIVE",
        "uscc": lab.uscc,
    }
    assert [(e["subject_type"], e["event_type"]) for e in public["events"]] == [
        ("registry.organization", "ORGANIZATION_CREATED"),
        ("registry.lab", "LAB_CREATED"),
    ]
    assert len(verify_proofs(public)) == 2
    full = get(as_user(client, traced, "lab"), f"organization/{lab.uscc}").json()
    assert full["people"] == [
        {"name": "周敏", "role": "SIGNATORY", "role_label": "授权签字人", "start": "2020-01-01", "end": None}
    ]
    body = get(client, f"organization/{traced.organizations['cb_hunan'].uscc}").json()
    assert body["certification_body"]["approval_number"] == "CNCA-R-2004-117"
    assert [e["event_type"] for e in body["events"]] == ["ORGANIZATION_CREATED", "CERTIFICATION_BODY_CREATED"]


def test_an_officer_of_another_region_gets_an_organizations_public_part(client, traced):
    maker = traced.organizations["maker"].uscc
    public = get(client, f"organization/{maker}").json()
    assert get(as_user(client, traced, "officer_hengyang"), f"organization/{maker}").json() == public


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "errors", "message"),
    [
        ("certificate/NOPE-1", {}, 404, "not_found", {}, "登记库中没有编号为“NOPE-1”的证书"),
        (f"certificate/{CCC}", {"body": "CNCA-R-2011-089"}, 404, "not_found", {}, f"登记库中没有编号为“{CCC}”的证书"),
        (
            f"certificate/{CCC}",
            {"body": "X" * 65},
            422,
            "validation_failed",
            {"body": ["String should have at most 64 characters"]},
            "body: String should have at most 64 characters",
        ),
        ("report/NOPE-1", {}, 404, "not_found", {}, "登记库中没有编号为“NOPE-1”的检验检测报告"),
        (
            "report/BG-2025-0001",
            {"lab": "201918000001"},
            404,
            "not_found",
            {},
            "登记库中没有编号为“BG-2025-0001”的检验检测报告",
        ),
        (
            "report/BG-2025-0001",
            {"lab": "9" * 33},
            422,
            "validation_failed",
            {"lab": ["String should have at most 32 characters"]},
            "lab: String should have at most 32 characters",
        ),
        (
            "organization/123",
            {},
            422,
            "validation_failed",
            {"uscc": ["统一社会信用代码须为18位，收到3位"]},
            "uscc: 统一社会信用代码须为18位，收到3位",
        ),
        (
            "organization/914301000000000010",
            {},
            422,
            "validation_failed",
            {"uscc": ["统一社会信用代码校验位错误"]},
            "uscc: 统一社会信用代码校验位错误",
        ),
        (
            f"organization/{make_uscc(999, '430100')}",
            {},
            404,
            "not_found",
            {},
            f"没有统一社会信用代码为“{make_uscc(999, '430100')}”的机构",
        ),
        (
            "certificate/A%00B",
            {},
            422,
            "validation_failed",
            {"path": ["含有NUL字符（\\0） · contains a NUL character"]},
            "path: 含有NUL字符（\\0） · contains a NUL character",
        ),
    ],
    ids=[
        "unknown-number",
        "wrong-body",
        "long-body",
        "unknown-report",
        "wrong-lab",
        "long-lab",
        "short-uscc",
        "uscc-check-digit",
        "unknown-uscc",
        "nul",
    ],
)
def test_bad_input_is_refused_with_the_reason(client, traced, path, params, status, code, errors, message):
    response = get(client, path, **params)
    assert response.status_code == status
    assert response.json() == {"code": code, "message": message, "errors": errors}


def test_a_wrong_key_is_refused_not_ignored(client, traced):
    response = client.get(f"/api/v1/trace/certificate/{CCC}", HTTP_X_API_KEY="chk_wrong")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_an_organization_the_registry_does_not_have_is_not_created(client, traced):
    code = make_uscc(999, "430100")
    get(client, f"organization/{code}")
    assert not Organization.objects.filter(uscc=code).exists()


def test_the_trace_endpoints_are_in_the_openapi_document(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    for path, schema, statuses in (
        ("/api/v1/trace/certificate/{number}", "CertificateTraceOut", {"200", "401", "404", "409", "422", "429"}),
        ("/api/v1/trace/report/{number}", "ReportTraceOut", {"200", "401", "404", "409", "422", "429"}),
        ("/api/v1/trace/organization/{uscc}", "OrganizationTraceOut", {"200", "401", "404", "422", "429"}),
    ):
        operation = spec["paths"][path]["get"]
        assert set(operation["responses"]) == statuses
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{schema}"
        }
        assert operation["description"]  # the docstring documents it
    # Each schema is ours under its own name (a name shared with another app's schema would replace it).
    components = spec["components"]["schemas"]
    assert list(components["CertificateTraceOut"]["properties"]) == list(schemas.CertificateTraceOut.model_fields)
    assert list(components["TraceEventOut"]["properties"]) == list(schemas.TraceEventOut.model_fields)
    assert list(components["TraceCheckpointOut"]["properties"]) == ["tree_size", "root_hash", "note", "verifier_key"]
