"""The portal's public pages: the home page and the certificate search (C3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from certhub.core.testing import by_class, page_text, table_rows

pytestmark = pytest.mark.django_db

SEARCH = reverse("portal:search")


def certificate_url(number: str, body: str = "") -> str:
    url = reverse("registry:certificate", args=[number])
    return f"{url}?body={body}" if body else url


def numbers_in(response) -> list[str]:
    return [row[0] for row in table_rows(response)]


def test_home_has_one_search_box_that_goes_to_search(client):
    response = client.get(reverse("portal:home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert f'action="{SEARCH}" method="get"' in content
    assert content.count('type="search" name="q"') == 1
    assert "查询认证证书是否有效" in page_text(response)


def test_search_by_number_finds_that_certificate(client, world):
    response = client.get(SEARCH, {"q": "CNCA-QMS-2025-0002"})
    assert table_rows(response) == [
        [
            "CNCA-QMS-2025-0002",
            "衡阳湘江机械制造有限公司",
            "质量管理体系认证",
            "湖南标准认证有限公司",
            "暂停",
            "2028-02-28",
        ]
    ]
    assert by_class(response, "result-count")[0] == "共1条 · 第1页，共1页"


def test_search_by_lowercase_number_finds_it(client, world):
    assert numbers_in(client.get(SEARCH, {"q": "cnca-qms-2025-0002"})) == ["CNCA-QMS-2025-0002"]


def test_search_by_holder_name_substring_excludes_drafts(client, world):
    response = client.get(SEARCH, {"q": "星城电器"})
    # The maker holds an active QMS certificate, a CCC certificate and a draft; the public sees two.
    assert sorted(numbers_in(response)) == ["2025010701000123", "CNCA-QMS-2025-0001"]
    assert "CNCA-QMS-2025-0003" not in response.content.decode()


def test_search_by_credit_code(client, world):
    uscc = world.organizations["hengyang"].uscc
    response = client.get(SEARCH, {"q": uscc.lower()})
    assert sorted(numbers_in(response)) == ["CNCA-EMS-2024-0004", "CNCA-QMS-2025-0001", "CNCA-QMS-2025-0002"]


def test_search_filters_by_status_scheme_and_region(client, world):
    assert numbers_in(client.get(SEARCH, {"status": "WITHDRAWN"})) == ["CNCA-EMS-2024-0004"]
    assert numbers_in(client.get(SEARCH, {"scheme": "CCC"})) == ["2025010701000123"]
    changsha = client.get(SEARCH, {"region": "430100"})
    assert sorted(numbers_in(changsha)) == ["2025010701000123", "CNCA-QMS-2025-0001"]
    both = client.get(SEARCH, {"q": "衡阳", "status": "ACTIVE"})
    assert [(row[0], row[3]) for row in table_rows(both)] == [("CNCA-QMS-2025-0001", "岳阳质量认证中心有限公司")]


def test_search_cannot_ask_for_drafts(client, world):
    response = client.get(SEARCH, {"status": "DRAFT"})
    assert table_rows(response) == []
    assert "筛选条件有误，请重新选择。" in page_text(response)


def test_search_links_name_the_body(client, world):
    response = client.get(SEARCH, {"q": "CNCA-QMS-2025-0002"})
    assert f'href="{certificate_url("CNCA-QMS-2025-0002", "CNCA-R-2004-117")}"' in response.content.decode()


def test_search_without_results_says_so(client, world):
    response = client.get(SEARCH, {"q": "不存在的公司"})
    assert table_rows(response) == []
    assert "没有找到符合条件的证书。" in page_text(response)


def test_pages_send_a_content_security_policy_and_no_inline_script(client, world):
    for url in (reverse("portal:home"), SEARCH + "?q=星城", certificate_url("CNCA-QMS-2025-0002")):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        content = response.content.decode()
        assert "<script>" not in content
        assert "style=" not in content
        assert "<style" not in content


@pytest.mark.parametrize(
    ("path", "params", "budget"),
    [
        ("/", {}, 1),  # the scheme choices
        (
            SEARCH,
            {"q": "衡阳"},
            8,
        ),  # schemes, regions, holders, former names, numbers, bounded count, page ids, page rows
    ],
)
def test_hot_pages_stay_within_their_query_budget(client, world, django_assert_max_num_queries, path, params, budget):
    """Query-count baselines (docs/architecture.md convention 15): a page that grows a query per row fails here
    first."""
    with django_assert_max_num_queries(budget):
        assert client.get(path, params).status_code == 200


def test_a_name_matching_too_many_holders_says_the_results_are_partial(client, world, monkeypatch):
    from certhub.registry.queries import search

    monkeypatch.setattr(search, "HOLDER_MATCH_CAP", 3)
    response = client.get(SEARCH, {"q": "公司"})
    text = response.content.decode()
    assert "名称匹配的组织超过 3 家，仅显示其中登记最早的 3 家的证书。" in text
    # Four names contain 公司; the first three registered are the two bodies and 长沙星城电器有限公司,
    # so only the latter's public certificates are listed, not 衡阳湘江's.
    assert sorted(set(re.findall(r'class="code" href="/certificates/([^/]+)/', text))) == [
        "2025010701000123",
        "CNCA-QMS-2025-0001",
    ]
    full = client.get(SEARCH, {"q": "长沙星城"}).content.decode()
    assert "名称匹配的组织超过" not in full
