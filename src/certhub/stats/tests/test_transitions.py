"""Standard-revision transitions (issue 18 §5): the editions as data, a certificate's edition read from its
standards text, the share on the new edition per region by set-based SQL, and the officer's list of holders
still on the old edition (scoped to the officer's region, CSV)."""

from __future__ import annotations

import datetime
import json

import pytest

from certhub.core.models import Region
from certhub.core.testing import element_text, page_text, signed_in, table_cells
from certhub.registry import actions
from certhub.registry.testing import certificate_data
from certhub.stats import aggregate, transitions
from certhub.stats import editions as editions_module
from certhub.stats.choices import Metric
from certhub.stats.models import Figure
from certhub.stats.testing import DAY
from certhub.stats.tests.helpers import row

TODAY = datetime.date(2026, 12, 8)


def _ems(world, number: str, holder: str, standards: str):
    return actions.do_create_certificate(
        body=world.bodies["hunan"],
        data=certificate_data(
            number,
            world.organizations[holder],
            scheme="EMS",
            standards=standards,
            issue_date="2026-03-01",
            expiry_date="2029-02-27",
        ),
        actor=world.actor("cb_hunan"),
    )


@pytest.fixture
def editions(world):
    """EMS certificates on both editions of ISO 14001 in two prefectures (Changsha 430100, Hengyang 430400)."""
    certificates = {
        "cs_old": _ems(world, "CNCA-EMS-2026-0001", "maker", "GB/T 24001-2016/ISO 14001:2015"),
        "cs_new": _ems(world, "CNCA-EMS-2026-0002", "maker", "ISO 14001:2026"),
        "cs_new2": _ems(world, "CNCA-EMS-2026-0003", "maker", "iso 14001 : 2026 "[:-1]),
        "hy_new": _ems(world, "CNCA-EMS-2026-0004", "hengyang", "GB/T 24001-2016; ISO 14001:2026"),
        "hy_unstated": _ems(world, "CNCA-EMS-2026-0005", "hengyang", "环境管理体系 要求"),
    }
    return certificates


def test_every_transition_has_its_editions_dates_and_source():
    rows = json.loads(editions_module.DATA.read_text(encoding="utf-8"))["transitions"]
    assert {row["id"] for row in rows} == {
        "iso27001-2022",
        "iso14001-2026",
        "iso50001-2018",
        "iso9001-2015",
        "iso14001-2015",
    }
    for entry in rows:
        assert entry["status"] in ("confirmed", "planned")
        assert entry["source"]
        assert datetime.date.fromisoformat(entry["published"]) < datetime.date.fromisoformat(entry["transition_end"])
    item = transitions.transition("iso27001-2022")
    assert (item.old.edition, item.new.edition, item.transition_end) == (
        "ISO/IEC 27001:2013",
        "ISO/IEC 27001:2022",
        datetime.date(2025, 10, 31),
    )
    assert "GB/T 22080-2016" in item.old.aliases


@pytest.mark.parametrize(
    ("text", "transition_id", "edition"),
    [
        ("GB/T 19001-2016/ISO 9001:2015", "iso9001-2015", "new"),
        ("GB/T19001-2008", "iso9001-2015", "old"),
        ("GB/T 24001-2016/ISO 14001:2015", "iso14001-2026", "old"),
        ("GB/T 24001-2016/ISO 14001:2015", "iso14001-2015", "new"),
        ("ＩＳＯ 14001:2026", "iso14001-2026", ""),  # full-width letters are not folded by the database either
        ("iso 14001:2026", "iso14001-2026", "new"),
        ("GB/T 22080-2016", "iso27001-2022", "old"),
        ("质量管理体系", "iso9001-2015", ""),
    ],
)
def test_edition_of_a_standards_text(text, transition_id, edition):
    assert editions_module.edition_of(text, transitions.transition(transition_id)) == edition


def _by_id(region_code: str):
    region = Region.objects.get(code=region_code)
    return {row.transition.id: row for row in transitions.shares(region, day=TODAY)}


def test_share_on_the_new_edition_per_region(world, editions):
    aggregate.run(TODAY, metrics=[Metric.TRANSITIONS])
    assert (
        Figure.objects.get(day=TODAY, metric="transitions", region_code="430000", key="iso14001-2026:new").numerator
        == 3
    )
    province = _by_id("430000")["iso14001-2026"]
    assert (province.own.new, province.own.old, province.own.total, province.own.unstated) == (3, 1, 5, 1)
    assert str(province.own.rate) == "60.0"
    children = {share.region.code: share for share in province.children}
    assert (children["430100"].new, children["430100"].old, children["430100"].total) == (2, 1, 3)
    assert str(children["430100"].rate) == "66.7"
    assert (children["430400"].new, children["430400"].total, str(children["430400"].rate)) == (1, 2, "50.0")
    assert children["431100"].total == 0 and children["431100"].rate is None
    assert province.days_left == (datetime.date(2029, 4, 15) - TODAY).days
    # The world's QMS certificates: the active ones (maker, Hengyang) name ISO 9001:2015; suspended and draft
    # ones are not active, and the withdrawn EMS certificate is not counted either.
    qms = _by_id("430000")["iso9001-2015"]
    assert (qms.own.new, qms.own.old, qms.own.total) == (2, 0, 2)
    changsha = _by_id("430100")["iso14001-2026"]
    assert [share.region.code for share in changsha.children if share.total] == ["430104"]
    assert (changsha.own.new, changsha.own.total) == (2, 3)


