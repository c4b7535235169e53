"""Signing in to the back office and where each role lands (C14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certhub.core.testing import authenticator_of, element_text, page_text, signed_in, totp_code

pytestmark = pytest.mark.django_db


def test_login_page_signs_an_officer_in_to_the_office(client, world):
    device = authenticator_of(world.users["officer_changsha"])  # enrolled before (test_signin: enrolment)
    response = client.post(reverse("portal:login"), {"username": "officer_changsha", "password": world.PASSWORD})
    assert response.status_code == 302
    # Officers give the code of their authenticator app next (C14), then land in the office.
    assert response["Location"] == reverse("accounts:verify")
    response = client.post(response["Location"], {"token": totp_code(device)})
    assert response["Location"] == reverse("portal:office_home")
    office = client.get(reverse("portal:office_home"))
    assert "辖区：长沙市（430100）。列表只包含辖区内的记录。" in page_text(office)
    assert [
        link
        for link in ("机构", "认证机构", "检验检测机构", "人员", "证书", "检验检测报告")
        if f">{link}</a></h2>" in office.content.decode()
    ] == ["机构", "认证机构", "检验检测机构", "人员", "证书", "检验检测报告"]


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post(reverse("portal:login"), {"username": "officer_changsha", "password": "wrong-password"})
    assert response.status_code == 200
    assert element_text(response, "sign-in-errors") == "用户名或密码不正确。"


def test_office_nav_shows_for_officers_and_bodies_only(client, world):
    assert "监管后台" not in page_text(client.get("/"))
    assert "监管后台" in page_text(signed_in(client, world, "officer_hengyang").get("/"))
    client.logout()
    body_page = signed_in(client, world, "cb_hunan").get("/")
    assert "本机构证书" in page_text(body_page)
    assert "监管后台" not in page_text(body_page)


def test_enterprise_and_lab_users_land_on_their_own_records(client, world):
    signed_in(client, world, "maker")
    response = client.get(reverse("portal:office_home"))
    assert response["Location"] == f"/certificates/?q={world.organizations['maker'].uscc}"
    client.logout()
    signed_in(client, world, "lab")
    assert client.get(reverse("portal:office_home"))["Location"] == "/labs/231812050341/"
