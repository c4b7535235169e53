"""Fixtures of the complaint tests: uploads kept in the test's own directory, an easy proof of work (the
difficulty is a setting; the rule is the same), and a way to set the day."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def complaint_settings(settings, tmp_path):
    settings.CERTHUB_UPLOAD_DIR = tmp_path / "uploads"
    settings.CERTHUB_COMPLAINT_POW_BITS = 4


@contextmanager
def on_day(day: datetime.date) -> Iterator[None]:
    """Run as if it were 10:00 in Beijing on `day` (legal dates are Asia/Shanghai dates)."""
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False):
        yield
