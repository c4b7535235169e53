"""Bans in the licensing API over real HTTP (C9): an officer revokes a lab's CMA qualification by a numbered
decision (re-authenticated), the lab's next CMA application is refused with the ban's sentence and the day
it ends; a revocation without a decision number, from outside the region or by an applicant's key is
refused; nothing is written on any refusal."""

import datetime
import time

import pytest

from certhub.core.actions import do_issue_api_key
from certhub.core.actors import SYSTEM
from certhub.core.models import AuditEvent
from certhub.core.reauth import CONFIRMED_AT
from certhub.core.testing import sign_in_client
from certhub.ledger.models import Entry
from certhub.licensing.models import Application, Licence
from certhub.licensing.testing import cma_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.licensing.tests.test_bans import CMA_COMMITMENT, DECISION, REFUSAL
from certhub.registry.models import Ban

D = datetime.date
BASE = "/api/v1/licensing"


@pytest.fixture
def key(lic):
    issued, secret = do_issue_api_key(
        organization=lic.organizations["newlab"],
        name="lab",
        role="ENTERPRISE",
        scopes=["read", "licensing"],
        actor=SYSTEM,
    )
    return {"X-API-Key": secret, "prefix": issued.prefix}


def post(client, path, body, key=None):
    headers = {"X-API-Key": key["X-API-Key"]} if key else {}
    return client.post(f"{BASE}{path}", body, content_type="application/json", headers=headers)


def counts():
    return (
        Application.objects.count(),
        Licence.objects.count(),
        Ban.objects.count(),
        AuditEvent.objects.count(),
        Entry.objects.count(),
        list(Licence.objects.values_list("status", flat=True)),
    )


def application(lic, track):
    body = {
        "licence_type": "CMA",
        "kind": "FIRST",
        "track": track,
        "uscc": lic.organizations["newlab"].uscc,
        "particulars": cma_particulars(),
    }
    if track == "COMMITMENT":
        body["commitment_text"] = CMA_COMMITMENT
    return body


def confirmed(client, when):
    # The first request of a session completes the sign-in (and confirms it): make it before setting the time.
    assert client.get(f"{BASE}/due").status_code == 200
    session = client.session
    session[CONFIRMED_AT] = when
    session.save()


def test_an_officer_revokes_a_cma_qualification_and_the_lab_is_refused_a_new_application(client, lic, key):
    with on_day(D(2026, 5, 12)):
        granted = post(client, "/applications", application(lic, "COMMITMENT"), key)
    assert (granted.status_code, granted.json()["state"]) == (201, "GRANTED")
    number = granted.json()["licence_number"]
    officer = sign_in_client(client.__class__(), lic.users["reviewer"])
    body = {"decision_number": DECISION, "reason": "以虚假的授权签字人资料取得资质认定"}
    with on_day(D(2026, 7, 1)):
        confirmed(officer, time.time() - 86400)
        before = counts()
        stale = post(officer, f"/licences/{number}/revoke", body)
        assert (stale.status_code, stale.json()["message"]) == (403, "撤销许可前须重新验证身份（密码和第二因素）")
        assert counts() == before
        confirmed(officer, time.time())
        revoked = post(officer, f"/licences/{number}/revoke", body)
    assert revoked.status_code == 200
    assert revoked.json() == {
        "licence_number": number,
        "licence_status": "REVOKED",
        "revoked_on": "2026-07-01",
        "bar_kind": "APPLICATION_BAR",
        "bar_licence_type": "CMA",
        "bar_decision_number": DECISION,
        "bar_authority": "湖南省市场监督管理局",
        "bar_starts": "2026-07-01",
        "bar_ends": "2029-07-01",
        "bar_sentence": REFUSAL,
    }
    before = counts()
    for track in ("GENERAL", "COMMITMENT"):
        with on_day(D(2027, 3, 1)):
            refused = post(client, "/applications", application(lic, track), key)
        assert (refused.status_code, refused.json()["errors"]) == (422, {"applicant": [REFUSAL]})
    assert counts() == before


def test_a_revocation_without_a_decision_number_or_from_outside_the_region_is_refused(client, lic, key):
    with on_day(D(2026, 5, 12)):
        number = post(client, "/applications", application(lic, "COMMITMENT"), key).json()["licence_number"]
    officer = sign_in_client(client.__class__(), lic.users["reviewer"])
    outsider = sign_in_client(client.__class__(), lic.users["officer_hengyang"])
    before = counts()
    with on_day(D(2026, 7, 1)):
        confirmed(officer, time.time())
        confirmed(outsider, time.time())
        missing = post(officer, f"/licences/{number}/revoke", {"decision_number": "", "reason": "虚假材料"})
        assert (missing.status_code, missing.json()["errors"]) == (
            422,
            {"decision_number": ["必填：撤销许可须有决定书编号"]},
        )
        elsewhere = post(outsider, f"/licences/{number}/revoke", {"decision_number": DECISION, "reason": "虚假材料"})
        # A licence outside the officer's region answers as one that does not exist.
        assert (elsewhere.status_code, elsewhere.json()["message"]) == (404, f"没有编号为{number}的许可证")
        by_key = post(client, f"/licences/{number}/revoke", {"decision_number": DECISION, "reason": "虚假材料"}, key)
        assert (by_key.status_code, by_key.json()["message"]) == (
            403,
            f"api-key:{key['prefix']} 无权执行“作出行政许可决定”",
        )
    assert counts() == before
