"""The rules of the self-declaration register (自我声明, C7), read from market/data/declarations.json where
they are data: the number format, the catalogue modes that allow a declaration, the report conclusions that
can back one, the bounds on one declaration. The checks here answer with messages (never raise), so that
the action can name every bad field at once (docs/architecture.md invariant 6).

What a declaration needs, and where each rule comes from:

- the catalogue product, in the catalogue version in force on the declaration day, and its mode on that
  day `*` or `**` (强制性产品认证目录描述与界定表（2023年修订）, SAMR 2023 No. 36); a product that needs
  certification by a designated body cannot be self-declared;
- the standards, each a code CertHub can read (registry.standards);
- the type-test report: a report in CertHub, issued on or before the declaration day, with a passing
  conclusion, by a lab whose CMA qualification was valid and whose scope — and its signatory's authorization
  — covered each declared standard on the report's issue date, with an item tested to that standard
  (CNCA-00C-008:2019 强制性产品认证实施规则 自我声明; 检验检测机构资质认定管理办法); or, when the report
  cannot be checked here, the producer's note saying why.

A declaration covers its producer's catalogue product on a day (the KPI, the ccc_uncovered detector and
the market checks read this): declared on or before the day, not withdrawn by then, and the product's mode
allowing self-declaration on that day (`in_force_sql`)."""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from certhub.registry.models import CccProduct, LabScope, Organization, TestReport
from certhub.registry.standards import StandardCodeError, parse_standard_code

DATA = Path(__file__).with_name("data") / "declarations.json"


@cache
def rules() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def limit(name: str) -> int:
    """One of the bounds on a declaration (product_name, model, models, trademark, gtins, standards …)."""
    return int(rules()["limits"][name])


def self_declaration_modes() -> tuple[str, ...]:
    """The catalogue modes (registry.choices.CccMode values) under which a product may be self-declared."""
    return tuple(rules()["modes"]["allowed"])


def accepted_conclusions() -> tuple[str, ...]:
    return tuple(rules()["report"]["conclusions_accepted"])


# ---------------------------------------------------------------- numbers


@dataclass(frozen=True)
class NumberFormat:
    prefix: str
    region_digits: int
    year_digits: int
    sequence_digits: int

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(
            rf"{re.escape(self.prefix)}(?P<region>\d{{{self.region_digits}}})(?P<year>\d{{{self.year_digits}}})"
            rf"(?P<sequence>\d{{{self.sequence_digits}}})"
        )


@cache
def number_format() -> NumberFormat:
    raw = rules()["number"]
    return NumberFormat(
        str(raw["prefix"]), int(raw["region_digits"]), int(raw["year_digits"]), int(raw["sequence_digits"])
    )


def number_prefix(region_code: str, year: int) -> str:
    """What every number of one region and year begins with: ZS430104 2026 → "ZS4301042026"."""
    form = number_format()
    return f"{form.prefix}{region_code:0>{form.region_digits}}{year:0{form.year_digits}d}"


def format_number(region_code: str, year: int, sequence: int) -> str:
    """ZS4301042026000001: prefix, region, year, sequence (market/data/declarations.json)."""
    form = number_format()
    if not 0 < sequence < 10**form.sequence_digits:
        raise ValueError(f"sequence {sequence} does not fit {form.sequence_digits} digits")
    return f"{number_prefix(region_code, year)}{sequence:0{form.sequence_digits}d}"


def next_sequence(last_number: str | None) -> int:
    """The sequence after the highest number of a region and year (1 for the first)."""
    if not last_number:
        return 1
    match = number_format().pattern.fullmatch(last_number)
    if match is None:
        raise ValueError(f"{last_number!r} is not a self-declaration number")
    return int(match["sequence"]) + 1