def test_the_daily_figures_take_one_query_per_transition(world, editions, django_assert_num_queries):
    with django_assert_num_queries(len(transitions.transitions())):
        before = editions_module.figures(TODAY)
    for serial in range(6, 26):
        _ems(world, f"CNCA-EMS-2026-{serial:04d}", "hengyang", "ISO 14001:2015")
    with django_assert_num_queries(len(transitions.transitions())):
        after = editions_module.figures(TODAY)
    assert before[("430405", "iso14001-2026:old")] == (0, None)
    assert after[("430405", "iso14001-2026:old")] == (20, None)
    assert after[("430405", "iso14001-2026:new")] == (1, 22)
    aggregate.run(TODAY, metrics=[Metric.TRANSITIONS])
    region = Region.objects.get(code="430000")
    # the page reads the stored figures: whether the day has them, the child regions, then the figures of the
    # region and its children
    with django_assert_num_queries(3):
        rows = {row.transition.id: row for row in transitions.shares(region, day=TODAY)}
    assert (rows["iso14001-2026"].own.old, rows["iso14001-2026"].own.total) == (21, 25)


def test_old_holders_nearest_deadline_first(world, editions):  # a search of the registry, as of `today`
    holders = list(transitions.old_holders(Region.objects.get(code="430000"), today=TODAY))
    assert [(h.transition.id, h.number, h.days_left) for h in holders] == [("iso14001-2026", "CNCA-EMS-2026-0001", 859)]
    assert holders[0].holder_name == "长沙星城电器有限公司"
    assert holders[0].expires_first is True


def test_officer_page_and_csv_are_scoped_to_the_region(client, world, editions):
    officer = signed_in(client, world, "officer_changsha")
    page = officer.get("/statistics/transitions/")
    assert page.status_code == 200
    header, *cells = table_cells(page, "holder-table")
    assert header[:3] == ["获证组织", "证书编号", "认证机构"]
    assert len(cells) == 1
    assert cells[0][:5] == [
        "长沙星城电器有限公司",
        "CNCA-EMS-2026-0001",
        "湖南标准认证有限公司",
        "ISO 14001:2015 → ISO 14001:2026",
        "2029-04-15（预计）",
    ]
    assert officer.get("/statistics/transitions/?region=430400").status_code == 404
    assert officer.get("/statistics/transitions.csv?region=430400").status_code == 404
    assert officer.get("/statistics/transitions/?transition=iso0000").status_code == 404
    response = officer.get("/statistics/transitions.csv?transition=iso14001-2026")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("换版,旧版,新版,换版截止日期,剩余天数,证书编号,获证组织")
    assert ",ISO 14001:2015,ISO 14001:2026,2029-04-15," in lines[1]
    assert ",CNCA-EMS-2026-0001,长沙星城电器有限公司,湖南标准认证有限公司,430104,2029-02-27," in lines[1]
    hengyang = signed_in(client, world, "officer_hengyang")
    assert "no-holders" in hengyang.get("/statistics/transitions/").content.decode()


@pytest.mark.parametrize("username", ["maker", "cb_hunan"])
def test_nobody_but_officers_opens_the_list(client, world, username):
    assert signed_in(client, world, username).get("/statistics/transitions/").status_code == 403


def test_the_dashboard_shows_the_shares(client, aggregated, editions):
    aggregate.run(DAY, metrics=[Metric.TRANSITIONS], redo=True)  # with the certificates above
    officer = signed_in(client, aggregated.world, "officer_province")
    page = officer.get("/statistics/")
    assert page.status_code == 200
    # The statistics world adds one more EMS certificate (on neither edition) to the five above.
    assert "50.0% 新版 3 / 有效证书 6，旧版 1" in element_text(page, "transition-iso14001-2026")
    assert row(page, "transition-table-iso14001-2026", "430100") == ["长沙市", "2", "1", "1", "4", "50.0%"]
    assert "信息安全管理体系" in page_text(page)
    assert f"剩余 {(datetime.date(2029, 4, 15) - DAY).days} 天" in element_text(page, "transition-iso14001-2026")


def test_a_day_computed_before_transitions_existed_still_shows_and_says_no_figures(world, editions):
    """An upgraded installation: days aggregated before Metric.TRANSITIONS keep their dashboard (stats.aggregate.
    LATER) and the section says there are no figures yet, instead of every region at 0 of 0."""
    aggregate.run(TODAY, metrics=[m for m in aggregate.COMPUTE if m != Metric.TRANSITIONS])
    assert aggregate.complete_days() == [TODAY]
    assert transitions.shares(Region.objects.get(code="430000"), day=TODAY) == []
    aggregate.run(TODAY, metrics=[Metric.TRANSITIONS])
    assert [row.transition.id for row in transitions.shares(Region.objects.get(code="430000"), day=TODAY)] == [
        item.id for item in transitions.transitions()
    ]
