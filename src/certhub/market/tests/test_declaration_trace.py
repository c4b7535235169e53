"""A producer's self-declarations in its trace (C4, C7): listed, withdrawn ones too, on the page and in the
API's public part, with their registration and withdrawal among the trace's ledger-backed events."""

import datetime

import pytest

from certhub.core.testing import element_text, parse_html
from certhub.market.actions import do_withdraw_declaration
from certhub.market.tests.declaring import add_compressor_lab, declare, report


@pytest.fixture
def traced(world):
    add_compressor_lab(world)
    report(world, "XZ-2025-001")
    first = declare(world)
    do_withdraw_declaration(
        declaration=first, reason="产品停产", withdrawn_on=datetime.date(2025, 9, 1), actor=world.actor("maker")
    )
    declare(world, product_models=["QD-150H"], product_name="变频压缩机", declared_on=datetime.date(2025, 10, 8))
    return world


def test_the_declarations_are_in_the_producers_trace(client, traced):
    uscc = traced.organizations["maker"].uscc
    answer = client.get(f"/api/v1/trace/organization/{uscc}")
    assert answer.status_code == 200
    trace = answer.json()
    assert trace["view"] == "public"
    assert trace["declarations"] == [
        {
            "number": "ZS4301042025000002", "status": "published", "status_label": "已公布",
            "ccc_product_code": "0704", "ccc_product_name": "电动机－压缩机", "product_name": "变频压缩机",
            "product_models": ["QD-150H"], "declared_on": "2025-10-08", "withdrawn_on": None,
        },
        {
            "number": "ZS4301042025000001", "status": "withdrawn", "status_label": "已撤回",
            "ccc_product_code": "0704", "ccc_product_name": "电动机－压缩机", "product_name": "全封闭制冷压缩机",
            "product_models": ["QD-65H", "QD-91H"], "declared_on": "2025-06-10", "withdrawn_on": "2025-09-01",
        },
    ]  # fmt: skip
    declared = [e["event_type"] for e in trace["events"] if e["subject_type"] == "market.selfdeclaration"]
    assert declared == ["DECLARATION_REGISTERED", "DECLARATION_WITHDRAWN", "DECLARATION_REGISTERED"]
    assert all(e["ledger"] is not None for e in trace["events"] if e["subject_type"] == "market.selfdeclaration")
    page = client.get(f"/trace/organization/{uscc}/").content.decode()
    assert element_text(page, "declarations-title") == "自我声明"
    section = parse_html(page).first(lambda e: e.attrs.get("aria-labelledby") == "declarations-title")
    # No section: no items, and the exact list below fails.
    assert [item.text for item in (section.iter("li") if section is not None else ())] == [
        "ZS4301042025000002 0704 变频压缩机 · 已公布 2025-10-08",
        "ZS4301042025000001 0704 全封闭制冷压缩机 · 已撤回 2025-06-10–2025-09-01",
    ]
