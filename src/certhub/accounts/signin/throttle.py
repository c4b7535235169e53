"""Throttling and lockout of password attempts (C14).

django-axes counts every failed password in its AccessAttempt rows (per user name, address and browser) and
refuses further attempts once CERTHUB_SIGNIN_FAILURE_LIMIT failures are counted for the same client address,
or for the same user name at the same address (AXES_LOCKOUT_PARAMETERS). There is deliberately no lock per
user name alone: anyone could then lock any officer out by typing wrong passwords for them.

On top of that, this module slows guessing before the lock:

- per address: from CERTHUB_SIGNIN_SLOWDOWN_AFTER failures on, the next attempt from that address must
  wait CERTHUB_SIGNIN_DELAY seconds after the last failure, doubling with each failure up to
  CERTHUB_SIGNIN_DELAY_MAX;
- per account: an address that has itself failed for a user name waits the same way, counted over the
  failures for that name from *every* address (guessing one account from many addresses is slowed at
  each of them), while an address that has not failed for the name is never held back by it — the officer
  at their own desk signs in while the account is under attack elsewhere.

The lockout's cool-off (`cool_off`, AXES_COOLOFF_TIME) is progressive and bounded: CERTHUB_SIGNIN_COOLOFF
seconds after the first lockout of an address, doubling with each further lockout of that address within
a day, never above CERTHUB_SIGNIN_COOLOFF_MAX. Failures older than the cool-off are forgotten, so an
address that stops guessing is free again after it.

A refusal says in words how long to wait (`wait_message`)."""

from __future__ import annotations

import datetime
import ipaddress
import math
from dataclasses import dataclass
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certhub.core.ratelimit import client_address

LOCKOUTS_REMEMBERED = datetime.timedelta(days=1)


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long failures are counted and a lockout lasts, for this request's address."""
    base = settings.CERTHUB_SIGNIN_COOLOFF
    address = _address(request)
    if address is None:
        return datetime.timedelta(seconds=base)
    lockouts = AccessFailureLog.objects.filter(
        ip_address=address, locked_out=True, attempt_time__gte=timezone.now() - LOCKOUTS_REMEMBERED
    ).count()
    seconds = min(base * 2 ** max(0, lockouts - 1), settings.CERTHUB_SIGNIN_COOLOFF_MAX)
    return datetime.timedelta(seconds=seconds)


def _address(request: HttpRequest | None) -> str | None:
    """The client's IP address, or None for a request without one (a request made up in process, whose
    address axes cannot store either)."""
    if request is None:
        return None
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


@dataclass(frozen=True)
class Count:
    failures: int
    last: datetime.datetime | None


def _count(**filters: Any) -> Count:
    found = AccessAttempt.objects.filter(**filters).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return Count(failures=found["failures"] or 0, last=found["last"])


def _delay(failures: int) -> float:
    after = settings.CERTHUB_SIGNIN_SLOWDOWN_AFTER
    if failures < after:
        return 0.0
    return min(settings.CERTHUB_SIGNIN_DELAY * 2 ** (failures - after), settings.CERTHUB_SIGNIN_DELAY_MAX)


def seconds_to_wait(request: HttpRequest, username: str) -> int:
    """Whole seconds this address must still wait before trying `username` (0: go ahead). A locked address
    is left to axes, whose refusal names the lockout."""
    request.axes_attempt_time = timezone.now()  # type: ignore[attr-defined]  # what axes' threshold reads
    since = get_cool_off_threshold(request)
    now = timezone.now()
    address = _address(request)
    if address is None:
        return 0
    waits = [0.0]
    by_address = _count(ip_address=address, attempt_time__gte=since)
    if by_address.failures >= settings.CERTHUB_SIGNIN_FAILURE_LIMIT:
        return 0
    if by_address.last is not None:
        waits.append(_delay(by_address.failures) - (now - by_address.last).total_seconds())
    if username:
        here = _count(username=username, ip_address=address, attempt_time__gte=since)
        if here.last is not None:
            everywhere = _count(username=username, attempt_time__gte=since)
            waits.append(_delay(everywhere.failures) - (now - here.last).total_seconds())
    return math.ceil(max(waits))


def wait_message(seconds: int) -> str:
    return ngettext(
        "尝试次数过多，请在%(seconds)d秒后再试。",
        "尝试次数过多，请在%(seconds)d秒后再试。",
        seconds,
    ) % {"seconds": seconds}


def lockout_seconds_left(request: HttpRequest) -> int:
    address = _address(request)
    last = _count(ip_address=address).last if address is not None else None
    if last is None:
        return 0
    until = last + cool_off(request)
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def lockout_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return _("登录失败次数过多，此地址已被暂时锁定。请在%(minutes)d分钟后再试，或换用其他网络登录。") % {
        "minutes": minutes
    }
