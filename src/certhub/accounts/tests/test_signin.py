"""Signing in with a second factor (C14; issue 14, finding 4), through the pages with the test client:
forced enrolment, TOTP codes (reused or outside their window refused), recovery codes (each once), the
sign-in history, "new sign-in" notices, session timeouts and re-authentication."""

from __future__ import annotations

import base64
import datetime
import re
import time

import pyotp
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from certhub.accounts.models import SignInEvent
from certhub.accounts.tests.conftest import PASSWORD
from certhub.core.testing import (
    authenticator_of,
    element,
    element_text,
    page_text,
    sign_in_with_pages,
    table_rows,
    totp_code,
)

pytestmark = pytest.mark.django_db

OFFICE = reverse("portal:office_home")
LOGIN = reverse("portal:login")
VERIFY = reverse("accounts:verify")


def password_step(client, username: str, password: str, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def kinds(user) -> list[tuple[str, bool]]:
    return [(e.kind, e.succeeded) for e in SignInEvent.objects.filter(user=user).order_by("id")]


def secret_of(response) -> str:
    return element(response, "totp-secret").attrs["data-secret"]


# ------------------------------------------------------------------ enrolment at the first sign-in


def test_an_officer_must_enrol_an_authenticator_at_the_first_sign_in(client, fresh_officer):
    response = password_step(client, "officer_fresh", PASSWORD)
    assert response["Location"] == reverse("accounts:enrol")
    # Nothing else of the site is open until a second factor is enrolled.
    assert client.get(OFFICE)["Location"] == f"{reverse('accounts:enrol')}?next=%2Foffice%2F"
    assert client.get("/api/v1/certificates?q=x").json()["code"] == "second_factor_required"

    page = client.get(reverse("accounts:enrol_totp"))
    secret = secret_of(page)
    assert len(secret) == 32
    assert element(page, "totp-secret").text.replace(" ", "") == secret
    assert "<svg" in page.content.decode()  # the QR code, inline: nothing fetched from elsewhere

    wrong = client.post(reverse("accounts:enrol_totp"), {"token": "000000"})
    assert wrong.status_code == 422
    assert element_text(wrong, "id_token_errors") == "验证码不正确或已使用过，请输入认证器应用当前显示的验证码。"
    assert TOTPDevice.objects.filter(user=fresh_officer, confirmed=True).count() == 0

    with time_machine.travel(time.time() + 2):  # past django-otp's one-second wait after a wrong code
        done = client.post(reverse("accounts:enrol_totp"), {"token": pyotp.TOTP(secret).now()})
        assert done["Location"] == reverse("accounts:recovery_codes")
        codes_page = client.get(done["Location"])
        codes = [li.text for li in element(codes_page, "recovery-codes").iter("li")]
        assert len(codes) == 10 and len(set(codes)) == 10
        assert sorted(StaticToken.objects.filter(device__user=fresh_officer).values_list("token", flat=True)) == sorted(
            codes
        )
        # Shown once: afterwards only how many are left.
        again = client.get(reverse("accounts:recovery_codes"))
        assert element_text(again, "recovery-left") == "还有 10 个未使用的恢复码。"
        assert client.get(OFFICE).status_code == 200
    assert TOTPDevice.objects.filter(user=fresh_officer, confirmed=True).count() == 1
    assert kinds(fresh_officer) == [("ENROLLED", True), ("RECOVERY_CODES_GENERATED", True), ("SIGNED_IN", True)]


def test_a_body_without_a_second_factor_reaches_only_enrolment_and_sign_out(client, world):
    password_step(client, "cb_hunan", world.PASSWORD)
    for path in ("/office/my-certificates/", "/submissions/", reverse("accounts:history"), reverse("accounts:verify")):
        assert client.get(path)["Location"].startswith(reverse("accounts:enrol")), path
    assert client.post(reverse("portal:logout"))["Location"] == "/"
    assert client.get(OFFICE)["Location"].startswith(LOGIN)


def test_an_enterprise_signs_in_with_the_password_alone(client, world):
    # Not among CERTHUB_MFA_REQUIRED_ROLES.
    response = password_step(client, "maker", world.PASSWORD)
    assert response["Location"] == OFFICE
    assert kinds(world.users["maker"]) == [("SIGNED_IN", True)]


def test_the_required_roles_are_a_setting(client, world, settings):
    settings.CERTHUB_MFA_REQUIRED_ROLES = ["ADMINISTRATOR"]
    assert password_step(client, "officer_changsha", world.PASSWORD)["Location"] == OFFICE


# ------------------------------------------------------------------ TOTP codes


@pytest.fixture
def enrolled(world):
    """officer_changsha with an authenticator app, and its pyotp twin."""
    device = authenticator_of(world.users["officer_changsha"])
    return device, pyotp.TOTP(base64.b32encode(device.bin_key).decode())


def test_a_code_signs_in_once_and_is_refused_when_used_again(client, world, enrolled):
    _device, totp = enrolled
    user = world.users["officer_changsha"]
    now = time.time()
    with time_machine.travel(now, tick=False):
        code = totp.now()
        assert password_step(client, "officer_changsha", world.PASSWORD)["Location"] == VERIFY
        assert client.post(VERIFY, {"token": code})["Location"] == OFFICE
        client.post(reverse("portal:logout"))
        password_step(client, "officer_changsha", world.PASSWORD)
        reused = client.post(VERIFY, {"token": code})
    assert reused.status_code == 422
    assert element_text(reused, "id_token_errors") == "验证码不正确或已使用过，请输入认证器应用当前显示的验证码。"
    assert client.get(OFFICE)["Location"] == f"{VERIFY}?next=%2Foffice%2F"  # still not through
    assert kinds(user)[-1] == ("SECOND_FACTOR_FAILED", False)


@pytest.mark.parametrize("offset", [-95, -65, 65, 95])
def test_a_code_outside_its_window_is_refused(client, world, enrolled, offset):
    # A code is valid in its 30-second step and one step either side (OTP_TOTP_TOLERANCE = 1).
    _device, totp = enrolled
    now = time.time()
    password_step(client, "officer_changsha", world.PASSWORD)
    with time_machine.travel(now, tick=False):
        response = client.post(VERIFY, {"token": totp.at(now + offset)})
    assert response.status_code == 422
    assert element_text(response, "id_token_errors") == "验证码不正确或已使用过，请输入认证器应用当前显示的验证码。"
    assert client.get(OFFICE).status_code == 302


def test_wrong_codes_must_wait_longer_each_time(client, world, enrolled):
    _device, totp = enrolled
    now = time.time()
    password_step(client, "officer_changsha", world.PASSWORD)
    with time_machine.travel(now, tick=False):
        client.post(VERIFY, {"token": "000000"})
        client.post(VERIFY, {"token": "000000"})  # within the second: not even checked
        waiting = client.post(VERIFY, {"token": totp.now()})
    assert element_text(waiting, "id_token_errors") == "尝试次数过多，请在1秒后再试。"
    with time_machine.travel(now + 2, tick=False):
        assert client.post(VERIFY, {"token": totp.at(now + 2)})["Location"] == OFFICE


# ------------------------------------------------------------------ recovery codes


def test_a_recovery_code_works_once(client, world, enrolled):
    user = world.users["officer_changsha"]
    password_step(client, "officer_changsha", world.PASSWORD)
    client.post(VERIFY, {"token": totp_code(enrolled[0])})
    client.post(reverse("accounts:regenerate_recovery_codes"))
    codes = client.session["certhub_fresh_recovery_codes"]
    client.post(reverse("portal:logout"))

    password_step(client, "officer_changsha", world.PASSWORD)
    used = client.post(reverse("accounts:verify_recovery"), {"code": codes[0]}, follow=True)
    assert used.redirect_chain[-1][0] == OFFICE
    assert "你用了一个恢复码，还剩9个" in page_text(used)
    client.post(reverse("portal:logout"))

    password_step(client, "officer_changsha", world.PASSWORD)
    with time_machine.travel(time.time() + 5):
        again = client.post(reverse("accounts:verify_recovery"), {"code": codes[0]})
        assert again.status_code == 422
        assert element_text(again, "id_code_errors") == "恢复码不正确或已使用过。"
        assert client.get(OFFICE).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_regenerating_recovery_codes_voids_the_old_ones(client, world, enrolled):
    password_step(client, "officer_changsha", world.PASSWORD)
    client.post(VERIFY, {"token": totp_code(enrolled[0])})
    client.post(reverse("accounts:regenerate_recovery_codes"))
    first = client.session["certhub_fresh_recovery_codes"]
    client.get(reverse("accounts:recovery_codes"))
    client.post(reverse("accounts:regenerate_recovery_codes"))
    second = client.session["certhub_fresh_recovery_codes"]
    tokens = set(
        StaticToken.objects.filter(device__user=world.users["officer_changsha"]).values_list("token", flat=True)
    )
    assert tokens == set(second) and not tokens & set(first)


# ------------------------------------------------------------------ history and notices


def test_failures_and_sign_outs_are_in_the_history(client, world, enrolled):
    user = world.users["officer_changsha"]
    password_step(client, "officer_changsha", "not-the-password", REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="UA-1")
    password_step(client, "nobody_here", "not-the-password", REMOTE_ADDR="198.51.100.7")
    sign_in_with_pages(client, "officer_changsha", world.PASSWORD, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="UA-1")
    client.post(reverse("portal:logout"), REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="UA-1")
    rows = list(SignInEvent.objects.order_by("id").values_list("kind", "succeeded", "username", "user", "address"))
    assert rows == [
        ("PASSWORD_FAILED", False, "officer_changsha", user.pk, "198.51.100.7"),
        ("PASSWORD_FAILED", False, "nobody_here", None, "198.51.100.7"),
        ("SECOND_FACTOR_PASSED", True, "officer_changsha", user.pk, "198.51.100.7"),
        ("SIGNED_IN", True, "officer_changsha", user.pk, "198.51.100.7"),
        ("SIGNED_OUT", True, "officer_changsha", user.pk, "198.51.100.7"),
    ]
    assert SignInEvent.objects.filter(kind="SIGNED_IN").get().user_agent == "UA-1"


def test_sign_in_events_are_append_only(world):
    event = SignInEvent.objects.create(kind="SIGNED_IN", succeeded=True, username="x")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        SignInEvent.objects.filter(pk=event.pk).update(username="y")
    with pytest.raises(TypeError):
        SignInEvent.objects.all().delete()
    assert SignInEvent.objects.get().username == "x"


def test_the_history_page_shows_ones_own_and_everyones_to_administrators(client, world, enrolled):
    sign_in_with_pages(client, "officer_changsha", world.PASSWORD, REMOTE_ADDR="198.51.100.8")
    mine = client.get(reverse("accounts:history"))
    assert [row[1:4] for row in table_rows(mine)] == [
        ["登录成功", "成功", "198.51.100.8"],
        ["第二重验证通过", "成功", "198.51.100.8"],
    ]
    # ?all=1 is for administrators only: an officer still sees their own rows.
    assert table_rows(client.get(reverse("accounts:history") + "?all=1")) == table_rows(mine)
    client.post(reverse("portal:logout"))
    sign_in_with_pages(client, "admin", world.PASSWORD, REMOTE_ADDR="198.51.100.9")
    everyone = client.get(reverse("accounts:history") + "?all=1")
    assert [row[1:3] for row in table_rows(everyone)] == [
        ["admin", "登录成功"],
        ["admin", "第二重验证通过"],
        ["officer_changsha", "退出登录"],
        ["officer_changsha", "登录成功"],
        ["officer_changsha", "第二重验证通过"],
    ]


def test_a_new_address_and_browser_get_an_e_mail(client, world, enrolled, django_capture_on_commit_callbacks):
    user = world.users["officer_changsha"]
    user.email = "changsha@example.gov.cn"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_with_pages(
            client, "officer_changsha", world.PASSWORD, REMOTE_ADDR="198.51.100.1", HTTP_USER_AGENT="UA-A"
        )
        client.post(reverse("portal:logout"))
        with time_machine.travel(time.time() + 31):
            sign_in_with_pages(
                client, "officer_changsha", world.PASSWORD, REMOTE_ADDR="198.51.100.1", HTTP_USER_AGENT="UA-A"
            )
    assert mail.outbox == []  # the first sign-in ever, then a known address and browser
    client.post(reverse("portal:logout"))
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(time.time() + 62):
        sign_in_with_pages(
            client, "officer_changsha", world.PASSWORD, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="UA-B"
        )
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("CertHub：你的账号在新的设备或网络上登录", ["changsha@example.gov.cn"])
    ]
    assert "地址：203.0.113.9" in mail.outbox[0].body
    assert "浏览器：UA-B" in mail.outbox[0].body