def fold_number(text: str) -> str:
    """A number as a person may write it (full-width, lower case, spaces or hyphens) in its one spelling."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text or "")).upper()


# ---------------------------------------------------------------- models


def model_key(model: str) -> str:
    """A model in one spelling, to tell the same model written twice and to find it whatever its spelling
    (NFKC, upper case, without spaces, hyphens, dots, slashes or underscores — as certified products' models
    are compared)."""
    folded = unicodedata.normalize("NFKC", model or "").upper()
    return "".join(c for c in folded if c not in " \t-./_|")


def model_keys(models: Iterable[str]) -> str:
    """The stored search form of a declaration's models: "|KEY1|KEY2|" (SelfDeclaration.model_keys)."""
    keys = [model_key(m) for m in models]
    return f"|{'|'.join(keys)}|" if keys else ""


# ---------------------------------------------------------------- the catalogue product


def catalogue_product(code: str, day: datetime.date) -> tuple[CccProduct | None, str | None]:
    """The catalogue product a code names in the catalogue version in force on `day` (a product listed under
    several codes, such as 0205/0207, by any of them), with its mode allowing a self-declaration; or None and
    the reason. One query over the catalogue (about a hundred rows)."""
    wanted = normalize_code(code)
    if not wanted:
        return None, _("必填")
    if not re.fullmatch(r"\d{4}", wanted):
        return None, _("CCC目录代码为4位数字，收到“%(code)s”") % {"code": wanted[:20]}
    candidates = [p for p in CccProduct.objects.all() if wanted == p.code or wanted in (p.codes or [])]
    if not candidates:
        return None, _("CCC目录中没有代码“%(code)s”") % {"code": wanted}
    in_force = [p for p in candidates if p.in_force_on(day)]
    if not in_force:
        product = candidates[0]
        if product.effective_from > day:
            reason = _("目录代码%(code)s（%(name)s）自%(start)s起施行，%(day)s施行的目录中没有该产品")
        else:
            reason = _("目录代码%(code)s（%(name)s）已于%(end)s停止施行，%(day)s施行的目录中没有该产品")
        return None, reason % {
            "code": wanted,
            "name": product.name,
            "start": product.effective_from.isoformat(),
            "end": product.effective_to.isoformat() if product.effective_to else "",
            "day": day.isoformat(),
        }
    product = in_force[0]
    if product.mode not in self_declaration_modes():
        return None, _("%(code)s（%(name)s）在%(day)s须经指定认证机构认证（%(mode)s），不适用自我声明") % {
            "code": wanted,
            "name": product.name,
            "day": day.isoformat(),
            "mode": product.get_mode_display(),
        }
    return product, None


def normalize_code(code: str) -> str:
    return unicodedata.normalize("NFKC", code or "").strip()


# ---------------------------------------------------------------- standards


def standard_spelling(text: str) -> str:
    """A standard code in its one spelling (registry.standards), or the text folded as it stands when it is
    not a code CertHub reads (older scope rows and report items may hold such text)."""
    try:
        return parse_standard_code(text)[1]
    except StandardCodeError:
        return " ".join(unicodedata.normalize("NFKC", text or "").upper().split())


def parse_standards(values: Sequence[Any], errors: dict[str, list[str]]) -> list[str]:
    """The declared standards in their one spelling; a code CertHub cannot read, or one given twice, is an
    error under standards[i]."""
    spelled: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        key = f"standards[{index}]"
        if not isinstance(value, str):
            errors.setdefault(key, []).append(_("须为文本"))
            continue
        try:
            code = parse_standard_code(value)[1]
        except StandardCodeError as error:
            errors.setdefault(key, []).append(str(error))
            continue
        if code in seen:
            errors.setdefault(key, []).append(_("与第%(first)d项重复") % {"first": seen[code] + 1})
            continue
        seen[code] = index
        spelled.append(code)
    return spelled


# ---------------------------------------------------------------- the type-test report


def _in_force(row: Any, day: datetime.date) -> bool:
    return row.valid_from <= day and (row.valid_until is None or day <= row.valid_until)


