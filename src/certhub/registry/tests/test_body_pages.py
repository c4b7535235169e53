"""The officer's certification body pages and API (C1): a status change recorded through the form (after
re-authentication) and through the API, the particulars form, certificate transfer by form and API — and the
public body page and record with the status history. Refusals are shown next to their field; nothing changes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from certhub.core.models import AuditEvent
from certhub.core.testing import by_class, element_text, page_text, signed_in, table_rows
from certhub.registry.models import Certificate, CertificationBody, CertificationBodyStatusEvent

pytestmark = pytest.mark.django_db

TODAY = "2025-12-01"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller


def body_state(body: CertificationBody) -> tuple:
    body.refresh_from_db()
    return (
        body.status,
        body.name,
        CertificationBodyStatusEvent.objects.filter(body=body).count(),
        AuditEvent.objects.count(),
        sorted(Certificate.objects.values_list("number", "status", "certification_body_id")),
    )


def status_url(body: CertificationBody) -> str:
    return reverse("registry:office_certification_body_status", args=[body.pk])


REVOCATION = {
    "to_status": "REVOKED",
    "effective_date": TODAY,
    "decision": "国家认监委公告2025年第18号",
    "reason": "出具虚假认证结论",
}


def test_an_officer_revokes_a_body_through_the_form_and_the_public_sees_it(client, world):
    body = world.bodies["hunan"]
    signed_in(client, world, "officer_province")
    page = client.get(status_url(body))
    assert page.status_code == 200
    assert "可变更为 暂停、撤销、注销" in page_text(page)
    response = client.post(status_url(body), REVOCATION)
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:office_certification_body_history", args=[body.pk])
    history = client.get(response["Location"])
    assert by_class(history, "message") == ["认证机构“湖南标准认证有限公司”的状态已变更为“撤销”，4张证书随之变更。"]
    assert sorted(Certificate.objects.filter(certification_body=body).values_list("status", flat=True)) == [
        "CANCELLED",
        "WITHDRAWN",
        "WITHDRAWN",
        "WITHDRAWN",
        "WITHDRAWN",
    ]
    client.logout()
    public = client.get(reverse("registry:certification_body", args=["CNCA-R-2004-117"]))
    assert element_text(public, "body-status-title") == "该认证机构的状态为：撤销"
    assert table_rows(public)[-1] == ["2025-12-01", "有效 → 撤销", "国家认监委公告2025年第18号", "出具虚假认证结论"]
    certificate = client.get(reverse("registry:certificate", args=["CNCA-QMS-2025-0001"]) + "?body=CNCA-R-2004-117")
    assert element_text(certificate, "status-word") == "撤销"
    assert by_class(certificate, "status-line")[0] == (
        "原因：认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）被撤销批准（国家认监委公告2025年第18号）：出具虚假认证结论"
    )
    assert element_text(certificate, "issuer-status-title") == "认证机构状态：撤销"


def test_the_status_form_asks_the_officer_to_confirm_who_they_are_first(client, world, today):
    body = world.bodies["hunan"]
    signed_in(client, world, "officer_province")
    assert client.get(reverse("portal:office_home")).status_code == 200  # the sign-in completes (and confirms) here
    today.shift(11 * 60)
    before = body_state(body)
    response = client.post(status_url(body), REVOCATION)
    assert response.status_code == 302
    target = status_url(body).replace("/", "%2F")
    assert response["Location"] == f"/account/confirm/?next={target}"
    assert body_state(body) == before


def test_a_forbidden_change_is_shown_next_to_the_field(client, world):
    body = world.bodies["hunan"]
    signed_in(client, world, "officer_province")
    before = body_state(body)
    response = client.post(status_url(body), {**REVOCATION, "to_status": "ACTIVE"})
    assert response.status_code == 422
    assert element_text(response, "id_to_status_errors") == "认证机构状态不能从有效（ACTIVE）变为有效（ACTIVE）"
    response = client.post(status_url(body), {**REVOCATION, "effective_date": "2025-12-02"})
    assert response.status_code == 422
    assert element_text(response, "id_effective_date_errors") == "生效日期不得晚于今天（2025-12-01）"
    response = client.post(status_url(body), {**REVOCATION, "decision": " "})
    assert response.status_code == 422
    assert element_text(response, "id_decision_errors") == "这个字段是必填项。"
    assert body_state(body) == before


def test_officers_outside_the_bodys_region_and_bodies_cannot_use_the_pages(client, world):
    body = world.bodies["hunan"]
    before = body_state(body)
    signed_in(client, world, "officer_hengyang")
    assert client.post(status_url(body), REVOCATION).status_code == 404
    signed_in(client, world, "cb_hunan")
    assert client.post(status_url(body), REVOCATION).status_code == 403
    assert body_state(body) == before


def test_the_particulars_form_updates_the_body_and_refuses_a_validity_in_the_wrong_order(client, world):
    body = world.bodies["yueyang"]
    url = reverse("registry:office_certification_body_edit", args=[body.pk])
    signed_in(client, world, "officer_province")
    form = {
        "name": "岳阳质量认证中心有限公司",
        "accreditation": "CNAS C089-M",
        "valid_from": "2024-01-01",
        "valid_until": "2023-12-31",
        "schemes": ["QMS", "EMS"],
    }
    before = body_state(body)
    refused = client.post(url, form)
    assert refused.status_code == 422
    assert element_text(refused, "id_valid_until_errors") == "批准有效期至（2023-12-31）须晚于批准日期（2024-01-01）"
    assert body_state(body) == before
    response = client.post(url, {**form, "valid_until": "2029-12-31"})
    assert response.status_code == 302
    body.refresh_from_db()
    assert (body.valid_from, body.valid_until) == (datetime.date(2024, 1, 1), datetime.date(2029, 12, 31))
    assert sorted(body.schemes.values_list("code", flat=True)) == ["EMS", "QMS"]
    audit = AuditEvent.objects.filter(event_type="CERTIFICATION_BODY_UPDATED").get()
    assert (audit.before["schemes"], audit.after["schemes"], audit.after["valid_until"]) == (
        ["QMS"],
        ["EMS", "QMS"],
        "2029-12-31",
    )


def test_the_transfer_form_refuses_a_suspended_body_and_moves_to_an_active_one(client, world):
    from certhub.registry import actions

    certificate = actions.do_create_certificate(
        body=world.bodies["hunan"],
        data={
            "number": "CNCA-QMS-2025-0300",
            "scheme": "QMS",
            "holder_uscc": world.organizations["maker"].uscc,
            "issue_date": "2025-03-01",
            "expiry_date": "2028-02-28",
        },
        actor=world.actor("cb_hunan"),
    )
    url = reverse("registry:office_certificate_transfer", args=[certificate.pk])
    signed_in(client, world, "officer_province")
    actions.do_suspend_certification_body(
        body=world.bodies["yueyang"],
        effective_date=datetime.date(2025, 11, 1),
        reason="整改",
        decision="决定3号",
        actor=world.actor("officer_province"),
    )
    before = body_state(world.bodies["hunan"])
    form = {"to_body": "CNCA-R-2011-089", "effective_date": TODAY, "reason": "获证组织申请"}
    refused = client.post(url, form)
    assert refused.status_code == 422
    assert element_text(refused, "id_to_body_errors") == (
        "接收机构“岳阳质量认证中心有限公司”（CNCA-R-2011-089）的状态为暂停（SUSPENDED），不能接收证书"
    )
    assert body_state(world.bodies["hunan"]) == before
    actions.do_reinstate_certification_body(
        body=world.bodies["yueyang"],
        effective_date=datetime.date(2025, 11, 20),
        reason="整改完成",
        decision="决定4号",
        actor=world.actor("officer_province"),
    )
    moved = client.post(url, form)
    assert moved.status_code == 302
    certificate.refresh_from_db()
    assert certificate.certification_body_id == world.bodies["yueyang"].pk


# ---------------------------------------------------------------- the API


def test_the_public_body_record_carries_its_history(client, world):
    signed_in(client, world, "officer_province")
    response = client.post(
        "/api/v1/certification-bodies/CNCA-R-2004-117/status",
        {"status": "SUSPENDED", "effective_date": TODAY, "reason": "认证活动不规范", "decision": "决定1号"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["certificates_changed"] == 0
    client.logout()
    record = client.get("/api/v1/certification-bodies/CNCA-R-2004-117").json()
    assert (record["status"], record["history"]) == (
        "SUSPENDED",
        [
            {
                "from_status": "ACTIVE",
                "to_status": "SUSPENDED",
                "date": "2025-12-01",
                "reason": "认证活动不规范",
                "decision": "决定1号",
            }
        ],
    )


def test_the_api_revokes_for_signed_in_officers_only(client, world):
    body = world.bodies["hunan"]
    before = body_state(body)
    payload = {"status": "REVOKED", "effective_date": TODAY, "reason": "出具虚假认证结论", "decision": "公告18号"}
    anonymous = client.post(
        "/api/v1/certification-bodies/CNCA-R-2004-117/status", payload, content_type="application/json"
    )
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")
    signed_in(client, world, "officer_hengyang")
    outside = client.post(
        "/api/v1/certification-bodies/CNCA-R-2004-117/status", payload, content_type="application/json"
    )
    assert outside.status_code == 403
    assert body_state(body) == before
    signed_in(client, world, "officer_province")
    response = client.post(
        "/api/v1/certification-bodies/CNCA-R-2004-117/status", payload, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["body"]["status"], response.json()["certificates_changed"]) == ("REVOKED", 4)
    again = client.post(
        "/api/v1/certification-bodies/CNCA-R-2004-117/status",
        {**payload, "status": "ACTIVE"},
        content_type="application/json",
    )
    assert (again.status_code, again.json()["errors"]) == (
        409,
        {"status": ["认证机构状态不能从撤销（REVOKED）变为有效（ACTIVE）"]},
    )


@pytest.mark.parametrize(
    ("to_body", "errors"),
    [
        (
            "CNCA-R-2011-089",
            {"to_body": ["接收机构“岳阳质量认证中心有限公司”（CNCA-R-2011-089）未获准开展“环境管理体系认证”认证"]},
        ),
        ("CNCA-R-1999-000", {"to_body": ["没有批准号为“CNCA-R-1999-000”的认证机构"]}),
    ],
    ids=["without-the-scheme", "unknown-body"],
)
def test_the_transfer_api_refuses_with_the_field_and_reason(client, world, to_body, errors):
    from certhub.registry import actions

    actions.do_create_certificate(
        body=world.bodies["hunan"],
        data={
            "number": "CNCA-EMS-2025-0400",
            "scheme": "EMS",
            "holder_uscc": world.organizations["maker"].uscc,
            "issue_date": "2025-03-01",
            "expiry_date": "2028-02-28",
        },
        actor=world.actor("cb_hunan"),
    )
    signed_in(client, world, "officer_province")
    before = body_state(world.bodies["hunan"])
    response = client.post(
        "/api/v1/certificates/CNCA-EMS-2025-0400/transfer",
        {"to_body": to_body, "effective_date": TODAY, "reason": "获证组织申请"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["errors"]) == (422, errors)
    assert body_state(world.bodies["hunan"]) == before


def test_the_officers_api_needs_the_sessions_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    signed_in(client, world, "officer_province")
    before = body_state(world.bodies["hunan"])
    payload = {"status": "REVOKED", "effective_date": TODAY, "reason": "出具虚假认证结论", "decision": "公告18号"}
    response = client.post(
        "/api/v1/certification-bodies/CNCA-R-2004-117/status", payload, content_type="application/json"
    )
    assert (response.status_code, response.json()["message"]) == (
        403,
        "缺少或错误的CSRF令牌：请从已登录的页面发起请求，并在X-CSRFToken头中附上令牌",
    )
    assert body_state(world.bodies["hunan"]) == before
