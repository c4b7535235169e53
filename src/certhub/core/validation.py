"""One validation mechanism for every way data comes in (actions, forms, the API, the submission importer):
pydantic v2 models built from the field types below, checked by `validate`, which raises
errors.ValidationFailed({field: message}) naming every bad field at once — the one shape pages and the API
show. The messages are the registry's own (msgids unchanged, translated when a value is checked, zh-Hans
first); pydantic's own English messages never reach a user.

Field types are `Annotated[...]` with a plain validator: it replaces pydantic's coercion, so a value is
read exactly as the registry always read it (NFKC, trimmed, credit codes compacted), and a bulk file of a
million rows pays for one Python call per field. Build models and TypeAdapters once, at module level.
Checks that need registry data (a scheme, a holder) get their lookups from pydantic's validation
`context` (see registry.certificate_rules)."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, NoReturn, TypeVar

from django.utils.translation import gettext as _
from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError, core_schema
from stdnum import ean
from stdnum.cn import uscc as uscc_module
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from certhub.core.errors import ValidationFailed
from certhub.core.identifiers import DEFAULT_MAX_LENGTH, clean_identifier

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")


def normalize_text(value: Any) -> str:
    """NFKC turns full-width letters and digits into ASCII; stray spaces are trimmed."""
    text = value if isinstance(value, str) else str(value or "")
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip()


def compact_uscc(value: Any) -> str:
    """A credit code as written, in its compact upper-case form (not yet checked)."""
    return normalize_text(value).upper().replace(" ", "").replace("-", "")


def invalid(message: str) -> NoReturn:
    """Refuse a value with this (already translated) message. No template context: pydantic shows the
    message as given, so a value quoted in it may hold braces."""
    raise PydanticCustomError("invalid", message)


# --- the field checks: each takes the raw value and returns the clean one or calls invalid() ---------------


def check_uscc(value: Any) -> str:
    """A Unified Social Credit Code (GB 32100-2015), checked with python-stdnum; required."""
    code = compact_uscc(value)
    if not code:
        invalid(_("必填"))
    problem = _uscc_problem(code)
    if problem is None:
        return code
    if problem == "length":
        invalid(_("统一社会信用代码须为18位，收到%(code_length)d位") % {"code_length": len(code)})
    if problem == "checksum":
        invalid(_("统一社会信用代码校验位错误"))
    if problem == "format":
        invalid(_("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"))
    invalid(_("统一社会信用代码无效"))


# GB 32100-2015's check character: its 31-character alphabet and the weights of the first 17 positions,
# as python-stdnum (stdnum.cn.uscc) computes it.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc_valid_fast(code: str) -> bool:
    """True for a compact code python-stdnum accepts (18 characters, 8 ASCII digits then the alphabet, the
    check character right), by the same arithmetic without stdnum's re-cleaning of the text, which costs
    ~50 µs a code: a registration file brings a million codes, each seen once. False sends the code to
    stdnum, which decides it and names the problem (the tests check the two agree)."""
    if len(code) != 18 or not (code[:8].isascii() and code[:8].isdigit()):
        return False
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
        _USCC_VALUE[code[17]]
    except KeyError:
        return False
    return _USCC_ALPHABET[(31 - total) % 31] == code[17]


@functools.lru_cache(maxsize=65536)
def _uscc_problem(code: str) -> str | None:
    """What is wrong with an upper-case, compact code, or None. Cached: a bulk file names the same
    holders again and again, and the check is pure."""
    if _uscc_valid_fast(code):
        return None
    try:
        uscc_module.validate(code)
    except InvalidLength:
        return "length"
    except InvalidChecksum:
        return "checksum"
    except (InvalidFormat, InvalidComponent):
        return "format"
    except StdnumError:
        return "invalid"
    return None


def check_optional_uscc(value: Any) -> str:
    """A credit code when one is given (None, "" are none; a value given is checked); empty is ""."""
    return check_uscc(value) if value else ""


def check_gtin(value: Any) -> str:
    """A GTIN (8, 12, 13 or 14 digits with its check digit); optional: empty is ""."""
    code = normalize_text(value).replace(" ", "")
    if not code:
        return ""
    if len(code) not in (8, 12, 13, 14):
        invalid(_("GTIN须为8、12、13或14位数字"))
    try:
        return str(ean.validate(code))
    except StdnumError:
        invalid(_("GTIN校验位错误"))


def check_date(value: Any) -> datetime.date:
    """A date: a date object, or YYYY-MM-DD (also YYYYMMDD, YYYY/MM/DD); required."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = normalize_text(value)
    if not text:
        invalid(_("必填"))
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return datetime.date.fromisoformat(text)  # the common case, without strptime's cost
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    invalid(_("日期格式应为YYYY-MM-DD，收到“%(text)s”") % {"text": text[:40]})


def check_optional_date(value: Any) -> datetime.date | None:
    """A date when one is given: an empty value (None, "") is no date, a bad one is its own error."""
    return check_date(value) if value else None


