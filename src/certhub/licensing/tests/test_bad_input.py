"""Every bad input of licensing is refused with its field and reason, and nothing is written (C8, docs/
architecture.md invariant 6): a credit code failing its check digit, an unknown region, a renewal inside the
last three months or after expiry, a scope row whose standard does not parse, a decision by someone not
assigned or before every department answered. (A second 告知承诺 under a bar: test_commitment.py.)"""

import datetime

import pytest

from certhub.core.actors import SYSTEM
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.licensing import actions
from certhub.licensing.choices import Decision
from certhub.licensing.models import Application, ApplicationEvent, Clock, Licence, OpinionRequest
from certhub.licensing.testing import cma_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.registry.actions.labs import do_create_lab
from certhub.registry.models import Lab, LabScope

D = datetime.date


def written():
    return (
        Application.objects.count(),
        ApplicationEvent.objects.count(),
        Clock.objects.count(),
        OpinionRequest.objects.count(),
        Licence.objects.count(),
        Lab.objects.count(),
        LabScope.objects.count(),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def submit(lic, username="applicant", organization="newlab", **overrides):
    arguments = {
        "licence_type": "CMA",
        "kind": "FIRST",
        "track": "GENERAL",
        "uscc": lic.organizations[organization].uscc,
        "particulars": cma_particulars(),
        "actor": lic.actor(username),
    }
    arguments.update(overrides)
    return actions.do_submit_application(**arguments)


def refused(call, expected_type=ValidationFailed):
    before = written()
    with pytest.raises(expected_type) as caught:
        call()
    assert written() == before
    return caught.value


def test_a_credit_code_failing_its_check_digit(lic):
    code = lic.organizations["newlab"].uscc
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with on_day(D(2026, 3, 2)):
        error = refused(lambda: submit(lic, uscc=wrong))
    assert error.errors == {"uscc": ["统一社会信用代码校验位错误"]}


def test_an_unknown_region(lic):
    with on_day(D(2026, 3, 2)):
        error = refused(lambda: submit(lic, region_code="439999"))
    assert error.errors == {"region_code": ["未知的行政区划代码“439999”"]}


def test_a_scope_row_whose_standard_does_not_parse(lic):
    particulars = cma_particulars()
    particulars["scope"][1]["standard"] = "GB 5009.15"
    with on_day(D(2026, 3, 2)):
        error = refused(lambda: submit(lic, particulars=particulars))
    assert error.errors == {
        "particulars.scope[1].standard": [
            "“GB 5009.15”不是可识别的标准编号，应形如 GB/T 228.1-2021、ISO/IEC 17025:2017"
        ]
    }


@pytest.fixture
def lab_ending_mid_2026(lic):
    """The Hengyang organization already holds a CMA qualification valid until 2026-06-30."""
    return do_create_lab(
        organization=lic.organizations["other"],
        name="衡阳雁城检测有限公司",
        cma_number="204312000017",
        cma_valid_from=D(2020, 7, 1),
        cma_valid_until=D(2026, 6, 30),
        decision="湘市监认〔2020〕7号",
        actor=SYSTEM,
    )


def test_a_renewal_inside_the_last_three_months(lic, lab_ending_mid_2026):
    renewal = {
        "licence_type": "CMA",
        "kind": "RENEWAL",
        "particulars": cma_particulars(lab_name="衡阳雁城检测有限公司"),
    }
    with on_day(D(2026, 3, 30)):  # the last day a renewal may be filed: accepted
        application = submit(lic, "other_applicant", "other", **renewal)
    assert (application.kind, application.lab_id) == ("RENEWAL", lab_ending_mid_2026.pk)
    actions.do_withdraw_application(application=application, actor=lic.actor("other_applicant"))
    with on_day(D(2026, 3, 31)):
        error = refused(lambda: submit(lic, "other_applicant", "other", **renewal))
    assert error.errors == {"kind": ["延续申请须在有效期届满3个月前提出：有效期至2026-06-30，最迟2026-03-30提出"]}


def test_a_renewal_after_expiry(lic, lab_ending_mid_2026):
    renewal = {
        "licence_type": "CMA",
        "kind": "RENEWAL",
        "particulars": cma_particulars(lab_name="衡阳雁城检测有限公司"),
    }
    with on_day(D(2026, 7, 1)):
        error = refused(lambda: submit(lic, "other_applicant", "other", **renewal))
    assert error.errors == {"kind": ["有效期已于2026-06-30届满，不能申请延续，请提出首次申请"]}


@pytest.fixture
def concluded_case(lic):
    """A case reviewed and concluded, with the environment department still to answer."""
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 3, 2)):
        application = submit(lic)
        actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
        review = actions.do_schedule_onsite_review(application=application, scheduled_on=D(2026, 3, 2), actor=reviewer)
        actions.do_record_onsite_review(review=review, outcome="PASSED", actor=reviewer)
        actions.do_request_opinions(application=application, departments=["生态环境局", "消防救援支队"], actor=reviewer)
        actions.do_answer_opinion(opinion=application.opinion_requests.get(department="消防救援支队"), agrees=True,
                                  text="同意", actor=lic.actor("fire"))  # fmt: skip
    application.refresh_from_db()
    return application


def test_a_decision_before_every_department_answered(lic, concluded_case):
    with on_day(D(2026, 3, 3)):
        error = refused(
            lambda: actions.do_decide_application(
                application=concluded_case, decision=Decision.GRANT, actor=lic.actor("reviewer")
            ),
            Conflict,
        )
    assert error.errors == {"opinions": ["以下部门尚未答复意见，不能作出决定：生态环境局"]}
    assert Lab.objects.filter(organization=lic.organizations["newlab"]).exists() is False


def test_a_decision_by_someone_not_assigned(lic, concluded_case):
    with on_day(D(2026, 3, 3)):
        actions.do_answer_opinion(
            opinion=concluded_case.opinion_requests.get(department="生态环境局"), agrees=True, text="同意",
            actor=lic.actor("environment"),
        )  # fmt: skip
        error = refused(
            lambda: actions.do_decide_application(
                application=concluded_case, decision=Decision.GRANT, actor=lic.actor("second_reviewer")
            ),
            NotPermitted,
        )
    assert error.message == "只有本案承办人（reviewer）可以作出许可决定"
    concluded_case.refresh_from_db()
    assert (concluded_case.state, concluded_case.decided_on) == ("REVIEW_CONCLUDED", None)


def test_a_department_answers_only_its_own_request(lic, concluded_case):
    with on_day(D(2026, 3, 3)):
        error = refused(
            lambda: actions.do_answer_opinion(
                opinion=concluded_case.opinion_requests.get(department="生态环境局"), agrees=False, text="不同意",
                actor=lic.actor("fire"),
            ),
            NotPermitted,
        )  # fmt: skip
    assert error.message == "只有生态环境局的人员可以答复此征求意见"


def test_rectification_longer_than_the_statutory_maximum(lic):
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 3, 2)):
        application = submit(lic)
        actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
        review = actions.do_schedule_onsite_review(application=application, scheduled_on=D(2026, 3, 2), actor=reviewer)
        error = refused(
            lambda: actions.do_record_onsite_review(
                review=review, outcome="RECTIFICATION", findings="记录不全", rectification_days=31, actor=reviewer
            )
        )
    assert error.errors == {"rectification_days": ["整改期限须为1至30个工作日"]}
