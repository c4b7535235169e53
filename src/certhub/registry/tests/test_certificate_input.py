"""CertificateInput (registry.certificate_rules) through core.validation: every bad field of a certificate
is reported at once, the rules between fields beside the fields' own, and nothing is written."""

import pytest

from certhub.core.errors import ValidationFailed
from certhub.registry import actions
from certhub.registry.models import Certificate, CertificateEvent
from certhub.registry.testing import certificate_data


def test_every_bad_field_and_every_rule_between_fields_is_reported_at_once(world):
    before = (Certificate.objects.count(), CertificateEvent.objects.count())
    data = certificate_data(
        "",
        world.organizations["maker"],
        scheme="NOPE",
        holder_uscc="1234",
        issue_date="2025-03-01",
        expiry_date="2025-02-01",  # before the issue date: reported beside the other fields
        original_issue_date="2025-04-01",  # after it
        products=[{"name": "", "gtin": "12345"}, "lamp"],
        particulars={"color": "red", "applicant": "x" * 201},
        sites="one site",
        status="ACTIVE?",
        last_surveillance_date="soon",
    )
    with pytest.raises(ValidationFailed) as failure:
        actions.do_create_certificate(body=world.bodies["hunan"], data=data, actor=world.actor("cb_hunan"))
    assert failure.value.errors == {
        "number": ["必填"],
        "scheme": ["未知的认证制度“NOPE”"],
        "holder_uscc": ["统一社会信用代码须为18位，收到4位"],
        "expiry_date": ["有效期至（2025-02-01）须晚于发证日期（2025-03-01）"],
        "original_issue_date": ["初次发证日期不得晚于发证日期"],
        "products[0].name": ["必填"],
        "products[0].gtin": ["GTIN须为8、12、13或14位数字"],
        "products[1]": ["产品应为对象"],
        "particulars.color": [failure.value.errors["particulars.color"][0]],
        "particulars.applicant": ["长度不得超过200个字符"],
        "sites": ["认证场所应为对象列表"],
        "status": ["新证书的状态只能是DRAFT或ACTIVE，收到“ACTIVE?”"],
        "last_surveillance_date": ["日期格式应为YYYY-MM-DD，收到“soon”"],
    }
    assert failure.value.errors["particulars.color"][0].startswith("未知字段，应为")
    assert (Certificate.objects.count(), CertificateEvent.objects.count()) == before


def test_a_bad_issue_date_leaves_the_rules_between_dates_unchecked(world):
    data = certificate_data("X-1", world.organizations["maker"], issue_date="2025-13-01", expiry_date="2020-01-01")
    with pytest.raises(ValidationFailed) as failure:
        actions.do_create_certificate(body=world.bodies["hunan"], data=data, actor=world.actor("cb_hunan"))
    assert failure.value.errors == {"issue_date": ["日期格式应为YYYY-MM-DD，收到“2025-13-01”"]}


def test_a_clean_certificate_keeps_only_the_values_given(world):
    data = certificate_data(
        " X-2 ",
        world.organizations["maker"],
        products=[{"name": "台灯", "model": "", "gtin": "4006381333931"}],
        particulars={"address": "", "applicant": "星城"},
    )
    certificate = actions.do_create_certificate(body=world.bodies["hunan"], data=data, actor=world.actor("cb_hunan"))
    assert certificate.number == "X-2"
    assert certificate.products == [{"name": "台灯", "gtin": "4006381333931"}]
    assert certificate.particulars == {"applicant": "星城"}
    assert certificate.original_issue_date == certificate.issue_date
    assert certificate.status == "ACTIVE"
