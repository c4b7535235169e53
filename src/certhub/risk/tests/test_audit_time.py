"""IAF MD 5's QMS table as data: every band as the standard prints it, and the 30% reduction."""

from decimal import Decimal

import pytest

from certhub.risk.audit_time import qms_table

# The table as IAF MD 5 Table QMS 1 prints it: (lowest, highest personnel, days).
PRINTED = [(1, 5, "1.5"), (6, 10, "2"), (11, 15, "2.5"), (16, 25, "3"), (26, 45, "4"), (46, 65, "5"), (66, 85, "6"),
           (86, 125, "7"), (126, 175, "8"), (176, 275, "9"), (276, 425, "10"), (426, 625, "11"), (626, 875, "12"),
           (876, 1175, "13"), (1176, 1550, "14"), (1551, 2025, "15"), (2026, 2675, "16"), (2676, 3450, "17"),
           (3451, 4350, "18"), (4351, 5450, "19"), (5451, 6800, "20"), (6801, 8500, "21"),
           (8501, 10700, "22")]  # fmt: skip


@pytest.mark.parametrize(("low", "high", "days"), PRINTED)
def test_each_band_at_both_ends(low, high, days):
    table = qms_table()
    assert table.days(low) == table.days(high) == Decimal(days)


def test_the_source_is_named_and_the_table_ends_at_10700():
    table = qms_table()
    assert "IAF MD 5" in table.source and "Table QMS 1" in table.source
    assert (table.days(10_700), table.days(10_701)) == (Decimal("22"), None)
    with pytest.raises(ValueError, match="at least 1"):
        table.days(0)


def test_the_minimum_allows_at_most_a_30_percent_reduction():
    table = qms_table()
    assert table.minimum(20) == Decimal("2.10")  # 3 days less 30%
    assert table.shortfall(20, Decimal("2.1")) is None
    assert table.shortfall(20, Decimal("1.5")) == Decimal("0.60")
    assert table.shortfall(12_000, Decimal("1")) is None  # beyond the table: a reviewer's call
