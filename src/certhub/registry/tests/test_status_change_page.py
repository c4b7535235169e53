"""A certification body changes its certificates' status through the form (C1 lifecycle, C14 audit).
A refused change shows its message next to the field and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certhub.core.models import AuditEvent
from certhub.core.testing import by_class, element_text, page_text, sign_in_with_pages, signed_in, table_rows
from certhub.registry.models import Certificate, CertificateEvent

pytestmark = pytest.mark.django_db

MY_CERTIFICATES = reverse("registry:office_my_certificates")


def status_url(certificate: Certificate) -> str:
    return reverse("registry:office_certificate_status", args=[certificate.pk])


def state(certificate: Certificate) -> tuple[str, str, int, int]:
    """Everything a status change would touch: status, its date, status events and audit rows."""
    certificate.refresh_from_db()
    audits = AuditEvent.objects.filter(subject_type="registry.certificate", subject_id=str(certificate.pk)).count()
    return (certificate.status, str(certificate.status_changed_on), certificate.events.count(), audits)


@pytest.fixture
def body_client(client, world):
    signed_in(client, world, "cb_hunan")
    return client


def test_sign_in_lands_a_body_on_its_certificates(client, world):
    response = sign_in_with_pages(client, "cb_hunan", world.PASSWORD)
    assert response.redirect_chain[-1] == (MY_CERTIFICATES, 302)
    numbers = sorted(row[0] for row in table_rows(response))
    # Its own five certificates, the draft included; never the other body's certificate of the same number.
    assert numbers == [
        "2025010701000123",
        "CNCA-EMS-2024-0004",
        "CNCA-QMS-2025-0001",
        "CNCA-QMS-2025-0002",
        "CNCA-QMS-2025-0003",
    ]
    assert [row[1] for row in table_rows(response) if row[0] == "CNCA-QMS-2025-0001"] == ["长沙星城电器有限公司"]


def test_suspending_changes_the_status_and_writes_one_audit_row(body_client, world):
    certificate = world.certificates["active"]
    before = state(certificate)
    response = body_client.post(
        status_url(certificate),
        {"to_status": "SUSPENDED", "effective_date": "2025-10-08", "reason": "未按期接受监督审核"},
    )
    assert response.status_code == 302
    assert response["Location"] == MY_CERTIFICATES
    assert state(certificate) == ("SUSPENDED", "2025-10-08", before[2] + 1, before[3] + 1)
    audit = AuditEvent.objects.filter(subject_type="registry.certificate", subject_id=str(certificate.pk)).last()
    assert (audit.event_type, audit.actor_label, audit.reason) == (
        "CERTIFICATE_STATUS_CHANGED",
        "cb_hunan",
        "未按期接受监督审核",
    )
    assert (audit.before["status"], audit.after["status"]) == ("ACTIVE", "SUSPENDED")
    listing = body_client.get(MY_CERTIFICATES)
    assert by_class(listing, "message") == ["证书CNCA-QMS-2025-0001的状态已变更为“暂停”。"]
    public = body_client.get(reverse("registry:certificate", args=[certificate.number]) + "?body=CNCA-R-2004-117")
    assert element_text(public, "status-word") == "暂停"
    assert by_class(public, "status-line")[0] == "原因：未按期接受监督审核"


def test_forbidden_transition_is_shown_next_to_the_field_and_changes_nothing(body_client, world):
    certificate = world.certificates["withdrawn"]
    before = state(certificate)
    response = body_client.post(
        status_url(certificate), {"to_status": "ACTIVE", "effective_date": "2025-10-08", "reason": "申请恢复"}
    )
    assert response.status_code == 422
    assert element_text(response, "id_to_status_errors") == "证书状态不能从撤销（WITHDRAWN）变为有效（ACTIVE）"
    assert state(certificate) == before
    assert "可变更为 无（终止状态）" in page_text(response)


def test_effective_date_before_the_last_change_is_refused_next_to_the_date(body_client, world):
    certificate = world.certificates["suspended"]
    before = state(certificate)
    response = body_client.post(
        status_url(certificate), {"to_status": "ACTIVE", "effective_date": "2025-08-01", "reason": "整改完成"}
    )
    assert response.status_code == 422
    assert element_text(response, "id_effective_date_errors") == "生效日期不得早于上一次状态变更日期（2025-09-01）"
    assert state(certificate) == before


def test_missing_reason_and_bad_date_are_refused_before_the_action(body_client, world):
    certificate = world.certificates["active"]
    before = state(certificate)
    response = body_client.post(status_url(certificate), {"to_status": "SUSPENDED", "effective_date": "2025-13-01"})
    assert response.status_code == 422
    assert element_text(response, "id_reason_errors") == "这个字段是必填项。"
    assert element_text(response, "id_effective_date_errors") == "输入一个有效的日期。"
    assert state(certificate) == before


def test_a_body_cannot_change_another_bodys_certificate(client, world):
    other = world.certificates["yueyang"]
    before = state(other)
    signed_in(client, world, "cb_hunan")
    get = client.get(status_url(other))
    post = client.post(status_url(other), {"to_status": "SUSPENDED", "effective_date": "2025-10-08", "reason": "越权"})
    assert (get.status_code, post.status_code) == (404, 404)
    assert by_class(post, "lead") == ["本机构没有这张证书"]
    assert state(other) == before


def test_officers_and_the_public_cannot_use_the_form(client, world):
    certificate = world.certificates["active"]
    before = state(certificate)
    anonymous = client.post(
        status_url(certificate), {"to_status": "SUSPENDED", "effective_date": "2025-10-08", "reason": "x"}
    )
    assert anonymous.status_code == 302
    signed_in(client, world, "officer_province")
    officer = client.post(
        status_url(certificate), {"to_status": "SUSPENDED", "effective_date": "2025-10-08", "reason": "x"}
    )
    assert officer.status_code == 403
    assert by_class(officer, "lead") == ["此页面仅对认证机构的用户开放。"]
    assert state(certificate) == before
    assert CertificateEvent.objects.filter(certificate=certificate).count() == before[2]


def test_the_form_offers_the_allowed_next_statuses(body_client, world):
    response = body_client.get(status_url(world.certificates["suspended"]))
    assert "可变更为 有效、撤销、注销、过期失效" in page_text(response)
    assert 'data-final-statuses="WITHDRAWN,CANCELLED,EXPIRED"' in response.content.decode()
