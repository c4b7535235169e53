"""docs/data-formats.md states the field sets the importer reads: its tables are exchange.fields' own."""

from pathlib import Path

from django.utils import translation

from certhub.exchange.docs import field_table
from certhub.exchange.fields import COLUMNS

DOC = Path(__file__).resolve().parents[4] / "docs" / "data-formats.md"


def test_the_documented_tables_are_the_field_sets():
    text = DOC.read_text(encoding="utf-8")
    with translation.override("zh-hans"):
        for kind in COLUMNS:
            assert field_table(kind) in text, f"docs/data-formats.md is out of date for {kind}"
