"""The inspector pool's office page (执法检查人员名录库): scoped by region, entries added through
do_create_inspector, every bad input refused next to its field with nothing written."""

from __future__ import annotations

import pytest

from certhub.core.testing import signed_in, table_rows
from certhub.inspections.models import Inspector

URL = "/inspections/office/inspectors/"


def entry(**overrides):
    data = {
        "code": "XZ4301059001",
        "name": "赵刚",
        "department": "市场监管",
        "region": "430105",
        "qualifications": ["ENTERPRISE", "LAB"],
        "declared_conflicts": "",
        "available": "on",
        "username": "",
    }
    data.update(overrides)
    return data


def test_a_prefecture_officer_sees_the_pool_of_their_prefecture_only(client, world, inspection):
    signed_in(client, world, "officer_changsha")
    rows = table_rows(client.get(URL))
    in_changsha = Inspector.objects.filter(region__code__startswith="4301").order_by("code")
    assert [row[0] for row in rows] == [i.code for i in in_changsha]
    assert rows[0][4] == "企业、获证产品、认证机构、检验检测机构"


def test_an_officer_adds_an_inspector_with_a_sign_in_and_declared_conflicts(client, world, inspection):
    signed_in(client, world, "officer_changsha")
    maker = world.organizations["maker"].uscc
    response = client.post(URL, entry(declared_conflicts=f"{maker.lower()}\n\n", username="officer_changsha"))
    assert response.status_code == 302
    added = Inspector.objects.get(code="XZ4301059001")
    assert (
        added.name,
        added.department,
        added.region_id,
        added.qualifications,
        added.declared_conflicts,
        added.available,
        added.user.username,
    ) == ("赵刚", "市场监管", "430105", ["ENTERPRISE", "LAB"], [maker], True, "officer_changsha")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"declared_conflicts": "9143010000000001XX"}, "declared_conflicts", "第1行“9143010000000001XX”："),
        ({"username": "nobody"}, "username", "没有用户名为“nobody”的监管人员或执法检查人员账号"),
        ({"username": "maker"}, "username", "没有用户名为“maker”的监管人员或执法检查人员账号"),
        ({"code": "XZ4301020001"}, "code", "执法证号“XZ4301020001”已在名录库中"),
        ({"qualifications": []}, "qualifications", "这个字段是必填项。"),
    ],
)
def test_bad_entries_are_refused_next_to_their_field(client, world, inspection, overrides, field, message):
    signed_in(client, world, "officer_changsha")
    before = sorted(Inspector.objects.values_list("code", flat=True))
    response = client.post(URL, entry(**overrides))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert sorted(Inspector.objects.values_list("code", flat=True)) == before


def test_an_inspector_of_another_prefecture_cannot_be_added(client, world, inspection):
    signed_in(client, world, "officer_changsha")
    before = Inspector.objects.count()
    response = client.post(URL, entry(region="430405"))
    assert response.status_code == 422  # 衡阳 is not among the choices of a 长沙 officer
    assert list(response.context["form"].errors) == ["region"]
    assert Inspector.objects.count() == before
