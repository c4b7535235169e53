"""Who may act on a case (C14): officers of the case's region, the applicant for its own organization, the
departments asked; everyone else is refused and nothing changes. A person already registered is found again
by the keyed digest of their ID number when a later decision names them."""

import datetime

import pytest

from certhub.core.errors import NotPermitted
from certhub.core.models import AuditEvent
from certhub.licensing import actions
from certhub.licensing.queries import applications_visible_to
from certhub.licensing.testing import cma_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.registry.models import Person

D = datetime.date


@pytest.fixture
def filed(lic):
    with on_day(D(2026, 3, 2)):
        return actions.do_submit_application(
            licence_type="CMA", kind="FIRST", track="GENERAL", uscc=lic.organizations["newlab"].uscc,
            particulars=cma_particulars(), actor=lic.actor("applicant"),
        )  # fmt: skip


def test_an_officer_of_another_region_cannot_accept(lic, filed):
    audited = AuditEvent.objects.count()
    with on_day(D(2026, 3, 3)), pytest.raises(NotPermitted) as refused:
        actions.do_accept_application(application=filed, actor=lic.actor("officer_hengyang"))
    assert refused.value.message == "officer_hengyang 无权执行“受理和审查行政许可申请”"
    filed.refresh_from_db()
    assert (filed.state, AuditEvent.objects.count()) == ("SUBMITTED", audited)


def test_another_organization_cannot_withdraw_an_application(lic, filed):
    with pytest.raises(NotPermitted) as refused:
        actions.do_withdraw_application(application=filed, actor=lic.actor("producer"))
    assert refused.value.message == "producer 无权执行“申请和办理本机构的行政许可”"
    filed.refresh_from_db()
    assert filed.state == "SUBMITTED"


def test_who_sees_the_case(lic, filed):
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 3, 3)):
        actions.do_accept_application(application=filed, assigned_to=lic.users["reviewer"], actor=reviewer)
        actions.do_request_opinions(application=filed, departments=["生态环境局"], actor=reviewer)
    seen = {
        name: list(applications_visible_to(lic.actor(name)).values_list("number", flat=True))
        for name in ("applicant", "producer", "reviewer", "officer_hengyang", "environment", "fire")
    }
    assert seen == {
        "applicant": [filed.number],
        "producer": [],
        "reviewer": [filed.number],
        "officer_hengyang": [],
        "environment": [filed.number],
        "fire": [filed.number],  # an officer of Changsha, the case's region
    }


def test_a_person_already_registered_is_found_again_by_digest(lic):
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 3, 2)):
        application = actions.do_submit_application(
            licence_type="CMA", kind="FIRST", track="GENERAL", uscc=lic.organizations["newlab"].uscc,
            particulars=cma_particulars(technical_manager={"name": "刘洋", "id_number": "430104198001011234"}),
            actor=lic.actor("applicant"),
        )  # fmt: skip
        actions.do_accept_application(application=application, assigned_to=lic.users["reviewer"], actor=reviewer)
        review = actions.do_schedule_onsite_review(application=application, scheduled_on=D(2026, 3, 2), actor=reviewer)
        actions.do_record_onsite_review(review=review, outcome="PASSED", actor=reviewer)
        actions.do_decide_application(application=application, decision="GRANT", actor=reviewer)
    liu = Person.objects.get(name="刘洋")
    assert sorted(liu.roles) == ["LEGAL_REPRESENTATIVE", "TECHNICAL_MANAGER"]
    assert sorted(liu.affiliations.values_list("role", flat=True)) == ["LEGAL_REPRESENTATIVE", "TECHNICAL_MANAGER"]
    assert Person.objects.count() == 2  # 刘洋 once, and the signatory 王磊
