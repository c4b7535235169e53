"""An officer revokes a certification body in a real browser (Debian's Chromium through Playwright, desktop, axe
on every page), and every one of its certificates then shows the revocation on its public page and in the ledger,
read through the ledger's own API (C1, C4)."""

from __future__ import annotations

import datetime
import re

import httpx
import orjson
import pytest
from django.utils import timezone

from certhub.core.testing import assert_accessible, sign_in
from certhub.registry.models import Certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def live_world(transactional_db, live_server):
    from certhub.registry.testing import build_world

    return build_world()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()


def test_an_officer_revokes_a_body_and_every_certificate_shows_it(live_server, live_world, desktop, browser):
    today = timezone.localdate().isoformat()
    ended = {  # the body's certificates that were not final, and what each becomes
        "CNCA-QMS-2025-0001": "WITHDRAWN",
        "CNCA-QMS-2025-0002": "WITHDRAWN",
        "2025010701000123": "WITHDRAWN",
        "CNCA-QMS-2025-0003": "CANCELLED",  # a draft, never issued
    }
    sign_in(desktop, live_server.url, "officer_province", live_world.PASSWORD)
    desktop.goto(live_server.url + "/office/certification-bodies/")
    assert_accessible(desktop, context="the officers' list of certification bodies")
    desktop.get_by_role("link", name="湖南标准认证有限公司").click()
    desktop.get_by_role("link", name="变更机构状态").click()
    desktop.wait_for_url(re.compile(r"/office/certification-bodies/\d+/status/$"))
    assert_accessible(desktop, context="a body's change-of-status form")
    # A decision left blank is refused next to its field; nothing changes.
    desktop.get_by_label("变更为").select_option("REVOKED")
    desktop.get_by_label("生效日期").fill(today)
    desktop.get_by_label("决定或公告文号").fill("   ")
    desktop.get_by_label("原因").fill("出具虚假认证结论")
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.get_by_role("button", name="提交变更").click()
    desktop.wait_for_load_state()
    assert desktop.locator("#id_decision_errors").inner_text() == "这个字段是必填项。"
    assert sorted(
        Certificate.objects.filter(certification_body__approval_number="CNCA-R-2004-117").values_list(
            "status", flat=True
        )
    ) == [
        "ACTIVE",
        "ACTIVE",
        "DRAFT",
        "SUSPENDED",
        "WITHDRAWN",
    ]
    assert_accessible(desktop, context="a body's change-of-status form with an error")
    assert desktop.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]
    desktop.console_errors.clear()
    desktop.get_by_label("变更为").select_option("REVOKED")
    desktop.get_by_label("生效日期").fill(today)
    desktop.get_by_label("决定或公告文号").fill("国家认监委公告2025年第18号")
    desktop.get_by_label("原因").fill("出具虚假认证结论")
    # The page asks before a final status; the officer confirms.
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.get_by_role("button", name="提交变更").click()
    desktop.wait_for_url(re.compile(r"/office/certification-bodies/\d+/history/$"))
    assert desktop.locator(".message").inner_text() == (
        "认证机构“湖南标准认证有限公司”的状态已变更为“撤销”，4张证书随之变更。"
    )
    assert_accessible(desktop, context="the body's record after the revocation")
    assert desktop.console_errors == []

    reason = (
        "认证机构“湖南标准认证有限公司”（CNCA-R-2004-117）被撤销批准（国家认监委公告2025年第18号）：出具虚假认证结论"
    )
    public = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    try:
        public.goto(live_server.url + "/certification-bodies/CNCA-R-2004-117/")
        assert public.locator("#body-status-title").inner_text() == "该认证机构的状态为：撤销"
        assert public.locator("tbody tr").last.locator("td").all_inner_texts() == [
            today,
            "有效 → 撤销",
            "国家认监委公告2025年第18号",
            "出具虚假认证结论",
        ]
        assert_accessible(public, context="a revoked body's public page")
        words = {"WITHDRAWN": "撤销", "CANCELLED": "注销"}
        for number, status in ended.items():
            public.goto(f"{live_server.url}/certificates/{number}/?body=CNCA-R-2004-117")
            assert public.locator("#status-word").inner_text() == words[status]
            assert public.locator(".status-line").first.inner_text() == f"原因：{reason}"
            assert public.locator("#issuer-status-title").inner_text() == "认证机构状态：撤销"
        assert_accessible(public, context="a certificate of a revoked body")
        # The certificate withdrawn before keeps its own reason; the other body's certificate is untouched.
        public.goto(f"{live_server.url}/certificates/CNCA-EMS-2024-0004/")
        assert public.locator(".status-line").first.inner_text() == "原因：暂停期满未整改"
        public.goto(f"{live_server.url}/certificates/CNCA-QMS-2025-0001/?body=CNCA-R-2011-089")
        assert public.locator("#status-word").inner_text() == "有效"
    finally:
        public.context.close()

    # In the ledger: each certificate's newest entry is its status change, named by body and number, read through
    # the public record's ledger indexes and the ledger's entries API.
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=20) as api:
        for number in ended:
            record = api.get(f"/certificates/{number}", params={"body": "CNCA-R-2004-117"}).json()
            assert (record["status"], record["history"][-1]["reason"], record["history"][-1]["date"]) == (
                ended[number],
                reason,
                today,
            )
            index = record["ledger_indexes"][-1]
            entry = api.get("/ledger/entries", params={"start": index, "end": index + 1}).json()["entries"][0]
            document = orjson.loads(entry["entry"])
            assert (document["action"], document["subject_type"], document["subject_id"], document["actor_role"]) == (
                "CERTIFICATE_STATUS_CHANGED",
                "registry.certificate",
                f"CNCA-R-2004-117/{number}",
                "OFFICER",
            )
    assert datetime.date.fromisoformat(today) == timezone.localdate()
