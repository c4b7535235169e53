"""Open-data fixtures: an export directory of the test's own, and readers for the files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def opendata_dir(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "opendata"
    settings.CERTHUB_OPENDATA_DIR = root
    settings.CERTHUB_OPENDATA_KEEP = 3
    settings.CERTHUB_OPENDATA_ON_DEMAND = "inline"
    settings.CERTHUB_OPENDATA_LICENCE = ""
    return root


@pytest.fixture
def exported(world: Any, opendata_dir: Path) -> Any:
    from certhub.opendata.exporter import export_open_data

    return export_open_data()
