"""Bans on the licensing pages (C9): the officer revokes a lab's CMA qualification from the case page (after
confirming who they are), and the barred lab's new CMA application — general or 告知承诺 — is refused on the
form with the ban's sentence and the day it ends; its legal representative's new organization is refused
next to the ID number; nothing is written on any refusal."""

import datetime
import time

import time_machine
from django.urls import reverse

from certhub.core.testing import element, parse_html, sign_in_with_pages, text_of
from certhub.licensing.models import Application, Licence
from certhub.licensing.tests.conftest import on_day
from certhub.licensing.tests.test_bans import DECISION, REFUSAL, cma_on_commitment, counts
from certhub.licensing.tests.test_pages import client_of, cma_post, field_errors
from certhub.registry.models import Ban, Lab

D = datetime.date
COMMITMENT_START = "?licence_type=CMA&kind=FIRST&track=COMMITMENT"
GENERAL_START = "?licence_type=CMA&kind=FIRST&track=GENERAL"


def summary(response):
    return text_of(parse_html(response.content.decode()).first(lambda e: "error-summary" in e.classes))


def granted(lic):
    with on_day(D(2026, 5, 12)):
        application = cma_on_commitment(lic)
    return application


def test_the_officer_revokes_the_qualification_from_the_case_page_and_the_lab_is_refused_on_the_form(
    client, lic, settings
):
    application = granted(lic)
    licence = Licence.objects.get()
    url = reverse("licensing:office_revoke", args=[application.number])
    body = {"decision_number": DECISION, "reason": "以虚假的授权签字人资料取得资质认定"}
    with on_day(D(2026, 7, 1)):
        sign_in_with_pages(client, "reviewer", lic.PASSWORD)
        page = client.get(reverse("licensing:office_application", args=[application.number]))
        form = element(page.content.decode(), "revoke-form")
        assert form.attrs["action"] == url
        assert text_of(form.first(lambda e: e.tag == "button")) == "撤销许可"
        before = counts()
        signed_in_at = time.time()
    # A confirmation older than the limit sends the officer to confirm again first: nothing is revoked.
    with time_machine.travel(signed_in_at + settings.CERTHUB_REAUTH_MAX_AGE + 1, tick=False):
        stale = client.post(url, body)
    assert stale.status_code == 302
    assert stale["Location"] == f"{reverse('accounts:reauth')}?next={url.replace('/', '%2F')}"
    assert counts() == before
    with on_day(D(2026, 7, 1)):
        missing = client.post(url, {"decision_number": "", "reason": ""})
        assert missing.status_code == 422
        assert field_errors(missing, "id_decision_number") == ["必填：撤销许可须有决定书编号"]
        assert field_errors(missing, "id_reason") == ["须写明撤销的事实和理由"]
        assert counts() == before
        done = client.post(url, body)
    assert done.status_code == 302
    assert (Licence.objects.get().status, Lab.objects.get().status) == ("REVOKED", "REVOKED")
    ban = Ban.objects.get()
    assert (ban.kind, ban.decision_number, ban.starts, ban.ends, ban.source) == (
        "APPLICATION_BAR",
        DECISION,
        D(2026, 7, 1),
        D(2029, 7, 1),
        f"licensing.Licence:{licence.number}",
    )
    with on_day(D(2026, 7, 1)):
        # Revoked: the case page offers no second revocation.
        page = client.get(reverse("licensing:office_application", args=[application.number])).content.decode()
        assert parse_html(page).first(lambda e: e.attrs.get("id") == "revoke-form") is None

    applicant = client.__class__()
    with on_day(D(2027, 3, 1)):
        client_of(applicant, lic, "applicant")
        before = counts()
        general = applicant.post(reverse("licensing:apply") + GENERAL_START, cma_post())
        committed = applicant.post(reverse("licensing:apply") + COMMITMENT_START, cma_post(signer="刘洋", agree="on"))
    assert (general.status_code, summary(general)) == (422, REFUSAL)
    assert (committed.status_code, summary(committed)) == (422, REFUSAL)
    assert counts() == before
    assert Application.objects.count() == 1


def test_the_legal_representative_of_the_barred_lab_is_refused_next_to_the_id_number(client, lic):
    from certhub.licensing import actions

    application = granted(lic)
    with on_day(D(2026, 7, 1)):
        actions.do_revoke_licence(
            licence=application.licence, decision_number=DECISION, reason="虚假材料", actor=lic.actor("reviewer")
        )
    with on_day(D(2027, 3, 1)):
        client_of(client, lic, "other_applicant")
        before = counts()
        response = client.post(
            reverse("licensing:apply") + GENERAL_START,
            cma_post(lab_name="衡阳雁城检测有限公司", address="湖南省衡阳市雁峰区 1 号"),
        )
    assert response.status_code == 422
    assert field_errors(response, "id_legal_representative_id_number") == [
        "法定代表人是受限制机构“长沙麓谷检测技术有限公司”的法定代表人，限制及于其新任职的机构：" + REFUSAL
    ]
    assert counts() == before
