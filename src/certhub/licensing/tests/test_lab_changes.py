"""Decisions on a lab that already holds its qualification write the registry in the same transaction: a
reduction ends the rows it names, a renewal moves the end of validity, a cancellation closes the lab — each
naming the decision, and the licence reissued with the lab's scope as it now stands (C1, C8)."""

import datetime

import pytest

from certhub.core.actors import SYSTEM
from certhub.licensing import actions
from certhub.licensing.models import Licence
from certhub.licensing.testing import cma_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.registry.actions.labs import do_add_lab_scope, do_create_lab

D = datetime.date


@pytest.fixture
def lab(lic):
    lab = do_create_lab(
        organization=lic.organizations["other"], name="衡阳雁城检测有限公司", cma_number="204312000017",
        cma_valid_from=D(2020, 7, 1), cma_valid_until=D(2026, 6, 30), decision="湘市监认〔2020〕7号", actor=SYSTEM,
    )  # fmt: skip
    for parameter, standard in (("铅", "GB 5009.12-2023"), ("镉", "GB 5009.15-2023")):
        do_add_lab_scope(lab=lab, field="食品", object="大米", parameter=parameter, standard=standard,
                         valid_from=D(2020, 7, 1), decision="湘市监认〔2020〕7号", actor=SYSTEM)  # fmt: skip
    return lab


def decide(lic, kind, particulars, day):
    reviewer = lic.actor("reviewer_hengyang")
    with on_day(day):
        application = actions.do_submit_application(
            licence_type="CMA", kind=kind, track="GENERAL", uscc=lic.organizations["other"].uscc,
            particulars=particulars, actor=lic.actor("other_applicant"),
        )  # fmt: skip
        actions.do_accept_application(
            application=application, assigned_to=lic.users["officer_hengyang"], actor=reviewer
        )
        actions.do_conclude_review(application=application, note="书面审查", actor=reviewer)
        actions.do_decide_application(
            application=application, decision="GRANT", decision_number=f"湘市监认〔{day.year}〕{kind}", actor=reviewer
        )
    application.refresh_from_db()
    return application


@pytest.fixture
def hengyang_reviewer(lic):
    lic.users["reviewer_hengyang"] = lic.users["officer_hengyang"]
    return lic


def test_a_reduction_ends_the_rows_it_names(hengyang_reviewer, lab):
    lic = hengyang_reviewer
    lead = lab.scope.get(parameter="铅")
    application = decide(lic, "REDUCTION", cma_particulars(lab_name=lab.name, scope=[], signatories=[],
                                                           legal_representative=None, technical_manager=None,
                                                           end_scope=[lead.pk]), D(2026, 2, 2))  # fmt: skip
    assert application.state == "GRANTED"
    assert sorted(lab.scope.values_list("parameter", "valid_until", "decision")) == [
        ("铅", D(2026, 2, 2), "湘市监认〔2026〕REDUCTION"),
        ("镉", None, "湘市监认〔2020〕7号"),
    ]
    licence = Licence.objects.get(lab=lab)
    assert (licence.number, [row["parameter"] for row in licence.scope], licence.valid_until) == (
        "204312000017",
        ["镉"],
        D(2026, 6, 30),
    )


def test_a_renewal_moves_the_end_of_validity(hengyang_reviewer, lab):
    lic = hengyang_reviewer
    decide(lic, "RENEWAL", cma_particulars(lab_name=lab.name, scope=[], signatories=[]), D(2026, 3, 2))
    lab.refresh_from_db()
    assert (lab.cma_valid_from, lab.cma_valid_until, lab.decision) == (
        D(2020, 7, 1),
        D(2032, 3, 1),
        "湘市监认〔2026〕RENEWAL",
    )
    assert Licence.objects.get(lab=lab).valid_until == D(2032, 3, 1)


def test_a_cancellation_closes_the_lab(hengyang_reviewer, lab):
    lic = hengyang_reviewer
    decide(lic, "CANCELLATION", cma_particulars(lab_name=lab.name, scope=[], signatories=[]), D(2026, 3, 2))
    lab.refresh_from_db()
    assert (lab.status, lab.decision) == ("CLOSED", "湘市监认〔2026〕CANCELLATION")
    assert Licence.objects.get(lab=lab).status == "CLOSED"
