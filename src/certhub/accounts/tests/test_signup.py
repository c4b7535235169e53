"""Enterprise sign-up and organization links (C8, the applicant's side): a person signs up,
confirms their e-mail address, and the account acts for an organization only once the link is confirmed —
by a one-time code sent to the contact e-mail registered for the credit code, or by an officer of the
organization's region. Every change is an action whose audit row and ledger entry hold no personal data;
every refusal names its field and reason and changes nothing."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from certhub.accounts.models import LinkMethod, LinkState, OrganizationLinkRequest, SignUp
from certhub.accounts.signup import actions
from certhub.accounts.testing import do_register_contact_email
from certhub.core.actors import SYSTEM, Actor
from certhub.core.errors import NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent, User
from certhub.core.reauth import CONFIRMED_AT
from certhub.core.testing import element, element_text, page_text, sign_in_client, signed_in
from certhub.ledger.models import Entry
from certhub.registry import actions as registry_actions
from certhub.registry.testing import make_uscc

pytestmark = pytest.mark.django_db

PASSWORD = "Xiangjiang-lab 2026 spring"
CONTACT = "zhang.li@yuelu-testing.example"
PERSON = {
    "username": "liu_fang",
    "name": "刘芳",
    "email": "liufang@mail.example",
    "password": PASSWORD,
    "accepted_terms": "on",
}


@pytest.fixture
def lab_org(world):
    """A lab's organization in Changsha (430104) with a registered contact e-mail and no account."""
    organization = registry_actions.do_create_organization(
        data={"uscc": make_uscc(90, "430104"), "name": "长沙岳麓检测技术有限公司", "region": "430104"}, actor=SYSTEM
    )
    return do_register_contact_email(organization=organization, email=CONTACT, actor=SYSTEM)


def state():
    """What a refusal must leave alone: accounts, sign-ups, link requests, the audit log and the ledger."""
    return (
        sorted(User.objects.values_list("username", "email", "role", "organization_id")),
        sorted(SignUp.objects.values_list("user_id", "email_confirmed_at")),
        sorted(OrganizationLinkRequest.objects.values_list("pk", "state", "attempts", "user_id", "organization_id")),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    )


def field_errors(response, field: str) -> str:
    return element_text(response, f"id_{field}_errors")


def sign_up(client, capture, **changes):
    with capture(execute=True):
        return client.post("/account/signup/", {**PERSON, **changes})


