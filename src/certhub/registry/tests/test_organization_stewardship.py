"""Organization stewardship (C1): the officer's correction (form and API), former names kept and still
found by search, the registration status shown, the enterprise's own contact and declared products (page
and API); each bad input refused with field and reason, nothing written."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.core.choices import AuditEventType
from certhub.core.models import AuditEvent
from certhub.core.testing import element_text, signed_in, table_cells
from certhub.ledger.models import Entry
from certhub.registry import actions
from certhub.registry.models import ManufacturedProduct, Organization, OrganizationName
from certhub.registry.queries import certificate_search, match_organizations, search_organizations

pytestmark = pytest.mark.django_db


def edit_url(organization: Organization) -> str:
    return reverse("registry:office_organization_edit", args=[organization.pk])


def form_data(organization: Organization, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": organization.name,
        "region_code": organization.region_id,
        "address": organization.address,
        "industry_section": organization.industry_section,
        "industry_division": organization.industry_division,
        "registration_status": organization.registration_status,
    }
    if organization.above_designated_size:
        data["above_designated_size"] = "on"
    data.update(changes)
    return data


def state(organization: Organization) -> tuple:
    organization.refresh_from_db()
    return (
        organization.name,
        organization.region_id,
        organization.registration_status,
        OrganizationName.objects.filter(organization=organization).count(),
        AuditEvent.objects.filter(subject_type="registry.organization", subject_id=str(organization.pk)).count(),
    )


def rename(world, new_name: str = "长沙星城智能电器有限公司") -> Organization:
    maker = world.organizations["maker"]
    data = form_data(maker, name=new_name)
    data["above_designated_size"] = True
    return actions.do_update_organization(organization=maker, data=data, actor=world.actor("officer_changsha"))


def test_officer_corrects_a_record_with_the_form_former_name_kept_audit_and_ledger(client, world):
    maker = world.organizations["maker"]
    signed_in(client, world, "officer_changsha")
    page = client.get(edit_url(maker))
    assert page.status_code == 200 and element_text(page, "registration-status") == "存续"
    response = client.post(
        edit_url(maker), form_data(maker, name="长沙星城智能电器有限公司", registration_status="LICENCE_REVOKED")
    )
    assert response.status_code == 302
    maker.refresh_from_db()
    assert (maker.name, maker.registration_status) == ("长沙星城智能电器有限公司", "LICENCE_REVOKED")
    former = OrganizationName.objects.get(organization=maker)
    assert (former.name, former.used_from, former.used_until) == ("长沙星城电器有限公司", None, timezone.localdate())
    event = AuditEvent.objects.filter(event_type=AuditEventType.ORGANIZATION_UPDATED, subject_id=str(maker.pk)).get()
    assert (event.before["name"], event.after["name"], event.after["registration_status"]) == (
        "长沙星城电器有限公司", "长沙星城智能电器有限公司", "LICENCE_REVOKED",
    )  # fmt: skip
    assert Entry.objects.filter(audit_id=event.pk).count() == 1
    page = client.get(edit_url(maker))
    assert element_text(page, "registration-status") == "吊销"
    assert element_text(page, "former-names") == f"长沙星城电器有限公司 –{timezone.localdate():%Y-%m-%d}"
    # The holder's certificates carry the new name.
    assert set(maker.certificates.values_list("holder_name", flat=True)) == {"长沙星城智能电器有限公司"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"region_code": "439999"}, "region_code", "未知的行政区划代码“439999”"),
        ({"registration_status": "歇业"}, "registration_status",
         "未知的登记状态“歇业”，应为存续、吊销、注销或IN_BUSINESS、LICENCE_REVOKED、DEREGISTERED"),
        ({"industry_division": "99"}, "industry_division", "大类99不属于门类C"),
        ({"name": ""}, "name", "必填"),
    ],
)  # fmt: skip
def test_the_form_refuses_bad_input_by_field_and_writes_nothing(client, world, changes, field, message):
    maker = world.organizations["maker"]
    before = state(maker)
    response = signed_in(client, world, "officer_changsha").post(edit_url(maker), form_data(maker, **changes))
    assert response.status_code == 422
    assert element_text(response, f"id_{field}_errors") == message
    assert state(maker) == before


def test_an_officer_cannot_move_a_record_out_of_the_region_nor_see_another_regions(client, world):
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    signed_in(client, world, "officer_changsha")
    assert client.get(edit_url(hengyang)).status_code == 404
    before = state(maker)
    assert client.post(edit_url(maker), form_data(maker, region_code="430405")).status_code == 403
    assert state(maker) == before


def test_search_and_matching_find_an_organization_by_its_former_name(world):
    renamed = rename(world)
    officer = world.actor("officer_province")
    found, partial = certificate_search(officer, q="星城电器")
    assert not partial
    assert sorted({c.holder_id for c in found}) == [renamed.pk]
    assert list(search_organizations(officer, q="长沙星城电器有限公司").values_list("uscc", flat=True)) == [
        renamed.uscc
    ]
    best = match_organizations(officer, name="长沙星城电器有限公司")[0]
    assert (best["uscc"], best["score"], best["basis"]) == (renamed.uscc, 97, "former_name_exact")
    assert best["reasons"] == ["曾用名“长沙星城电器有限公司”：名称一致"]


def test_public_trace_page_shows_the_registration_status_and_former_names(client, world):
    maker = world.organizations["maker"]
    data = form_data(maker, name="长沙星城智能电器有限公司", registration_status="DEREGISTERED")
    data["above_designated_size"] = True
    actions.do_update_organization(organization=maker, data=data, actor=SYSTEM)
    page = client.get(reverse("trace:organization", args=[maker.uscc]))
    assert element_text(page, "registration-status") == "注销"
    assert element_text(page, "former-names") == f"长沙星城电器有限公司 –{timezone.localdate():%Y-%m-%d}"


# ---------------------------------------------------------------- the API


def test_api_correction_by_an_officer_and_its_refusals(client, world):
    maker = world.organizations["maker"]
    signed_in(client, world, "officer_changsha")
    url = f"/api/v1/organizations/{maker.uscc}"
    body = {"name": maker.name, "region_code": "439999", "registration_status": "存续", "industry_section": "C"}
    before = state(maker)
    refused = client.put(url, body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"region": ["未知的行政区划代码“439999”"]}
    refused = client.put(
        url, {**body, "region_code": "430104", "registration_status": "X"}, content_type="application/json"
    )
    assert refused.json()["errors"] == {
        "registration_status": ["未知的登记状态“X”，应为存续、吊销、注销或IN_BUSINESS、LICENCE_REVOKED、DEREGISTERED"]
    }
    assert state(maker) == before
    done = client.put(
        url, {**body, "region_code": "430104", "registration_status": "注销"}, content_type="application/json"
    )
    assert done.status_code == 200
    assert (done.json()["registration_status"], done.json()["former_names"]) == ("DEREGISTERED", [])
    public = Client().get(url).json()
    assert public["registration_status"] == "DEREGISTERED"


def test_api_writes_need_the_csrf_token_of_the_signed_in_session(world):
    maker = world.organizations["maker"]
    browser = signed_in(Client(enforce_csrf_checks=True), world, "officer_changsha")
    before = state(maker)
    response = browser.put(
        f"/api/v1/organizations/{maker.uscc}",
        {"name": "新名称有限公司", "region_code": "430104"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["message"].startswith("缺少或错误的CSRF令牌")
    assert state(maker) == before


def test_organizations_batch_through_the_api_refuses_a_bad_check_digit(client, world):
    from certhub.registry.testing import make_uscc

    good = make_uscc(601, "430104")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    signed_in(client, world, "officer_changsha")
    response = client.post(
        "/api/v1/submissions",
        {
            "kind": "organizations",
            "records": [
                {"uscc": good, "name": "甲有限公司", "region_code": "430104", "registration_status": "存续"},
                {"uscc": bad, "name": "乙有限公司", "region_code": "430104", "registration_status": "存续"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    report = response.json()
    assert (report["state"], report["rejected"]) == ("rejected", 1)
    assert [(p["row"], p["field"], p["message"]) for p in report["problems"]] == [
        (2, "uscc", "统一社会信用代码校验位错误")
    ]
    assert not Organization.objects.filter(uscc__in=[good, bad]).exists()
    cb = Client()
    refused = cb.post(
        "/api/v1/submissions",
        {"kind": "organizations", "records": [{"uscc": good}]},
        content_type="application/json",
        headers={"X-API-Key": world.api_keys["cb_hunan"]},
    )
    assert refused.status_code == 403


# ---------------------------------------------------------------- the enterprise's own page and API


def test_enterprise_keeps_its_contact_and_declares_products_on_its_page(client, world):
    maker = world.organizations["maker"]
    signed_in(client, world, "maker")
    url = reverse("registry:my_organization")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"form": "contact", "contact-contact_email": "not-an-address", "contact-contact_phone": ""})
    assert bad.status_code == 422
    assert element_text(bad, "id_contact-contact_email_errors") == "电子邮箱格式不正确"
    maker.refresh_from_db()
    assert maker.contact_email == ""
    ok = client.post(
        url,
        {"form": "contact", "contact-contact_email": "qa@xingcheng.example", "contact-contact_phone": "0731-8888 1234"},
    )
    assert ok.status_code == 302
    maker.refresh_from_db()
    assert (maker.contact_email, maker.contact_phone) == ("qa@xingcheng.example", "0731-8888 1234")
    event = AuditEvent.objects.get(event_type=AuditEventType.ORGANIZATION_CONTACT_CHANGED, subject_id=str(maker.pk))
    assert Entry.objects.filter(audit_id=event.pk).count() == 1

    unknown = client.post(url, {"form": "declare", "declare-ccc_product": "9999"})
    assert element_text(unknown, "id_declare-ccc_product_errors") == "CCC目录中没有产品代码“9999”"
    assert client.post(url, {"form": "declare", "declare-ccc_product": "0701"}).status_code == 302
    made = ManufacturedProduct.objects.get(organization=maker)
    assert (made.ccc_product.code, made.source, made.region_code) == ("0701", "declared", "430104")
    again = client.post(url, {"form": "declare", "declare-ccc_product": "0701"})
    assert element_text(again, "id_declare-ccc_product_errors") == "已登记生产此产品"
    page = client.get(url)
    assert table_cells(page, "products")[1:] == [["0701", made.ccc_product.name, "企业自报", "撤回0701"]]
    assert client.post(url, {"form": "withdraw", "ccc_product": "0701"}).status_code == 302
    assert not ManufacturedProduct.objects.filter(organization=maker).exists()
    assert AuditEvent.objects.filter(event_type=AuditEventType.PRODUCT_WITHDRAWN).count() == 1


def test_enterprise_api_for_its_own_organization_only(client, world):
    maker, hengyang = world.organizations["maker"], world.organizations["hengyang"]
    signed_in(client, world, "maker")
    response = client.put(
        f"/api/v1/organizations/{maker.uscc}/contact",
        {"contact_email": "qa@xingcheng.example", "contact_phone": "abc"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"contact_phone": ["电话号码只能含数字、空格、连字符和开头的+，6至32位"]}
    declared = client.post(
        f"/api/v1/organizations/{maker.uscc}/products", {"ccc_product": "0701"}, content_type="application/json"
    )
    assert declared.status_code == 201
    name = ManufacturedProduct.objects.get(organization=maker).ccc_product.name
    assert declared.json()["products"] == [{"ccc_product": "0701", "name": name, "source": "declared"}]
    other = client.post(
        f"/api/v1/organizations/{hengyang.uscc}/products", {"ccc_product": "0701"}, content_type="application/json"
    )
    assert other.status_code == 403
    assert not ManufacturedProduct.objects.filter(organization=hengyang).exists()
    withdrawn = client.delete(f"/api/v1/organizations/{maker.uscc}/products/0701")
    assert (withdrawn.status_code, withdrawn.json()["products"]) == (200, [])


# ---------------------------------------------------------------- the bulk path's shortcuts agree with the rules


def test_the_fast_credit_code_check_agrees_with_stdnum():
    import random

    from stdnum.cn import uscc

    from certhub.core.validation import _uscc_valid_fast, compact_uscc
    from certhub.registry.testing import make_uscc

    rnd = random.Random(15)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXYIOZSV-a１"
    codes = [make_uscc(rnd.randrange(10**8), rnd.choice(["430104", "430405", "110000"])) for _ in range(300)]
    mutated = []
    for code in codes:
        position = rnd.randrange(18)
        mutated.append(code[:position] + rnd.choice(alphabet) + code[position + 1 :])
    mutated += [code[:17] for code in codes[:20]] + [code + "0" for code in codes[:20]]
    for code in codes + mutated:
        # On the compact form the code is checked in, the two agree; on any text, the fast check never
        # accepts what stdnum refuses (what it leaves to stdnum, stdnum decides).
        assert _uscc_valid_fast(compact_uscc(code)) == uscc.is_valid(code), code
        assert not _uscc_valid_fast(code) or uscc.is_valid(code), code
    assert sum(uscc.is_valid(code) for code in codes) == 300


def test_the_bulk_audit_digest_is_the_ledgers_salted_digest(world):
    from certhub.core.audit import salted_digest, snapshot
    from certhub.registry.actions.organizations import _digest

    state = snapshot(world.organizations["maker"])
    salt = b"0123456789abcdef"
    assert _digest(salt, state) == salted_digest(salt, state)
    assert _digest(salt, None) is None
