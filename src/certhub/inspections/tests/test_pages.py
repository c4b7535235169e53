"""The pages of 双随机、一公开 (C5): the four public tabs, a batch's commitment, draw and draw file, and the
office pages (plans, batches announced and drawn, results recorded, reviewed and published), with region
scoping and every refusal leaving nothing changed."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.core.testing import by_class, element_text, page_text, signed_in, table_rows
from certhub.core.workdays import add_working_days
from certhub.inspections import actions
from certhub.inspections.models import Batch, Plan, TargetPool, Task
from certhub.registry.choices import RiskGrade

pytestmark = pytest.mark.django_db

SOURCES = ["1 2 3 4 5 6 7", "1 2 3 4 5"]
BATCH = "2026-430000-01-01"
PLAN = "2026-430000-01"
# The draw those sources give over the world's six enterprises and eight inspectors (sequence order).
DRAWN = [
    ("永州潇湘有机农场", "9143110200000006X9", ["XZ4304050005", "XZ4301020001"]),
    ("湖南标准认证有限公司", "91430100000000019W", ["XZ4311020008", "XZ4301040003"]),
    ("湖南省产品质量检验检测研究院", "91430100000000035J", ["XZ4301020002", "XZ4304050006"]),
    ("长沙星城电器有限公司", "914301040000000437", ["XZ4311020007", "XZ4301040004"]),
    ("岳阳质量认证中心有限公司", "91430600000000027H", ["XZ4311020008", "XZ4301020001"]),
    ("衡阳湘江机械制造有限公司", "914304050000000510", ["XZ4304050006", "XZ4301020002"]),
]
GRADE_WORDS = [str(label) for label in RiskGrade.labels] + ["风险等级", "抽取层", "strata-table"]


def commit(inspection, started) -> Batch:
    with time_machine.travel(started, tick=False):
        return actions.do_commit_batch(batch=inspection.batch, actor=SYSTEM)


def draw(inspection, started) -> Batch:
    batch = commit(inspection, started)
    with time_machine.travel(batch.sources_available_at + datetime.timedelta(seconds=1), tick=False):
        return actions.do_draw_batch(batch=batch, sources=SOURCES, actor=SYSTEM)


def first_task(batch: Batch) -> Task:
    return batch.tasks.get(sequence=1)


def record(task: Task, inspection, *, on: datetime.date | None = None, **overrides) -> Task:
    """The first inspector of the task records a normal result, inspected on the draw's day up to `on`."""
    first = task.assignments.order_by("slot")[0]
    inspector = first.inspector
    drawn_on = timezone.localdate(task.batch.drawn_at)
    data = {
        "result": "NORMAL",
        "follow_up": "NONE",
        "findings": "",
        "inspected_from": drawn_on,
        "inspected_until": on or drawn_on,
        **overrides,
    }
    return actions.do_record_result(task=task, **data, actor=inspection.actor(inspector.code.lower()))


def snapshot(task: Task) -> tuple:
    task.refresh_from_db()
    return (
        task.status,
        task.result,
        task.follow_up,
        task.findings,
        task.inspected_from,
        task.inspected_until,
        task.recorded_by_id,
        task.deadline,
        task.review_note,
        task.published_on,
        task.late_reason,
    )


def messages_of(response) -> list[str]:
    return by_class(response, "message")


# ------------------------------------------------------------------ public tabs


def test_item_list_tab_shows_every_item_with_departments_and_ratios(client, inspection):
    response = client.get(reverse("inspections:item_list"))
    assert response.status_code == 200
    rows = table_rows(response)
    assert [row[0] for row in rows] == ["LH-HB-01", "SC-CP-01", "SC-JC-01", "SC-QY-01", "SC-QY-02", "SC-RZ-01"]
    assert rows[0] == [
        "LH-HB-01",
        "排污企业环境管理体系认证联合检查",
        "市场监管、生态环境 联合抽查",
        "《认证认可条例》；《排污许可管理条例》第二十九条",
        "企业",
        "联合现场检查",
        "3%",
        "每年1次",
    ]
    assert rows[5][2:] == [
        "市场监管",
        "《中华人民共和国认证认可条例》第五十五条",
        "认证机构",
        "现场检查、书面检查",
        "20%",
        "每年1次",
    ]
    assert element_text(response, "main").count("抽查事项清单") >= 1
    # The tab bar marks the current tab.
    assert '<a href="/inspections/" aria-current="page">抽查事项清单</a>' in response.content.decode()


