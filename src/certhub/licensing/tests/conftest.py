"""Fixtures of the licensing tests: a province with a future lab, a producer, applicants, the licensing
office's reviewers and two departments asked for opinions; and a way to set the day."""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import time_machine

from certhub.licensing.testing import build_licensing_world

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def lic(reference):
    return build_licensing_world()


@contextmanager
def on_day(day: datetime.date) -> Iterator[None]:
    """Run as if it were 10:00 in Beijing on `day` (legal dates are Asia/Shanghai dates)."""
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def day() -> Callable[[datetime.date], object]:
    return on_day
