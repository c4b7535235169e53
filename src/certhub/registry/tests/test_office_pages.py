"""The registry's back-office pages: permissions, region scoping of every registry list and record histories (C14)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certhub.core.testing import by_class, signed_in, table_rows
from certhub.registry.tables import REGISTRIES

pytestmark = pytest.mark.django_db


def first_column(response) -> list[str]:
    return [row[0] for row in table_rows(response)]


def history_url(name: str, pk: int) -> str:
    return reverse(f"registry:office_{name}_history", args=[pk])


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(reverse("registry:office_organization_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={reverse('registry:office_organization_list')}"


@pytest.mark.parametrize("username", ["lab", "maker", "cb_hunan"])
def test_roles_without_office_permission_get_403(client, world, username):
    response = signed_in(client, world, username).get(reverse("registry:office_certificate_list"))
    assert response.status_code == 403
    assert by_class(response, "lead") == ["监管后台仅对监管人员和系统管理员开放。"]


@pytest.mark.parametrize("registry", REGISTRIES, ids=lambda r: r.key)
def test_every_registry_list_renders_for_an_administrator(client, world, test_report, registry):
    response = signed_in(client, world, "admin").get(reverse(f"registry:office_{registry.name}_list"))
    assert response.status_code == 200
    headings = [str(column.label) for column in registry.columns]
    assert [h for h in headings if f'<th scope="col">{h}</th>' in response.content.decode()] == headings
    rows = table_rows(response)
    assert rows and all(len(row) == len(headings) + 1 for row in rows)


def test_officer_sees_only_organizations_in_the_region(client, world):
    client = signed_in(client, world, "officer_changsha")
    listing = client.get(reverse("registry:office_organization_list"))
    assert first_column(listing) == ["湖南标准认证有限公司", "湖南省产品质量检验检测研究院", "长沙星城电器有限公司"]
    outside = world.organizations["hengyang"]
    assert client.get(history_url("organization", outside.pk)).status_code == 404
    assert by_class(client.get(history_url("organization", outside.pk)), "lead") == ["你的辖区内没有这条记录。"]
    inside = client.get(history_url("organization", world.organizations["maker"].pk))
    assert inside.status_code == 200
    assert [head.split(" ", 2)[2] for head in by_class(inside, "audit-head")] == ["机构登记 system（系统管理员）"]


def test_region_filter_narrows_within_the_province(client, world):
    client = signed_in(client, world, "officer_province")
    response = client.get(reverse("registry:office_organization_list"), {"region": "430400"})
    assert first_column(response) == ["衡阳湘江机械制造有限公司"]
    by_code = client.get(reverse("registry:office_organization_list"), {"q": world.organizations["farm"].uscc})
    assert first_column(by_code) == ["永州潇湘有机农场"]


def test_prefecture_officer_filters_by_county(client, world):
    response = signed_in(client, world, "officer_changsha").get(reverse("registry:office_organization_list"))
    content = response.content.decode()
    assert '<option value="430104">岳麓区</option>' in content
    assert '<option value="430400">' not in content


def test_officer_certificates_are_scoped_and_include_drafts(client, world):
    changsha = signed_in(client, world, "officer_changsha").get(reverse("registry:office_certificate_list"))
    assert sorted(first_column(changsha)) == ["2025010701000123", "CNCA-QMS-2025-0001", "CNCA-QMS-2025-0003"]
    assert [row[4] for row in table_rows(changsha) if row[0] == "CNCA-QMS-2025-0003"] == ["草稿"]
    client.logout()
    hengyang = signed_in(client, world, "officer_hengyang")
    listing = hengyang.get(reverse("registry:office_certificate_list"))
    assert sorted(first_column(listing)) == ["CNCA-EMS-2024-0004", "CNCA-QMS-2025-0001", "CNCA-QMS-2025-0002"]
    assert hengyang.get(history_url("certificate", world.certificates["active"].pk)).status_code == 404
    assert hengyang.get(history_url("certificate", world.certificates["suspended"].pk)).status_code == 200


def test_labs_bodies_people_and_reports_are_scoped(client, world, test_report):
    lab = world.labs["main"]
    changsha = signed_in(client, world, "officer_changsha")
    assert first_column(changsha.get(reverse("registry:office_lab_list"))) == ["湖南省产品质量检验检测研究院"]
    assert first_column(changsha.get(reverse("registry:office_certification_body_list"))) == ["湖南标准认证有限公司"]
    assert first_column(changsha.get(reverse("registry:office_person_list"))) == ["周敏"]
    assert table_rows(changsha.get(reverse("registry:office_test_report_list"))) == [
        ["BG-2025-0001", "湖南省产品质量检验检测研究院", "周敏", "2025-06-01", "家用电冰箱", "合格", "变更历史"]
    ]
    client.logout()
    hengyang = signed_in(client, world, "officer_hengyang")
    for name in ("lab", "certification_body", "person", "test_report"):
        assert table_rows(hengyang.get(reverse(f"registry:office_{name}_list"))) == [], name
    assert hengyang.get(history_url("lab", lab.pk)).status_code == 404
    assert hengyang.get(history_url("test_report", test_report.pk)).status_code == 404
    assert hengyang.get(history_url("person", world.signatories["zhou"].person_id)).status_code == 404


def test_certificate_history_shows_audit_rows_and_status_events(client, world):
    certificate = world.certificates["suspended"]
    response = signed_in(client, world, "officer_province").get(history_url("certificate", certificate.pk))
    heads = by_class(response, "audit-head")
    assert [head.split(" ", 2)[2] for head in heads] == [
        "证书登记 cb_hunan（认证机构）",
        "证书状态变更 cb_hunan（认证机构）",
    ]
    assert by_class(response, "audit-reason") == ["理由：监督审核发现严重不符合"]
    rows = table_rows(response)
    assert rows[1][:3] == ["2025-09-01", "有效 → 暂停", "监督审核发现严重不符合"]
    assert ["状态", "ACTIVE", "SUSPENDED"] in rows
    assert ["状态日期", "2025-03-01", "2025-09-01"] in rows
