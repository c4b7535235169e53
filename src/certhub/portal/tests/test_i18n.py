"""Chinese first, English second (C3): the language switch and the English pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certhub.core.testing import by_class, element_text, page_text, table_rows

pytestmark = pytest.mark.django_db


def switch_to_english(client, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": "en", "next": next_url})


def test_pages_are_chinese_by_default(client, world):
    response = client.get(reverse("portal:home"))
    assert '<html lang="zh-Hans">' in response.content.decode()
    assert by_class(response, "brand-sub") == ["质量认证公共服务平台"]


def test_the_switch_is_a_post_form_with_csrf_back_to_the_same_page(client, world):
    content = client.get(reverse("portal:search"), {"q": "星城"}).content.decode()
    form = content.split('<form class="language-switch"', 1)[1].split("</form>", 1)[0]
    assert f'action="{reverse("set_language")}" method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/certificates/?q=%E6%98%9F%E5%9F%8E"' in form
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in form


def test_switching_to_english_renders_english(client, world):
    response = switch_to_english(client, "/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert '<html lang="en">' in home.content.decode()
    assert "<h1>Check whether a certificate is valid</h1>" in home.content.decode()
    assert by_class(home, "brand-sub") == ["Quality certification public service"]


def test_english_certificate_page(client, world):
    switch_to_english(client)
    response = client.get(reverse("registry:certificate", args=["CNCA-QMS-2025-0002"]))
    assert element_text(response, "status-word") == "Suspended"
    assert by_class(response, "status-headline") == ["This certificate has been suspended since 2025-09-01"]
    assert by_class(response, "status-line") == [
        "Reason: 监督审核发现严重不符合",
        "This certificate is currently not valid and must not be used as proof of certification.",
    ]
    # Scheme and region names switch to their recorded English names.
    assert "Quality management system (ISO 9001)" in page_text(response)
    assert "Zhuhui District" in page_text(response)


def test_english_not_found_page(client, world):
    switch_to_english(client)
    response = client.get(reverse("registry:certificate", args=["NO-SUCH-1"]))
    assert response.status_code == 404
    assert element_text(response, "not-found-title") == "This certificate is not in the registry"


def test_english_search_results(client, world):
    switch_to_english(client)
    response = client.get(reverse("portal:search"), {"q": "CNCA-EMS-2024-0004"})
    assert table_rows(response) == [
        [
            "CNCA-EMS-2024-0004",
            "衡阳湘江机械制造有限公司",
            "Environmental management system (ISO 14001)",
            "湖南标准认证有限公司",
            "Withdrawn",
            "2027-01-09",
        ]
    ]
    assert by_class(response, "result-count") == ["1 result · page 1 of 1"] * 2  # above and below the table


def test_switching_back_to_chinese(client, world):
    switch_to_english(client)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "<h1>查询认证证书是否有效</h1>" in client.get("/").content.decode()