# ------------------------------------------------------------------ sessions


def test_an_officer_is_signed_out_after_the_idle_timeout(client, world, enrolled, settings):
    settings.CERTHUB_SESSION_IDLE_TIMEOUT = 60
    now = time.time()
    with time_machine.travel(now, tick=False):
        sign_in_with_pages(client, "officer_changsha", world.PASSWORD)
    with time_machine.travel(now + 50, tick=False):
        assert client.get(OFFICE).status_code == 200  # activity keeps the session
    with time_machine.travel(now + 100, tick=False):
        assert client.get(OFFICE).status_code == 200
    with time_machine.travel(now + 161, tick=False):
        response = client.get(OFFICE)
        assert response["Location"] == f"{LOGIN}?signed_out=idle&next=%2Foffice%2F"
        page = client.get(response["Location"])
    assert element_text(page, "signed-out") == "你已长时间未操作，为保护账号安全已自动退出，请重新登录。"
    assert kinds(world.users["officer_changsha"])[-1] == ("IDLE_TIMEOUT", True)


def test_the_idle_timeout_is_for_office_roles(client, world, settings):
    settings.CERTHUB_SESSION_IDLE_TIMEOUT = 60
    now = time.time()
    with time_machine.travel(now, tick=False):
        sign_in_with_pages(client, "maker", world.PASSWORD)
    with time_machine.travel(now + 600, tick=False):
        assert client.get(OFFICE)["Location"].startswith("/certificates/")


