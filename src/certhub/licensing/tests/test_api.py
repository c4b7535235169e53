"""The licensing API over real HTTP (Django's test client): an applicant files with its key (scope
`licensing`) and follows its case; officers take the steps with their session and read the due list; the
bad inputs of the issue come back in the API's one error shape with nothing written."""

import datetime
import time

import pytest

from certhub.core.actions import do_issue_api_key
from certhub.core.actors import SYSTEM
from certhub.core.models import AuditEvent
from certhub.core.reauth import CONFIRMED_AT
from certhub.core.testing import sign_in_client
from certhub.licensing.models import Application, Licence
from certhub.licensing.testing import cma_particulars, production_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.registry.actions.labs import do_create_lab
from certhub.registry.models import Ban

D = datetime.date
BASE = "/api/v1/licensing"
UNPARSED = "“GB 4706”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"


@pytest.fixture
def keys(lic):
    found = {}
    for name, organization, scopes in (
        ("applicant", "newlab", ["read", "licensing"]),
        ("producer", "producer", ["read", "licensing"]),
        ("other", "other", ["read", "licensing"]),
        ("read_only", "newlab", ["read"]),
    ):
        _key, secret = do_issue_api_key(
            organization=lic.organizations[organization], name=name, role="ENTERPRISE", scopes=scopes, actor=SYSTEM
        )
        found[name] = {"X-API-Key": secret}
    return found


def post(client, path, body, headers=None):
    return client.post(f"{BASE}{path}", body, content_type="application/json", headers=headers or {})


def cma_body(lic, **overrides):
    body = {
        "licence_type": "CMA",
        "kind": "FIRST",
        "track": "GENERAL",
        "uscc": lic.organizations["newlab"].uscc,
        "particulars": cma_particulars(),
    }
    body.update(overrides)
    return body


def nothing_written():
    return Application.objects.count(), Licence.objects.count(), AuditEvent.objects.count()


def test_an_applicant_files_and_an_officer_takes_the_case_to_its_decision(client, lic, keys):
    with on_day(D(2026, 3, 2)):
        filed = post(client, "/applications", cma_body(lic), keys["applicant"])
    assert filed.status_code == 201
    body = filed.json()
    number = body["number"]
    assert (number, body["state"], body["next_due_step"], body["next_due_on"], body["awaited"]) == (
        "XK-2026-000001",
        "SUBMITTED",
        "ACCEPTANCE",
        "2026-03-09",
        ["受理，期限2026-03-09"],
    )
    officer = sign_in_client(client.__class__(), lic.users["reviewer"])
    with on_day(D(2026, 3, 3)):
        assert (
            post(officer, f"/applications/{number}/accept", {"assigned_to": "reviewer"}).json()["state"]
            == "UNDER_REVIEW"
        )
        review = post(officer, f"/applications/{number}/onsite-review", {"scheduled_on": "2026-03-03"})
        assert review.json()["state"] == "ONSITE_REVIEW"
        passed = post(officer, f"/applications/{number}/onsite-review/conclusion", {"outcome": "PASSED"})
        assert (passed.json()["state"], passed.json()["next_due_on"]) == ("REVIEW_CONCLUDED", "2026-03-31")
        due = officer.get(f"{BASE}/due").json()
        assert [(d["number"], d["step"], d["due_on"], d["overdue"]) for d in due] == [
            (number, "DECISION", "2026-03-31", False)
        ]
        decided = post(
            officer, f"/applications/{number}/decision", {"decision": "GRANT", "decision_number": "湘市监认〔2026〕3号"}
        )
    assert decided.status_code == 200
    assert (decided.json()["state"], decided.json()["licence_number"], decided.json()["decision_number"]) == (
        "GRANTED",
        "264300000001",
        "湘市监认〔2026〕3号",
    )
    # The applicant reads its own case with its key; another organization's key gets a 404.
    mine = client.get(f"{BASE}/applications/{number}", headers=keys["applicant"]).json()
    assert [e["step"] for e in mine["events"]] == [
        "SUBMITTED", "ACCEPTED", "ASSIGNED", "ONSITE_SCHEDULED", "REVIEW_CONCLUDED", "GRANTED",
    ]  # fmt: skip
    other = client.get(f"{BASE}/applications/{number}", headers=keys["other"])
    assert (other.status_code, other.json()) == (
        404,
        {"code": "not_found", "message": "没有编号为XK-2026-000001的申请", "errors": {}},
    )


def test_a_key_without_the_licensing_scope_cannot_file(client, lic, keys):
    before = nothing_written()
    answer = post(client, "/applications", cma_body(lic), keys["read_only"])
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert answer.json()["message"].endswith("没有“licensing”权限范围（办理行政许可申请）")
    assert nothing_written() == before
    anonymous = post(client, "/applications", cma_body(lic))
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthenticated")


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"uscc": "BAD"}, {"uscc": ["统一社会信用代码须为18位，收到3位"]}),
        ({"region_code": "439999"}, {"region_code": ["未知的行政区划代码“439999”"]}),
        (
            {"particulars": cma_particulars(scope=[{"field": "电器", "object": "家用电器", "parameter": "泄漏电流",
                                                    "standard": "GB 4706"}])},
            {"particulars.scope[0].standard": [UNPARSED]},
        ),
    ],
    ids=["credit-code", "region", "standard"],
)  # fmt: skip
def test_bad_applications_through_the_api(client, lic, keys, change, errors):
    before = nothing_written()
    with on_day(D(2026, 3, 2)):
        answer = post(client, "/applications", cma_body(lic, **change), keys["applicant"])
    assert (answer.status_code, answer.json()["code"], answer.json()["errors"]) == (422, "validation_failed", errors)
    assert nothing_written() == before


