"""Bans in licensing (C9): a licence revoked for misconduct bars its holder for three years through the
registry's APPLICATION_BAR; a new application is refused with the ban's sentence and the day it ends while
the organization is under a permanent exit or a bar (of the licence type or of any), or when its legal
representative is the one recorded on another organization's bar; nothing is written on a refusal. Through
the actions here; the API in test_api_bans.py, the pages in test_pages_bans.py."""

import datetime
import io

import pytest

from certhub.core.actors import SYSTEM
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.licensing import actions
from certhub.licensing.models import Application, Licence
from certhub.licensing.queries import commitments_of, due_and_overdue
from certhub.licensing.testing import cma_particulars, production_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.registry.actions.bans import do_impose_ban, do_lift_ban
from certhub.registry.actions.people import do_create_person
from certhub.registry.models import Ban, Lab

D = datetime.date
CMA_COMMITMENT = "本机构承诺符合检验检测机构资质认定条件，所提交材料真实有效。"
DECISION = "湘市监认撤〔2026〕3号"
REFUSAL = (
    "长沙麓谷检测技术有限公司已被湖南省市场监督管理局于2026-07-01决定限制申请资质"
    "（决定文号湘市监认撤〔2026〕3号），至2029-07-01届满"
)


def counts():
    return (
        Application.objects.count(),
        Licence.objects.count(),
        Ban.objects.count(),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def cma_on_commitment(lic, username="applicant", **overrides):
    arguments = {
        "licence_type": "CMA",
        "kind": "FIRST",
        "track": "COMMITMENT",
        "uscc": lic.users[username].organization.uscc,
        "particulars": cma_particulars(),
        "commitment_text": CMA_COMMITMENT,
        "actor": lic.actor(username),
    }
    arguments.update(overrides)
    return actions.do_submit_application(**arguments)


def cma_general(lic, username, **particulars):
    return actions.do_submit_application(
        licence_type="CMA",
        kind="FIRST",
        track="GENERAL",
        uscc=lic.users[username].organization.uscc,
        particulars=cma_particulars(**particulars),
        actor=lic.actor(username),
    )


@pytest.fixture
def revoked(lic):
    """The new lab's CMA qualification, granted on its commitment, revoked for misconduct on 2026-07-01."""
    with on_day(D(2026, 5, 12)):
        cma_on_commitment(lic)
    licence = Licence.objects.get(holder=lic.organizations["newlab"])
    with on_day(D(2026, 7, 1)):
        ban = actions.do_revoke_licence(
            licence=licence,
            decision_number=DECISION,
            reason="以虚假的授权签字人资料取得资质认定",
            actor=lic.actor("reviewer"),
        )
    return ban


def test_a_revocation_for_misconduct_revokes_the_licence_and_the_lab_and_bars_the_holder_for_three_years(lic, revoked):
    licence = Licence.objects.get(holder=lic.organizations["newlab"])
    lab = Lab.objects.get(organization=lic.organizations["newlab"])
    assert (licence.status, licence.status_changed_on, licence.status_reason) == (
        "REVOKED",
        D(2026, 7, 1),
        "撤销许可：以虚假的授权签字人资料取得资质认定",
    )
    assert (lab.status, lab.decision) == ("REVOKED", DECISION)
    ban = Ban.objects.get()
    assert ban == revoked
    assert (
        ban.kind,
        ban.organization_id,
        ban.licence_type,
        ban.decision_number,
        ban.decided_on,
        ban.authority,
        ban.region_code,
        ban.starts,
        ban.ends,
        ban.reason,
        ban.source,
        ban.lifted_on,
    ) == (
        "APPLICATION_BAR",
        lic.organizations["newlab"].pk,
        "CMA",
        DECISION,
        D(2026, 7, 1),
        "湖南省市场监督管理局",
        "430100",
        D(2026, 7, 1),
        D(2029, 7, 1),  # three years (procedures.json "bar"); 2029-07-01 is the first free day
        "许可证" + licence.number + "被撤销:以虚假的授权签字人资料取得资质认定",  # NFKC-normalized text
        "licensing.Licence:" + licence.number,
        None,
    )
    assert ban.legal_basis.startswith("《中华人民共和国行政许可法》 第六十九条、第七十九条")
    # The legal representative the lab was registered with, as a keyed digest: their next organization is barred.
    assert ban.legal_representative_digest == Application.objects.get().particulars["legal_representative"]["id_digest"]
    assert ban.legal_representative_digest.startswith("1$")
    events = list(
        AuditEvent.objects.filter(event_type__in=["LICENCE_STATUS_CHANGED", "LAB_CHANGED", "BAN_IMPOSED"])
        .order_by("id")
        .values_list("event_type", "subject_type")
    )
    assert events == [
        ("LICENCE_STATUS_CHANGED", "licensing.licence"),
        ("LAB_CHANGED", "registry.lab"),
        ("BAN_IMPOSED", "registry.ban"),
    ]
    assert Entry.objects.count() == AuditEvent.objects.count()  # each audit row has its ledger entry


def test_the_barred_lab_is_refused_a_new_cma_application_with_the_day_the_bar_ends(lic, revoked):
    before = counts()
    for day in (D(2026, 7, 1), D(2027, 3, 1), D(2029, 6, 29)):
        for track in ("GENERAL", "COMMITMENT"):
            with on_day(day), pytest.raises(ValidationFailed) as refused:
                cma_on_commitment(lic, track=track, commitment_text=CMA_COMMITMENT if track == "COMMITMENT" else "")
            assert refused.value.errors == {"applicant": [REFUSAL]}
    assert counts() == before


def test_a_bar_of_one_licence_type_leaves_the_other_open_and_a_bar_of_any_closes_both(lic):
    producer = lic.organizations["producer"]
    with on_day(D(2026, 3, 2)):
        do_impose_ban(
            kind="APPLICATION_BAR",
            organization=producer,
            licence_type="CMA",
            decision_number="湘市监认撤〔2026〕1号",
            decided_on=D(2026, 3, 2),
            authority="湖南省市场监督管理局",
            starts=D(2026, 3, 2),
            reason="资质认定被撤销",
            legal_basis="《中华人民共和国行政许可法》第七十九条",
            actor=SYSTEM,
        )
        production = actions.do_submit_application(
            licence_type="PRODUCTION",
            kind="FIRST",
            track="GENERAL",
            uscc=producer.uscc,
            particulars=production_particulars(),
            actor=lic.actor("producer"),
        )
        assert production.state == "SUBMITTED"
        do_impose_ban(
            kind="APPLICATION_BAR",
            organization=producer,
            decision_number="湘市监许撤〔2026〕2号",
            decided_on=D(2026, 3, 2),
            authority="湖南省市场监督管理局",
            starts=D(2026, 3, 2),
            ends=D(2027, 3, 2),
            reason="许可被撤销",
            legal_basis="《中华人民共和国行政许可法》第七十九条",
            actor=SYSTEM,
        )
        before = counts()
        with pytest.raises(ValidationFailed) as refused:
            actions.do_submit_application(
                licence_type="PRODUCTION",
                kind="FIRST",
                track="GENERAL",
                uscc=producer.uscc,
                particulars=production_particulars(),
                actor=lic.actor("producer"),
            )
    assert refused.value.errors == {
        "applicant": [
            "长沙铜官包装容器有限公司已被湖南省市场监督管理局于2026-03-02决定限制申请资质"
            "（决定文号湘市监许撤〔2026〕2号），至2027-03-02届满"
        ]
    }
    assert counts() == before


def test_a_permanent_exit_refuses_every_application_and_names_no_end(lic):
    producer = lic.organizations["producer"]
    with on_day(D(2026, 3, 2)):
        do_impose_ban(
            kind="PERMANENT_EXIT",
            organization=producer,
            decision_number="湘市监罚〔2026〕9号",
            decided_on=D(2026, 3, 2),
            authority="湖南省市场监督管理局",
            starts=D(2026, 3, 2),
            reason="出具虚假检验报告，情节严重",
            legal_basis="《检验检测机构监督管理办法》第二十六条",
            actor=SYSTEM,
        )
    before = counts()
    with on_day(D(2035, 1, 2)), pytest.raises(ValidationFailed) as refused:
        actions.do_submit_application(
            licence_type="PRODUCTION",
            kind="FIRST",
            track="COMMITMENT",
            uscc=producer.uscc,
            particulars=production_particulars(),
            commitment_text="承诺",
            actor=lic.actor("producer"),
        )
    assert refused.value.errors == {
        "applicant": [
            "长沙铜官包装容器有限公司已被湖南省市场监督管理局于2026-03-02决定永久退出（决定文号湘市监罚〔2026〕9号），无期限"
        ]
    }
    assert counts() == before


def test_the_legal_representative_of_the_barred_lab_brings_the_bar_to_a_new_organization(lic, revoked):
    before = counts()
    with on_day(D(2027, 3, 1)), pytest.raises(ValidationFailed) as refused:
        # The same person (the same ID number, lower-case check letter or not) as the revoked lab's.
        cma_general(
            lic,
            "other_applicant",
            lab_name="衡阳雁城检测有限公司",
            legal_representative={"name": "刘洋", "id_number": " 430104198001011234 "},
        )
    assert refused.value.errors == {
        "particulars.legal_representative.id_number": [
            "法定代表人是受限制机构“长沙麓谷检测技术有限公司”的法定代表人，限制及于其新任职的机构：" + REFUSAL
        ]
    }
    assert counts() == before
    with on_day(D(2027, 3, 1)):
        clean = cma_general(
            lic,
            "other_applicant",
            lab_name="衡阳雁城检测有限公司",
            legal_representative={"name": "赵敏", "id_number": "430104198505050011"},
        )
    assert (clean.state, clean.applicant_id) == ("SUBMITTED", lic.organizations["other"].pk)


def test_a_lifted_or_ended_bar_refuses_no_more(lic, revoked):
    with on_day(D(2029, 7, 1)):
        application = actions.do_submit_application(
            licence_type="PRODUCTION",
            kind="FIRST",
            track="GENERAL",
            uscc=lic.organizations["newlab"].uscc,
            particulars=production_particulars(),
            actor=lic.actor("applicant"),
        )
    assert application.state == "SUBMITTED"  # a production licence was never barred
    with on_day(D(2027, 1, 4)):
        do_lift_ban(
            ban=revoked,
            decision_number="湘市监认撤〔2027〕1号",
            lifted_on=D(2027, 1, 4),
            reason="复议撤销原决定",
            actor=lic.actor("reviewer"),
        )
        other = cma_general(
            lic,
            "other_applicant",
            lab_name="衡阳雁城检测有限公司",
            legal_representative={"name": "刘洋", "id_number": "430104198001011234"},
        )
    assert other.state == "SUBMITTED"


def test_a_revocation_needs_a_decision_number_and_reasons_and_an_officer_of_the_region(lic):
    with on_day(D(2026, 5, 12)):
        cma_on_commitment(lic)
    licence = Licence.objects.get(holder=lic.organizations["newlab"])
    before = counts()
    with on_day(D(2026, 7, 1)):
        with pytest.raises(ValidationFailed) as refused:
            actions.do_revoke_licence(licence=licence, decision_number="  ", reason="", actor=lic.actor("reviewer"))
        assert refused.value.errors == {
            "decision_number": ["必填：撤销许可须有决定书编号"],
            "reason": ["须写明撤销的事实和理由"],
        }
        with pytest.raises(NotPermitted) as outside:
            actions.do_revoke_licence(
                licence=licence, decision_number=DECISION, reason="虚假材料", actor=lic.actor("officer_hengyang")
            )
        assert outside.value.message == "officer_hengyang 无权执行“作出行政许可决定”"
        with pytest.raises(NotPermitted):
            actions.do_revoke_licence(
                licence=licence, decision_number=DECISION, reason="虚假材料", actor=lic.actor("applicant")
            )
    assert counts() == before
    assert Licence.objects.get(pk=licence.pk).status == "ACTIVE"
    with on_day(D(2026, 7, 1)):
        actions.do_revoke_licence(
            licence=licence, decision_number=DECISION, reason="虚假材料", actor=lic.actor("reviewer")
        )
    after = counts()
    with on_day(D(2026, 7, 2)), pytest.raises(Conflict) as again:
        actions.do_revoke_licence(
            licence=licence, decision_number="湘市监认撤〔2026〕4号", reason="虚假材料", actor=lic.actor("reviewer")
        )
    assert again.value.message == f"许可证{licence.number}已于2026-07-01撤销"
    assert counts() == after


def test_commitments_of_lists_each_signed_commitment_with_its_check(lic, revoked):
    from certhub.licensing.tests.test_commitment import COMMITMENT, commit

    with on_day(D(2026, 8, 3)):
        commit(lic)
    rows = commitments_of([lic.organizations["newlab"].pk, lic.organizations["producer"].pk])
    cma = Application.objects.get(licence_type="CMA")
    production = Application.objects.get(licence_type="PRODUCTION")
    assert [
        (r.organization_id, r.signed_on, r.text, r.application_number, r.licence_type, r.outcome, r.outcome_label)
        for r in rows
    ] == [
        (lic.organizations["newlab"].pk, D(2026, 5, 12), CMA_COMMITMENT, cma.number, "CMA", "", "待核查"),
        (lic.organizations["producer"].pk, D(2026, 8, 3), COMMITMENT, production.number, "PRODUCTION", "", "待核查"),
    ]
    assert [r.licence_number for r in rows] == [Licence.objects.get(licence_type="CMA").number, "XK00-43-00001"]
    assert commitments_of([lic.organizations["other"].pk]) == []
    assert commitments_of([]) == []


def test_a_false_commitment_found_after_a_revocation_revokes_and_bars_nothing_twice(lic, revoked):
    check = Licence.objects.get(holder=lic.organizations["newlab"]).checks.get()
    with on_day(D(2026, 7, 2)):
        actions.do_record_post_approval_check(
            check=check, outcome="FALSE_COMMITMENT", note="人员资料不实", actor=lic.actor("reviewer")
        )
    check.refresh_from_db()
    assert (check.outcome, check.done_on) == ("FALSE_COMMITMENT", D(2026, 7, 2))
    assert list(Ban.objects.values_list("decision_number", flat=True)) == [DECISION]
    licence = Licence.objects.get(holder=lic.organizations["newlab"])
    assert (licence.status, licence.status_changed_on) == ("REVOKED", D(2026, 7, 1))


def test_a_licence_revoked_before_its_commitment_check_leaves_nothing_due(lic, revoked):
    # The CMA was granted on a commitment: its check was due until the revocation decided the matter.
    application = Application.objects.get()
    assert (application.next_due_on, application.next_due_step) == (None, "")
    assert due_and_overdue(lic.actor("reviewer"), D(2026, 7, 2)) == []


def test_the_command_refuses_the_barred_labs_application_and_writes_nothing(tmp_path, lic, revoked):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from certhub.licensing.tests.test_command import application_file

    before = counts()
    err = io.StringIO()
    with on_day(D(2027, 3, 1)), pytest.raises(CommandError, match=r"^application refused; nothing written$") as caught:
        call_command("licensing", "submit", application_file(tmp_path, lic), "--user", "applicant", stderr=err)
    assert (caught.value.returncode, err.getvalue()) == (1, f"applicant: {REFUSAL}\n")
    assert counts() == before


def test_a_person_banned_for_life_is_refused_as_signatory_or_key_person_of_a_cma_application(lic):
    """终身禁入 (C9): the application naming the banned person is refused on that person's field, with the
    ban's sentence; the same person named twice is refused twice; nothing is written."""
    banned = do_create_person(name="王磊", roles=["SIGNATORY"], id_number="430104199003033333", actor=SYSTEM)
    with on_day(D(2026, 3, 2)):
        do_impose_ban(
            kind="LIFETIME_BAN",
            person=banned,
            decision_number="湘市监禁〔2026〕1号",
            decided_on=D(2026, 3, 2),
            authority="湖南省市场监督管理局",
            starts=D(2026, 3, 2),
            reason="出具虚假检验检测报告",
            legal_basis="检验检测机构监督管理办法 第二十六条",
            actor=lic.actor("reviewer"),
        )
    before = counts()
    sentence = "王磊已被湖南省市场监督管理局于2026-03-02决定终身禁入（决定文号湘市监禁〔2026〕1号），无期限"
    with on_day(D(2026, 5, 12)), pytest.raises(ValidationFailed) as refused:
        cma_general(lic, "applicant", technical_manager={"name": "王磊", "id_number": "430104199003033333"})
    assert refused.value.errors == {
        "particulars.technical_manager.id_number": [sentence],
        "particulars.signatories[0].id_number": [sentence],
    }
    assert counts() == before
    with on_day(D(2026, 5, 12)):
        application = cma_general(
            lic, "applicant", signatories=[{"name": "李娜", "id_number": "430104199104044446", "scope": [0]}]
        )
    assert application.particulars["signatories"][0]["name"] == "李娜"
