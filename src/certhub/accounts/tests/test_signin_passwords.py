"""Passwords (C14; issue 14, finding 4): Argon2 hashes, at least 12 characters, not in the common-password
list, not like the user name, not all digits; changing one's own and resetting it by e-mail. Each bad
password is refused on every page that sets one, with the message and nothing changed."""

from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from certhub.accounts.models import SignInEvent
from certhub.core.testing import element_text, signed_in

pytestmark = pytest.mark.django_db

BAD_PASSWORDS = [
    ("q1w2e3r4t5y6", "这个密码太常见了。"),  # in Django's list of 20,000 common passwords
    ("officer_changsha", "密码跟 用户名 太相似了。"),  # the user name itself
    ("short-pass", "密码太短，至少需要12个字符。"),
    ("739182640513", "密码只包含数字。"),
]


@pytest.mark.parametrize(("password", "message"), BAD_PASSWORDS)
def test_changing_to_a_bad_password_is_refused(client, world, password, message):
    user = world.users["officer_changsha"]
    before = get_user_model().objects.get(pk=user.pk).password
    signed_in(client, world, "officer_changsha")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": world.PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert element_text(response, "id_new_password2_errors") == message
    assert get_user_model().objects.get(pk=user.pk).password == before
    assert not SignInEvent.objects.filter(kind="PASSWORD_CHANGED").exists()


def test_changing_ones_password_hashes_it_with_argon2(client, world, settings):
    signed_in(client, world, "officer_changsha")
    # Production's hashers (the test run otherwise uses a fast MD5 hasher for its users); the old password
    # still checks (MD5 kept last, as PBKDF2 is kept in production for hashes written before Argon2).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    new = "Lake-Dongting-2026-autumn"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": world.PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:security")
    user = get_user_model().objects.get(username="officer_changsha")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(new)
    assert client.get(reverse("portal:office_home")).status_code == 200  # still signed in
    assert SignInEvent.objects.filter(kind="PASSWORD_CHANGED", user=user).count() == 1


def test_the_wrong_old_password_changes_nothing(client, world):
    signed_in(client, world, "officer_changsha")
    before = get_user_model().objects.get(username="officer_changsha").password
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": "Lake-Dongting-2026", "new_password2": "Lake-Dongting-2026"},
    )
    assert element_text(response, "id_old_password_errors") == "你的旧密码不正确。请重新输入。"
    assert get_user_model().objects.get(username="officer_changsha").password == before


def reset_link(client, email: str) -> str:
    response = client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)
    assert element_text(response, "reset-sent").startswith("如果该邮箱登记过账号")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "CertHub：重置密码"
    link = re.search(r"http://localhost:8000(/account/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    return link.group(1)


@pytest.fixture
def with_email(world):
    user = world.users["officer_changsha"]
    user.email = "changsha@example.gov.cn"
    user.save()
    return user


def test_a_password_is_reset_by_e_mail(client, world, with_email):
    link = reset_link(client, "changsha@example.gov.cn")
    assert mail.outbox[0].to == ["changsha@example.gov.cn"]
    form = client.get(link, follow=True)
    new = "Lake-Dongting-2026-winter"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("accounts:password_reset_complete")
    assert get_user_model().objects.get(pk=with_email.pk).check_password(new)
    assert [e.kind for e in SignInEvent.objects.order_by("id")] == ["PASSWORD_RESET_REQUESTED", "PASSWORD_RESET"]
    # The link works once.
    again = client.get(link, follow=True)
    assert "重置链接无效或已使用过，请重新申请。" in again.content.decode()


@pytest.mark.parametrize(("password", "message"), BAD_PASSWORDS)
def test_a_reset_to_a_bad_password_is_refused(client, world, with_email, password, message):
    link = reset_link(client, "changsha@example.gov.cn")
    form = client.get(link, follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert element_text(response, "id_new_password2_errors") == message
    assert get_user_model().objects.get(pk=with_email.pk).check_password(world.PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert element_text(response, "reset-sent").startswith("如果该邮箱登记过账号")
    assert mail.outbox == []


def test_the_reset_link_ignores_the_host_header(client, world, with_email):
    client.post(reverse("accounts:password_reset"), {"email": "changsha@example.gov.cn"}, HTTP_HOST="evil.example")
    assert "evil.example" not in mail.outbox[0].body
    assert "http://localhost:8000/account/password/reset/" in mail.outbox[0].body


def test_a_reset_link_expires_after_an_hour(client, world, with_email):
    now = time.time()
    with time_machine.travel(now, tick=False):
        link = reset_link(client, "changsha@example.gov.cn")
    with time_machine.travel(now + 3601, tick=False):
        expired = client.get(link, follow=True)
    assert "重置链接无效或已使用过，请重新申请。" in expired.content.decode()
    assert get_user_model().objects.get(pk=with_email.pk).check_password(world.PASSWORD)
