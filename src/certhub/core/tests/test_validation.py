"""The one validation mechanism (core.validation): each field type's messages and keys, every bad field
reported at once, pydantic's own words never shown, messages translated when a value is checked."""

import datetime
from typing import Annotated

import pytest
from django.utils import translation
from pydantic import TypeAdapter

from certhub.core.errors import ValidationFailed
from certhub.core.validation import (
    DATE,
    USCC,
    Gtin,
    Input,
    OptionalDate,
    OptionalUscc,
    RequiredDate,
    Text,
    Uscc,
    collect,
    field_key,
    validate,
    validate_value,
)

VALID_USCC = "914301000000000780"  # registry.testing.make_uscc(7)


class Sample(Input):
    uscc: Uscc
    holder: OptionalUscc = ""
    name: Annotated[str, Text(10)]
    note: Annotated[str, Text(5, required=False)] = ""
    gtin: Gtin = ""
    issued: RequiredDate
    renewed: OptionalDate = None


GOOD = {"uscc": VALID_USCC, "name": "长沙", "issued": "2025-03-01"}


def errors_of(data, schema=Sample):
    with pytest.raises(ValidationFailed) as failure:
        validate(schema, data)
    return failure.value.errors


def test_valid_input_comes_out_clean():
    checked = validate(
        Sample,
        {
            "uscc": " 9143-0100 0000-0007-80 ",
            "name": "ＡＢＣ",  # full-width letters: NFKC
            "gtin": "4006381333931",
            "issued": "20250301",
            "renewed": datetime.datetime(2026, 1, 2, 3, 4),
            "unknown": "ignored",
        },
    )
    assert checked.uscc == VALID_USCC
    assert checked.name == "ABC"
    assert checked.note == ""
    assert checked.gtin == "4006381333931"
    assert checked.issued == datetime.date(2025, 3, 1)
    assert checked.renewed == datetime.date(2026, 1, 2)
    assert checked.holder == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("uscc", "", "必填"),
        ("uscc", "9143010", "统一社会信用代码须为18位，收到7位"),
        ("uscc", VALID_USCC[:-1] + "1", "统一社会信用代码校验位错误"),
        ("uscc", "9143010000000007I0", "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"),
        ("holder", "123", "统一社会信用代码须为18位，收到3位"),
        ("name", "   ", "必填"),
        ("name", "长" * 11, "长度不得超过10个字符"),
        ("note", "abcdef", "长度不得超过5个字符"),
        ("gtin", "12345", "GTIN须为8、12、13或14位数字"),
        ("gtin", "4006381333932", "GTIN校验位错误"),
        ("issued", "", "必填"),
        ("issued", "2025-02-30", "日期格式应为YYYY-MM-DD，收到“2025-02-30”"),
        ("renewed", "next {year}", "日期格式应为YYYY-MM-DD，收到“next {year}”"),
    ],
)
def test_one_bad_value_gives_its_message_under_its_key(field, value, message):
    assert errors_of({**GOOD, field: value}) == {field: [message]}


def test_a_missing_required_field_is_required_not_pydantics_words():
    assert errors_of({"uscc": VALID_USCC}) == {"name": ["必填"], "issued": ["必填"]}


def test_every_bad_field_is_reported_at_once_in_field_order():
    errors = errors_of({"uscc": "1", "name": "", "gtin": "1", "issued": "x", "renewed": "y"})
    assert list(errors) == ["uscc", "name", "gtin", "issued", "renewed"]
    assert errors["name"] == ["必填"]
    with pytest.raises(ValidationFailed) as failure:
        validate(Sample, {"uscc": "1", "name": ""})
    assert failure.value.message.startswith("uscc: 统一社会信用代码须为18位，收到1位; name: 必填")


class Item(Input):
    name: Annotated[str, Text(3)]


class Nested(Input):
    items: list[Item] = []
    extra: dict[str, Annotated[str, Text(2)]] = {}


def test_nested_keys_are_written_as_the_registry_writes_them():
    errors = errors_of({"items": [{"name": "ok"}, {"name": ""}], "extra": {"color": "red"}}, Nested)
    assert errors == {"items[1].name": ["必填"], "extra.color": ["长度不得超过2个字符"]}
    assert field_key(("particulars", "bad", "[key]")) == "particulars.bad"


def test_a_single_value_and_a_batch_row_go_through_the_same_conversion():
    assert validate_value(DATE, "2025/03/01", field="d") == datetime.date(2025, 3, 1)
    with pytest.raises(ValidationFailed) as failure:
        validate_value(USCC, "", field="rows[2].uscc")
    assert failure.value.errors == {"rows[2].uscc": ["必填"]}
    errors: dict[str, list[str]] = {"rows[0].kind": ["未知"]}
    assert collect(Sample, {"name": "x"}, errors, prefix="rows[0]") is None
    assert errors == {"rows[0].kind": ["未知"], "rows[0].uscc": ["必填"], "rows[0].issued": ["必填"]}
    checked = collect(Sample, GOOD, errors, prefix="rows[1]")
    assert checked == validate(Sample, GOOD)
    assert (checked.uscc, checked.name, checked.issued) == (VALID_USCC, "长沙", datetime.date(2025, 3, 1))
    assert errors == {"rows[0].kind": ["未知"], "rows[0].uscc": ["必填"], "rows[0].issued": ["必填"]}


def test_messages_are_translated_when_a_value_is_checked():
    adapter = TypeAdapter(Gtin)
    with translation.override("en"), pytest.raises(ValidationFailed) as failure:
        validate_value(adapter, "4006381333932", field="gtin")
    assert failure.value.errors == {"gtin": ["The GTIN’s check digit is wrong"]}
    with pytest.raises(ValidationFailed) as failure:
        validate_value(adapter, "4006381333932", field="gtin")
    assert failure.value.errors == {"gtin": ["GTIN校验位错误"]}
