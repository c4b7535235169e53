"""The licensing pages through the test client (C8): what each page shows, and every bad input refused next to
its field with the reason, nothing written (no application, no material, no audit row, no ledger entry)."""

from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfWriter
from django.urls import reverse

from certhub.core.models import AuditEvent
from certhub.core.testing import element_text, parse_html, sign_in_client, text_of
from certhub.ledger.models import Entry
from certhub.licensing import actions
from certhub.licensing.choices import ApplicationState
from certhub.licensing.models import Application, Licence, Material, MaterialRequest
from certhub.licensing.testing import cma_particulars
from certhub.licensing.tests.conftest import on_day

D = datetime.date


def pdf_bytes(title: str) -> bytes:
    """A small, clean PDF (one blank page, a title)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes("营业执照")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a3c3a90000000049454e44ae426082")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.CERTHUB_UPLOAD_DIR = tmp_path / "uploads"


def client_of(client, lic, username):
    return sign_in_client(client, lic.users[username])


def counts():
    return (Application.objects.count(), Material.objects.count(), AuditEvent.objects.count(), Entry.objects.count())


def field_errors(response, field_id):
    """The messages shown next to one field (portal/_field.html: <ul id="{id}_errors">)."""
    found = parse_html(response.content.decode()).first(lambda e: e.attrs.get("id") == f"{field_id}_errors")
    return [li.text for li in found.iter("li")] if found is not None else []


CMA_START = "?licence_type=CMA&kind=FIRST&track=GENERAL"


def cma_post(**overrides):
    data = {
        "lab_name": "长沙麓谷检测技术有限公司",
        "address": "湖南省长沙市岳麓区麓谷大道 8 号",
        "legal_representative": "刘洋",
        "legal_representative_id_number": "430104198001011234",
        "technical_manager": "陈静",
        "technical_manager_id_number": "43010419850202222X",
        "scope-TOTAL_FORMS": "2",
        "scope-INITIAL_FORMS": "0",
        "scope-0-field": "电器",
        "scope-0-object": "家用电器",
        "scope-0-parameter": "泄漏电流",
        "scope-0-standard": "GB 4706.1-2005",
        "scope-0-limits": "",
        "scope-1-field": "食品",
        "scope-1-object": "大米",
        "scope-1-parameter": "镉",
        "scope-1-standard": "GB 5009.15-2023",
        "scope-1-limits": "只做第一法",
        "signatory-TOTAL_FORMS": "1",
        "signatory-INITIAL_FORMS": "0",
        "signatory-0-name": "王磊",
        "signatory-0-id_number": "430104199003033333",
        "signatory-0-scope_rows": "1,2",
        "submit": "1",
    }
    data.update(overrides)
    return data


def test_a_cma_application_from_the_form_is_submitted_with_its_rows(client, lic):
    client_of(client, lic, "applicant")
    response = client.post(reverse("licensing:apply") + CMA_START, cma_post())
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("licensing:application", args=[application.number])
    assert (application.licence_type, application.kind, application.track, application.state) == (
        "CMA",
        "FIRST",
        "GENERAL",
        ApplicationState.SUBMITTED,
    )
    assert application.particulars["scope"] == [
        {"field": "电器", "object": "家用电器", "parameter": "泄漏电流", "standard": "GB 4706.1-2005", "limits": ""},
        {"field": "食品", "object": "大米", "parameter": "镉", "standard": "GB 5009.15-2023", "limits": "只做第一法"},
    ]
    assert [(s["name"], s["scope"]) for s in application.particulars["signatories"]] == [("王磊", [0, 1])]
    page = client.get(response["Location"])
    assert page.status_code == 200, (page.status_code, page.get("Location"))
    assert element_text(page.content.decode(), "application-state") == "已提交，待受理"


def test_a_scope_row_whose_standard_does_not_parse_is_refused_in_its_row_and_nothing_is_written(client, lic):
    client_of(client, lic, "applicant")
    before = counts()
    response = client.post(reverse("licensing:apply") + CMA_START, cma_post(**{"scope-1-standard": "GB五零零九"}))
    assert response.status_code == 422
    assert field_errors(response, "id_scope-1-standard") == ["“GB五零零九”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"]
    assert counts() == before


def test_the_add_row_button_without_javascript_answers_with_one_more_empty_row(client, lic):
    client_of(client, lic, "applicant")
    data = cma_post(**{"add_row": "scope"})
    del data["submit"]
    response = client.post(reverse("licensing:apply") + CMA_START, data)
    assert response.status_code == 200
    html = parse_html(response.content.decode())
    assert html.first(lambda e: e.attrs.get("id") == "id_scope-TOTAL_FORMS").attrs["value"] == "3"
    assert html.first(lambda e: e.attrs.get("id") == "id_scope-1-standard").attrs["value"] == "GB 5009.15-2023"
    assert html.first(lambda e: e.attrs.get("id") == "id_scope-2-standard") is not None
    assert Application.objects.count() == 0


def submitted_application(lic):
    return actions.do_submit_application(
        licence_type="CMA",
        kind="FIRST",
        track="GENERAL",
        uscc=lic.organizations["newlab"].uscc,
        particulars=cma_particulars(),
        actor=lic.actor("applicant"),
    )


def test_an_upload_through_the_progress_bar_answers_json_and_is_recorded(client, lic):
    application = submitted_application(lic)
    client_of(client, lic, "applicant")
    upload = io.BytesIO(PDF)
    upload.name = "营业执照.pdf"
    response = client.post(
        reverse("licensing:upload", args=[application.number]),
        {"file": upload, "title": ""},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    assert response.json() == {"location": reverse("licensing:application", args=[application.number])}
    material = Material.objects.get(application=application)
    assert (material.name, material.kind, material.size) == ("营业执照.pdf", "pdf", len(PDF))
