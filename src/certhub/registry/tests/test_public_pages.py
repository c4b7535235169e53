"""The registry's public pages: a certificate's status and record, certification bodies, the lab finder (C3)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from certhub.core.testing import by_class, element_text, page_text, signed_in, table_rows
from certhub.registry import actions
from certhub.registry.display import certificate_banner, surveillance_of
from certhub.registry.queries import access_certificate

pytestmark = pytest.mark.django_db

SEARCH = reverse("portal:search")


def certificate_url(number: str, body: str = "") -> str:
    url = reverse("registry:certificate", args=[number])
    return f"{url}?body={body}" if body else url


def numbers_in(response) -> list[str]:
    return [row[0] for row in table_rows(response)]


@pytest.mark.parametrize(
    ("key", "change", "word", "tone", "headline"),
    [
        ("active", None, "有效", "valid", "此证书在登记库中状态为有效，有效期至2028-02-28"),
        ("suspended", None, "暂停", "suspended", "此证书自2025-09-01起暂停"),
        ("withdrawn", None, "撤销", "revoked", "此证书已于2025-02-01被撤销"),
        ("ccc", "CANCELLED", "注销", "ended", "此证书已于2025-10-01注销"),
        ("active", "EXPIRED", "过期失效", "ended", "此证书已于2025-10-01过期失效"),
    ],
)
def test_certificate_page_states_its_status_in_words_and_colour(client, world, key, change, word, tone, headline):
    certificate = world.certificates[key]
    if change:
        actions.do_change_certificate_status(
            certificate=certificate,
            to_status=change,
            effective_date=datetime.date(2025, 10, 1),
            reason="测试原因",
            actor=world.actor("cb_hunan"),
        )
    response = client.get(certificate_url(certificate.number, "CNCA-R-2004-117"))
    assert response.status_code == 200
    assert element_text(response, "status-word") == word
    assert f'class="status-banner tone-{tone}"' in response.content.decode()
    assert by_class(response, "status-headline") == [headline]
    invalid = "此证书目前无效，不得作为有效认证证明使用。"
    assert (invalid in by_class(response, "status-line")) is (key not in {"active"} or change is not None)


def test_suspended_page_gives_date_reason_and_history(client, world):
    response = client.get(certificate_url("CNCA-QMS-2025-0002"))
    assert by_class(response, "status-line") == [
        "原因：监督审核发现严重不符合",
        "此证书目前无效，不得作为有效认证证明使用。",
    ]
    from certhub.ledger.queries import entries_of

    # The history, then the ledger entries behind the record: registered, then suspended.
    entries = entries_of("registry.certificate", str(world.certificates["suspended"].pk))
    assert [e.document["action"] for e in entries] == ["CERTIFICATE_CREATED", "CERTIFICATE_STATUS_CHANGED"]
    assert table_rows(response)[-4:] == [
        ["2025-09-01", "有效 → 暂停", "监督审核发现严重不符合"],
        ["2025-03-01", "有效", "发证"],
        *([f"#{e.index}", e.document["action"], e.time_text] for e in entries),
    ]


def test_certificate_page_shows_the_record(client, world):
    response = client.get(certificate_url("2025010701000123"))
    text = page_text(response)
    for expected in (
        "长沙星城电器有限公司",
        world.organizations["maker"].uscc,
        "强制性产品认证",
        "湖南标准认证有限公司",
        "CNCA-R-2004-117",
        "家用电冰箱",
        "GB 4706.1-2005; GB 4706.13-2014",
        "2030-02-28",
    ):
        assert expected in text
    assert table_rows(response)[0] == ["家用电冰箱", "BCD-218", "星城", "6901234567892", "—"]


def test_surveillance_overdue_is_a_flag_beside_the_status(world):
    certificate = access_certificate(world.actor("admin"), "CNCA-QMS-2025-0001", body="CNCA-R-2011-089")
    assert certificate.status == "ACTIVE"
    assert surveillance_of(certificate, datetime.date(2026, 2, 28)).overdue is False
    late = surveillance_of(certificate, datetime.date(2026, 3, 2))
    assert (late.due, late.overdue) == (datetime.date(2026, 3, 1), True)
    assert certificate_banner(certificate, datetime.date(2026, 3, 2)).word == "有效"


def test_overdue_flag_on_the_page_follows_the_date(client, world):
    certificate = world.certificates["active"]
    response = client.get(certificate_url(certificate.number, "CNCA-R-2004-117"))
    overdue = certificate.surveillance_overdue()
    assert ("监督审核逾期" in page_text(response)) is overdue
    if overdue:
        assert "按认证制度规定，下一次监督审核应在2026-03-01前完成，登记库中尚无记录。" in page_text(response)


def test_active_certificate_past_its_expiry_date_is_not_shown_as_valid(world):
    certificate = access_certificate(world.actor("admin"), "CNCA-QMS-2025-0001", body="CNCA-R-2011-089")
    banner = certificate_banner(certificate, datetime.date(2028, 3, 1))
    assert (banner.word, banner.tone, banner.invalid) == ("已过有效期", "ended", True)
    assert banner.headline == "此证书的有效期已于2028-02-28届满"


def test_unknown_number_is_not_in_the_registry(client, world):
    response = client.get(certificate_url("CNCA-FAKE-9999"))
    assert response.status_code == 404
    assert element_text(response, "not-found-title") == "登记库中没有此证书"
    assert by_class(response, "status-headline") == ["登记库中查不到编号为“CNCA-FAKE-9999”的证书。"]
    text = page_text(response)
    assert "证书是伪造或变造的。" in text
    assert "认证机构尚未向登记库报送这张证书（新发证书可能有报送延迟）。" in text
    # Not the wording of a suspended or withdrawn certificate.
    assert 'status-word" id="status-word"' not in response.content.decode()
    assert "起暂停" not in text
    assert "此证书目前无效" not in text


def test_draft_is_invisible_to_the_public(client, world):
    response = client.get(certificate_url("CNCA-QMS-2025-0003"))
    assert response.status_code == 404
    assert element_text(response, "not-found-title") == "登记库中没有此证书"
    assert numbers_in(client.get(SEARCH, {"q": "CNCA-QMS-2025-0003"})) == []


def test_draft_is_visible_to_its_own_body(client, world):
    signed_in(client, world, "cb_hunan")
    response = client.get(certificate_url("CNCA-QMS-2025-0003"))
    assert element_text(response, "status-word") == "草稿"


def test_shared_number_lists_both_bodies(client, world):
    response = client.get(certificate_url("CNCA-QMS-2025-0001"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'href="{certificate_url("CNCA-QMS-2025-0001", "CNCA-R-2004-117")}"' in content
    assert f'href="{certificate_url("CNCA-QMS-2025-0001", "CNCA-R-2011-089")}"' in content
    assert by_class(response, "lead") == ["有2个认证机构使用了这个证书编号。请按证书上载明的认证机构选择："]
    chosen = client.get(certificate_url("CNCA-QMS-2025-0001", "CNCA-R-2011-089"))
    assert by_class(chosen, "record-sub") == ["衡阳湘江机械制造有限公司"]


def test_unknown_body_for_a_number_is_not_found(client, world):
    response = client.get(certificate_url("CNCA-QMS-2025-0002", "CNCA-R-2011-089"))
    assert response.status_code == 404
    assert "（限认证机构“CNCA-R-2011-089”）" in page_text(response)


def test_certification_body_pages(client, world):
    listing = client.get(reverse("registry:certification_body_list"))
    assert [row[:3] for row in table_rows(listing)] == [
        ["岳阳质量认证中心有限公司", "CNCA-R-2011-089", "有效"],
        ["湖南标准认证有限公司", "CNCA-R-2004-117", "有效"],
    ]
    only_ccc = client.get(reverse("registry:certification_body_list"), {"scheme": "CCC"})
    assert [row[0] for row in table_rows(only_ccc)] == ["湖南标准认证有限公司"]
    detail = client.get(reverse("registry:certification_body", args=["CNCA-R-2011-089"]))
    assert by_class(detail, "tag-list") == ["QMS 质量管理体系认证"]
    assert f'href="{SEARCH}?body=CNCA-R-2011-089"' in detail.content.decode()
    its_certificates = client.get(SEARCH, {"body": "CNCA-R-2011-089"})
    assert [(row[0], row[1]) for row in table_rows(its_certificates)] == [
        ("CNCA-QMS-2025-0001", "衡阳湘江机械制造有限公司")
    ]
    assert by_class(its_certificates, "chip") == ["仅显示 岳阳质量认证中心有限公司 颁发的证书 清除"]


def test_unknown_certification_body_is_a_404_with_its_message(client, world):
    response = client.get(reverse("registry:certification_body", args=["CNCA-R-0000-000"]))
    assert response.status_code == 404
    assert by_class(response, "lead") == ["没有批准号为“CNCA-R-0000-000”的认证机构"]


def test_lab_finder_by_parameter_and_standard(client, world):
    url = reverse("registry:lab_list")
    assert [row[:2] for row in table_rows(client.get(url, {"parameter": "铅"}))] == [
        ["湖南省产品质量检验检测研究院", "231812050341"]
    ]
    assert [row[0] for row in table_rows(client.get(url, {"standard": "GB 4706"}))] == ["湖南省产品质量检验检测研究院"]
    assert table_rows(client.get(url, {"parameter": "噪声"})) == []
    assert "没有符合条件的检验检测机构。" in page_text(client.get(url, {"parameter": "噪声"}))


def test_lab_page_filters_its_scope_on_the_server(client, world):
    url = reverse("registry:lab", args=["231812050341"])
    everything = client.get(url)
    assert table_rows(everything) == [
        ["电器", "家用电器", "绝缘电阻", "GB 4706.1-2005", "", "2023-05-01"],
        ["食品", "大米", "铅", "GB 5009.12-2023", "", "2023-05-01"],
    ]
    assert table_rows(client.get(url, {"q": "5009"})) == [["食品", "大米", "铅", "GB 5009.12-2023", "", "2023-05-01"]]
    assert "没有符合条件的范围条目。" in page_text(client.get(url, {"q": "噪声"}))
    assert by_class(everything, "signatory-scope") == ["家用电器 · 绝缘电阻 · GB 4706.1-2005"]
    assert "周敏" in page_text(everything)


@pytest.mark.parametrize(
    ("path", "params", "budget"),
    [
        # the number's owners, the record, its events, region, its ledger entries
        ("/certificates/CNCA-QMS-2025-0002/", {}, 5),
        ("/labs/231812050341/", {}, 6),  # the lab, scope count, scope ids, scope rows, signatories, their scope
    ],
)
def test_hot_pages_stay_within_their_query_budget(client, world, django_assert_max_num_queries, path, params, budget):
    """Query-count baselines (docs/architecture.md convention 15): a page that grows a query per row fails here
    first."""
    with django_assert_max_num_queries(budget):
        assert client.get(path, params).status_code == 200


def test_nul_characters_in_page_addresses_are_a_bad_request(client, world):
    response = client.get("/certificates/AB%00CD/")
    assert (response.status_code, response.content.decode()) == (
        400,
        "path: 含有NUL字符（\\0） · contains a NUL character",
    )