def test_a_sign_in_ends_after_its_lifetime_whatever_the_activity(client, world, enrolled, settings):
    settings.SESSION_COOKIE_AGE = 3600
    now = time.time()
    with time_machine.travel(now, tick=False):
        sign_in_with_pages(client, "officer_changsha", world.PASSWORD)
    for minutes in range(10, 61, 10):
        with time_machine.travel(now + minutes * 60, tick=False):
            assert client.get(OFFICE).status_code == 200
    with time_machine.travel(now + 3601, tick=False):
        response = client.get(OFFICE)
    assert response["Location"] == f"{LOGIN}?signed_out=expired&next=%2Foffice%2F"
    assert element_text(client.get(response["Location"]), "signed-out") == "登录已超过最长时限，请重新登录。"


# ------------------------------------------------------------------ re-authentication


def test_a_dangerous_action_asks_for_the_password_and_code_again(client, world, enrolled, settings):
    settings.CERTHUB_REAUTH_MAX_AGE = 300
    now = time.time()
    regenerate = reverse("accounts:regenerate_recovery_codes")
    with time_machine.travel(now, tick=False):
        sign_in_with_pages(client, "officer_changsha", world.PASSWORD)
        assert client.post(regenerate)["Location"] == reverse("accounts:recovery_codes")  # just signed in
    user = world.users["officer_changsha"]
    before = sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    with time_machine.travel(now + 301, tick=False):
        asked = client.post(regenerate)
        assert asked["Location"] == f"{reverse('accounts:reauth')}?next=%2Faccount%2Frecovery-codes%2Fnew%2F"
        wrong = client.post(asked["Location"], {"password": "not-the-password", "token": totp_code(enrolled[0])})
        assert wrong.status_code == 422
        assert element_text(wrong, "main").startswith("确认身份") and "密码不正确。" in page_text(wrong)
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == before
    with time_machine.travel(now + 331, tick=False):
        confirmed = client.post(asked["Location"], {"password": world.PASSWORD, "token": totp_code(enrolled[0])})
        assert confirmed["Location"] == "/account/recovery-codes/new/"
        assert client.post(regenerate)["Location"] == reverse("accounts:recovery_codes")
    assert kinds(user)[-3:] == [("REAUTH_FAILED", False), ("REAUTHENTICATED", True), ("RECOVERY_CODES_GENERATED", True)]


