"""Plans, batches, draws and results through the actions (C5), with every bad input the issue
lists refused and nothing half-written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.workdays import add_working_days, working_days_between
from certhub.inspections import actions, pools
from certhub.inspections.choices import BatchStatus, TaskStatus
from certhub.inspections.draw import StratumDraw
from certhub.inspections.models import Batch, Task, TaskInspector
from certhub.inspections.testing import build_inspection_world, create_inspectors
from certhub.registry.models import Organization
from certhub.risk.actions import do_set_risk_grades

SOURCES = ["3 12 17 22 28 31 9", "2 6 0 4 1"]
LATER = datetime.timedelta(days=4)


@pytest.fixture
def inspection_world(world):
    return build_inspection_world(world.PASSWORD)


def commit_and_draw(batch: Batch, sources: list[str] = SOURCES) -> Batch:
    batch = actions.do_commit_batch(batch=batch, actor=SYSTEM)
    with time_machine.travel(timezone.now() + LATER):
        return actions.do_draw_batch(batch=batch, sources=sources, actor=SYSTEM)


def audit_count() -> int:
    return AuditEvent.objects.count()


# ------------------------------------------------------------------ the counts per stratum


def test_counts_by_ratio_round_up_per_stratum():
    counts = pools.stratum_counts(
        {"A": 250, "B": 500, "C": 200, "D": 50}, pools.parse_ratios({"A": "2.5", "B": "5", "C": "10", "D": "20"}), None
    )
    assert counts == [
        StratumDraw("A", 250, 7),
        StratumDraw("B", 500, 25),
        StratumDraw("C", 200, 20),
        StratumDraw("D", 50, 10),
    ]


def test_counts_by_total_follow_size_times_ratio_and_never_exceed_a_stratum():
    ratios = pools.parse_ratios({"A": "2.5", "B": "5", "C": "10", "D": "20"})
    # Weights 625 : 2500 : 2000 : 1000 of 6125; 10 targets → 1.02, 4.08, 3.27, 1.63 → 1, 4, 3, 2.
    assert [c.count for c in pools.stratum_counts({"A": 250, "B": 500, "C": 200, "D": 50}, ratios, 10)] == [1, 4, 3, 2]
    # 20 of weights 25 : 50 : 100 : 40 → 2.33, 4.65, 9.30, 3.72 → 2, 5, 9, 4; D has only 2 members, so the
    # 2 left over are shared again among A, B, C (0.29, 0.57, 1.14 → 0, 1, 1).
    assert [c.count for c in pools.stratum_counts({"A": 10, "B": 10, "C": 10, "D": 2}, ratios, 20)] == [2, 6, 10, 2]


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        ({"A": "101"}, "ratio of stratum A: 101% is out of range (0 to 100)"),
        ({"B": "-1"}, "ratio of stratum B: -1% is out of range (0 to 100)"),
        ({"C": "abc"}, "ratio of stratum C: 'abc' is not a number"),
        ({"D": "1.005"}, "ratio of stratum D: 1.005% has more than two decimals"),
        ({"E": "5"}, "unknown stratum 'E': strata are A, B, C, D"),
        ({"A": "0", "B": "0"}, "every stratum's ratio is 0: the batch would draw nothing"),
    ],
)
def test_a_plan_whose_ratios_are_out_of_range_is_refused_and_nothing_is_written(inspection_world, ratios, message):
    before = (Batch.objects.count(), audit_count())
    with pytest.raises(ValidationFailed) as caught:
        actions.do_create_batch(
            plan=inspection_world.plan,
            name="第二批",
            items=[inspection_world.items["SC-QY-01"]],
            pool=inspection_world.pools["enterprises"],
            ratios=ratios,
            sources_described=["双色球开奖号码"],
            sources_available_at=timezone.now() + LATER,
            actor=SYSTEM,
        )
    assert caught.value.errors == {"ratios": [message]}
    assert (Batch.objects.count(), audit_count()) == before


def test_a_batch_without_announced_sources_is_refused(inspection_world):
    before = (Batch.objects.count(), audit_count())
    with pytest.raises(ValidationFailed) as caught:
        actions.do_create_batch(
            plan=inspection_world.plan,
            name="第二批",
            items=[inspection_world.items["SC-QY-01"]],
            pool=inspection_world.pools["enterprises"],
            sources_described=["  "],
            sources_available_at=timezone.now() + LATER,
            actor=SYSTEM,
        )
    assert caught.value.errors == {"sources_described": ["须事先指明随机源（如某日某彩票开奖号码）"]}
    assert (Batch.objects.count(), audit_count()) == before


def test_default_ratios_lower_a_and_raise_c_and_d(inspection_world):
    batch = actions.do_create_batch(
        plan=inspection_world.plan,
        name="第二批",
        items=[inspection_world.items["SC-QY-01"]],
        pool=inspection_world.pools["enterprises"],
        sources_described=["双色球"],
        sources_available_at=timezone.now() + LATER,
        actor=SYSTEM,
    )
    assert batch.ratios == {"A": "2.50", "B": "5.00", "C": "10.00", "D": "20.00"}


# ------------------------------------------------------------------ announcing and drawing


def test_sources_already_published_cannot_seed_a_draw(inspection_world):
    batch = inspection_world.batch
    before = audit_count()
    with (
        time_machine.travel(batch.sources_available_at + datetime.timedelta(seconds=1)),
        pytest.raises(ValidationFailed) as caught,
    ):
        actions.do_commit_batch(batch=batch, actor=SYSTEM)
    assert list(caught.value.errors) == ["sources_available_at"]
    assert "须在随机源公布之前公告" in caught.value.errors["sources_available_at"][0]
    batch.refresh_from_db()
    assert (batch.status, batch.commitment, batch.snapshot, audit_count()) == (BatchStatus.DRAFT, None, None, before)


def test_sources_cannot_be_entered_before_they_are_published(inspection_world):
    batch = actions.do_commit_batch(batch=inspection_world.batch, actor=SYSTEM)
    at = timezone.localtime(batch.sources_available_at).strftime("%Y-%m-%d %H:%M:%S")
    with pytest.raises(ValidationFailed) as caught:
        actions.do_draw_batch(batch=batch, sources=SOURCES, actor=SYSTEM)
    assert caught.value.errors == {"sources": [f"随机源要到{at}才公布，现在不能录入"]}
    batch.refresh_from_db()
    assert (batch.status, batch.sources, Task.objects.count()) == (BatchStatus.COMMITTED, [], 0)


@pytest.mark.parametrize(
    ("sources", "errors"),
    [
        (["3 12 17"], {"sources": ["公告了2个随机源，录入了1个数值"]}),
        (["3 12 17", ""], {"sources[1]": ['a source is empty: give the published numbers, e.g. "2 5 12 8 10"']}),
        (
            ["3 12 17", "2 6 x"],
            {"sources[1]": ["source '2 6 x': 'x' is not a whole number (RFC 3797 sources are numbers)"]},
        ),
    ],
)
def test_missing_or_bad_source_values_are_refused_and_nothing_is_drawn(inspection_world, sources, errors):
    batch = actions.do_commit_batch(batch=inspection_world.batch, actor=SYSTEM)
    before = audit_count()
    with time_machine.travel(timezone.now() + LATER), pytest.raises(ValidationFailed) as caught:
        actions.do_draw_batch(batch=batch, sources=sources, actor=SYSTEM)
    assert caught.value.errors == errors
    batch.refresh_from_db()
    assert (batch.status, Task.objects.count(), TaskInspector.objects.count(), audit_count()) == (
        BatchStatus.COMMITTED,
        0,
        0,
        before,
    )


def test_an_inspector_pool_too_small_is_refused_with_the_reason(world):
    iw = build_inspection_world(world.PASSWORD, inspectors_per_target=3)
    # The batch's department has 8 inspectors; make a joint item whose second department has none.
    joint = actions.do_create_batch(
        plan=iw.plan,
        name="联合",
        items=[iw.items["SC-QY-02"]],
        pool=iw.pools["enterprises"],
        sources_described=["双色球"],
        sources_available_at=timezone.now() + LATER,
        actor=SYSTEM,
    )
    assert joint.inspectors_per_target == 2
    plan = actions.do_create_plan(
        title="联合抽查",
        year=2026,
        region="430000",
        department="湖南省市场监督管理局",
        items=[iw.items["LH-HB-01"]],
        actor=SYSTEM,
    )
    batch = actions.do_create_batch(
        plan=plan,
        name="排污企业",
        items=[iw.items["LH-HB-01"]],
        pool=iw.pools["enterprises"],
        sources_described=["双色球"],
        sources_available_at=timezone.now() + LATER,
        actor=SYSTEM,
    )
    before = audit_count()
    with pytest.raises(ValidationFailed) as caught:
        actions.do_commit_batch(batch=batch, actor=SYSTEM)
    assert caught.value.errors == {
        "inspectors": [
            "检查人员名录库不足：生态环境有0名可参加本批次的检查人员（在岗、具备该类对象检查资格、在计划地区内），"
            "每户需要1名"
        ]
    }
    batch.refresh_from_db()
    assert (batch.status, audit_count()) == (BatchStatus.DRAFT, before)


def test_a_draw_gives_each_target_two_inspectors_balanced_and_without_conflicts(world):
    org = world.organizations
    iw = build_inspection_world(world.PASSWORD, own_county_rule=True)
    # An inspector who declared a relation with the maker, and grades that put orgs in other strata.
    declared = create_inspectors(["430103"], per_county=1, password=world.PASSWORD, prefix="XY")[0]
    declared = type(declared).objects.get(pk=declared.pk)
    do_set_risk_grades(
        rows=[("organization", org["maker"].pk, "D", "投诉较多"), ("organization", org["farm"].pk, "A", "")],
        actor=SYSTEM,
    )
    batch = commit_and_draw(iw.batch)
    strata = {s["stratum"]: (s["size"], s["count"]) for s in batch.commitment["strata"]}
    # The pool holds 6 organizations: 1 in A (ratio 50% → 1), 4 in B, 1 in D (100%).
    assert strata == {"A": (1, 1), "B": (4, 4), "C": (0, 0), "D": (1, 1)}
    tasks = list(batch.tasks.order_by("sequence"))
    assert [t.stratum for t in tasks] == ["A", "B", "B", "B", "B", "D"]
    assert {t.target_key for t in tasks} == set(Organization.objects.values_list("uscc", flat=True))
    loads: dict[str, int] = {}
    for task in tasks:
        staff = list(task.assignments.select_related("inspector").order_by("slot"))
        assert len(staff) == 2 and staff[0].inspector_id != staff[1].inspector_id
        for assignment in staff:
            # Own-county rule: no inspector works in the target's county.
            assert assignment.inspector.region_id != task.target_region
            loads[assignment.inspector.code] = loads.get(assignment.inspector.code, 0) + 1
    assert max(loads.values()) - min(loads.values(), default=0) <= 1
    assert sum(loads.values()) == 12


def test_the_same_item_is_not_inspected_twice_in_twelve_months(inspection_world):
    first = commit_and_draw(inspection_world.batch)
    assert first.tasks.count() == 6
    again = actions.do_create_batch(
        plan=inspection_world.plan,
        name="第二批",
        items=[inspection_world.items["SC-QY-01"], inspection_world.items["SC-QY-02"]],
        pool=inspection_world.pools["enterprises"],
        sources_described=["双色球"],
        sources_available_at=timezone.now() + LATER,
        actor=SYSTEM,
    )
    with pytest.raises(ValidationFailed) as caught:
        actions.do_commit_batch(batch=again, actor=SYSTEM)
    assert caught.value.errors == {"pool": ["名录库“全省企业”中没有可抽取的对象（共0户，近12个月已检查6户被排除）"]}
    # Thirteen months on, the same targets are eligible again.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=396)):
        later = actions.do_create_batch(
            plan=inspection_world.plan,
            name="次年",
            items=[inspection_world.items["SC-QY-01"]],
            pool=inspection_world.pools["enterprises"],
            sources_described=["双色球"],
            sources_available_at=timezone.now() + LATER,
            actor=SYSTEM,
        )
        assert actions.do_commit_batch(batch=later, actor=SYSTEM).commitment["pool"]["size"] == 6


def test_a_batch_is_announced_and_drawn_once(inspection_world):
    batch = commit_and_draw(inspection_world.batch)
    with pytest.raises(Conflict):
        actions.do_commit_batch(batch=batch, actor=SYSTEM)
    with pytest.raises(Conflict):
        actions.do_draw_batch(batch=batch, sources=SOURCES, actor=SYSTEM)
    assert batch.tasks.count() == 6


# ------------------------------------------------------------------ results


def _record(task: Task, actor, **overrides):
    today = timezone.localdate()
    values = {
        "result": "CORRECTED",
        "follow_up": "CORRECTION",
        "findings": "未按规定公示年度报告",
        "inspected_from": today,
        "inspected_until": today,
        **overrides,
    }
    return actions.do_record_result(task=task, actor=actor, **values)


def test_a_result_entered_by_someone_not_assigned_is_refused(world, inspection_world):
    batch = commit_and_draw(inspection_world.batch)
    task = batch.tasks.order_by("sequence").first()
    assigned = set(task.assignments.values_list("inspector__user__username", flat=True))
    outsider = next(u for u in inspection_world.users if u not in assigned)
    with time_machine.travel(timezone.now() + LATER):
        for actor in (inspection_world.actor(outsider), world.actor("officer_province")):
            with pytest.raises(NotPermitted):
                _record(task, actor)
    task.refresh_from_db()
    assert (task.status, task.result, task.recorded_by_id) == (TaskStatus.ASSIGNED, "", None)


def test_record_review_return_and_publish(world, inspection_world):
    batch = commit_and_draw(inspection_world.batch)
    task = batch.tasks.order_by("sequence").first()
    inspector = task.assignments.order_by("slot").first().inspector
    actor = inspection_world.actor(inspector.user.username)
    with time_machine.travel(timezone.now() + LATER):
        today = timezone.localdate()
        with pytest.raises(ValidationFailed) as caught:
            _record(task, actor, result="NORMAL", follow_up="CASE_FILED", inspected_until=today + datetime.timedelta(1))
        assert caught.value.errors == {
            "follow_up": ["未发现问题时无需后续处置"],
            "inspected_until": ["检查结束日期不得晚于今天"],
        }
        _record(task, actor)
        assert (task.status, task.deadline) == (TaskStatus.SUBMITTED, add_working_days(today, 20).day)
        with pytest.raises(NotPermitted):  # an inspector does not review their own result
            actions.do_publish_result(task=task, actor=actor)
        reviewer = world.actor("officer_province")
        with pytest.raises(ValidationFailed):
            actions.do_return_result(task=task, note=" ", actor=reviewer)
        actions.do_return_result(task=task, note="请补充整改期限", actor=reviewer)
        assert task.status == TaskStatus.RETURNED
        _record(task, actor, findings="未按规定公示年度报告，责令30日内改正")
        actions.do_publish_result(task=task, actor=reviewer)
    task.refresh_from_db()
    assert (task.status, task.published_on, task.late_reason, task.published_late) == (
        TaskStatus.PUBLISHED,
        today,
        "",
        False,
    )
    with pytest.raises(Conflict):
        actions.do_return_result(task=task, note="再看看", actor=world.actor("officer_province"))


def test_publication_after_the_deadline_needs_a_reason_and_is_flagged(world, inspection_world):
    batch = commit_and_draw(inspection_world.batch)
    task = batch.tasks.order_by("sequence").first()
    inspector = task.assignments.order_by("slot").first().inspector
    with time_machine.travel(timezone.now() + LATER):
        _record(task, inspection_world.actor(inspector.user.username))
    reviewer = world.actor("officer_province")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=60)):
        before = audit_count()
        with pytest.raises(ValidationFailed) as caught:
            actions.do_publish_result(task=task, actor=reviewer)
        assert caught.value.errors == {
            "late_reason": [
                f"已超过公示期限（{task.deadline.isoformat()}，检查结束后20个工作日）：须写明逾期原因，结果将标注为逾期公示"
            ]
        }
        task.refresh_from_db()
        assert (task.status, audit_count()) == (TaskStatus.SUBMITTED, before)
        actions.do_publish_result(task=task, late_reason="审核人员外出执法", actor=reviewer)
    task.refresh_from_db()
    assert (task.status, task.late_reason, task.published_late) == (TaskStatus.PUBLISHED, "审核人员外出执法", True)


def test_a_county_officer_cannot_plan_for_the_province(world, inspection_world):
    with pytest.raises(NotPermitted):
        actions.do_create_plan(
            title="越权计划",
            year=2026,
            region="430000",
            department="长沙市市场监督管理局",
            items=[inspection_world.items["SC-QY-01"]],
            actor=world.actor("officer_changsha"),
        )
    with pytest.raises(NotPermitted):
        actions.do_commit_batch(batch=inspection_world.batch, actor=world.actor("officer_changsha"))


# ------------------------------------------------------------------ working days


def test_twenty_working_days_skip_national_day_and_count_its_make_up_saturday():
    # 2026: 1–7 October off, Saturday 10 October worked (国务院办公厅 2026 holiday notice).
    assert add_working_days(datetime.date(2026, 9, 30), 20) == type(add_working_days(datetime.date(2026, 9, 30), 0))(
        datetime.date(2026, 11, 3), False
    )
    assert working_days_between(datetime.date(2026, 9, 30), datetime.date(2026, 11, 3)) == 20


def test_a_deadline_into_a_year_without_a_published_schedule_is_provisional():
    deadline = add_working_days(datetime.date(2026, 12, 20), 20)
    assert (deadline.day, deadline.provisional) == (datetime.date(2027, 1, 15), True)


def test_ratio_decimal_defaults():
    assert pools.default_ratios(Decimal("30")) == {"A": "15.00", "B": "30.00", "C": "60.00", "D": "100.00"}
