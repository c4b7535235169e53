"""Signing in, in a real browser on a phone (Debian's Chromium through Playwright, against a live server;
issue 14 "Done when"): an officer signs in for the first time, is made to enrol an authenticator app, signs
in with it and is signed out after the idle timeout; ten wrong passwords slow and then stop further attempts
from one address while the officer signs in from another; a passkey registered and used through Chromium's
virtual authenticator, and an assertion altered to claim another origin refused."""

from __future__ import annotations

import base64
import json
import re

import pyotp
import pytest
from django.contrib.auth import get_user_model

from certhub.accounts.models import SignInEvent
from certhub.core.models import Region
from certhub.core.testing import PHONE, assert_accessible, authenticator_of, fits_the_phone, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Fresh-officer-pass-2026"


@pytest.fixture
def fresh_officer(world):
    return get_user_model().objects.create_user(
        username="officer_fresh",
        password=PASSWORD,
        role="OFFICER",
        region=Region.objects.get(code="430100"),
        department="市场监管局",
    )


def password_step(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_an_officer_enrols_at_the_first_sign_in_signs_in_with_the_code_and_times_out(
    live_server, fresh_officer, phone, settings
):
    base, page = live_server.url, phone
    password_step(page, base, "officer_fresh", PASSWORD)
    page.wait_for_url(re.compile(r"/account/enrol/$"))
    assert_accessible(page, context="the enrolment choice")
    assert page.locator("h1").inner_text() == "绑定第二重验证"
    # Nothing else opens before enrolment.
    page.goto(base + "/office/")
    page.wait_for_url(re.compile(r"/account/enrol/\?next=%2Foffice%2F$"))

    page.get_by_role("link", name="认证器应用（推荐）").click()
    page.wait_for_url(re.compile(r"/account/enrol/app/"))
    assert_accessible(page, context="the authenticator enrolment")
    assert page.locator("figure.qr svg").count() == 1
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret
    assert fits_the_phone(page)
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="完成绑定").click()
    page.wait_for_url(re.compile(r"/account/recovery-codes/"))
    assert_accessible(page, context="the recovery codes")
    assert page.locator("#recovery-codes li").count() == 10
    assert fits_the_phone(page)
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(re.compile(r"/office/$"))

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(base + "/")
    password_step(page, base, "officer_fresh", PASSWORD)
    page.wait_for_url(re.compile(r"/account/verify/$"))
    assert_accessible(page, context="the second step with a code")
    page.get_by_label("验证码").fill(totp_code(authenticator_of(fresh_officer)))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(re.compile(r"/office/$"))
    assert_accessible(page, context="the office home of a new officer")

    settings.CERTHUB_SESSION_IDLE_TIMEOUT = 2
    page.wait_for_timeout(3_000)
    page.reload()
    page.wait_for_url(re.compile(r"/login/\?signed_out=idle&next=%2Foffice%2F$"))
    assert_accessible(page, context="the sign-in page after an idle sign-out")
    assert page.locator("#signed-out").inner_text() == "你已长时间未操作，为保护账号安全已自动退出，请重新登录。"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, context="the sign-in page in English")
    assert fits_the_phone(page)
    assert page.console_errors == []
    assert [e.kind for e in SignInEvent.objects.filter(user=fresh_officer).order_by("id")] == [
        "ENROLLED", "RECOVERY_CODES_GENERATED", "SIGNED_IN", "SIGNED_OUT",
        "SECOND_FACTOR_PASSED", "SIGNED_IN", "IDLE_TIMEOUT",
    ]  # fmt: skip


