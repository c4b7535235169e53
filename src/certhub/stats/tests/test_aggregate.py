"""The daily job: each KPI's exact numerator and denominator per region, the other figures, resumability,
idempotence, the command, and the live SQL giving the same numbers."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from certhub.core.models import Region
from certhub.stats import aggregate, queries
from certhub.stats.models import ComputedMetric, Figure, SchemeLabel
from certhub.stats.testing import DAY
from certhub.stats.tests.helpers import figure

pytestmark = pytest.mark.django_db

KPI_FIGURES = {
    # ISO 9001: above-size industrial enterprises (B, C, D) and those with an ACTIVE QMS certificate.
    ("iso9001", "430000"): (2, 4),
    ("iso9001", "430100"): (1, 2),  # the maker (430104) has one; the power company (430102) only EMS
    ("iso9001", "430104"): (1, 1),
    ("iso9001", "430102"): (0, 1),
    ("iso9001", "430400"): (1, 1),  # Hengyang's QMS from the Yueyang body is active (the other is suspended)
    ("iso9001", "430300"): (0, 1),  # the mine
    # Evidentiary reports in the 365 days to DAY, by the lab's region.
    ("cma_reports", "430000"): (3, 5),
    ("cma_reports", "430100"): (2, 3),  # R1, R2 qualified; R3 outside scope; R4 informative; R5, R6 outside dates
    ("cma_reports", "430400"): (1, 2),  # H1 within the CMA validity, H2 after it expired
    ("cma_reports", "430405"): (1, 2),
    # CCC coverage of catalogue products made, by the maker's region.
    ("ccc_coverage", "430000"): (1, 3),
    ("ccc_coverage", "430100"): (1, 2),  # 0701 certified, 0702 not
    ("ccc_coverage", "430104"): (1, 2),
    ("ccc_coverage", "430400"): (0, 1),
}


def test_the_three_kpis_per_region(aggregated):
    for (metric, region), expected in KPI_FIGURES.items():
        assert figure(metric, region) == expected, (metric, region)
    # No records, no row: Yongzhou has no above-size industrial enterprise, no lab, and its product is later.
    assert figure("iso9001", "431100") is None
    assert figure("cma_reports", "431100") is None
    assert figure("ccc_coverage", "431100") is None
    # A prefecture-level record counts in the prefecture and the province only: 430100 is not a county row.
    assert Figure.objects.filter(day=DAY, metric="cma_reports").count() == 4


def test_certificates_grades_and_cases(aggregated):
    certificates = dict(
        Figure.objects.filter(day=DAY, metric="certificates", region_code="430000").values_list("key", "numerator")
    )
    assert certificates == {
        "QMS:ACTIVE": 3,
        "QMS:SUSPENDED": 1,
        "EMS:ACTIVE": 1,
        "EMS:WITHDRAWN": 1,
        "CCC:ACTIVE": 1,
        "ORGANIC:ACTIVE": 1,
    }
    assert figure("certificates", "431100", "ORGANIC:ACTIVE") == (1, None)
    assert SchemeLabel.objects.get(code="LX_VILLAGE").kind == "two_oriented"

    grades = dict(Figure.objects.filter(day=DAY, metric="grades", region_code="430100").values_list("key", "numerator"))
    assert grades == {"organization:D": 1, "organization:B": 5, "certification_body:B": 1, "lab:A": 1}
    grades = dict(Figure.objects.filter(day=DAY, metric="grades", region_code="430000").values_list("key", "numerator"))
    assert grades == {
        "organization:D": 1,
        "organization:C": 1,
        "organization:B": 9,
        "certification_body:B": 2,
        "lab:A": 1,
        "lab:B": 1,
    }

    cases = {
        region: dict(Figure.objects.filter(day=DAY, metric="cases", region_code=region).values_list("key", "numerator"))
        for region in ("430000", "430100", "430400")
    }
    assert cases["430000"] == {"open": 3, "overdue": 2, "le5": 1, "le20": 1, "gt20": 1}
    assert cases["430100"] == {"open": 2, "overdue": 1, "le5": 1, "le20": 1}
    assert cases["430400"] == {"open": 1, "overdue": 1, "gt20": 1}
    assert not Figure.objects.filter(day=DAY, metric="inspections").exists()  # no inspection in this world


def test_an_interrupted_run_resumes_where_it_stopped(stats_world, monkeypatch):
    def broken(day, prefix=None):
        raise RuntimeError("interrupted")

    monkeypatch.setitem(aggregate.COMPUTE, "cma_reports", broken)
    with pytest.raises(RuntimeError, match="interrupted"):
        aggregate.run(DAY)
    assert list(ComputedMetric.objects.values_list("metric", flat=True)) == ["iso9001"]
    assert set(Figure.objects.values_list("metric", flat=True)) == {"iso9001"}
    first = ComputedMetric.objects.get(metric="iso9001")

    monkeypatch.undo()
    steps = aggregate.run(DAY)
    assert [(step.metric, step.skipped) for step in steps] == [
        ("iso9001", True),
        ("cma_reports", False),
        ("ccc_coverage", False),
        ("certificates", False),
        ("inspections", False),
        ("grades", False),
        ("cases", False),
        ("transitions", False),
    ]
    assert ComputedMetric.objects.get(metric="iso9001").computed_at == first.computed_at
    for (metric, region), expected in KPI_FIGURES.items():
        assert figure(metric, region) == expected
    assert Figure.objects.count() == sum(ComputedMetric.objects.values_list("rows", flat=True))
    assert aggregate.complete_days() == [DAY]


def test_a_rerun_changes_nothing_and_redo_recomputes_the_same(aggregated):
    before = sorted(Figure.objects.values_list("day", "region_code", "metric", "key", "numerator", "denominator"))
    assert all(step.skipped for step in aggregate.run(DAY))
    assert not any(step.skipped for step in aggregate.run(DAY, redo=True))
    after = sorted(Figure.objects.values_list("day", "region_code", "metric", "key", "numerator", "denominator"))
    assert after == before


def test_live_sql_gives_the_stored_figures(aggregated):
    for code in ("430000", "430100", "430400", "430104"):
        region = Region.objects.get(code=code)
        codes = [code, *(child.code for child in queries.children_of(region))]
        live = queries.live_figures(region, DAY)
        assert live == queries.stored_figures(codes, DAY)
        assert live[("iso9001", code, "")] == KPI_FIGURES.get(("iso9001", code), live[("iso9001", code, "")])
    assert queries.live_figures("430100", DAY)[("ccc_coverage", "430104", "")] == (1, 2)


def test_the_command_computes_a_range_and_resumes(stats_world, capsys):
    call_command("stats", "aggregate", "--since", "2026-06-29", "--day", "2026-06-30", verbosity=0)
    assert ComputedMetric.objects.count() == 16
    assert figure("iso9001", "430000") == (2, 4)
    assert figure("cma_reports", "430000") == (3, 5)
    call_command("stats", "aggregate", "--since", "2026-06-29", "--day", "2026-06-30", verbosity=0)
    assert capsys.readouterr().out.splitlines()[-1] == "2 day(s): 0 metric(s) computed, 16 already done and skipped"
    assert aggregate.complete_days() == [datetime.date(2026, 6, 29), DAY]


def test_the_command_refuses_bad_dates(stats_world):
    with pytest.raises(CommandError, match=r"--day: expected a date as YYYY-MM-DD, got '2026-13-01'"):
        call_command("stats", "aggregate", "--day", "2026-13-01")
    with pytest.raises(CommandError, match="--since 2026-07-01 is after --day 2026-06-30"):
        call_command("stats", "aggregate", "--since", "2026-07-01", "--day", "2026-06-30")
    assert not ComputedMetric.objects.exists()
