"""Signing in to the back office and where each role lands (C14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certhub.core.testing import page_text, signed_in

pytestmark = pytest.mark.django_db


def test_login_page_signs_an_officer_in_to_the_office(client, world):
    response = client.post(reverse("portal:login"), {"username": "officer_changsha", "password": world.PASSWORD})
    assert response.status_code == 302
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
    assert "请输入一个正确的用户名和密码。注意，两者都区分大小写。" in page_text(response)


def test_office_nav_shows_for_officers_and_bodies_only(client, world):
    assert "监管后台" not in page_text(client.get("/"))
    assert "监管后台" in page_text(signed_in(client, world, "officer_hengyang").get("/"))
    client.logout()
    body_page = signed_in(client, world, "cb_hunan").get("/")
    assert "本机构证书" in page_text(body_page)
    assert "监管后台" not in page_text(body_page)


def test_enterprise_and_lab_users_land_on_their_own_records(client, world):
    from certhub.registry.testing import World

    client.login(username="maker", password=World.PASSWORD)
    response = client.get(reverse("portal:office_home"))
    assert response["Location"] == f"/certificates/?q={world.organizations['maker'].uscc}"
    client.logout()
    client.login(username="lab", password=World.PASSWORD)
    assert client.get(reverse("portal:office_home"))["Location"] == "/labs/231812050341/"
