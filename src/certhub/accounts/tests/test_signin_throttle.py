"""Throttling and lockout of the password step (C14; issue 14, finding 4: thirty wrong passwords, then the
right one, used to sign straight in). Failures from one address slow it down, then lock it; the officer
can still sign in from another address; the lock ends after a cool-off that grows with repeated lockouts."""

from __future__ import annotations

import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from certhub.accounts.models import SignInEvent
from certhub.core.testing import authenticator_of, element_text, sign_in_with_pages

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
ATTACKER = "203.0.113.66"
OFFICE_DESK = "198.51.100.20"


def attempt(client, password: str, address: str, username: str = "officer_changsha"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def failures(address: str) -> int:
    return sum(AccessAttempt.objects.filter(ip_address=address).values_list("failures_since_start", flat=True))


@pytest.fixture
def officer(world):
    authenticator_of(world.users["officer_changsha"])
    return world.users["officer_changsha"]


def test_failures_slow_an_address_down_then_lock_it(client, world, officer):
    now = time.time()
    waits = []
    with time_machine.travel(now, tick=False) as clock:
        for number in range(1, 10):
            response = attempt(client, f"wrong-{number}", ATTACKER)
            assert response.status_code == 200, number
            assert element_text(response, "sign-in-errors") == "用户名或密码不正确。"
            # From the third failure on, the next attempt (even with the right password) must wait 1, 2,
            # 4 … seconds (at most 30).
            if number >= 3:
                too_soon = attempt(client, world.PASSWORD, ATTACKER)
                message = element_text(too_soon, "sign-in-errors")
                waits.append(message)
                seconds = min(2 ** (number - 3), 30)
                assert message == f"尝试次数过多，请在{seconds}秒后再试。"
                clock.shift(seconds)
        assert failures(ATTACKER) == 9
        # The tenth failure locks the address: even the right password is refused, with when to retry.
        locked = attempt(client, "wrong-10", ATTACKER)
        assert locked.status_code == 429
        assert element_text(locked, "sign-in-errors") == (
            "登录失败次数过多，此地址已被暂时锁定。请在1分钟后再试，或换用其他网络登录。"
        )
        assert locked["Retry-After"] == "60"
        clock.shift(30)
        right = attempt(client, world.PASSWORD, ATTACKER)
        assert right.status_code == 429
        assert "_auth_user_id" not in client.session
    assert len(waits) == 7
    assert SignInEvent.objects.filter(kind="LOCKED_OUT", address=ATTACKER).count() == 2
    assert SignInEvent.objects.filter(kind="THROTTLED", address=ATTACKER).count() == 7
    assert SignInEvent.objects.filter(kind="SIGNED_IN").count() == 0


def lock(client, address: str, clock, username: str = "officer_changsha") -> int:
    """Wrong passwords from `address`, each past any slow-down, until it is locked; how many it took."""
    for number in range(1, 12):
        if attempt(client, f"wrong-{number}", address, username).status_code == 429:
            return number
        clock.shift(31)
    raise AssertionError("never locked")


def test_the_officer_signs_in_from_another_address_while_one_is_locked(client, world, officer):
    now = time.time()
    with time_machine.travel(now, tick=False) as clock:
        assert lock(client, ATTACKER, clock) == 10
        assert attempt(client, world.PASSWORD, ATTACKER).status_code == 429
        response = sign_in_with_pages(client, "officer_changsha", world.PASSWORD, REMOTE_ADDR=OFFICE_DESK)
        assert response.redirect_chain[-1] == (reverse("portal:office_home"), 302)


def test_many_addresses_guessing_one_account_never_hold_back_a_fresh_address(client, world, officer):
    # Failures for an account from every address count against each address that failed for it; an
    # address that has not failed for it signs in at once.
    now = time.time()
    with time_machine.travel(now, tick=False) as clock:
        for number in range(12):
            attempt(client, "wrong", f"203.0.113.{number + 1}")
        again = attempt(client, "wrong", "203.0.113.1")
        assert element_text(again, "sign-in-errors") == "尝试次数过多，请在30秒后再试。"
        clock.shift(1)
        response = sign_in_with_pages(client, "officer_changsha", world.PASSWORD, REMOTE_ADDR=OFFICE_DESK)
        assert response.redirect_chain[-1] == (reverse("portal:office_home"), 302)


def test_the_lock_ends_after_a_cool_off_that_grows_and_is_bounded(client, world, officer, settings):
    settings.CERTHUB_SIGNIN_COOLOFF_MAX = 180
    now = time.time()
    with time_machine.travel(now, tick=False) as clock:
        assert lock(client, ATTACKER, clock) == 10
        messages = [element_text(attempt(client, "x", ATTACKER), "sign-in-errors")]
        clock.shift(61)  # the first lockout lasts a minute; failures before it are forgotten
        assert lock(client, ATTACKER, clock) == 10
        messages.append(element_text(attempt(client, "x", ATTACKER), "sign-in-errors"))
        clock.shift(61)
        assert attempt(client, "wrong", ATTACKER).status_code == 429  # the second lasts two minutes
        clock.shift(60)
        assert lock(client, ATTACKER, clock) == 10
        clock.shift(121)
        assert attempt(client, "wrong", ATTACKER).status_code == 429  # the third would be four: capped at three
        clock.shift(60)
        response = sign_in_with_pages(client, "officer_changsha", world.PASSWORD, REMOTE_ADDR=ATTACKER)
        assert response.redirect_chain[-1] == (reverse("portal:office_home"), 302)
    assert messages == [
        "登录失败次数过多，此地址已被暂时锁定。请在1分钟后再试，或换用其他网络登录。",
        "登录失败次数过多，此地址已被暂时锁定。请在2分钟后再试，或换用其他网络登录。",
    ]


def test_the_address_behind_a_proxy_is_the_one_counted(client, world, officer, settings):
    settings.CERTHUB_CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.CERTHUB_TRUSTED_PROXIES = 1
    now = time.time()
    with time_machine.travel(now, tick=False) as clock:
        for number in range(10):
            response = client.post(
                LOGIN,
                {"username": "officer_changsha", "password": "wrong"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, {ATTACKER}",  # a forged left part changes nothing
            )
            clock.shift(31)
        assert response.status_code == 429
        desk = sign_in_with_pages(
            client, "officer_changsha", world.PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=OFFICE_DESK
        )
        assert desk.redirect_chain[-1] == (reverse("portal:office_home"), 302)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