def test_ten_wrong_passwords_slow_then_stop_one_address_while_the_officer_signs_in_from_another(
    live_server, world, browser, settings
):
    # Behind a proxy that writes X-Real-IP; the two browsers come from different addresses.
    settings.CERTHUB_CLIENT_IP_HEADER = "X-Real-IP"
    settings.CERTHUB_SIGNIN_DELAY = 3
    settings.CERTHUB_SIGNIN_DELAY_MAX = 3
    officer = world.users["officer_changsha"]
    device = authenticator_of(officer)
    base = live_server.url
    attacker = browser.new_context(viewport=PHONE, locale="zh-CN", extra_http_headers={"X-Real-IP": "203.0.113.66"})
    desk = browser.new_context(viewport=PHONE, locale="zh-CN", extra_http_headers={"X-Real-IP": "198.51.100.20"})
    try:
        page = attacker.new_page()
        page.goto(base + "/login/")
        slowed = []
        for number in range(1, 11):
            page.get_by_label("用户名").fill("officer_changsha")
            page.get_by_label("密码").fill(f"wrong-guess-{number}")
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
            message = page.locator("#sign-in-errors").inner_text()
            if number < 10:
                assert message == "用户名或密码不正确。", number
            if number == 1:
                assert_accessible(page, context="the sign-in page with an error")
            if 3 <= number < 10:
                # Straight away again, with the right password: refused before it is even checked.
                page.get_by_label("用户名").fill("officer_changsha")
                page.get_by_label("密码").fill(world.PASSWORD)
                page.get_by_role("button", name="登录").click()
                page.wait_for_load_state()
                slowed.append(page.locator("#sign-in-errors").inner_text())
                page.wait_for_timeout(3_100)
        # The wait left is counted from the wrong password to the retry, in whole seconds rounded up: 3 when the
        # browser answers at once, less when the machine is slow between the two requests — never more, never none.
        waits = [re.fullmatch(r"尝试次数过多，请在(\d+)秒后再试。", text) for text in slowed]
        assert len(slowed) == 7 and all(wait is not None and 1 <= int(wait[1]) <= 3 for wait in waits), slowed
        assert message == "登录失败次数过多，此地址已被暂时锁定。请在1分钟后再试，或换用其他网络登录。"
        page.get_by_label("用户名").fill("officer_changsha")
        page.get_by_label("密码").fill(world.PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        assert page.locator("#sign-in-errors").inner_text() == message  # the right password too
        assert_accessible(page, context="the sign-in page of a locked address")
        assert "/login/" in page.url

        other = desk.new_page()
        other.goto(base + "/login/")
        other.get_by_label("用户名").fill("officer_changsha")
        other.get_by_label("密码").fill(world.PASSWORD)
        other.get_by_role("button", name="登录").click()
        other.wait_for_url(re.compile(r"/account/verify/$"))
        other.get_by_label("验证码").fill(totp_code(device))
        other.get_by_role("button", name="验证").click()
        other.wait_for_url(re.compile(r"/office/$"))
    finally:
        attacker.close()
        desk.close()
    assert SignInEvent.objects.filter(kind="SIGNED_IN", address="198.51.100.20", user=officer).count() == 1
    assert SignInEvent.objects.filter(kind="SIGNED_IN", address="203.0.113.66").count() == 0


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_passkey_is_registered_and_signs_in_and_another_origins_assertion_is_refused(
    live_server, fresh_officer, phone, settings
):
    base, page = live_server.url, phone
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [base]
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.on("dialog", lambda dialog: dialog.dismiss())

    password_step(page, base, "officer_fresh", PASSWORD)
    page.wait_for_url(re.compile(r"/account/enrol/$"))
    page.get_by_role("link", name="通行密钥").click()
    page.wait_for_url(re.compile(r"/account/enrol/passkey/"))
    assert_accessible(page, context="the passkey enrolment")
    page.locator("#passkey-register-button").click()
    page.wait_for_url(re.compile(r"/account/recovery-codes/"))
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(re.compile(r"/office/$"))
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(base + "/")

    password_step(page, base, "officer_fresh", PASSWORD)
    page.wait_for_url(re.compile(r"/account/verify/$"))
    assert_accessible(page, context="the second step with a passkey")
    page.locator("#passkey-verification-button").click()
    page.wait_for_url(re.compile(r"/office/$"))
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(base + "/")

    # The same passkey's assertion, its client data altered to claim another site's origin.
    def other_origin(route):
        body = json.loads(route.request.post_data)
        client_data = json.loads(b64url_decode(body["response"]["clientDataJSON"]))
        client_data["origin"] = "https://certhub.evil.example"
        body["response"]["clientDataJSON"] = b64url_encode(json.dumps(client_data).encode())
        route.continue_(post_data=json.dumps(body))

    page.route("**/account/passkeys/authentication/complete/", other_origin)
    password_step(page, base, "officer_fresh", PASSWORD)
    page.wait_for_url(re.compile(r"/account/verify/$"))
    with page.expect_response("**/account/passkeys/authentication/complete/") as answer:
        page.locator("#passkey-verification-button").click()
    refusal = answer.value
    assert (refusal.status, refusal.json()) == (
        422,
        {"detail": "通行密钥验证未通过。请重试，或改用验证码或恢复码。", "code": "invalid_authentication_response"},
    )
    status = page.locator("#passkey-verification-status-message")
    status.filter(has_text="通行密钥验证未通过").wait_for()
    assert_accessible(page, context="the second step after a refused passkey")
    assert status.inner_text() == "通行密钥验证未通过。请重试，或改用验证码或恢复码。"
    page.goto(base + "/office/")
    page.wait_for_url(re.compile(r"/account/verify/\?next=%2Foffice%2F$"))  # not through
    failed = SignInEvent.objects.filter(user=fresh_officer, kind="SECOND_FACTOR_FAILED")
    assert list(failed.values_list("detail", flat=True)) == ["passkey"]
    # The refused request is the only console error (Chromium logs the 422).
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