def confirmation_path(message) -> str:
    found = re.search(r"http://localhost:8000(/account/signup/confirm/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def confirmed(client, world, mailoutbox, django_capture_on_commit_callbacks):
    """A person signed up, confirmed their address and signed in: their client."""
    sign_up(client, django_capture_on_commit_callbacks)
    client.post(confirmation_path(mailoutbox[-1]))
    mailoutbox.clear()
    return sign_in_client(client, User.objects.get(username="liu_fang"))


def request_code(client, capture, uscc, method="CODE", note=""):
    with capture(execute=True):
        return client.post("/account/organization/request/", {"uscc": uscc, "method": method, "note": note})


def sent_code(message) -> str:
    found = re.search(r"验证码：(\d{6})", message.body)
    assert found, message.body
    return found.group(1)


# ------------------------------------------------------------------ sign-up and e-mail confirmation


def test_a_person_signs_up_confirms_the_address_and_lands_on_the_link_page(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    page = client.get("/account/signup/")
    assert page.status_code == 200 and "企业注册" in page_text(page)
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert (response.status_code, response["Location"]) == (302, "/account/signup/sent/")
    user = User.objects.get(username="liu_fang")
    assert (user.first_name, user.email, user.role, user.organization_id, user.region_id) == (
        "刘芳", "liufang@mail.example", "ENTERPRISE", None, None,
    )  # fmt: skip
    assert user.check_password(PASSWORD)
    sign_up_row = SignUp.objects.get(user=user)
    assert (sign_up_row.terms_version, sign_up_row.email_confirmed_at) == (actions.TERMS_VERSION, None)
    assert [(m.to, m.subject) for m in mailoutbox] == [(["liufang@mail.example"], "认证通：请确认你的电子邮箱")]
    path = confirmation_path(mailoutbox[0])
    # Opening the link changes nothing (a mail scanner may open it); the button confirms.
    assert client.get(path).status_code == 200
    assert SignUp.objects.get(user=user).email_confirmed_at is None
    confirmed_at = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=5)
    with time_machine.travel(confirmed_at, tick=False):
        confirmed_response = client.post(path, follow=True)
    assert confirmed_response.redirect_chain == [("/login/", 302)]
    assert "电子邮箱已确认。请登录，然后关联你所在的机构。" in page_text(confirmed_response)
    assert SignUp.objects.get(user=user).email_confirmed_at == confirmed_at
    # Used again: nothing more happens.
    again = client.post(path, follow=True)
    assert "电子邮箱已确认，请直接登录。" in page_text(again)
    events = list(AuditEvent.objects.filter(subject_type="core.user", subject_id=str(user.pk)).order_by("id"))
    assert [(e.event_type, e.actor_id, e.before, e.after) for e in events] == [
        ("ACCOUNT_SIGNED_UP", user.pk, None,
         {"role": "ENTERPRISE", "organization": None, "is_active": True, "email_confirmed": False}),
        ("ACCOUNT_EMAIL_CONFIRMED", user.pk,
         {"role": "ENTERPRISE", "organization": None, "is_active": True, "email_confirmed": False},
         {"role": "ENTERPRISE", "organization": None, "is_active": True, "email_confirmed": True}),
    ]  # fmt: skip
    # Signing in lands on the link page: the account acts for nobody yet.
    landed = Client().post("/login/", {"username": "liu_fang", "password": PASSWORD}, follow=True)
    assert landed.redirect_chain[-1] == ("/account/organization/", 302)
    assert element_text(landed, "link-state") == "本账号尚未关联机构，暂不能代表任何机构办理业务。"


def test_an_address_that_has_an_account_gets_the_same_answer_and_creates_nothing(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    """No account enumeration (C14): the page says the same; only the address's owner hears of it."""
    sign_up(client, django_capture_on_commit_callbacks)
    client.post(confirmation_path(mailoutbox[0]))
    mailoutbox.clear()
    before = state()
    second = sign_up(
        Client(), django_capture_on_commit_callbacks, username="someone_else", email="LiuFang@mail.example"
    )
    first_answer = sign_up(
        Client(), django_capture_on_commit_callbacks, username="new_person", email="new@mail.example"
    )
    assert (second.status_code, second["Location"]) == (first_answer.status_code, first_answer["Location"])
    assert second["Location"] == "/account/signup/sent/"
    after_second = state()
    assert after_second[0] == sorted([*before[0], ("new_person", "new@mail.example", "ENTERPRISE", None)])
    assert not User.objects.filter(username="someone_else").exists()
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["liufang@mail.example"], "认证通：有人用你的邮箱注册"),  # the address as registered
        (["new@mail.example"], "认证通：请确认你的电子邮箱"),
    ]
    assert "http://localhost:8000/account/password/reset/" in mailoutbox[0].body


def test_signing_up_again_before_confirming_sends_the_confirmation_again(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    before = state()
    sign_up(Client(), django_capture_on_commit_callbacks, username="liu_fang2")
    assert state() == before
    assert [m.subject for m in mailoutbox] == ["认证通：请确认你的电子邮箱", "认证通：请确认你的电子邮箱"]
    assert confirmation_path(mailoutbox[1]).startswith("/account/signup/confirm/")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "li"}, "username", "用户名为3到30个字母、数字或 . _ -，以字母或数字开头"),
        ({"username": "liu@mail.example"}, "username", "用户名为3到30个字母、数字或 . _ -，以字母或数字开头"),
        ({"username": "MAKER"}, "username", "用户名“MAKER”已被使用"),
        ({"email": "not-an-address"}, "email", "请填写有效的电子邮件地址"),
        ({"password": "short-1"}, "password", "密码太短，至少需要12个字符。"),
        ({"password": "123456789012345"}, "password", "密码只包含数字。"),
        ({"accepted_terms": ""}, "accepted_terms", "须阅读并同意用户协议"),
    ],
    ids=["short-name", "e-mail-as-name", "name-taken", "address", "password-short", "password-numeric", "terms"],
)
def test_bad_sign_up_input_is_refused_next_to_its_field_and_nothing_is_written(
    client, world, mailoutbox, django_capture_on_commit_callbacks, changes, field, message
):
    before = state()
    response = sign_up(client, django_capture_on_commit_callbacks, **changes)
    assert response.status_code == 422
    assert message in field_errors(response, field)
    assert state() == before and mailoutbox == []