def test_plan_tab_shows_published_plans_only(client, inspection, started):
    assert "尚无已公告的抽查计划。" in page_text(client.get(reverse("inspections:plan_list")))
    actions.do_publish_plan(plan=inspection.plan, actor=SYSTEM)
    commit(inspection, started)
    text = page_text(client.get(reverse("inspections:plan_list")))
    assert "2026年度企业公示信息双随机抽查计划" in text
    assert f"计划编号 {PLAN} 年度 2026 地区 湖南省 牵头部门 湖南省市场监督管理局" in text
    assert "抽查事项 SC-QY-01 企业公示信息抽查 SC-QY-02 企业使用认证标志情况检查" in text
    assert f"抽查任务 {BATCH} 第一批 （已公告待抽取）" in text


def test_a_draft_batch_is_not_public(client, inspection):
    assert "尚无已公告的抽查任务。" in page_text(client.get(reverse("inspections:batch_list")))
    assert client.get(reverse("inspections:batch_detail", args=[BATCH])).status_code == 404
    assert client.get(reverse("inspections:batch_draw_file", args=[BATCH])).status_code == 404


def test_announced_batch_shows_its_commitment_with_totals_only(client, inspection, started):
    batch = commit(inspection, started)
    rows = table_rows(client.get(reverse("inspections:batch_list")))
    assert [row[0] for row in rows] == [BATCH]
    assert rows[0][1:3] == ["第一批", "2026年度企业公示信息双随机抽查计划"]
    assert rows[0][5] == "已公告待抽取"
    response = client.get(reverse("inspections:batch_detail", args=[BATCH]))
    assert response.status_code == 200
    commitment = element_text(response, "commitment")
    assert "中国福利彩票双色球第2026138期开奖号码 体育彩票排列5第26320期开奖号码" in commitment
    assert "检查对象名录库 6户（已排除近12个月内已抽查的0户）" in commitment
    assert element_text(response, "pool-root") == batch.commitment["pool"]["root"]
    assert element_text(response, "inspector-root") == batch.commitment["inspectors"]["root"]
    assert element_text(response, "draw-total") == "6"
    assert "检查人员名录库 8人；每户随机选派2人" in commitment
    assert "抽取算法 SHA-256（默认）" in commitment
    text = page_text(response)
    assert not [word for word in GRADE_WORDS if word in response.content.decode()]
    assert "下载抽取结果文件" not in text
    # Not drawn yet: no draw file.
    assert client.get(reverse("inspections:batch_draw_file", args=[BATCH])).status_code == 404


def test_drawn_batch_shows_sources_targets_and_inspectors_without_strata(client, inspection, started):
    draw(inspection, started)
    response = client.get(reverse("inspections:batch_detail", args=[BATCH]))
    assert element_text(response, "batch-status") == "已抽取"
    assert element_text(response, "entered-sources").startswith(
        "中国福利彩票双色球第2026138期开奖号码 1 2 3 4 5 6 7 体育彩票排列5第26320期开奖号码 1 2 3 4 5 抽取时间"
    )
    rows = [row for row in table_rows(response) if len(row) == 4]
    names = {i.code: i.name for i in inspection.inspectors}
    assert rows == [
        [str(n), name, key, "、".join(f"{names[code]}（ {code} ）" for code in codes)]
        for n, (name, key, codes) in enumerate(DRAWN, start=1)
    ]
    assert not [word for word in GRADE_WORDS if word in response.content.decode()]
    assert f'href="/inspections/batches/{BATCH}/draw.json"' in response.content.decode()
    # The ledger entries that recorded the batch, for anyone to fetch and prove.
    assert [row[1] for row in table_rows(response) if len(row) == 3] == [
        "BATCH_CREATED",
        "BATCH_COMMITTED",
        "BATCH_DRAWN",
    ]