def report_problems(
    report: TestReport, *, organization: Organization, standards: Sequence[str], declared_on: datetime.date
) -> dict[str, list[str]]:
    """Why `report` cannot back a declaration of `standards` (in their one spelling) by `organization` on
    `declared_on`: {field: [messages]} under test_report_number (the report as a whole) and standards[i]
    (a standard the lab, its signatory or the report does not cover). Empty when it can."""
    errors: dict[str, list[str]] = {}
    whole = errors.setdefault("test_report_number", [])
    lab, signatory, day = report.lab, report.signatory, report.issue_date
    context = {"number": report.number, "lab": lab.name, "day": day.isoformat()}
    if day > declared_on:
        whole.append(
            _("报告%(number)s的签发日期（%(day)s）晚于声明日期（%(declared)s）")
            % {**context, "declared": declared_on.isoformat()}
        )
    if report.conclusion not in accepted_conclusions():
        whole.append(
            _("报告%(number)s的结论为“%(conclusion)s”，不能作为自我声明的依据")
            % {**context, "conclusion": report.get_conclusion_display()}
        )
    if report.client_id is not None and report.client_id != organization.pk:
        whole.append(_("报告%(number)s的委托单位不是声明的生产者") % context)
    if not lab.cma_valid_from <= day <= lab.cma_valid_until:
        whole.append(
            _("检验检测机构%(lab)s的资质认定在报告签发日期（%(day)s）不在有效期内（%(start)s至%(end)s）")
            % {**context, "start": lab.cma_valid_from.isoformat(), "end": lab.cma_valid_until.isoformat()}
        )
    signatory_valid = _in_force(signatory, day)
    if not signatory_valid:
        whole.append(
            _("授权签字人%(person)s在报告签发日期（%(day)s）不在授权期内")
            % {**context, "person": signatory.person.name}
        )
    lab_scope = _standards_in_force(LabScope.objects.filter(lab_id=lab.pk), day)
    signed_scope = _standards_in_force(signatory.scope.all(), day) if signatory_valid else set()
    tested = {standard_spelling(item.standard) for item in report.items.all()}
    for index, standard in enumerate(standards):
        if standard not in lab_scope:
            reason = _("检验检测机构%(lab)s在报告签发日期（%(day)s）的资质认定范围不含%(standard)s")
        elif signatory_valid and standard not in signed_scope:
            reason = _("授权签字人%(person)s在报告签发日期（%(day)s）的授权签字范围不含%(standard)s")
        elif standard not in tested:
            reason = _("报告%(number)s中没有依据%(standard)s的检测项目")
        else:
            continue
        errors.setdefault(f"standards[{index}]", []).append(
            reason % {**context, "standard": standard, "person": signatory.person.name}
        )
    return {field: messages for field, messages in errors.items() if messages}


def _standards_in_force(rows: Iterable[LabScope], day: datetime.date) -> set[str]:
    return {standard_spelling(row.standard) for row in rows if _in_force(row, day)}


# ---------------------------------------------------------------- coverage


def in_force_sql(*, organization: str, product: str, day: str) -> str:
    """An SQL condition: a published self-declaration of the maker `organization` (a column holding its id)
    for the catalogue product `product` (a column holding its id) covers it on `day` (an SQL expression: a
    placeholder or a quoted literal). Declared on or before the day, not withdrawn by then, and the product's
    mode allowing self-declaration (the product row in force on the day is the one the caller joins).
    Portable SQL: the KPI (stats.aggregate.ccc_coverage) and the detector (risk.detectors.ccc_uncovered)
    embed it in their own queries."""
    modes = ", ".join(f"'{mode}'" for mode in self_declaration_modes())
    # The columns and the day are the caller's SQL; the modes come from our own data file.
    return (
        "EXISTS (SELECT 1 FROM market_selfdeclaration d JOIN registry_cccproduct dp ON dp.id = d.ccc_product_id "  # noqa: S608
        f"WHERE d.organization_id = {organization} AND d.ccc_product_id = {product} AND d.declared_on <= {day} "
        f"AND (d.withdrawn_on IS NULL OR d.withdrawn_on > {day}) AND dp.mode IN ({modes}))"
    )
