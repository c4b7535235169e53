"""The licensing pages through the test client (C8): what each page shows, and every bad input refused next to
its field with the reason, nothing written (no application, no material, no audit row, no ledger entry)."""

from __future__ import annotations

import datetime
import io
import time

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfWriter

from certhub.core.errors import ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.testing import element, element_text, parse_html, sign_in_client, sign_in_with_pages, text_of
from certhub.ledger.models import Entry
from certhub.licensing import actions
from certhub.licensing.choices import ApplicationState
from certhub.licensing.models import Application, Licence, Material, MaterialRequest
from certhub.licensing.testing import cma_particulars
from certhub.licensing.tests import test_bad_input
from certhub.licensing.tests.conftest import on_day

D = datetime.date
# The domain tests' worlds of a lab whose qualification ends mid-2026 and of a case concluded with one
# department still to answer, used here through the pages.
lab_ending_mid_2026 = test_bad_input.lab_ending_mid_2026
concluded_case = test_bad_input.concluded_case


def pdf_bytes(title: str) -> bytes:
    """A small, clean PDF (one blank page, a title)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes("营业执照")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a3c3a90000000049454e44ae426082"
)


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
    assert field_errors(response, "id_scope-1-standard") == [
        "“GB五零零九”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"
    ]
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
    # The row added without JavaScript: present and empty.
    assert html.first(lambda e: e.attrs.get("id") == "id_scope-2-standard").attrs.get("value", "") == ""
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


# ------------------------------------------------------------------ bad input, through the pages


def uploaded(name, data):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


JAVASCRIPT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n3 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.mark.parametrize(
    ("name", "data", "limit", "message"),
    [
        ("营业执照.pdf", PNG, None, "文件内容是PNG，与扩展名.pdf不符"),
        ("营业执照.pdf", PDF, 100, None),
        ("营业执照.pdf", JAVASCRIPT_PDF, None, None),
    ],
    ids=["not-what-its-extension-says", "over-the-size-limit", "pdf-with-active-content"],
)
@pytest.mark.parametrize("with_javascript", [False, True], ids=["form", "progress-bar"])
def test_a_bad_upload_is_refused_next_to_its_field_and_nothing_is_written(
    client, lic, settings, name, data, limit, message, with_javascript
):
    from certhub.core.uploads import check_upload

    if limit is not None:
        settings.CERTHUB_UPLOAD_MAX_BYTES = limit
    # The reason as core.uploads words it for this file (its own tests hold every wording).
    with pytest.raises(ValidationFailed) as expected:
        check_upload(name, data, field="file")
    reason = expected.value.errors["file"]
    if message is not None:
        assert reason == [message]
    application = submitted_application(lic)
    client_of(client, lic, "applicant")
    before = counts()
    headers = {"X-Requested-With": "XMLHttpRequest"} if with_javascript else {}
    response = client.post(
        reverse("licensing:upload", args=[application.number]),
        {"file": uploaded(name, data), "title": ""},
        headers=headers,
    )
    assert response.status_code == 422
    if with_javascript:
        assert response.json() == {"errors": {"file": reason}}
    else:
        assert field_errors(response, "id_file") == reason
    assert counts() == before
    stored = list(settings.CERTHUB_UPLOAD_DIR.glob("*/*")) if settings.CERTHUB_UPLOAD_DIR.exists() else []
    assert stored == []


def test_an_answer_to_a_request_with_a_bad_file_leaves_the_request_open(client, lic):
    application = submitted_application(lic)
    reviewer = lic.actor("reviewer")
    actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
    actions.do_request_materials(application=application, items="计量溯源证明", actor=reviewer)
    client_of(client, lic, "applicant")
    before = counts()
    response = client.post(
        reverse("licensing:answer", args=[application.number]),
        {"file": uploaded("计量溯源证明.pdf", PNG), "note": "见附件"},
    )
    assert response.status_code == 422
    assert field_errors(response, "id_file") == ["文件内容是PNG，与扩展名.pdf不符"]
    assert counts() == before
    request = MaterialRequest.objects.get(application=application)
    application.refresh_from_db()
    assert (request.answered_on, application.state) == (None, ApplicationState.AWAITING_MATERIALS)


def test_a_renewal_inside_the_last_three_months_is_refused_on_the_form(client, lic, lab_ending_mid_2026):
    query = "?licence_type=CMA&kind=RENEWAL&track=GENERAL"
    data = cma_post(**{"lab_name": "衡阳雁城检测有限公司", "signatory-TOTAL_FORMS": "0"})
    with on_day(D(2026, 3, 31)):
        client_of(client, lic, "other_applicant")
        before = counts()
        response = client.post(reverse("licensing:apply") + query, data)
    assert response.status_code == 422
    assert text_of(parse_html(response.content.decode()).first(lambda e: "error-summary" in e.classes)) == (
        "申请类型：延续申请须在有效期届满3个月前提出：有效期至2026-06-30，最迟2026-03-30提出"
    )
    assert counts() == before


def test_a_second_commitment_under_a_bar_is_refused_on_the_form(client, lic):
    from certhub.licensing.tests.test_commitment import commit

    with on_day(D(2026, 5, 12)):
        commit(lic)
    check = Licence.objects.get().checks.get()
    with on_day(D(2026, 6, 1)):
        actions.do_record_post_approval_check(
            check=check, outcome="FALSE_COMMITMENT", note="现场核查发现生产设备与承诺不符", actor=lic.actor("reviewer")
        )
    query = "?licence_type=PRODUCTION&kind=FIRST&track=COMMITMENT"
    data = {
        "product_unit": "危险化学品包装物、容器",
        "address": "湖南省长沙市望城区铜官大道 18 号",
        "product-TOTAL_FORMS": "1",
        "product-INITIAL_FORMS": "0",
        "product-0-product": "危险化学品包装物",
        "product-0-models": "200L 钢桶",
        "signer": "赵六",
        "agree": "on",
        "submit": "1",
    }
    with on_day(D(2026, 6, 2)):
        client_of(client, lic, "producer")
        before = counts()
        response = client.post(reverse("licensing:apply") + query, data)
    assert response.status_code == 422
    summary = text_of(parse_html(response.content.decode()).first(lambda e: "error-summary" in e.classes))
    assert summary == (
        "长沙铜官包装容器有限公司已被湖南省市场监督管理局于2026-06-01决定限制申请资质"
        "（决定文号XKCX-2026-000001），至2029-06-01届满"
    )
    assert counts() == before


def test_a_decision_by_someone_not_assigned_is_refused_on_the_case_page(client, lic, concluded_case):
    with on_day(D(2026, 3, 3)):
        actions.do_answer_opinion(
            opinion=concluded_case.opinion_requests.get(department="生态环境局"),
            agrees=True,
            text="同意",
            actor=lic.actor("environment"),
        )
        client_of(client, lic, "second_reviewer")
        before = counts()
        response = client.post(
            reverse("licensing:office_decide", args=[concluded_case.number]),
            {"decision": "GRANT", "decision_number": "", "reasons": ""},
        )
    assert response.status_code == 403
    form = parse_html(response.content.decode()).first(lambda e: e.attrs.get("id") == "decide-form")
    assert text_of(form.first(lambda e: "error-summary" in e.classes)) == "只有本案承办人（reviewer）可以作出许可决定"
    assert counts() == before
    concluded_case.refresh_from_db()
    assert (concluded_case.state, concluded_case.decided_on) == ("REVIEW_CONCLUDED", None)


def test_a_decision_before_every_department_answered_is_refused_on_the_case_page(client, lic, concluded_case):
    with on_day(D(2026, 3, 3)):
        client_of(client, lic, "reviewer")
        before = counts()
        response = client.post(
            reverse("licensing:office_decide", args=[concluded_case.number]),
            {"decision": "GRANT", "decision_number": "", "reasons": ""},
        )
    assert response.status_code == 422
    form = parse_html(response.content.decode()).first(lambda e: e.attrs.get("id") == "decide-form")
    assert (
        text_of(form.first(lambda e: "error-summary" in e.classes)) == "以下部门尚未答复意见，不能作出决定：生态环境局"
    )
    assert counts() == before


def test_a_refusal_without_a_recent_confirmation_goes_to_the_confirmation_page_first(client, lic, settings):
    application = submitted_application(lic)
    now = time.time()
    with time_machine.travel(now, tick=False):
        sign_in_with_pages(client, "reviewer", lic.PASSWORD)
    before = counts()
    url = reverse("licensing:office_refuse_acceptance", args=[application.number])
    with time_machine.travel(now + settings.CERTHUB_REAUTH_MAX_AGE + 1, tick=False):
        response = client.post(url, {"reasons": "材料不齐全"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:reauth')}?next={url.replace('/', '%2F')}"
    assert counts() == before
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


# ------------------------------------------------------------------ following a case, opinions, the due list


def test_a_case_is_followed_by_its_number_and_another_organizations_is_not_found(client, lic):
    application = submitted_application(lic)
    client_of(client, lic, "applicant")
    response = client.get(reverse("licensing:follow"), {"number": application.number})
    assert response["Location"] == reverse("licensing:application", args=[application.number])
    client_of(client, lic, "other_applicant")
    response = client.get(reverse("licensing:follow"), {"number": application.number})
    assert response.status_code == 404
    assert field_errors(response, "id_number") == [f"本单位没有编号为“{application.number}”的申请。"]
    assert client.get(reverse("licensing:application", args=[application.number])).status_code == 404


def test_an_account_not_linked_to_an_organization_is_told_to_link_it_first(client, lic):
    from certhub.core.choices import Role
    from certhub.core.models import User

    user = User.objects.create_user(username="unlinked", password=lic.PASSWORD, role=Role.ENTERPRISE)
    sign_in_client(client, user)
    response = client.get(reverse("licensing:apply"))
    assert response.status_code == 403
    assert "行政许可在线申请仅对已关联机构的企业和检验检测机构账号开放。请先完成账号与机构的关联。" in text_of(
        response.content.decode()
    )


def test_departments_are_asked_at_once_and_each_answers_on_the_case_page(client, lic):
    application = submitted_application(lic)
    reviewer = lic.actor("reviewer")
    actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
    client_of(client, lic, "reviewer")
    response = client.post(
        reverse("licensing:office_request_opinions", args=[application.number]),
        {"departments": "生态环境局\n消防救援支队\n", "working_days": "", "question": "是否同意设立实验室"},
    )
    assert response["Location"] == reverse("licensing:office_application", args=[application.number])
    asked = list(application.opinion_requests.order_by("department").values_list("department", "answered_on"))
    assert asked == [("消防救援支队", None), ("生态环境局", None)]
    client_of(client, lic, "environment")
    listing = client.get(reverse("licensing:office_opinions"))
    pending = parse_html(listing.content.decode()).first(lambda e: e.attrs.get("id") == "pending-opinions")
    assert [li.text for li in pending.iter("li")] == [
        f"{application.number} 长沙麓谷检测技术有限公司 — 答复期限 "
        f"{application.opinion_requests.get(department='生态环境局').due_on.isoformat()}"
    ]
    opinion = application.opinion_requests.get(department="生态环境局")
    refused = client.post(
        reverse("licensing:office_record_opinion", args=[application.number, opinion.pk]),
        {f"opinion-{opinion.pk}-agrees": "yes", f"opinion-{opinion.pk}-text": ""},
    )
    assert refused.status_code == 422
    assert field_errors(refused, f"id_opinion-{opinion.pk}-text") == ["这个字段是必填项。"]
    answered = client.post(
        reverse("licensing:office_record_opinion", args=[application.number, opinion.pk]),
        {f"opinion-{opinion.pk}-agrees": "yes", f"opinion-{opinion.pk}-text": "同意，排污许可已办理"},
    )
    assert answered.status_code == 302
    opinion.refresh_from_db()
    assert (opinion.agrees, opinion.text, opinion.answered_by_id) == (
        True,
        "同意，排污许可已办理",
        lic.users["environment"].pk,
    )


def test_the_due_list_reads_a_bounded_number_of_queries_and_marks_the_overdue(
    client, lic, django_assert_max_num_queries
):
    with on_day(D(2026, 3, 2)):
        for _ in range(12):
            submitted_application(lic)
    with on_day(D(2026, 3, 20)):
        client_of(client, lic, "reviewer")
        with django_assert_max_num_queries(12):
            response = client.get(reverse("licensing:office_due"))
    rows = parse_html(response.content.decode()).first(lambda e: e.attrs.get("id") == "due-table")
    cells = [[td.text for td in tr.iter("td")] for tr in rows.iter("tr") if tr.first(lambda e: e.tag == "td")]
    assert len(cells) == 12
    # Acceptance within 5 working days of 2026-03-02 was due on 2026-03-09: overdue on 2026-03-20.
    assert {(row[0], row[1]) for row in cells} == {("2026-03-09 逾期", "受理")}


# ------------------------------------------------------------------ on-site review, rectification, the check


def test_the_on_site_review_with_rectification_from_the_case_page(client, lic):
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 3, 2)):
        application = submitted_application(lic)
        actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
        actions.do_schedule_onsite_review(application=application, scheduled_on=D(2026, 3, 2), actor=reviewer)
        client_of(client, lic, "reviewer")
        url = reverse("licensing:office_record_onsite", args=[application.number])
        data = {"outcome": "RECTIFICATION", "concluded_on": "2026-03-02", "findings": "记录不全"}
        before = counts()
        refused = client.post(url, {**data, "rectification_days": "31"})
        assert refused.status_code == 422
        assert field_errors(refused, "id_rectification_days") == ["整改期限须为1至30个工作日"]
        assert counts() == before
        assert client.post(url, {**data, "rectification_days": "10"}).status_code == 302
        page = client.get(reverse("licensing:office_application", args=[application.number]))
    assert element_text(page.content.decode(), "application-state") == "整改中"
    with on_day(D(2026, 3, 9)):
        client_of(client, lic, "reviewer")
        done = client.post(
            reverse("licensing:office_record_rectification", args=[application.number]),
            {"rectified_on": "2026-03-09", "passed": "yes", "note": "已补齐记录"},
        )
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.state, application.onsite_review.rectification_passed) == ("REVIEW_CONCLUDED", True)


def test_a_false_commitment_found_at_the_check_revokes_the_licence_from_the_case_page(client, lic):
    from certhub.licensing.tests.test_commitment import commit

    with on_day(D(2026, 5, 12)):
        application = commit(lic)
    check = Licence.objects.get().checks.get()
    prefix = f"check-{check.pk}"
    with on_day(D(2026, 6, 1)):
        sign_in_with_pages(client, "reviewer", lic.PASSWORD)
        page = client.get(reverse("licensing:office_application", args=[application.number]))
        form = element(page.content.decode(), f"check-form-{check.pk}")
        assert form.attrs["action"] == reverse("licensing:office_post_check", args=[application.number, check.pk])
        response = client.post(
            reverse("licensing:office_post_check", args=[application.number, check.pk]),
            {f"{prefix}-outcome": "FALSE_COMMITMENT", f"{prefix}-done_on": "2026-06-01", f"{prefix}-note": "设备不符"},
        )
    assert response.status_code == 302
    licence = Licence.objects.get()
    assert (licence.status, licence.status_changed_on) == ("REVOKED", D(2026, 6, 1))


def test_a_signatory_for_a_scope_row_that_does_not_exist_is_refused_in_its_row(client, lic):
    client_of(client, lic, "applicant")
    before = counts()
    response = client.post(reverse("licensing:apply") + CMA_START, cma_post(**{"signatory-0-scope_rows": "1,3"}))
    assert response.status_code == 422
    assert field_errors(response, "id_signatory-0-scope_rows") == ["签字范围须为上方检测范围的行号（1–2）"]
    assert counts() == before


def test_the_application_form_in_english(client, lic):
    client_of(client, lic, "applicant")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("licensing:apply") + CMA_START)
    html = parse_html(response.content.decode())
    assert html.first(lambda e: e.tag == "h1").text == "Apply for a licence online"
    legends = [e.text for e in html.iter("legend")][:2]
    assert legends == ["Scope", "Row 1"]
    assert element_text(response.content.decode(), "chosen").startswith("Licence type")