def test_sign_up_is_throttled_per_client_address_and_per_e_mail_address(
    client, world, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.CERTHUB_SIGNUP_RATE_LIMIT = 2
    settings.CERTHUB_SIGNUP_EMAIL_RATE_LIMIT = 5
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, 5, tzinfo=datetime.UTC), tick=False):
        sign_up(client, django_capture_on_commit_callbacks, username="first_one", email="a@mail.example")
        sign_up(client, django_capture_on_commit_callbacks, username="second_one", email="b@mail.example")
        before = state()
        refused = sign_up(client, django_capture_on_commit_callbacks, username="third_one", email="c@mail.example")
    assert refused.status_code == 429 and refused["Retry-After"] == "55"
    assert element_text(refused, "sign-up-errors") == "提交过于频繁，请在55秒后再试。"
    assert state() == before and len(mailoutbox) == 2
    # One address, many client addresses: its own budget.
    settings.CERTHUB_SIGNUP_RATE_LIMIT = 0
    settings.CERTHUB_SIGNUP_EMAIL_RATE_LIMIT = 1
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 1, 5, tzinfo=datetime.UTC), tick=False):
        sign_up(
            Client(REMOTE_ADDR="10.0.0.7"), django_capture_on_commit_callbacks, username="x_one", email="d@mail.example"
        )
        refused = sign_up(
            Client(REMOTE_ADDR="10.0.0.8"), django_capture_on_commit_callbacks, username="x_two", email="D@mail.example"
        )
    assert refused.status_code == 429
    assert User.objects.filter(email__iexact="d@mail.example").count() == 1


def test_the_sign_up_pages_speak_english_too(client, world):
    client.post("/i18n/setlang/", {"language": "en", "next": "/account/signup/"})
    page = client.get("/account/signup/")
    assert page_text(page).count("Enterprise sign-up") >= 1
    assert "I have read and accept the terms of use" in page_text(page)
    refused = client.post("/account/signup/", {**PERSON, "accepted_terms": ""})
    assert field_errors(refused, "accepted_terms") == "Read and accept the terms of use"


def test_the_sign_up_form_needs_its_csrf_token(world):
    csrf_client = Client(enforce_csrf_checks=True)
    before = state()
    response = csrf_client.post("/account/signup/", PERSON)
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("forged", "确认链接无效，请使用邮件中的完整链接。"),
        ("expired", "确认链接已过期，请重新注册或登录后重新发送确认邮件。"),
    ],
)
def test_a_bad_or_expired_confirmation_link_confirms_nothing(
    client, world, mailoutbox, django_capture_on_commit_callbacks, token, message
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = confirmation_path(mailoutbox[0])
    if token == "forged":
        path = path[:-3] + ("A/" if path[-2] != "A" else "B/")
        response = client.post(path)
    else:
        with time_machine.travel(timezone.now() + datetime.timedelta(days=3, seconds=5)):
            response = client.post(path)
    assert response.status_code == 422
    assert element_text(response, "confirm-problem") == message
    assert SignUp.objects.get().email_confirmed_at is None


def test_a_signed_in_person_cannot_sign_up_and_the_action_refuses_anyone_signed_in(client, world):
    maker = signed_in(client, world, "maker")
    assert maker.get("/account/signup/")["Location"] == "/office/"
    before = state()
    with pytest.raises(NotPermitted):
        actions.do_sign_up(**{**PERSON, "accepted_terms": True}, actor=world.actor("maker"))
    assert state() == before


# ------------------------------------------------------------------ linking by a code


def test_a_code_sent_to_the_registered_contact_links_the_account(
    confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks
):
    user = User.objects.get(username="liu_fang")
    response = request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc.lower())
    assert response["Location"] == "/account/organization/"
    # The code goes to the organization's registered contact, never to the account's own address.
    assert [(m.to, m.subject) for m in mailoutbox] == [([CONTACT], "认证通：机构关联验证码")]
    code = sent_code(mailoutbox[0])
    link = OrganizationLinkRequest.objects.get(user=user)
    assert (link.state, link.method, link.organization_id, link.attempts) == ("PENDING", "CODE", lab_org.pk, 0)
    assert code not in link.code_digest and len(link.code_digest) == 64
    assert link.code_expires_at == link.created_at + datetime.timedelta(minutes=30)
    page = confirmed.get("/account/organization/")
    assert (
        element_text(page, "code-sent-to")
        == "验证码已发送至该机构登记的联系邮箱 z***@yuelu-testing.example，请向机构索取后填写。"
    )
    assert CONTACT not in page.content.decode()
    user.refresh_from_db()
    assert user.organization_id is None
    done = confirmed.post("/account/organization/code/", {"code": code}, follow=True)
    assert "已关联长沙岳麓检测技术有限公司，现在可以代表该机构在线办理业务。" in page_text(done)
    assert element_text(done, "link-state") == "本账号代表“长沙岳麓检测技术有限公司”办理业务。"
    user.refresh_from_db()
    link.refresh_from_db()
    assert (user.organization_id, link.state, link.attempts, link.decided_by_id) == (lab_org.pk, "LINKED", 1, None)
    # Single use: the code does nothing more.
    before = state()
    again = confirmed.post("/account/organization/code/", {"code": code}, follow=True)
    assert "没有待确认的关联申请，请重新申请。" in page_text(again)
    assert state() == before


