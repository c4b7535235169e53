"""The self-declaration pages over real HTTP: the public list and search, a declaration's page, the producer's
form (each bad input of the issue shown next to its field, status 422, nothing written), its own list, and
withdrawal from the declaration's page by the producer or an officer of its region."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certhub.core.models import AuditEvent
from certhub.core.testing import element, element_text, page_text, signed_in, table_rows
from certhub.market.models import SelfDeclaration
from certhub.market.tests.declaring import COMPRESSOR, GENERAL, REFUSALS, add_compressor_lab, declare, report

LAB = "湖南省产品质量检验检测研究院"


@pytest.fixture
def decl_world(world):
    add_compressor_lab(world)
    report(world, "XZ-2025-001")
    return world


def form_data(world, **overrides):
    data = {
        "ccc_product_code": "0704",
        "product_name": "全封闭制冷压缩机",
        "product_models": "QD-65H\nQD-91H",
        "trademark": "星城",
        "gtins": "6923456789012",
        "standards": f"{GENERAL}\n{COMPRESSOR}",
        "test_report_number": "XZ-2025-001",
        "lab_cma_number": world.labs["main"].cma_number,
        "report_note": "",
        "declared_on": "2025-06-10",
    }
    data.update(overrides)
    return data


def state():
    return SelfDeclaration.objects.count(), AuditEvent.objects.count()


def field_errors(response, field):
    return [li.text for li in element(response.content.decode(), f"id_{field}_errors").iter("li")]


def test_the_producer_registers_on_the_form_and_the_public_reads_it(client, decl_world):
    maker = signed_in(client, decl_world, "maker")
    form = maker.get("/market/declarations/new/")
    assert form.status_code == 200
    assert "0704" in [o.attrs["value"] for o in element(form.content.decode(), "declarable-products").iter("option")]
    response = maker.post("/market/declarations/new/", form_data(decl_world), follow=True)
    assert response.redirect_chain == [("/market/declarations/ZS4301042025000001/", 302)]
    text = page_text(response)
    assert "自我声明已登记并公布，编号ZS4301042025000001。" in text
    assert element_text(response.content.decode(), "declaration-number") == "ZS4301042025000001"
    anonymous = client.__class__()
    page = anonymous.get("/market/declarations/ZS4301042025000001/").content.decode()
    record = element_text(page, "declaration")
    shown = (
        "长沙星城电器有限公司", "0704 电动机－压缩机 · 自我声明（B方式）", "QD-65H QD-91H", f"{GENERAL}；{COMPRESSOR}",
        f"XZ-2025-001 · {LAB}（231812050341） · 2025-06-01", "2025-06-10",
    )  # fmt: skip
    for expected in shown:
        assert expected in record, expected
    assert "withdraw-form" not in page  # the public may not withdraw
    listed = anonymous.get("/market/declarations/", {"model": "qd91h"})
    assert table_rows(listed.content.decode()) == [
        ["ZS4301042025000001", "长沙星城电器有限公司", "全封闭制冷压缩机 0704 电动机－压缩机", "QD-65H、QD-91H",
         "2025-06-10", "已公布"],
    ]  # fmt: skip
    nothing = anonymous.get("/market/declarations/", {"producer": "衡阳"})
    assert "没有找到符合条件的自我声明。" in page_text(nothing)
    mine = maker.get("/market/declarations/mine/")
    assert [row[0] for row in table_rows(mine.content.decode())] == ["ZS4301042025000001"]
    missing = anonymous.get("/market/declarations/ZS4301042025000009/")
    assert missing.status_code == 404


@pytest.mark.parametrize(("name", "report_first", "changes", "errors"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_every_refusal_of_the_action_stands_on_the_form(client, decl_world, name, report_first, changes, errors):
    if report_first:
        report(decl_world, **report_first)
    data = form_data(decl_world, **{k: "\n".join(v) if isinstance(v, list) else v for k, v in changes.items()})
    maker = signed_in(client, decl_world, "maker")
    before = state()
    response = maker.post("/market/declarations/new/", data)
    assert response.status_code == 422
    shown = {}
    for key, messages in errors.items():
        field, _, line = key.partition("[")
        shown[field] = [f"第{int(line[:-1]) + 1}行：{m}" if line else m for m in messages]
    assert {field: field_errors(response, field) for field in shown} == shown
    assert state() == before


def test_a_catalogue_code_not_yet_in_force_on_the_day_is_refused_on_the_form(client, decl_world):
    maker = signed_in(client, decl_world, "maker")
    before = state()
    response = maker.post("/market/declarations/new/", form_data(decl_world, ccc_product_code="1121"))
    assert response.status_code == 422
    [message] = field_errors(response, "ccc_product_code")
    assert message.startswith("目录代码1121（") and message.endswith(
        "）自2025-11-01起施行，2025-06-10施行的目录中没有该产品"
    )
    assert state() == before


def test_only_enterprise_accounts_of_a_producer_use_the_form(client, decl_world):
    for username in ("officer_changsha", "lab"):
        other = signed_in(client.__class__(), decl_world, username)
        response = other.get("/market/declarations/new/")
        assert response.status_code == 403
        assert "自我声明仅由已关联生产企业的企业账号登记。请先完成账号与企业的关联。" in page_text(response)
    anonymous = client.get("/market/declarations/new/")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")


def test_withdrawal_on_the_page_by_the_producer_and_an_officer_of_its_region(client, decl_world):
    first, second = declare(decl_world), declare(decl_world, product_models=["QD-150H"])
    maker = signed_in(client, decl_world, "maker")
    assert "withdraw-form" in maker.get(f"/market/declarations/{first.number}/").content.decode()
    before = state()
    refused = maker.post(f"/market/declarations/{first.number}/withdraw/", {"reason": "", "withdrawn_on": "2025-09-01"})
    assert refused.status_code == 422
    assert field_errors(refused, "reason") == ["这个字段是必填项。"]
    early = maker.post(
        f"/market/declarations/{first.number}/withdraw/", {"reason": "停产", "withdrawn_on": "2025-06-01"}
    )
    assert early.status_code == 422
    assert field_errors(early, "withdrawn_on") == ["撤回日期（2025-06-01）不得早于声明日期（2025-06-10）"]
    assert state() == before
    done = maker.post(
        f"/market/declarations/{first.number}/withdraw/",
        {"reason": "产品停产", "withdrawn_on": "2025-09-01"},
        follow=True,
    )
    assert f"自我声明{first.number}已撤回。" in page_text(done)
    assert element_text(done.content.decode(), "withdrawal-reason") == "产品停产"
    assert "自2025-09-01起撤回，不再有效" in page_text(done)
    hengyang = signed_in(client.__class__(), decl_world, "officer_hengyang")
    assert "withdraw-form" not in hengyang.get(f"/market/declarations/{second.number}/").content.decode()
    forbidden = hengyang.post(
        f"/market/declarations/{second.number}/withdraw/", {"reason": "抽查", "withdrawn_on": "2025-09-01"}
    )
    assert forbidden.status_code == 403
    changsha = signed_in(client.__class__(), decl_world, "officer_changsha")
    changsha.post(
        f"/market/declarations/{second.number}/withdraw/", {"reason": "抽查不合格", "withdrawn_on": "2025-09-01"}
    )
    second.refresh_from_db()
    assert (second.status, second.withdrawal_reason) == ("withdrawn", "抽查不合格")
    assert AuditEvent.objects.latest("id").actor_label == "officer_changsha"


def test_the_register_costs_the_same_queries_for_two_declarations_as_for_twenty(client, decl_world):
    """docs/architecture.md convention 15: the public list and the API's page read a page in a fixed number of
    queries, whatever its length."""

    def cost(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        # The API's rate counter (core.ratelimit) writes its own rows and now and then sweeps old ones.
        return len([q for q in queries.captured_queries if "core_apiratecounter" not in q["sql"]])

    declare(decl_world, product_models=["M-0"])
    declare(decl_world, product_models=["M-1"])
    few = (cost("/market/declarations/"), cost("/api/v1/market/declarations?limit=20"))
    assert few == (2, 2)  # a count and the page's rows, with their producer, product and report joined
    for index in range(2, 20):
        declare(decl_world, product_models=[f"M-{index}"])
    assert (cost("/market/declarations/"), cost("/api/v1/market/declarations?limit=20")) == few
