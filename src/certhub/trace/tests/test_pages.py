"""The trace pages (C4 全过程追溯): reached from the certificate and lab pages, a timeline of the history in
which every step shows its ledger index and leaf hash and, on request, the proof against the signed
checkpoint; the public part for visitors, the full view for officers in scope; and, in a real browser on
a phone, a visitor following the trace link from a certificate."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from certhub.core.actors import SYSTEM
from certhub.core.testing import (
    assert_accessible,
    by_class,
    element_text,
    fits_the_phone,
    page_text,
    screenshot,
    sign_in_client,
    table_rows,
)
from certhub.ledger import log
from certhub.ledger.models import Checkpoint
from certhub.ledger.queries import entries_of
from certhub.registry import actions

CCC = "2025010701000123"
TRACE_URL = f"/trace/certificate/{CCC}/?body=CNCA-R-2004-117"


def add_traced_records(world) -> None:
    """A report behind the CCC certificate, a recorded surveillance audit and an auditor of its body."""
    actions.do_create_test_report(
        lab=world.labs["main"],
        number="BG-2025-0001",
        signatory=world.signatories["zhou"],
        issue_date=datetime.date(2025, 6, 1),
        conclusion="PASS",
        client=world.organizations["maker"],
        product="家用电冰箱",
        items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005", "result": "合格"}],
        actor=world.actor("lab"),
    )
    world.certificates["ccc"] = actions.do_record_surveillance(
        certificate=world.certificates["ccc"], audit_date=datetime.date(2025, 4, 15), actor=world.actor("cb_hunan")
    )
    person = actions.do_create_person(name="王审核", roles=["AUDITOR"], actor=SYSTEM)
    actions.do_add_affiliation(
        person=person,
        organization=world.organizations["cb_hunan"],
        role="AUDITOR",
        start=datetime.date(2020, 1, 1),
        actor=SYSTEM,
    )


def ledger_indexes(world) -> list[str]:
    return [f"#{e.index}" for e in entries_of("registry.certificate", str(world.certificates["ccc"].pk))]


@pytest.fixture
def traced(world, settings):
    settings.LEDGER_CHECKPOINT_INTERVAL = 0
    add_traced_records(world)
    return world


@pytest.mark.django_db
def test_the_certificate_and_lab_pages_link_to_their_traces(client, traced):
    content = client.get(f"/certificates/{CCC}/").content.decode()
    assert f'<a class="button trace-link" href="{TRACE_URL}">追溯：全过程记录与账本证明</a>' in content
    lab = traced.labs["main"]
    content = client.get(f"/labs/{lab.cma_number}/").content.decode()
    link = f'<a class="button trace-link" href="/trace/organization/{lab.organization.uscc}/">'
    assert f"{link}追溯：登记记录与账本证明</a>" in content


@pytest.mark.django_db
def test_the_public_trace_page_shows_the_timeline_with_ledger_proofs(client, traced):
    response = client.get(TRACE_URL)
    assert response.status_code == 200
    assert by_class(response, "trace-view") == ["你看到的是公开部分：操作人只显示角色，不含个人信息和内部字段。"]
    assert by_class(response, "ledger-index") == ledger_indexes(traced)
    assert by_class(response, "event-actor") == ["认证机构", "认证机构"]  # the role, not who
    assert "cb_hunan" not in response.content.decode() and "王审核" not in response.content.decode()
    size = Checkpoint.objects.order_by("-tree_size").first().tree_size
    first = entries_of("registry.certificate", str(traced.certificates["ccc"].pk))[0]
    assert by_class(response, "leaf-hash")[0] == log.b64(first.leaf_hash)
    proof = re.search(r'<ol class="proof">(.*?)</ol>', response.content.decode(), re.S).group(1)
    assert re.findall(r'<li class="code">([^<]+)</li>', proof) == [
        log.b64(h) for h in log.inclusion_proof(first.index, size)
    ]
    assert element_text(response, "checkpoint-title") == "签名检查点"
    assert f"树大小 {size} 根哈希" in page_text(response)
    assert table_rows(response) == [
        ["2025-03-01", "有效", "发证"],
        ["BG-2025-0001", "湖南省产品质量检验检测研究院 231812050341", "周敏", "2025-06-01", "家用电冰箱", "合格"],
    ]
    assert "监督审核 2025-04-15 · #" in page_text(response)


@pytest.mark.django_db
def test_an_officer_in_scope_sees_who_recorded_each_step(client, traced):
    sign_in_client(client, traced.users["officer_changsha"])
    response = client.get(TRACE_URL)
    assert by_class(response, "trace-view")[0].startswith("你看到的是完整记录")
    assert by_class(response, "event-actor") == ["cb_hunan（认证机构）", "cb_hunan（认证机构）"]
    assert "王审核" in by_class(response, "body-auditors")[0]
    sign_in_client(client, traced.users["officer_hengyang"])
    assert by_class(client.get(TRACE_URL), "event-actor") == ["认证机构", "认证机构"]


@pytest.mark.django_db
def test_a_step_newer_than_the_checkpoint_says_its_proof_comes_later(client, traced, settings):
    client.get(TRACE_URL)  # signs a checkpoint
    settings.LEDGER_CHECKPOINT_INTERVAL = 3600
    actions.do_change_certificate_status(
        certificate=traced.certificates["ccc"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 10, 8),
        reason="抽查不合格",
        actor=traced.actor("cb_hunan"),
    )
    response = client.get(TRACE_URL)
    assert by_class(response, "ledger-index") == ledger_indexes(traced)
    assert by_class(response, "proof-pending") == ["此条目晚于最新的检查点：下一个检查点签发后即可取得它的包含证明。"]


@pytest.mark.django_db
def test_a_shared_number_asks_which_body_and_bad_input_says_why(client, traced):
    response = client.get("/trace/certificate/CNCA-QMS-2025-0001/")
    content = response.content.decode()
    assert (response.status_code, re.findall(r'<a href="([^"]+)"><strong>([^<]+)</strong>', content)) == (
        200,
        [
            ("/trace/certificate/CNCA-QMS-2025-0001/?body=CNCA-R-2004-117", "湖南标准认证有限公司"),
            ("/trace/certificate/CNCA-QMS-2025-0001/?body=CNCA-R-2011-089", "岳阳质量认证中心有限公司"),
        ],
    )
    missing = client.get("/trace/certificate/NOPE-1/")
    assert (missing.status_code, by_class(missing, "lead")) == (404, ["登记库中没有编号为“NOPE-1”的证书"])
    draft = client.get("/trace/certificate/CNCA-QMS-2025-0003/")
    assert draft.status_code == 404
    bad = client.get("/trace/organization/123/")
    assert (bad.status_code, by_class(bad, "lead")) == (
        400,
        ["统一社会信用代码“123”无效：统一社会信用代码须为18位，收到3位"],
    )
    assert client.get("/trace/report/NOPE-1/").status_code == 404


@pytest.mark.django_db
def test_report_and_organization_pages(client, traced):
    report = client.get("/trace/report/BG-2025-0001/")
    assert table_rows(report) == [
        ["绝缘电阻", "GB 4706.1-2005", "范围内", "范围内"],
        [CCC, "强制性产品认证", "湖南标准认证有限公司", "有效", "2030-02-28"],
    ]
    assert len(by_class(report, "ledger-index")) == 1
    sign_in_client(client, traced.users["lab"])
    assert table_rows(client.get("/trace/report/BG-2025-0001/"))[0] == [
        "绝缘电阻",
        "GB 4706.1-2005",
        "合格",
        "范围内",
        "范围内",
    ]
    client.logout()
    organization = client.get(f"/trace/organization/{traced.organizations['maker'].uscc}/")
    assert by_class(organization, "result-count") == ["共2张", "共1份"]
    assert [row[0] for row in table_rows(organization)] == [CCC, "CNCA-QMS-2025-0001", "BG-2025-0001"]
    assert [e for e in by_class(organization, "ledger-index")] == [
        f"#{e.index}" for e in entries_of("registry.organization", str(traced.organizations["maker"].pk))
    ]


# ---------------------------------------------------------------- in a real browser


@pytest.fixture
def live_world(transactional_db, live_server, settings):
    from certhub.registry.testing import build_world

    settings.LEDGER_CHECKPOINT_INTERVAL = 0
    world = build_world()
    add_traced_records(world)
    return world


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_follows_the_trace_link_and_checks_a_proof(live_server, live_world, phone):
    phone.goto(f"{live_server.url}/certificates/{CCC}/")
    phone.console_errors.clear()  # the certificate page itself is the certificate page tests' to judge
    phone.get_by_role("link", name="追溯：全过程记录与账本证明").click()
    phone.wait_for_url(re.compile(rf"/trace/certificate/{CCC}/\?body=CNCA-R-2004-117$"))
    assert_accessible(phone, context="the certificate's trace")
    assert phone.locator(".ledger-index").all_inner_texts() == ledger_indexes(live_world)
    assert phone.locator(".event-label").all_inner_texts() == ["证书登记", "监督审核记录"]
    first = phone.locator("details.verify").first
    expect(first.locator("ol.proof")).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator("ol.proof")).to_be_visible()
    assert_accessible(phone, context="the certificate's trace with a proof open")
    size = Checkpoint.objects.order_by("-tree_size").first().tree_size
    index = entries_of("registry.certificate", str(live_world.certificates["ccc"].pk))[0].index
    assert first.locator("ol.proof li").all_inner_texts() == [log.b64(h) for h in log.inclusion_proof(index, size)]
    assert phone.locator(".checkpoint-size").inner_text() == str(size)
    # The hashes wrap: nothing scrolls sideways on the phone.
    assert fits_the_phone(phone)
    screenshot(phone, "trace-phone")
    assert phone.console_errors == []