def test_the_audit_rows_and_ledger_entries_carry_no_personal_data(
    confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks
):
    user = User.objects.get(username="liu_fang")
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    code = sent_code(mailoutbox[0])
    confirmed.post("/account/organization/code/", {"code": code})
    confirmed.post("/account/organization/unlink/")
    link = OrganizationLinkRequest.objects.get(user=user)
    events = AuditEvent.objects.filter(
        event_type__in=[
            "ACCOUNT_SIGNED_UP", "ACCOUNT_EMAIL_CONFIRMED", "ORGANIZATION_LINK_REQUESTED",
            "ORGANIZATION_LINK_CONFIRMED", "ORGANIZATION_UNLINKED",
        ]
    ).order_by("id")  # fmt: skip
    assert [(e.event_type, e.subject_type, e.subject_id) for e in events] == [
        ("ACCOUNT_SIGNED_UP", "core.user", str(user.pk)),
        ("ACCOUNT_EMAIL_CONFIRMED", "core.user", str(user.pk)),
        ("ORGANIZATION_LINK_REQUESTED", "accounts.organizationlinkrequest", str(link.pk)),
        ("ORGANIZATION_LINK_CONFIRMED", "accounts.organizationlinkrequest", str(link.pk)),
        ("ORGANIZATION_UNLINKED", "core.user", str(user.pk)),
    ]
    linked = {"user": user.pk, "organization": lab_org.pk, "method": "CODE"}
    assert [(e.before, e.after) for e in events[2:4]] == [
        (None, {**linked, "state": "PENDING"}),
        ({**linked, "state": "PENDING"}, {**linked, "state": "LINKED"}),
    ]
    assert (events[4].before["organization"], events[4].after["organization"]) == (lab_org.pk, None)
    personal = ["刘芳", "liufang", "mail.example", CONTACT, "yuelu-testing", code, link.code_digest]
    for event in events:
        row = json.dumps([event.before, event.after, event.reason, event.subject_id], ensure_ascii=False)
        assert not [p for p in personal if p in row], event.event_type
        entry = Entry.objects.get(audit=event)
        document = json.loads(entry.entry)
        # The ledger names the account and the request by their bare numbers.
        assert document["subject_id"] == event.subject_id
        assert not [p for p in personal if p in entry.entry]


def test_a_wrong_code_counts_an_attempt_and_changes_nothing_else(
    confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.CERTHUB_LINK_CODE_ATTEMPTS = 3
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    code = sent_code(mailoutbox[0])
    wrong = "000000" if code != "000000" else "111111"
    link = OrganizationLinkRequest.objects.get()
    audit_before = AuditEvent.objects.count()
    response = confirmed.post("/account/organization/code/", {"code": wrong})
    assert response.status_code == 422
    assert field_errors(response, "code") == "验证码不正确，还可尝试2次"
    link.refresh_from_db()
    assert (link.state, link.attempts) == ("PENDING", 1)
    assert AuditEvent.objects.count() == audit_before
    assert User.objects.get(username="liu_fang").organization_id is None
    assert (
        field_errors(confirmed.post("/account/organization/code/", {"code": wrong}), "code")
        == "验证码不正确，还可尝试1次"
    )
    assert field_errors(confirmed.post("/account/organization/code/", {"code": wrong}), "code") == (
        "验证码错误次数过多，请重新获取验证码"
    )
    # Too many: even the right code is refused now.
    right = confirmed.post("/account/organization/code/", {"code": code})
    assert field_errors(right, "code") == "验证码错误次数过多，请重新获取验证码"
    link.refresh_from_db()
    assert (link.state, link.attempts) == ("PENDING", 3)
    assert User.objects.get(username="liu_fang").organization_id is None
    assert AuditEvent.objects.count() == audit_before


def test_an_expired_code_is_refused(confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks):
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    code = sent_code(mailoutbox[0])
    audit_before = AuditEvent.objects.count()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=30, seconds=1)):
        response = confirmed.post("/account/organization/code/", {"code": code})
    assert field_errors(response, "code") == "验证码已过期，请重新获取验证码"
    assert OrganizationLinkRequest.objects.get().state == "PENDING"
    assert User.objects.get(username="liu_fang").organization_id is None
    assert AuditEvent.objects.count() == audit_before


