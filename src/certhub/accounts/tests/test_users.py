"""User administration (C14, issue 14 "What to build" 2): administrators and officers create users, change
their role, region and department, deactivate them and reset their second factors through the user pages —
each an action with its audit row and ledger entry; officers only inside their region and only with the
roles they may grant; a user outside the actor's scope answers 404 like a missing one. The Django admin is
read-only (finding 7)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.utils.http import urlsafe_base64_decode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from certhub.accounts.users.actions import do_change_user, do_create_user
from certhub.core.errors import NotPermitted
from certhub.core.models import AuditEvent, User
from certhub.core.testing import element_text, page_text, signed_in, table_rows
from certhub.ledger.models import Entry

pytestmark = pytest.mark.django_db

NEW_OFFICER = {
    "username": "officer_tianxin",
    "name": "周敏",
    "email": "zhoumin@amr.changsha.example",
    "role": "OFFICER",
    "region": "430103",
    "department": "天心区市场监督管理局",
    "organization": "",
}


ACTION_ARGS = {**NEW_OFFICER, "organization": None}


def state():
    return (
        sorted(User.objects.values_list("username", "role", "region_id", "department", "is_active")),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def test_an_administrator_creates_an_officer_who_sets_their_own_password(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    admin_client = signed_in(client, world, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/account/users/new/", NEW_OFFICER)
    user = User.objects.get(username="officer_tianxin")
    assert response.status_code == 302 and response["Location"] == f"/account/users/{user.pk}/"
    assert (user.first_name, user.email, user.role, user.region_id, user.department, user.is_active) == (
        "周敏",
        "zhoumin@amr.changsha.example",
        "OFFICER",
        "430103",
        "天心区市场监督管理局",
        True,
    )
    assert not user.has_usable_password()  # nobody typed a password for them
    event = AuditEvent.objects.get(event_type="USER_CREATED")
    assert (event.actor_label, event.subject_type, event.subject_id, event.before) == (
        "admin",
        "core.user",
        str(user.pk),
        None,
    )
    # The audit row keeps neither the e-mail address nor the name; the ledger only salted digests.
    assert event.after == {
        "username": "officer_tianxin",
        "role": "OFFICER",
        "region_id": "430103",
        "department": "天心区市场监督管理局",
        "organization_id": None,
        "is_active": True,
    }
    published = json.loads(Entry.objects.get(audit=event).entry)
    assert sorted(published) == [
        "action", "actor_role", "after_digest", "before_digest", "sequence", "subject_id", "subject_type", "time"
    ]  # fmt: skip
    assert (published["action"], published["subject_type"], published["subject_id"]) == (
        "USER_CREATED",
        "core.user",
        str(user.pk),
    )
    for private in ("zhoumin", "周敏", "officer_tianxin", "天心区"):
        assert private not in Entry.objects.get(audit=event).entry

    # The one-time link, by e-mail.
    assert [m.to for m in mailoutbox] == [["zhoumin@amr.changsha.example"]]
    assert mailoutbox[0].subject == "认证通账号已开通"
    link = re.search(r"http://localhost:8000(/account/users/set-password/([^/\s]+)/([^/\s]+)/)", mailoutbox[0].body)
    # The link names this user and carries a valid one-time token for them.
    assert urlsafe_base64_decode(link.group(2)).decode() == str(user.pk)
    assert default_token_generator.check_token(user, link.group(3)) is True
    admin_client.logout()
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and "新密码" in page_text(form_page)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Xiang-jiang 2026 river", "new_password2": "Xiang-jiang 2026 river"})
    assert done.status_code == 302 and done["Location"] == "/login/"
    user.refresh_from_db()
    assert user.check_password("Xiang-jiang 2026 river")
    # Used once: the same link no longer works.
    again = client.get(link.group(1), follow=True)
    assert element_text(again, "link-invalid") == "该链接无效或已使用过。请联系管理人员重新发送。"


def test_bad_input_is_refused_next_to_its_field_and_nothing_is_created(client, world, mailoutbox):
    admin_client = signed_in(client, world, "admin")
    before = state()
    response = admin_client.post(
        "/account/users/new/", {**NEW_OFFICER, "username": "officer_changsha", "region": "", "email": "x"}
    )
    assert response.status_code == 422
    assert {e.attrs["id"]: e.text for e in _errors(response)} == {"id_email_errors": "输入一个有效的 Email 地址。"}
    # With a well-formed address the action's rules speak: a taken username, an officer without a region.
    response = admin_client.post("/account/users/new/", {**NEW_OFFICER, "username": "Officer_Changsha", "region": ""})
    assert response.status_code == 422
    assert {e.attrs["id"]: e.text for e in _errors(response)} == {
        "id_username_errors": "用户名“Officer_Changsha”已被使用",
        "id_region_errors": "监管人员和执法检查人员必须指定辖区",
    }
    assert state() == before and mailoutbox == []


def _errors(response):
    from certhub.core.testing import parse_html

    return [e for e in parse_html(response.content.decode()).iter("ul") if "field-errors" in e.classes]


def test_an_officer_administers_only_their_region_and_grants_no_administrator(client, world):
    changsha = signed_in(client, world, "officer_changsha")
    changsha_actor = world.actor("officer_changsha")
    before = state()
    # An administrator is not among the roles offered, and a forged request is refused (403), nothing written.
    form = changsha.get("/account/users/new/").content.decode()
    assert 'value="ADMINISTRATOR"' not in form and 'value="INSPECTOR"' in form
    refused = changsha.post("/account/users/new/", {**NEW_OFFICER, "role": "ADMINISTRATOR", "region": ""})
    assert refused.status_code == 422
    assert element_text(refused, "id_role_errors") == "选择一个有效的选项。 ADMINISTRATOR 不在可用的选项中。"
    with pytest.raises(NotPermitted) as refusal:
        do_create_user(**{**ACTION_ARGS, "role": "ADMINISTRATOR"}, actor=changsha_actor)
    assert refusal.value.message == "officer_changsha 不能授予“系统管理员”角色"
    with pytest.raises(NotPermitted) as refusal:
        do_create_user(**{**ACTION_ARGS, "region": "430400"}, actor=changsha_actor)
    assert refusal.value.message == "officer_changsha 无权执行“管理用户”"
    # An organization's user belongs where the organization is: 岳阳's body is not 长沙's to staff, whatever
    # region the form names.
    yueyang = world.organizations["cb_yueyang"]
    with pytest.raises(NotPermitted) as refusal:
        do_create_user(
            **{**ACTION_ARGS, "role": "CERTIFICATION_BODY", "region": "430100", "organization": yueyang},
            actor=changsha_actor,
        )
    assert refusal.value.message == "officer_changsha 无权执行“管理用户”"
    # Nor beyond their region: 衡阳 (430400) is not 长沙's (430100).
    refused = changsha.post("/account/users/new/", {**NEW_OFFICER, "region": "430400"})
    assert refused.status_code == 422  # the region is not among the choices offered
    assert state() == before
    # Inside it: yes.
    assert changsha.post("/account/users/new/", NEW_OFFICER).status_code == 302
    assert User.objects.get(username="officer_tianxin").region_id == "430103"

    # The list holds the region's users and those of its organizations, never administrators or others.
    listed = [row[0] for row in table_rows(changsha.get("/account/users/"))]
    assert listed == ["cb_hunan", "lab", "maker", "officer_changsha", "officer_tianxin"]
    assert [row[0] for row in table_rows(changsha.get("/account/users/", {"role": "ENTERPRISE"}))] == ["maker"]
    assert [row[0] for row in table_rows(changsha.get("/account/users/", {"q": "tianxin"}))] == ["officer_tianxin"]


@pytest.mark.parametrize(
    "path", ["/account/users/{pk}/", "/account/users/{pk}/change/", "/account/users/{pk}/deactivate/"]
)
def test_a_user_outside_the_officers_region_answers_as_a_missing_one(client, world, path):
    changsha = signed_in(client, world, "officer_changsha")
    before = state()
    hengyang = world.users["officer_hengyang"].pk
    send = changsha.get if path.endswith("/{pk}/") else changsha.post
    other = send(path.format(pk=hengyang), {"reason": "x", "role": "OFFICER", "region": "430100"})
    missing = send(path.format(pk=999999), {"reason": "x", "role": "OFFICER", "region": "430100"})
    assert other.status_code == missing.status_code == 404
    assert page_text(other) == page_text(missing)
    # An administrator is outside every officer's scope too.
    assert changsha.get(f"/account/users/{world.users['admin'].pk}/").status_code == 404
    assert state() == before


def test_changing_a_role_and_region_is_audited_and_nobody_changes_themselves(client, world):
    admin_client = signed_in(client, world, "admin")
    officer = world.users["officer_changsha"]
    response = admin_client.post(
        f"/account/users/{officer.pk}/change/",
        {"role": "OFFICER", "region": "430104", "department": "岳麓区市场监督管理局", "organization": ""},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.region_id, officer.department) == ("430104", "岳麓区市场监督管理局")
    event = AuditEvent.objects.get(event_type="USER_CHANGED")
    assert (event.before["region_id"], event.after["region_id"]) == ("430100", "430104")
    assert (event.before["department"], event.after["department"]) == ("市场监管局", "岳麓区市场监督管理局")

    # An officer cannot widen their own region, nor another's beyond theirs.
    before = state()
    changsha = signed_in(client, world, "officer_province")
    own = changsha.post(
        f"/account/users/{world.users['officer_province'].pk}/change/",
        {"role": "OFFICER", "region": "430000", "department": "x", "organization": ""},
    )
    assert own.status_code == 403
    assert "不能在这里更改自己的账号，请由其他管理人员办理" in own.content.decode()
    assert state() == before
    # 衡阳's officer moves 长沙's officer to the province: neither is theirs to give.
    with pytest.raises(NotPermitted) as refusal:
        do_change_user(
            user=world.users["officer_changsha"],
            role="OFFICER",
            region="430000",
            department="x",
            organization=None,
            actor=world.actor("officer_hengyang"),
        )
    assert refusal.value.message == "officer_hengyang 无权执行“管理用户”"
    assert state() == before


def password_accepted(username: str, password: str) -> bool:
    """Whether the sign-in page takes the password (a fresh browser, as the person would use)."""
    probe = Client()
    probe.post("/login/", {"username": username, "password": password})
    return "_auth_user_id" in probe.session


def test_deactivating_needs_a_reason_stops_sign_in_and_reactivating_restores_it(client, world):
    admin_client = signed_in(client, world, "admin")
    maker = world.users["maker"]
    before = state()
    refused = admin_client.post(f"/account/users/{maker.pk}/deactivate/", {"reason": ""})
    assert refused.status_code == 422 and state() == before
    assert admin_client.post(f"/account/users/{maker.pk}/deactivate/", {"reason": "离职"}).status_code == 302
    maker.refresh_from_db()
    assert maker.is_active is False
    event = AuditEvent.objects.get(event_type="USER_DEACTIVATED")
    assert (event.reason, event.before["is_active"], event.after["is_active"]) == ("离职", True, False)
    assert not password_accepted("maker", world.PASSWORD)
    signed_in(client, world, "admin")
    assert client.post(f"/account/users/{maker.pk}/reactivate/", {"reason": "返岗"}).status_code == 302
    assert AuditEvent.objects.get(event_type="USER_REACTIVATED").reason == "返岗"
    assert password_accepted("maker", world.PASSWORD)
    # Nobody deactivates themselves.
    admin_client = signed_in(client, world, "admin")
    own = admin_client.post(f"/account/users/{world.users['admin'].pk}/deactivate/", {"reason": "x"})
    assert own.status_code == 403 and User.objects.get(username="admin").is_active


def test_resetting_second_factors_deletes_every_device_and_is_audited(client, world):
    officer = world.users["officer_changsha"]
    TOTPDevice.objects.create(user=officer, name="手机")
    StaticDevice.objects.create(user=officer, name="恢复码").token_set.create(token="abcd1234")
    WebAuthnCredential.objects.create(
        user=officer, name="通行密钥", credential_id=b"\x01\x02", public_key=b"\x03", aaguid="0" * 32
    )
    province = signed_in(client, world, "officer_province")
    response = province.post(f"/account/users/{officer.pk}/second-factors/reset/", {"reason": "手机遗失"})
    assert response.status_code == 302
    assert [m.objects.filter(user=officer).count() for m in (TOTPDevice, StaticDevice, WebAuthnCredential)] == [0, 0, 0]
    event = AuditEvent.objects.get(event_type="USER_SECOND_FACTORS_RESET")
    assert (event.actor_label, event.before, event.after, event.reason) == (
        "officer_province",
        {"totp": 1, "static": 1, "webauthn": 1},
        None,
        "手机遗失",
    )
    # Again: nothing left to reset, said plainly, nothing written.
    before = state()
    again = province.post(f"/account/users/{officer.pk}/second-factors/reset/", {"reason": "手机遗失"})
    assert again.status_code == 422 and "该用户没有已绑定的第二因素" in page_text(again)
    assert state() == before


def test_the_public_and_organizations_have_no_user_pages(client, world):
    response = client.get("/account/users/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    for username in ("cb_hunan", "maker", "lab"):
        page = signed_in(client, world, username).get("/account/users/")
        assert page.status_code == 403 and "用户管理仅对系统管理员和监管人员开放。" in page.content.decode()


# ------------------------------------------------------------------ the Django admin (finding 7)


def test_the_admin_changes_nothing_when_an_administrator_posts_a_change(client, world):
    """Finding 7: a region widened in the admin let an officer read another region, without audit."""
    officer = world.users["officer_changsha"]
    admin_client = signed_in(client, world, "admin")
    before = state()
    page = admin_client.get(f"/admin/core/user/{officer.pk}/change/")
    assert page.status_code == 200  # shown, read-only
    assert "pbkdf2" not in page.content.decode() and "md5" not in page.content.decode()
    response = admin_client.post(
        f"/admin/core/user/{officer.pk}/change/",
        {"username": "officer_changsha", "role": "ADMINISTRATOR", "region": "430000", "is_active": "on"},
    )
    assert response.status_code == 403
    officer.refresh_from_db()
    assert (officer.role, officer.region_id, officer.is_superuser) == ("OFFICER", "430100", False)
    assert admin_client.post("/admin/core/user/add/", {"username": "x"}).status_code == 403
    assert admin_client.post(f"/admin/core/user/{officer.pk}/delete/", {"post": "yes"}).status_code == 403
    assert state() == before


def test_every_admin_is_read_only_and_second_factor_secrets_are_not_there(world):
    request = RequestFactory().get("/admin/")
    request.user = world.users["admin"]
    registered = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    for label, model_admin in registered.items():
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
    for hidden in (
        "otp_totp.TOTPDevice",
        "otp_static.StaticDevice",
        "django_otp_webauthn.WebAuthnCredential",
        "auth.Group",
    ):
        assert hidden not in registered
    assert "core.User" in registered


def test_the_user_pages_speak_english_when_asked(client, world):
    admin_client = signed_in(client, world, "admin")
    client.cookies["django_language"] = "en"
    page = admin_client.get("/account/users/")
    assert "User administration" in page_text(page) and "New user" in page_text(page)
    form = admin_client.get("/account/users/new/")
    assert "The one-time link to set a password is sent here" in page_text(form)


def test_an_inspector_account_is_linked_to_its_pool_entry_later(client, world):
    from certhub.core.actors import SYSTEM
    from certhub.inspections.actions import do_create_inspector

    entry = do_create_inspector(
        code="XZ4301030001", name="检查员甲", department="市场监管", region="430103",
        qualifications=["ENTERPRISE"], actor=SYSTEM,
    )  # fmt: skip
    changsha = signed_in(client, world, "officer_changsha")
    assert changsha.post("/account/users/new/", {**NEW_OFFICER, "role": "INSPECTOR"}).status_code == 302
    user = User.objects.get(username="officer_tianxin")
    page = changsha.get(f"/account/users/{user.pk}/")
    assert "XZ4301030001 检查员甲" in page_text(page)
    done = changsha.post(f"/account/users/{user.pk}/inspector/", {"inspector": entry.pk}, follow=True)
    assert "用户officer_tianxin已关联名录库中的检查人员。" in page_text(done)
    entry.refresh_from_db()
    assert entry.user_id == user.pk
    assert AuditEvent.objects.filter(event_type="INSPECTOR_LINKED", subject_id=str(entry.pk)).count() == 1
    # 衡阳's officer neither sees the account nor links it.
    hengyang = signed_in(client, world, "officer_hengyang")
    assert hengyang.post(f"/account/users/{user.pk}/inspector/", {"inspector": entry.pk}).status_code == 404


@pytest.mark.parametrize(
    "path, data",
    [
        ("deactivate/", {"reason": "离职"}),
        ("second-factors/reset/", {"reason": "手机遗失"}),
    ],
)
def test_dangerous_user_actions_ask_for_re_authentication_first(client, world, path, data):
    """Eleven minutes after signing in (past CERTHUB_REAUTH_MAX_AGE, within the idle timeout), deactivating a
    user or resetting their second factors sends the administrator to confirm who they are; nothing changes."""
    import time_machine

    officer = world.users["officer_changsha"]
    TOTPDevice.objects.create(user=officer, name="手机")
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False) as traveller:
        admin_client = signed_in(client, world, "admin")
        assert admin_client.get("/account/users/").status_code == 200  # the sign-in completes (and confirms) here
        traveller.shift(11 * 60)
        before = state()
        response = admin_client.post(f"/account/users/{officer.pk}/{path}", data)
        assert response.status_code == 302
        target = f"/account/users/{officer.pk}/{path}".replace("/", "%2F")
        assert response["Location"] == f"/account/confirm/?next={target}"
        assert state() == before
        officer.refresh_from_db()
        assert (officer.is_active, TOTPDevice.objects.filter(user=officer).count()) == (True, 1)