def test_draw_file_downloads_as_json_attachment(client, inspection, started):
    batch = draw(inspection, started)
    response = client.get(reverse("inspections:batch_draw_file", args=[BATCH]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{BATCH}-draw.json"'
    document = json.loads(response.content)
    assert document["sources"] == SOURCES
    assert document["commitment"] == batch.commitment
    assert [(row["sequence"], row["target"], row["inspectors"]) for row in document["selection"]] == [
        (n, key, codes) for n, (_name, key, codes) in enumerate(DRAWN, start=1)
    ]


def test_published_results_tab_with_the_late_flag(client, world, inspection, started):
    batch = draw(inspection, started)
    task, late = first_task(batch), batch.tasks.get(sequence=2)
    recorded_on = timezone.localdate(batch.drawn_at) + datetime.timedelta(days=1)
    with time_machine.travel(batch.drawn_at + datetime.timedelta(days=1), tick=False):
        record(
            late, inspection, on=recorded_on, result="CORRECTED", follow_up="CORRECTION", findings="未按时公示年度报告"
        )
    record(task, inspection, on=timezone.localdate())
    reviewer = world.actor("officer_province")
    actions.do_publish_result(task=task, actor=reviewer)
    actions.do_publish_result(task=late, late_reason="人员调整，审核延误", actor=reviewer)
    assert "尚无" not in page_text(client.get(reverse("inspections:result_list")))
    response = client.get(reverse("inspections:result_list"))
    rows = sorted(table_rows(response))
    today = timezone.localdate().isoformat()
    drawn_on = timezone.localdate(batch.drawn_at)
    assert rows == sorted(
        [
            [
                "永州潇湘有机农场 9143110200000006X9",
                f"企业公示信息抽查 {BATCH}",
                "湖南省市场监督管理局",
                f"{drawn_on.isoformat()} — {today}",
                "未发现问题",
                "无需后续处置",
                today,
            ],
            [
                "湖南标准认证有限公司 91430100000000019W",
                f"企业公示信息抽查 {BATCH}",
                "湖南省市场监督管理局",
                f"{drawn_on.isoformat()} — {recorded_on.isoformat()}",
                "发现问题已责令改正",
                "责令限期改正",
                f"{today} 逾期公示 原因：人员调整，审核延误",
            ],
        ]
    )
    assert by_class(response, "late-flag") == ["逾期公示"]
    assert not [word for word in GRADE_WORDS if word in response.content.decode()]


def test_nav_links_to_the_inspection_pages(client, inspection):
    response = client.get(reverse("portal:home"))
    assert '<a href="/inspections/">双随机抽查</a>' in response.content.decode()


# ------------------------------------------------------------------ office: plans


def test_officer_builds_a_plan_and_publishes_it(client, world, inspection):
    signed_in(client, world, "officer_province")
    page = client.get(reverse("inspections:office_plan_list"))
    assert page.status_code == 200
    assert 'value="430000" selected' in page.content.decode()  # the officer's region by default
    assert 'value="市场监管局"' in page.content.decode()  # the officer's department by default
    items = [inspection.items["SC-RZ-01"].pk, inspection.items["SC-JC-01"].pk]
    response = client.post(
        reverse("inspections:office_plan_list"),
        {
            "title": "2027年度认证检测机构抽查计划",
            "year": "2027",
            "region": "430000",
            "department": "湖南省市场监督管理局",
            "items": items,
            "description": "",
        },
    )
    plan = Plan.objects.get(title="2027年度认证检测机构抽查计划")
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:office_plan_detail", args=["2027-430000-01"])
    assert (plan.number, plan.year, plan.region_id, plan.department, plan.status) == (
        "2027-430000-01",
        2027,
        "430000",
        "湖南省市场监督管理局",
        "DRAFT",
    )
    assert sorted(plan.items.values_list("code", flat=True)) == ["SC-JC-01", "SC-RZ-01"]
    detail = client.get(response["Location"])
    assert messages_of(detail) == ["已新建抽查计划2027-430000-01。"]
    published = client.post(reverse("inspections:office_plan_publish", args=[plan.number]), follow=True)
    assert messages_of(published) == ["抽查计划2027-430000-01已公告。"]
    plan.refresh_from_db()
    assert plan.status == "PUBLISHED"
    # Publishing twice is refused as a message, and changes nothing.
    again = client.post(reverse("inspections:office_plan_publish", args=[plan.number]), follow=True)
    assert messages_of(again) == ["计划已公告"]


def test_plan_refusal_is_shown_next_to_the_field_and_creates_nothing(client, world, inspection):
    signed_in(client, world, "officer_province")
    before = Plan.objects.count()
    response = client.post(
        reverse("inspections:office_plan_list"),
        {
            "title": "计划",
            "year": "1999",
            "region": "430000",
            "department": "湖南省市场监督管理局",
            "items": [inspection.items["SC-RZ-01"].pk],
        },
    )
    assert response.status_code == 422
    assert by_class(response, "field-errors") == ["年度“1999”不在2000到2100之间"]
    assert Plan.objects.count() == before


def test_a_county_officer_cannot_open_or_publish_another_regions_plan(client, world, inspection):
    signed_in(client, world, "officer_hengyang")
    assert "辖区内还没有抽查计划。" in page_text(client.get(reverse("inspections:office_plan_list")))
    # Another region's plan and batch answer exactly as missing ones (C14: existence does not leak).
    other = client.get(reverse("inspections:office_plan_detail", args=[PLAN]))
    missing = client.get(reverse("inspections:office_plan_detail", args=["2026-430000-99"]))
    assert other.status_code == missing.status_code == 404
    assert page_text(other).replace(PLAN, "N") == page_text(missing).replace("2026-430000-99", "N")
    assert client.post(reverse("inspections:office_plan_publish", args=[PLAN])).status_code == 404
    assert client.get(reverse("inspections:office_batch_detail", args=[BATCH])).status_code == 404
    assert client.post(reverse("inspections:office_batch_commit", args=[BATCH])).status_code == 404
    inspection.plan.refresh_from_db()
    inspection.batch.refresh_from_db()
    assert (inspection.plan.status, inspection.batch.status) == ("DRAFT", "DRAFT")
    # Region choices for a new plan are the officer's own region and those under it.
    form = client.get(reverse("inspections:office_plan_list")).content.decode()
    assert 'value="430000"' not in form and 'value="430400" selected' in form


def test_the_public_and_other_roles_are_kept_out_of_the_office(client, world, inspection):
    response = client.get(reverse("inspections:office_plan_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal:login"))
    signed_in(client, world, "cb_hunan")
    assert client.get(reverse("inspections:office_plan_list")).status_code == 403


# ------------------------------------------------------------------ office: batches


def batch_form(inspection, **overrides) -> dict:
    return {
        "name": "第二批",
        "items": [inspection.items["SC-QY-02"].pk],
        "pool": inspection.pools["enterprises"].pk,
        "ratio_a": "",
        "ratio_b": "",
        "ratio_c": "",
        "ratio_d": "",
        "count": "",
        "inspectors_per_target": "2",
        "algorithm": "sha256",
        "sources_described": "双色球第2026200期开奖号码\n\n排列5第26400期开奖号码\n",
        "sources_available_at": (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S"),
        **overrides,
    }


def test_batch_form_prefills_ratios_and_creates_the_batch(client, world, inspection):
    signed_in(client, world, "officer_province")
    page = client.get(reverse("inspections:office_batch_create", args=[PLAN]))
    assert page.status_code == 200
    content = page.content.decode()
    # Both plan items list 5%: A halved, B as listed, C doubled, D quadrupled.
    for field, value in (("ratio_a", "2.5"), ("ratio_b", "5"), ("ratio_c", "10"), ("ratio_d", "20")):
        assert f'name="{field}" value="{value}"' in content
    assert 'type="datetime-local" name="sources_available_at"' in content and 'step="1"' in content
    at = (timezone.localtime() + datetime.timedelta(days=2)).replace(microsecond=0)
    form = batch_form(
        inspection,
        ratio_a="2.5",
        ratio_b="5",
        ratio_c="10",
        ratio_d="20",
        own_county_rule="on",
        sources_available_at=at.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    response = client.post(reverse("inspections:office_batch_create", args=[PLAN]), form)
    assert response.status_code == 302
    batch = Batch.objects.get(number=f"{PLAN}-02")
    assert response["Location"] == reverse("inspections:office_batch_detail", args=[batch.number])
    assert (
        batch.name,
        batch.ratios,
        batch.count,
        batch.inspectors_per_target,
        batch.own_county_rule,
        batch.algorithm,
        batch.sources_described,
        batch.sources_available_at,
        batch.status,
    ) == (
        "第二批",
        {"A": "2.5", "B": "5", "C": "10", "D": "20"},
        None,
        2,
        True,
        "sha256",
        ["双色球第2026200期开奖号码", "排列5第26400期开奖号码"],
        at,
        "DRAFT",
    )
    assert list(batch.items.values_list("code", flat=True)) == ["SC-QY-02"]
    assert messages_of(client.get(response["Location"])) == [f"已新建批次{PLAN}-02，请核对后公告。"]


def test_empty_ratios_take_the_defaults_of_the_items_chosen(client, world, inspection):
    signed_in(client, world, "officer_province")
    response = client.post(reverse("inspections:office_batch_create", args=[PLAN]), batch_form(inspection))
    assert response.status_code == 302
    assert Batch.objects.get(number=f"{PLAN}-02").ratios == {"A": "2.50", "B": "5.00", "C": "10.00", "D": "20.00"}


def test_batch_refusal_is_shown_next_to_the_field_and_creates_nothing(client, world, inspection):
    signed_in(client, world, "officer_province")
    before = Batch.objects.count()
    response = client.post(
        reverse("inspections:office_batch_create", args=[PLAN]), batch_form(inspection, inspectors_per_target="1")
    )
    assert response.status_code == 422
    assert by_class(response, "field-errors") == ["每户至少两名检查人员，联合抽查时每个部门至少一名（本批次1个部门）"]
    assert Batch.objects.count() == before


def test_a_pool_is_created_from_the_batch_page(client, world, inspection):
    signed_in(client, world, "officer_province")
    response = client.post(
        reverse("inspections:office_pool_create", args=[PLAN]),
        {
            "pool-pool_name": "长沙市C、D类企业",
            "pool-target_type": "ENTERPRISE",
            "pool-region": "430100",
            "pool-industry_section": "c",
            "pool-scheme_code": "",
            "pool-grades": ["C", "D"],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:office_batch_create", args=[PLAN])
    pool = TargetPool.objects.get(name="长沙市C、D类企业")
    assert (pool.target_type, pool.region_id, pool.industry_section, pool.grades, pool.above_designated_size) == (
        "ENTERPRISE",
        "430100",
        "C",
        ["C", "D"],
        False,
    )
    page = client.get(response["Location"])
    assert messages_of(page) == ["已新建检查对象名录库“长沙市C、D类企业”。"]
    assert f'<option value="{pool.pk}">长沙市C、D类企业</option>' in page.content.decode()


def test_announce_then_draw_from_the_office(client, world, inspection, started):
    signed_in(client, world, "officer_province")
    # The batch's sources came out long ago: announcing now is refused and changes nothing.
    late = client.post(reverse("inspections:office_batch_commit", args=[BATCH]), follow=True)
    assert messages_of(late)[0].startswith("随机源公布时间（")
    inspection.batch.refresh_from_db()
    assert inspection.batch.status == "DRAFT"
    with time_machine.travel(started + datetime.timedelta(hours=1), tick=False):
        signed_in(client, world, "officer_province")
        committed = client.post(reverse("inspections:office_batch_commit", args=[BATCH]), follow=True)
        assert messages_of(committed) == [f"批次{BATCH}已公告，随机源公布后即可抽取。"]
        assert [row for row in table_rows(committed) if len(row) == 4] == [
            ["A", "0", "50%", "0"],
            ["B", "6", "100%", "6"],
            ["C", "0", "100%", "0"],
            ["D", "0", "100%", "0"],
        ]
        # Before the sources are out the draw is refused next to the form, and nothing is drawn.
        early = client.post(
            reverse("inspections:office_batch_draw", args=[BATCH]), {"source_0": SOURCES[0], "source_1": SOURCES[1]}
        )
        assert early.status_code == 422
        assert by_class(early, "error-summary")[0].startswith("随机源要到")
    batch = Batch.objects.get(number=BATCH)
    assert (batch.status, batch.tasks.count()) == ("COMMITTED", 0)
    with time_machine.travel(batch.sources_available_at + datetime.timedelta(minutes=1), tick=False):
        signed_in(client, world, "officer_province")
        bad = client.post(
            reverse("inspections:office_batch_draw", args=[BATCH]), {"source_0": "1 2 x", "source_1": SOURCES[1]}
        )
        assert bad.status_code == 422
        assert by_class(bad, "field-errors") == [
            "source '1 2 x': 'x' is not a whole number (RFC 3797 sources are numbers)"
        ]
        assert Batch.objects.get(number=BATCH).status == "COMMITTED"
        drawn = client.post(
            reverse("inspections:office_batch_draw", args=[BATCH]),
            {"source_0": SOURCES[0], "source_1": SOURCES[1]},
            follow=True,
        )
    assert messages_of(drawn) == [f"批次{BATCH}已抽取6个检查对象。"]
    tasks = [row for row in table_rows(drawn) if len(row) == 7]
    assert [(row[0], row[1], row[2], row[6]) for row in tasks] == [
        (str(n), "B", name, "待录入") for n, (name, _key, _codes) in enumerate(DRAWN, start=1)
    ]
    assert all(Task.objects.get(batch__number=BATCH, sequence=n).assignments.count() == 2 for n in range(1, 7))


# ------------------------------------------------------------------ office: results


def test_an_unassigned_inspector_cannot_record_and_nothing_changes(client, world, inspection, started):
    task = first_task(draw(inspection, started))
    before = snapshot(task)
    url = reverse("inspections:office_task_record", args=[task.pk])
    drawn_on = timezone.localdate(task.batch.drawn_at)
    data = {
        "result": "NORMAL",
        "follow_up": "NONE",
        "findings": "",
        "inspected_from": drawn_on,
        "inspected_until": timezone.localdate(),
    }
    # An officer of another county does not see the task at all (404, as a missing one); the province's
    # officer sees it but is not one of its inspectors (403: 谁检查、谁录入).
    for username, status in (("xz4301040003", 404), ("officer_province", 403)):
        signed_in(client, world, username)
        assert client.get(url).status_code == status
        assert client.post(url, data).status_code == status
        assert snapshot(task) == before
    assert before[0] == "ASSIGNED"


def test_an_assigned_inspector_records_the_result(client, world, inspection, started):
    task = first_task(draw(inspection, started))
    signed_in(client, world, "xz4304050005")
    mine = client.get(reverse("inspections:office_my_tasks"))
    assert [row[0] for row in table_rows(mine)] == ["永州潇湘有机农场 9143110200000006X9"]
    url = reverse("inspections:office_task_record", args=[task.pk])
    drawn_on = timezone.localdate(task.batch.drawn_at)
    today = timezone.localdate()
    dates = {"inspected_from": drawn_on.isoformat(), "inspected_until": today.isoformat()}
    refused = client.post(url, {"result": "PROBLEM", "follow_up": "NONE", "findings": "", **dates})
    assert refused.status_code == 422
    assert by_class(refused, "field-errors") == ["发现问题时须填写后续处置", "发现问题时须写明检查情况"]
    assert snapshot(task)[0] == "ASSIGNED"
    response = client.post(
        url, {"result": "PROBLEM", "follow_up": "CASE_FILED", "findings": "年报资产数据不实", **dates}
    )
    assert response.status_code == 302 and response["Location"] == reverse("inspections:office_my_tasks")
    inspector = task.assignments.get(slot=0).inspector
    assert snapshot(task) == (
        "SUBMITTED",
        "PROBLEM",
        "CASE_FILED",
        "年报资产数据不实",
        drawn_on,
        today,
        inspector.pk,
        add_working_days(today, 20).day,
        "",
        None,
        "",
    )
    assert messages_of(client.get(response["Location"])) == ["“永州潇湘有机农场”的检查结果已提交审核。"]


def test_reviewer_returns_then_publishes(client, world, inspection, started):
    task = first_task(draw(inspection, started))
    record(task, inspection, on=timezone.localdate())
    signed_in(client, world, "officer_province")
    queue = client.get(reverse("inspections:office_review_queue"))
    assert [row[0] for row in table_rows(queue)] == ["永州潇湘有机农场 9143110200000006X9"]
    before = snapshot(task)
    refused = client.post(reverse("inspections:office_task_return", args=[task.pk]), {"return-note": " "})
    assert refused.status_code == 422
    assert by_class(refused, "field-errors") == ["退回须写明审核意见"]
    assert snapshot(task) == before
    returned = client.post(
        reverse("inspections:office_task_return", args=[task.pk]), {"return-note": "检查日期有误"}, follow=True
    )
    assert messages_of(returned) == ["“永州潇湘有机农场”的检查结果已退回检查人员。"]
    assert snapshot(task)[0] == "RETURNED" and task.review_note == "检查日期有误"
    # An inspector of the task cannot review it, even with a reviewer's region.
    record(task, inspection, on=timezone.localdate())
    published = client.post(
        reverse("inspections:office_task_publish", args=[task.pk]), {"publish-note": "同意"}, follow=True
    )
    assert messages_of(published) == ["“永州潇湘有机农场”的检查结果已公示。"]
    assert snapshot(task)[0] == "PUBLISHED" and task.published_on == timezone.localdate()
    assert (task.reviewed_by, task.late_reason) == ("officer_province", "")


def test_late_publication_needs_the_reason_and_is_flagged(client, world, inspection, started):
    batch = draw(inspection, started)
    task = first_task(batch)
    on = timezone.localdate(batch.drawn_at) + datetime.timedelta(days=1)
    with time_machine.travel(batch.drawn_at + datetime.timedelta(days=1), tick=False):
        record(task, inspection, on=on)
    signed_in(client, world, "officer_province")
    review = client.get(reverse("inspections:office_task_review", args=[task.pk]))
    assert 'name="publish-late_reason"' in review.content.decode()
    before = snapshot(task)
    refused = client.post(reverse("inspections:office_task_publish", args=[task.pk]), {"publish-note": ""})
    assert refused.status_code == 422
    deadline = add_working_days(on, 20).day.isoformat()
    assert by_class(refused, "field-errors") == [
        f"已超过公示期限（{deadline}，检查结束后20个工作日）：须写明逾期原因，结果将标注为逾期公示"
    ]
    assert snapshot(task) == before
    client.post(
        reverse("inspections:office_task_publish", args=[task.pk]),
        {"publish-note": "", "publish-late_reason": "系统故障"},
    )
    assert snapshot(task)[0] == "PUBLISHED" and task.late_reason == "系统故障" and task.published_late


def test_overdue_results_are_flagged_on_the_office_home(client, world, inspection, started):
    batch = draw(inspection, started)
    task = first_task(batch)
    on = timezone.localdate(batch.drawn_at) + datetime.timedelta(days=1)
    with time_machine.travel(batch.drawn_at + datetime.timedelta(days=1), tick=False):
        record(task, inspection, on=on)
    deadline = add_working_days(on, 20).day.isoformat()
    expected = [f"逾期 永州潇湘有机农场 · {BATCH} · 待审核 · 公示期限{deadline} 审核"]
    signed_in(client, world, "officer_province")
    assert by_class(client.get(reverse("portal:office_home")), "overdue") == expected
    assert by_class(client.get(reverse("inspections:office_home")), "overdue") == expected
    # A prefecture officer outside the plan's region is not responsible for it.
    signed_in(client, world, "officer_hengyang")
    assert by_class(client.get(reverse("portal:office_home")), "overdue") == []