def test_a_new_request_withdraws_the_open_one_and_its_code(
    confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks
):
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    first_code = sent_code(mailoutbox[0])
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    second_code = sent_code(mailoutbox[1])
    assert list(OrganizationLinkRequest.objects.order_by("id").values_list("state", flat=True)) == [
        "WITHDRAWN",
        "PENDING",
    ]
    if first_code != second_code:
        response = confirmed.post("/account/organization/code/", {"code": first_code})
        assert field_errors(response, "code") == "验证码不正确，还可尝试4次"
    confirmed.post("/account/organization/code/", {"code": second_code})
    assert User.objects.get(username="liu_fang").organization_id == lab_org.pk


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        ("91430104000000900X", "统一社会信用代码校验位错误"),
        ("9143010400000", "统一社会信用代码须为18位，收到13位"),
        (make_uscc(91, "430104"), f"登记库中没有统一社会信用代码为“{make_uscc(91, '430104')}”的机构"),
    ],
    ids=["check-digit", "length", "unknown"],
)
def test_a_bad_or_unknown_credit_code_is_refused(
    confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks, uscc, message
):
    if uscc.startswith("91430104000000900"):
        uscc = lab_org.uscc[:-1] + ("0" if lab_org.uscc[-1] != "0" else "1")
    before = state()
    response = request_code(confirmed, django_capture_on_commit_callbacks, uscc)
    assert response.status_code == 422
    assert field_errors(response, "uscc") == message
    assert state() == before and mailoutbox == []


def test_an_already_linked_account_is_refused(client, world, lab_org, mailoutbox, django_capture_on_commit_callbacks):
    maker = signed_in(client, world, "maker")
    before = state()
    same = request_code(maker, django_capture_on_commit_callbacks, world.organizations["maker"].uscc)
    assert (same.status_code, element_text(same, "request-errors")) == (422, "本账号已关联该机构")
    other = request_code(maker, django_capture_on_commit_callbacks, lab_org.uscc)
    assert element_text(other, "request-errors") == "本账号已关联机构“长沙星城电器有限公司”，须先解除关联"
    with pytest.raises(ValidationFailed) as refused:
        actions.do_request_organization_link(uscc=lab_org.uscc, method="CODE", note="", actor=world.actor("maker"))
    assert refused.value.errors == {"uscc": ["本账号已关联机构“长沙星城电器有限公司”，须先解除关联"]}
    assert state() == before and mailoutbox == []