def test_the_admin_site_signs_in_through_our_pages(client, world):
    assert client.get("/admin/login/")["Location"] == f"{LOGIN}?next=%2Fadmin%2F"


def test_the_sign_in_page_links_password_reset(client):
    assert re.search(r'href="/account/password/reset/"', client.get(LOGIN).content.decode())


def test_the_lifetime_setting_is_twelve_hours_by_default():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.CERTHUB_SESSION_IDLE_TIMEOUT == 30 * 60
    assert datetime.timedelta(seconds=settings.CERTHUB_REAUTH_MAX_AGE) == datetime.timedelta(minutes=10)


def test_after_a_reset_of_second_factors_the_officer_enrols_again(client, world, enrolled):
    from certhub.accounts.signin.devices import remove_second_factors

    user = world.users["officer_changsha"]
    password_step(client, "officer_changsha", world.PASSWORD)
    client.post(VERIFY, {"token": totp_code(enrolled[0])})
    client.post(reverse("accounts:regenerate_recovery_codes"))
    client.post(reverse("portal:logout"))
    # Two devices: the authenticator app and the set of recovery codes.
    assert remove_second_factors(user, by="admin") == {"totp": 1, "static": 1, "webauthn": 0}
    assert TOTPDevice.objects.filter(user=user).count() == 0
    assert StaticToken.objects.filter(device__user=user).count() == 0
    assert password_step(client, "officer_changsha", world.PASSWORD)["Location"] == reverse("accounts:enrol")
    assert kinds(user)[-1] == ("SECOND_FACTOR_RESET", True)


