"""The performance-excellence self-assessment (GB/T 19580, C12): the structure as data, the scoring rules,
the totals, the pages for the owning enterprise only, and refusals that save nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from certhub.core.testing import element, element_text, pdf_text, signed_in, table_cells
from certhub.toolbox import excellence
from certhub.toolbox.errors import InputError
from certhub.toolbox.models import Assessment, AssessmentScore

EXPECTED_CATEGORIES = {"4.1": 110, "4.2": 90, "4.3": 90, "4.4": 130, "4.5": 100, "4.6": 80, "4.7": 400}


def test_items_sum_to_their_categories_and_to_1000():
    data = json.loads(excellence.DATA.read_text(encoding="utf-8"))
    assert data["edition"] == "GB/T 19580-2012"
    assert {c["code"]: c["points"] for c in data["categories"]} == EXPECTED_CATEGORIES
    for category in data["categories"]:
        assert sum(item["points"] for item in category["items"]) == category["points"], category["code"]
    assert sum(c["points"] for c in data["categories"]) == 1000
    assert len([item for c in data["categories"] for item in c["items"]]) == 23
    assert excellence.standard().points == 1000


def test_bands_are_the_six_of_gbz_19579_for_both_kinds():
    for kind in ("process", "results"):
        bands = excellence.standard().bands[kind]
        assert [(b.low, b.high) for b in bands] == [(0, 5), (10, 25), (30, 45), (50, 65), (70, 85), (90, 100)]
        assert all(b.text and b.text_en for b in bands)


def test_scores_and_their_bands():
    item = excellence.standard().item("4.1.2")  # 50 points
    assert excellence.parse_score(item, " 32.5 ") == Decimal("32.5")
    assert excellence.parse_score(item, "") is None
    assert excellence.band_of(item, Decimal("32.5")).label == "50%–65%"  # 65 %
    assert excellence.band_of(item, Decimal("3.5")).label == "0%–5%"  # 7 %: the higher band is not yet earned
    assert excellence.band_of(item, Decimal("50")).label == "90%–100%"
    results = excellence.standard().item("4.7.2")  # 80 points, results item
    assert excellence.band_of(results, Decimal("24")).text.startswith("水平：条款要求的许多方面")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("50.5", "得分 50.5 超过本条款的分值 50 分。"),
        ("-1", "得分不能为负数。"),
        ("12.25", "得分最多保留一位小数。"),
        ("abc", "得分“abc”不是数字。"),
        ("NaN", "得分“NaN”不是数字。"),
    ],
)
def test_bad_scores_are_refused_naming_the_item(text, message):
    with pytest.raises(InputError) as refused:
        excellence.parse_score(excellence.standard().item("4.1.2"), text)
    assert refused.value.field == "4.1.2"
    assert refused.value.text() == message


def test_totals_profile_and_comparison():
    now = excellence.summarize({"4.1.2": Decimal("30"), "4.1.3": Decimal("15.5"), "4.7.2": Decimal("40")})
    before = excellence.summarize({"4.1.2": Decimal("20")})
    assert now.total == Decimal("85.5")
    assert now.scored == 3
    assert now.categories[0].score == Decimal("45.5")
    assert now.categories[0].share == Decimal("41.4")  # 45.5 / 110
    assert now.profile == [41.4, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0]
    rows = excellence.compare(now, before)
    assert (rows[0].current, rows[0].previous, rows[0].change) == (Decimal("45.5"), Decimal("20"), Decimal("25.5"))
    assert (rows[-1].label, rows[-1].points, rows[-1].change) == ("总分", 1000, Decimal("65.5"))


# ----------------------------------------------------------------------------------------- pages


@pytest.fixture
def maker(client, world):
    return signed_in(client, world, "maker")


def test_enterprise_creates_scores_and_reads_an_assessment(maker, world):
    response = maker.post("/toolbox/excellence/", {"year": "2025", "title": "首次自评"})
    assessment = Assessment.objects.get(organization=world.organizations["maker"], year=2025)
    assert response.status_code == 302
    assert response["Location"] == f"/toolbox/excellence/{assessment.pk}/"
    assert assessment.edition == "GB/T 19580-2012"
    response = maker.post(
        f"/toolbox/excellence/{assessment.pk}/score/4.1/",
        {"score-4.1.2": "30", "evidence-4.1.2": "高层领导每季度评审战略。", "score-4.1.3": "15.5", "score-4.1.4": ""},
    )
    assert response.status_code == 302
    assert {(s.item, s.score, s.evidence) for s in assessment.scores.all()} == {
        ("4.1.2", Decimal("30.0"), "高层领导每季度评审战略。"),
        ("4.1.3", Decimal("15.5"), ""),
    }
    page = maker.get(f"/toolbox/excellence/{assessment.pk}/")
    assert element_text(page, "total").startswith("45.5 / 1000")
    assert table_cells(page, "category-table")[1][:4] == ["4.1 领导", "110", "45.5", "41.4%"]
    # The profile chart, named by its title (its accessible name, whichever way it is embedded).
    assert "2025 年度卓越绩效自评：各类目得分率" in str(element(page, "profile-chart").attrs) + page.content.decode()
    listing = maker.get("/toolbox/excellence/")
    assert table_cells(listing, "assessment-table")[1:] == [["2025", "首次自评", "45.5 / 1000", "2 / 23"]]


def test_a_score_over_the_items_points_is_refused_next_to_it_and_nothing_saved(maker, world):
    assessment = excellence.create_assessment(world.actor("maker"), year=2025)
    excellence.save_scores(world.actor("maker"), assessment, {"4.4.3": ("10", "预算")})
    response = maker.post(
        f"/toolbox/excellence/{assessment.pk}/score/4.4/",
        {"score-4.4.2": "40", "score-4.4.3": "16", "evidence-4.4.3": "新的说明", "score-4.4.6": "10"},
    )
    assert response.status_code == 422
    assert element_text(response, "score-4.4.3-error") == "得分 16 超过本条款的分值 15 分。"
    assert "score-4.4.2-error" not in response.content.decode()
    assert [(s.item, s.score, s.evidence) for s in AssessmentScore.objects.filter(assessment=assessment)] == [
        ("4.4.3", Decimal("10.0"), "预算")
    ]


def test_one_assessment_per_year(maker, world):
    excellence.create_assessment(world.actor("maker"), year=2025)
    response = maker.post("/toolbox/excellence/", {"year": "2025"})
    assert response.status_code == 422
    assert element_text(response, "id_year_error") == "2025 年度的自评已经存在，请打开它继续评分。"
    response = maker.post("/toolbox/excellence/", {"year": "20x5"})
    assert element_text(response, "id_year_error").startswith("年度应为 2001 至 ")
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("username", ["officer_province", "admin", "cb_hunan"])
def test_nobody_else_sees_an_assessment_officers_included(client, world, username):
    assessment = excellence.create_assessment(world.actor("maker"), year=2025)
    excellence.save_scores(world.actor("maker"), assessment, {"4.1.2": ("30", "")})
    other = signed_in(client, world, username)
    for url in (
        "/toolbox/excellence/",
        f"/toolbox/excellence/{assessment.pk}/",
        f"/toolbox/excellence/{assessment.pk}/score/4.1/",
        f"/toolbox/excellence/{assessment.pk}/report.pdf",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/toolbox/excellence/{assessment.pk}/score/4.1/", {"score-4.1.2": "1"}).status_code == 404
    assert other.post(f"/toolbox/excellence/{assessment.pk}/delete/").status_code == 404
    assert AssessmentScore.objects.get(assessment=assessment).score == Decimal("30.0")


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/toolbox/excellence/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_year_on_year_comparison_and_the_pdf(maker, world):
    actor = world.actor("maker")
    before = excellence.create_assessment(actor, year=2024)
    excellence.save_scores(actor, before, {"4.1.2": ("20", ""), "4.7.4": ("30", "")})
    now = excellence.create_assessment(actor, year=2025, title="第二次自评")
    excellence.save_scores(actor, now, {"4.1.2": ("32.5", "战略评审记录"), "4.7.4": ("36", "")})
    page = maker.get(f"/toolbox/excellence/{now.pk}/")
    header, *rows = table_cells(page, "comparison-table")
    assert header == ["类目", "分值", "2025", "2024", "变化"]
    assert rows[0] == ["4.1 领导", "110", "32.5", "20.0", "+12.5"]
    assert rows[-1] == ["总分", "1000", "68.5", "50.0", "+18.5"]
    response = maker.get(f"/toolbox/excellence/{now.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "2025 年度卓越绩效自评报告" in text
    assert "战略评审记录" in text
    assert "GB/T 19580-2012" in text


def test_delete(maker, world):
    assessment = excellence.create_assessment(world.actor("maker"), year=2025)
    response = maker.post(f"/toolbox/excellence/{assessment.pk}/delete/")
    assert response.status_code == 302
    assert Assessment.objects.count() == 0