def test_a_renewal_too_late_through_the_api(client, lic, keys):
    do_create_lab(
        organization=lic.organizations["other"], name="衡阳雁城检测有限公司", cma_number="204312000017",
        cma_valid_from=D(2020, 7, 1), cma_valid_until=D(2026, 6, 30), decision="湘市监认〔2020〕7号", actor=SYSTEM,
    )  # fmt: skip
    body = cma_body(lic, kind="RENEWAL", uscc=lic.organizations["other"].uscc)
    before = nothing_written()
    with on_day(D(2026, 5, 1)):
        inside = post(client, "/applications", body, keys["other"])
    with on_day(D(2026, 7, 1)):
        after = post(client, "/applications", body, keys["other"])
    assert (inside.status_code, inside.json()["errors"]) == (
        422,
        {"kind": ["延续申请须在有效期届满3个月前提出：有效期至2026-06-30，最迟2026-03-30提出"]},
    )
    assert (after.status_code, after.json()["errors"]) == (
        422,
        {"kind": ["有效期已于2026-06-30届满，不能申请延续，请提出首次申请"]},
    )
    assert nothing_written() == before


def test_decisions_refused_through_the_api(client, lic, keys):
    with on_day(D(2026, 3, 2)):
        number = post(client, "/applications", cma_body(lic), keys["applicant"]).json()["number"]
    officer = sign_in_client(client.__class__(), lic.users["reviewer"])
    second = sign_in_client(client.__class__(), lic.users["second_reviewer"])
    with on_day(D(2026, 3, 3)):
        post(officer, f"/applications/{number}/accept", {"assigned_to": "reviewer"})
        post(officer, f"/applications/{number}/onsite-review", {"scheduled_on": "2026-03-03"})
        post(officer, f"/applications/{number}/onsite-review/conclusion", {"outcome": "PASSED"})
        post(officer, f"/applications/{number}/opinion-requests", {"departments": ["生态环境局"]})
        before = nothing_written()
        early = post(officer, f"/applications/{number}/decision", {"decision": "GRANT"})
        stranger = post(second, f"/applications/{number}/decision", {"decision": "GRANT"})
    assert (early.status_code, early.json()) == (
        409,
        {
            "code": "conflict",
            "message": "以下部门尚未答复意见，不能作出决定：生态环境局",
            "errors": {"opinions": ["以下部门尚未答复意见，不能作出决定：生态环境局"]},
        },
    )
    assert (stranger.status_code, stranger.json()["message"]) == (403, "只有本案承办人（reviewer）可以作出许可决定")
    assert nothing_written() == before


def test_a_second_commitment_under_a_bar_through_the_api(client, lic, keys):
    body = {
        "licence_type": "PRODUCTION", "kind": "FIRST", "track": "COMMITMENT",
        "uscc": lic.organizations["producer"].uscc, "particulars": production_particulars(),
        "commitment_text": "本企业承诺符合许可条件。",
    }  # fmt: skip
    with on_day(D(2026, 5, 12)):
        granted = post(client, "/applications", body, keys["producer"])
    assert (granted.status_code, granted.json()["state"], granted.json()["licence_number"]) == (
        201,
        "GRANTED",
        "XK00-43-00001",
    )
    officer = sign_in_client(client.__class__(), lic.users["reviewer"])
    check = Licence.objects.get().checks.get()
    with on_day(D(2026, 6, 1)):
        # Revoking needs a recent confirmation of who the officer is: the sign-in's is long past.
        assert [d["step"] for d in officer.get(f"{BASE}/due").json()] == ["POST_CHECK"]
        session = officer.session
        session[CONFIRMED_AT] = time.time() - 86400
        session.save()
        unconfirmed = post(
            officer, f"/post-approval-checks/{check.pk}", {"outcome": "FALSE_COMMITMENT", "note": "无设备"}
        )
        assert (unconfirmed.status_code, unconfirmed.json()["message"]) == (
            403,
            "撤销许可前须重新验证身份（密码和第二因素）",
        )
        session = officer.session
        session[CONFIRMED_AT] = time.time()
        session.save()
        revoked = post(officer, f"/post-approval-checks/{check.pk}", {"outcome": "FALSE_COMMITMENT", "note": "无设备"})
    assert revoked.status_code == 200
    assert Ban.objects.get().ends == D(2029, 6, 1)
    before = nothing_written()
    with on_day(D(2026, 9, 1)):
        again = post(client, "/applications", body, keys["producer"])
    assert (again.status_code, list(again.json()["errors"])) == (422, ["applicant"])
    assert again.json()["errors"]["applicant"] == [
        "长沙铜官包装容器有限公司已被湖南省市场监督管理局于2026-06-01决定限制申请资质"
        "（决定文号XKCX-2026-000001），至2029-06-01届满"
    ]
    assert nothing_written() == before