def test_changing_a_certificates_status_asks_to_confirm_after_a_while(client, world, settings):
    settings.CERTHUB_REAUTH_MAX_AGE = 600
    certificate = world.certificates["active"]
    url = reverse("registry:office_certificate_status", args=[certificate.pk])
    now = time.time()
    with time_machine.travel(now, tick=False):
        sign_in_with_pages(client, "cb_hunan", world.PASSWORD)
        assert client.get(url).status_code == 200
    with time_machine.travel(now + 601, tick=False):
        response = client.post(url, {"to_status": "SUSPENDED", "effective_date": "2025-10-08", "reason": "x"})
        assert response["Location"] == f"{reverse('accounts:reauth')}?next={url.replace('/', '%2F')}"
    certificate.refresh_from_db()
    assert certificate.status == "ACTIVE"


def test_the_account_page_in_chinese_and_english(client, world, enrolled):
    sign_in_with_pages(client, "officer_changsha", world.PASSWORD)
    page = client.get(reverse("accounts:security"))
    assert element_text(page, "main").startswith("账号安全 第二重验证 认证器应用")
    english = client.get(reverse("accounts:security"), HTTP_ACCEPT_LANGUAGE="en")
    assert element_text(english, "main").startswith("Account security Second factor Authenticator app")
    client.post(reverse("portal:logout"))
    login = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")
    assert "Forgot your password?" in page_text(login)


def test_adding_another_second_factor_needs_a_recent_confirmation(client, world, enrolled, settings):
    settings.CERTHUB_REAUTH_MAX_AGE = 300
    now = time.time()
    with time_machine.travel(now, tick=False):
        sign_in_with_pages(client, "officer_changsha", world.PASSWORD)
        assert client.get(reverse("accounts:enrol_totp")).status_code == 200
    with time_machine.travel(now + 301, tick=False):
        app = client.get(reverse("accounts:enrol_totp"))
        assert app["Location"] == f"{reverse('accounts:reauth')}?next=%2Faccount%2Fenrol%2Fapp%2F"
        passkey = client.post("/account/passkeys/registration/begin/", content_type="application/json")
    assert (passkey.status_code, passkey.json()) == (
        403,
        {"detail": "请先确认身份，再添加通行密钥。", "code": "confirm_first"},
    )
    assert TOTPDevice.objects.filter(user=world.users["officer_changsha"]).count() == 2  # one half-done
