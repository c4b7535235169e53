"""Chinese working days: statutory deadlines (公示 within 20 working days, C5; licensing deadlines, C8) are
counted in working days, which skip the State Council's public holidays and count its make-up working
weekends (调休), as published each year and packaged by `chinese-calendar`.

The State Council publishes next year's schedule late in the year, and the package follows. A deadline
that reaches into a year the package does not yet cover is counted Monday to Friday for that part and
marked provisional, so that the screen can say so instead of showing a date as certain."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    day: datetime.date
    provisional: bool  # counted without the official holiday schedule for part of the period


def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(is it a working day, was that known from the official schedule)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: datetime.date, count: int) -> Deadline:
    """The `count`-th working day after `start` (the day of the event itself does not count)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day, left, certain = start, count, True
    while left:
        day += datetime.timedelta(days=1)
        working, known = is_working_day(day)
        certain = certain and known
        if working:
            left -= 1
    return Deadline(day, not certain)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    days = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        days += is_working_day(day)[0]
    return days
