"""Bans (C9): imposed and lifted only by decisions with a number, each in the audit and the ledger; the
kinds' periods as data; the refusal sentence; the queries the enforcement points use."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.registry import bans
from certhub.registry.actions.bans import do_impose_ban, do_lift_ban
from certhub.registry.models import Ban

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def state():
    return (
        sorted(Ban.objects.values_list("kind", "decision_number", "ends", "lifted_on", "lift_decision_number")),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def impose(world, **kw):
    values = {
        "kind": "PERMANENT_EXIT",
        "organization": world.organizations["lab"],
        "decision_number": "湘市监罚〔2026〕7号",
        "decided_on": DAY,
        "authority": "长沙市市场监督管理局",
        "starts": DAY,
        "reason": "出具虚假检验检测报告",
        "legal_basis": "检验检测机构监督管理办法",
        "actor": world.actor("officer_changsha"),
    }
    values.update(kw)
    return do_impose_ban(**values)


def test_imposing_a_permanent_exit_records_the_ban_the_audit_row_and_the_ledger_entry(world):
    entries = Entry.objects.count()
    ban = impose(world)
    assert (ban.kind, ban.organization, ban.person, ban.starts, ban.ends, ban.region_code, ban.lifted_on) == (
        "PERMANENT_EXIT",
        world.organizations["lab"],
        None,
        DAY,
        None,
        "430100",
        None,
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.subject_id, event.before) == ("BAN_IMPOSED", str(ban.pk), None)
    assert event.after["decision_number"] == "湘市监罚〔2026〕7号"
    assert event.after["ends"] is None
    assert Entry.objects.count() == entries + 1
    assert bans.ban_refusal(ban) == (
        "湖南省产品质量检验检测研究院已被长沙市市场监督管理局于2026-03-02决定永久退出（决定文号湘市监罚〔2026〕7号），无期限"
    )


def test_an_application_bar_without_an_end_lasts_three_years_and_a_certification_bar_one(world):
    bar = impose(world, kind="APPLICATION_BAR", licence_type="CMA", starts=datetime.date(2024, 2, 29))
    assert bar.ends == datetime.date(2027, 2, 28)
    cert_bar = impose(world, kind="CERTIFICATION_BAR", organization=world.organizations["maker"], starts=DAY)
    assert cert_bar.ends == datetime.date(2027, 3, 2)
    assert bans.ban_refusal(cert_bar) == (
        "长沙星城电器有限公司已被长沙市市场监督管理局于2026-03-02决定限制认证（决定文号湘市监罚〔2026〕7号），至2027-03-02届满"
    )
    given = impose(world, kind="CERTIFICATION_BAR", decision_number="X-2", ends=datetime.date(2026, 9, 1))
    assert given.ends == datetime.date(2026, 9, 1)


def test_a_lifetime_ban_on_a_person(world):
    person = world.signatories["zhou"].person
    ban = impose(world, kind="LIFETIME_BAN", organization=None, person=person)
    assert (ban.person, ban.ends, ban.region_code) == (person, None, "430100")
    assert bans.person_ban(person.pk, DAY) == ban
    assert bans.person_ban(person.pk, DAY - datetime.timedelta(days=1)) is None
    assert bans.person_bans([person.pk, 999999], DAY) == {person.pk: ban}


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"decision_number": ""}, {"decision_number": ["必填"]}),
        ({"decision_number": "   "}, {"decision_number": ["必填"]}),
        (
            {"kind": "CERTIFICATION_BAR", "ends": datetime.date(2026, 3, 1)},
            {"ends": ["截止日期须晚于起始日期（2026-03-02）"]},
        ),
        ({"kind": "CERTIFICATION_BAR", "ends": DAY}, {"ends": ["截止日期须晚于起始日期（2026-03-02）"]}),
        ({"ends": datetime.date(2030, 1, 1)}, {"ends": ["永久退出不设截止日期"]}),
        ({"kind": "LIFETIME_BAN"}, {"kind": ["终身禁入只适用于人员"]}),
        ({"kind": "NOT_A_KIND"}, {"kind": ["未知的限制类型“NOT_A_KIND”"]}),
        ({"organization": None}, {"organization": ["限制措施应针对一个机构或一名人员"]}),
        ({"licence_type": "CMA"}, {"licence_type": ["只有限制申请资质可指定许可类型"]}),
        ({"starts": "2026-13-01"}, {"starts": ["日期格式应为YYYY-MM-DD，收到“2026-13-01”"]}),
        ({"authority": "", "reason": ""}, {"authority": ["必填"], "reason": ["必填"]}),
    ],
)
def test_a_bad_ban_is_refused_field_by_field_and_nothing_is_written(world, overrides, errors):
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        impose(world, **overrides)
    assert refused.value.errors == errors
    assert state() == before


def test_a_person_cannot_get_an_organizations_kind_of_ban(world):
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        impose(world, organization=None, person=world.signatories["zhou"].person)
    assert refused.value.errors == {"kind": ["永久退出只适用于机构"]}
    assert state() == before


def test_the_same_decision_twice_is_a_conflict(world):
    impose(world)
    before = state()
    with pytest.raises(Conflict) as refused:
        impose(world)
    assert refused.value.errors == {"decision_number": ["该决定已登记此限制"]}
    assert state() == before


def test_an_officer_imposes_only_on_organizations_of_their_region(world):
    before = state()
    with pytest.raises(NotPermitted) as refused:
        impose(world, actor=world.actor("officer_hengyang"))
    assert refused.value.message == "officer_hengyang 无权执行“维护登记库”"
    with pytest.raises(NotPermitted):
        impose(world, actor=world.actor("cb_hunan"))
    assert state() == before


def test_lifting_records_the_decision_and_ends_the_ban_from_that_day(world):
    ban = impose(world, kind="CERTIFICATION_BAR", organization=world.organizations["maker"])
    lifted = do_lift_ban(
        ban=ban,
        decision_number="湘市监信修〔2026〕2号",
        lifted_on=datetime.date(2026, 6, 1),
        reason="信用修复",
        actor=world.actor("officer_province"),
    )
    assert (lifted.lifted_on, lifted.lift_decision_number, lifted.lift_reason) == (
        datetime.date(2026, 6, 1),
        "湘市监信修〔2026〕2号",
        "信用修复",
    )
    maker = world.organizations["maker"].pk
    assert bans.organization_ban(maker, bans.HOLDER_KINDS, datetime.date(2026, 5, 31)) == ban
    assert bans.organization_ban(maker, bans.HOLDER_KINDS, datetime.date(2026, 6, 1)) is None
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.before, event.after) == (
        "BAN_LIFTED",
        {"lifted_on": None, "lift_decision_number": "", "lift_reason": ""},
        {"lifted_on": "2026-06-01", "lift_decision_number": "湘市监信修〔2026〕2号", "lift_reason": "信用修复"},
    )


def test_lifting_is_refused_outside_the_deciding_region_and_nothing_changes(world):
    ban = impose(world)
    before = state()
    with pytest.raises(NotPermitted) as refused:
        do_lift_ban(
            ban=ban,
            decision_number="衡市监〔2026〕1号",
            lifted_on=datetime.date(2026, 6, 1),
            reason="解除",
            actor=world.actor("officer_hengyang"),
        )
    assert refused.value.message == (
        "该限制由长沙市市场监督管理局（行政区划430100）决定，只能由该地区或其上级的监管人员解除"
    )
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"decision_number": ""}, {"decision_number": ["必填"]}),
        ({"reason": ""}, {"reason": ["必填"]}),
        ({"lifted_on": datetime.date(2026, 3, 1)}, {"lifted_on": ["解除日期不得早于限制的起始日期（2026-03-02）"]}),
        ({"lifted_on": datetime.date(2027, 3, 2)}, {"lifted_on": ["该限制已于2027-03-02届满，无需解除"]}),
    ],
)
def test_a_bad_lift_is_refused_and_nothing_changes(world, overrides, errors):
    ban = impose(world, kind="CERTIFICATION_BAR", organization=world.organizations["maker"])
    before = state()
    values = {
        "ban": ban,
        "decision_number": "湘市监信修〔2026〕2号",
        "lifted_on": datetime.date(2026, 6, 1),
        "reason": "信用修复",
        "actor": world.actor("officer_changsha"),
    }
    with pytest.raises(ValidationFailed) as refused:
        do_lift_ban(**{**values, **overrides})
    assert refused.value.errors == errors
    assert state() == before


def test_a_ban_is_lifted_once(world):
    ban = impose(world)
    args = {"decision_number": "A-1", "lifted_on": datetime.date(2026, 6, 1), "reason": "撤销原决定"}
    do_lift_ban(ban=ban, **args, actor=world.actor("officer_changsha"))
    before = state()
    with pytest.raises(Conflict) as refused:
        do_lift_ban(ban=ban, **args, actor=world.actor("officer_changsha"))
    assert refused.value.message == "该限制已于2026-06-01解除（决定文号A-1）"
    assert state() == before


def test_the_batch_query_answers_every_barred_organization_in_one_query(world, django_assert_num_queries):
    lab, maker = world.organizations["lab"], world.organizations["maker"]
    exit_ban = impose(world)
    impose(world, kind="CERTIFICATION_BAR", organization=maker, decision_number="B-1")
    longer = impose(world, kind="CERTIFICATION_BAR", organization=maker, decision_number="B-2", ends="2029-01-01")
    ids = [lab.pk, maker.pk, world.organizations["farm"].pk] * 500
    with django_assert_num_queries(2):  # whether any ban exists, then the bans of the batch
        found = bans.organization_bans(ids, bans.ORGANIZATION_BAN_KINDS, DAY)
    assert found == {lab.pk: exit_ban, maker.pk: longer}
    assert bans.organization_bans(ids, bans.ISSUING_KINDS, DAY) == {lab.pk: exit_ban}
    assert bans.organization_bans(ids, bans.ISSUING_KINDS, DAY - datetime.timedelta(days=1)) == {}