def test_an_unconfirmed_address_cannot_ask_for_a_link(
    client, world, lab_org, mailoutbox, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    user = User.objects.get(username="liu_fang")
    sign_in_client(client, user)
    mailoutbox.clear()
    page = client.get("/account/organization/")
    assert element_text(page, "link-state") == "请先打开确认邮件中的链接，确认电子邮箱后再关联机构。"
    before = state()
    response = request_code(client, django_capture_on_commit_callbacks, lab_org.uscc)
    assert response.status_code == 422
    assert "请先打开确认邮件中的链接，确认电子邮箱后再关联机构。" in page_text(response)
    assert state() == before and mailoutbox == []


def test_codes_a_day_are_limited(confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.CERTHUB_LINK_CODES_PER_DAY = 2
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    before = state()
    refused = request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    assert field_errors(refused, "uscc") == "24小时内最多申请2次，请明天再试"
    assert state() == before and len(mailoutbox) == 2


def test_only_enterprise_accounts_use_the_link_page(client, world):
    officer = signed_in(client, world, "officer_changsha")
    assert officer.get("/account/organization/").status_code == 403
    assert Client().get("/account/organization/")["Location"].startswith("/login/")


# ------------------------------------------------------------------ linking by an officer


def officer_request(confirmed, capture, organization, note="我是质量负责人，电话0731-0000000"):
    """The account asks the officers (an organization without a registered contact e-mail)."""
    response = request_code(confirmed, capture, organization.uscc, method="CODE", note=note)
    assert response.status_code == 302
    return OrganizationLinkRequest.objects.get(state="PENDING")


def reauthenticated(client, *, when: float | None = None):
    """The session's last confirmation of who the officer is: now, or `when` (a Unix time)."""
    session = client.session
    session[CONFIRMED_AT] = timezone.now().timestamp() if when is None else when
    session.save()
    return client


def test_without_a_registered_contact_an_officer_of_the_region_approves(
    confirmed, world, mailoutbox, django_capture_on_commit_callbacks
):
    hengyang = world.organizations["hengyang"]  # 430405, no registered contact e-mail
    for username, email in (("officer_hengyang", "hy@amr.example"), ("officer_changsha", "cs@amr.example")):
        User.objects.filter(username=username).update(email=email)
    link = officer_request(confirmed, django_capture_on_commit_callbacks, hengyang)
    assert (link.method, link.code_digest) == ("OFFICER", "")
    # The officers whose region covers the organization hear of it (衡阳, not 长沙).
    assert [(m.to, m.subject) for m in mailoutbox] == [(["hy@amr.example"], "认证通：新的机构关联申请")]
    assert "http://localhost:8000/account/organization-requests/" in mailoutbox[0].body
    mailoutbox.clear()
    page = confirmed.get("/account/organization/")
    assert element_text(page, "awaiting-officer") == (
        "申请已提交，等待机构所在地（珠晖区）的监管人员审核。审核结果会发到你的电子邮箱。"
    )
    # Changsha's officer neither sees nor decides it.
    changsha = reauthenticated(signed_in(Client(), world, "officer_changsha"))
    assert "没有待审核的申请。" in page_text(changsha.get("/account/organization-requests/"))
    before = state()
    assert changsha.post(f"/account/organization-requests/{link.pk}/approve/").status_code == 404
    with pytest.raises(NotPermitted) as refused:
        actions.do_approve_organization_link(link_request=link, actor=world.actor("officer_changsha"))
    assert str(refused.value) == "officer_changsha 无权执行“审核账号关联机构申请”"
    assert state() == before
    # Hengyang's officer sees it, with who asks and why, and approves after confirming who they are.
    officer = signed_in(Client(), world, "officer_hengyang")
    listing = officer.get("/account/organization-requests/")
    row = element_text(listing, f"link-request-{link.pk}")
    assert "衡阳湘江机械制造有限公司" in row and "刘芳" in row and "liufang@mail.example" in row
    assert "我是质量负责人，电话0731-0000000" in row
    reauthenticated(officer, when=0.0)  # confirmed long ago (the sign-in's own confirmation)
    unconfirmed = officer.post(f"/account/organization-requests/{link.pk}/approve/")
    assert unconfirmed["Location"].startswith("/account/confirm/")
    assert state() == before
    reauthenticated(officer)
    with django_capture_on_commit_callbacks(execute=True):
        done = officer.post(f"/account/organization-requests/{link.pk}/approve/", follow=True)
    assert "已批准：账号liu_fang关联衡阳湘江机械制造有限公司。" in page_text(done)
    link.refresh_from_db()
    officer_user = world.users["officer_hengyang"]
    assert (link.state, link.decided_by_id, link.decided_by_label) == ("LINKED", officer_user.pk, "officer_hengyang")
    assert User.objects.get(username="liu_fang").organization_id == hengyang.pk
    event = AuditEvent.objects.get(event_type="ORGANIZATION_LINK_APPROVED")
    assert (event.actor_id, event.after) == (
        officer_user.pk, {"user": link.user_id, "organization": hengyang.pk, "method": "OFFICER", "state": "LINKED"},
    )  # fmt: skip
    assert [(m.to, m.subject) for m in mailoutbox] == [(["liufang@mail.example"], "认证通：机构关联申请已批准")]
    # Decided once: a second approval changes nothing.
    before = state()
    assert officer.post(f"/account/organization-requests/{link.pk}/approve/").status_code == 404
    assert state() == before


def test_the_account_may_ask_an_officer_even_when_a_contact_is_registered(
    confirmed, lab_org, mailoutbox, django_capture_on_commit_callbacks
):
    response = request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc, method="OFFICER")
    assert response.status_code == 302
    link = OrganizationLinkRequest.objects.get()
    assert (link.method, mailoutbox) == ("OFFICER", [])


def test_an_officer_refuses_with_a_reason_the_applicant_reads(
    confirmed, world, mailoutbox, django_capture_on_commit_callbacks
):
    link = officer_request(confirmed, django_capture_on_commit_callbacks, world.organizations["hengyang"])
    officer = signed_in(Client(), world, "officer_province")
    before = state()
    empty = officer.post(f"/account/organization-requests/{link.pk}/refuse/", {"reason": "  "})
    assert empty.status_code == 422
    assert "这个字段是必填项。" in field_errors(empty, "reason")
    with pytest.raises(ValidationFailed) as refused:
        actions.do_refuse_organization_link(link_request=link, reason=" ", actor=world.actor("officer_province"))
    assert refused.value.errors == {"reason": ["请写明驳回理由"]}
    assert state() == before
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(f"/account/organization-requests/{link.pk}/refuse/", {"reason": "经电话核实，该机构无此员工"})
    link.refresh_from_db()
    assert (link.state, link.reason) == ("REFUSED", "经电话核实，该机构无此员工")
    assert User.objects.get(username="liu_fang").organization_id is None
    event = AuditEvent.objects.get(event_type="ORGANIZATION_LINK_REFUSED")
    assert (event.reason, event.after["state"]) == ("", "REFUSED")  # the officer's words stay on the request
    assert [m.subject for m in mailoutbox] == ["认证通：机构关联申请未获批准"]
    assert "经电话核实，该机构无此员工" in mailoutbox[0].body
    page = confirmed.get("/account/organization/")
    assert (
        element_text(page, "refused")
        == "关联“衡阳湘江机械制造有限公司”的申请未获批准。理由：经电话核实，该机构无此员工"
    )


def test_an_officer_cannot_approve_for_an_account_linked_meanwhile(
    confirmed, world, lab_org, mailoutbox, django_capture_on_commit_callbacks
):
    link = officer_request(confirmed, django_capture_on_commit_callbacks, world.organizations["hengyang"])
    # The account then links another organization by its code (which withdraws the officer request) ...
    request_code(confirmed, django_capture_on_commit_callbacks, lab_org.uscc)
    confirmed.post("/account/organization/code/", {"code": sent_code(mailoutbox[-1])})
    link.refresh_from_db()
    assert link.state == LinkState.WITHDRAWN
    before = state()
    from certhub.core.errors import Conflict

    with pytest.raises(Conflict) as refused:
        actions.do_approve_organization_link(link_request=link, actor=world.actor("officer_hengyang"))
    assert str(refused.value) == "该申请已办结或已撤回"
    assert state() == before


def test_the_officers_list_is_for_officers(client, world):
    refused = signed_in(client, world, "maker").get("/account/organization-requests/")
    assert refused.status_code == 403
    assert "link-hint" not in refused.content.decode()  # a linked account needs no pointer
    assert LinkMethod.OFFICER == "OFFICER"


def test_a_refusal_points_an_unlinked_account_to_its_link_page(confirmed):
    """C8: an account that acts for nobody is told so wherever it is turned away, with the way to link."""
    refused = confirmed.get("/account/organization-requests/")
    assert refused.status_code == 403
    assert element_text(refused, "link-hint") == "本账号尚未关联机构，暂不能代表任何机构办理业务。 关联机构"
    link = element(refused, "link-hint").first(lambda e: e.tag == "a")
    assert link is not None and link.attrs["href"] == "/account/organization/"


def test_unlinking_leaves_the_account_acting_for_nobody(client, world):
    maker = signed_in(client, world, "maker")
    done = maker.post("/account/organization/unlink/", follow=True)
    assert "已解除关联。本账号不再代表任何机构。" in page_text(done)
    assert User.objects.get(username="maker").organization_id is None
    before = state()
    again = maker.post("/account/organization/unlink/", follow=True)
    assert "本账号没有关联机构" in page_text(again)
    assert state() == before
    assert Actor.from_user(User.objects.get(username="maker")).organization_id is None