def check_text(value: Any, max_length: int, *, required: bool) -> str:
    text = normalize_text(value)
    # PostgreSQL can neither store nor compare a NUL; Django's form fields refuse one the same way (C14).
    if "\x00" in text:
        invalid(_("不得含有NUL字符（\\0）"))
    if required and not text:
        invalid(_("必填"))
    if len(text) > max_length:
        invalid(_("长度不得超过%(max_length)d个字符") % {"max_length": max_length})
    return text


def check_identifier(value: Any, max_length: int = DEFAULT_MAX_LENGTH, *, required: bool = True) -> str:
    """A number a user creates, in the one identifier grammar (core/identifiers.py)."""
    try:
        return clean_identifier(value, max_length, required=required)
    except ValueError as error:
        invalid(str(error))


# --- the field types ---------------------------------------------------------------------------------------

Uscc = Annotated[str, PlainValidator(check_uscc)]
OptionalUscc = Annotated[str, PlainValidator(check_optional_uscc)]
Gtin = Annotated[str, PlainValidator(check_gtin)]
RequiredDate = Annotated[datetime.date, PlainValidator(check_date)]
OptionalDate = Annotated[datetime.date | None, PlainValidator(check_optional_date)]


@dataclasses.dataclass(frozen=True)
class Text:
    """Text of at most `max_length` characters after normalisation, required unless `required=False`
    (then empty is ""): `name: Annotated[str, Text(200)]`."""

    max_length: int
    required: bool = True

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        check = functools.partial(check_text, max_length=self.max_length, required=self.required)
        return core_schema.no_info_plain_validator_function(check)


@dataclasses.dataclass(frozen=True)
class Identifier:
    """A number a user creates (certificate, report, approval numbers…): the identifier grammar of
    core/identifiers.py with at most `max_length` characters: `number: Annotated[str, Identifier(60)]`."""

    max_length: int = DEFAULT_MAX_LENGTH
    required: bool = True

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        check = functools.partial(check_identifier, max_length=self.max_length, required=self.required)
        text = core_schema.str_schema(min_length=int(self.required), max_length=self.max_length)
        return core_schema.no_info_plain_validator_function(check, json_schema_input_schema=text)


class Input(BaseModel):
    """Base of the input models. A required field has no default: left out, it says 必填 like an empty
    one (field_errors). An optional field's default is checked too (validate_default), so it comes out
    in its clean form. Keys the model does not name are ignored."""

    model_config = ConfigDict(validate_default=True, extra="ignore", arbitrary_types_allowed=True, frozen=True)


def context_of(info: ValidationInfo) -> dict[str, Any]:
    """The validation context a domain field type reads its lookups from. Validating such a model without
    one is a programming error, raised as such (TypeError is not turned into a field error)."""
    if not isinstance(info.context, dict):
        raise TypeError("this model is validated with a context (its lookups)")
    return info.context


# --- running a check ---------------------------------------------------------------------------------------


def field_key(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location as the registry writes field keys: products[0].name, particulars.key.
    A dict key's own error ("[key]") is reported at the key."""
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            key = f"{key}.{part}" if key else part
    return key


def field_errors(error: ValidationError, *, prefix: str = "") -> dict[str, str]:
    """{field: first message} from a pydantic ValidationError, in the order the fields were checked."""
    errors: dict[str, str] = {}
    for item in error.errors(include_url=False, include_context=False, include_input=False):
        key = field_key(item["loc"])
        key = f"{prefix}.{key}" if prefix and key else prefix or key
        if key not in errors:
            errors[key] = _("必填") if item["type"] == "missing" else item["msg"]
    return errors


def validate(schema: type[ModelT], data: Mapping[str, Any], *, context: dict[str, Any] | None = None) -> ModelT:
    """Check `data` against `schema`; raise ValidationFailed({field: message}) naming every bad field."""
    try:
        return schema.model_validate(data, context=context)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error)) from None


def validate_value(adapter: TypeAdapter[T], value: Any, *, field: str, context: dict[str, Any] | None = None) -> T:
    """Check one value with a field type's TypeAdapter; raise ValidationFailed({field: message})."""
    try:
        return adapter.validate_python(value, context=context)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error, prefix=field)) from None


def collect(
    schema: type[ModelT],
    data: Mapping[str, Any],
    errors: dict[str, list[str]],
    *,
    prefix: str = "",
    context: dict[str, Any] | None = None,
) -> ModelT | None:
    """For an action that adds rules of its own (lookups, rules between arguments) or checks a batch row
    by row: validate, add each bad field's message to `errors` (under `prefix`, e.g. rows[3]) and return
    None, or return the model. The caller raises ValidationFailed(errors) once all is checked."""
    try:
        return schema.model_validate(data, context=context)
    except ValidationError as error:
        for key, text in field_errors(error, prefix=prefix).items():
            errors.setdefault(key, []).append(text)
        return None


USCC: TypeAdapter[str] = TypeAdapter(Uscc)
DATE: TypeAdapter[datetime.date] = TypeAdapter(RequiredDate)
