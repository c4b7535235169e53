"""The performance-excellence self-assessment (卓越绩效自评, C12; GB/T 19580): the standard's categories and
items with their points as data (toolbox/data/gbt19580.json, with its source), the scoring rules, the totals
per category, the profile and the comparison of two years, and the enterprise's own assessments.

An assessment is the enterprise's working paper, not a regulated record (docs/architecture.md on the
toolbox): plain functions with an ownership check, no audit row, no ledger entry. Only users of the owning
organization see or change one; everyone else, officers included, is told it does not exist (C14)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound
from certhub.toolbox.errors import InputError
from certhub.toolbox.models import Assessment, AssessmentScore

DATA = Path(__file__).with_name("data") / "gbt19580.json"
TENTH = Decimal("0.1")
FIRST_YEAR = 2001  # GB/T 19580's first edition is of 2004; a year before 2001 is a typing error
EVIDENCE_LIMIT = 4000


@dataclass(frozen=True)
class Band:
    """A scoring band (GB/Z 19579): the share of an item's points from `low` to `high` per cent, and what an
    item must show to earn it."""

    low: int
    high: int
    text: str
    text_en: str

    @property
    def label(self) -> str:
        return f"{self.low}%–{self.high}%"

    @property
    def description(self) -> str:
        return self.text_en if (get_language() or "").startswith("en") else self.text


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    name_en: str
    points: int
    kind: str  # "process" or "results": which bands score it

    @property
    def title(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    name_en: str
    points: int
    kind: str
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


@dataclass(frozen=True)
class Standard:
    edition: str
    title: str
    source: str
    categories: tuple[Category, ...]
    bands: dict[str, tuple[Band, ...]]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for category in self.categories for item in category.items)

    @property
    def points(self) -> int:
        return sum(category.points for category in self.categories)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise InputError("item", _("没有评分条款“%(code)s”。") % {"code": code[:20]})


@cache
def standard() -> Standard:
    """GB/T 19580 as toolbox/data/gbt19580.json states it (the edition in force)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    categories = tuple(
        Category(
            code=c["code"],
            name=c["name"],
            name_en=c["name_en"],
            points=c["points"],
            kind=c["kind"],
            items=tuple(Item(i["code"], i["name"], i["name_en"], i["points"], c["kind"]) for i in c["items"]),
        )
        for c in data["categories"]
    )
    bands = {
        kind: tuple(Band(b["low"], b["high"], b["text"], b["text_en"]) for b in rows)
        for kind, rows in data["bands"].items()
    }
    return Standard(data["edition"], data["title"], data["source"], categories, bands)


# ----------------------------------------------------------------------------------------- scoring rules


def parse_score(item: Item, text: object) -> Decimal | None:
    """A score as typed for `item`: blank → None (not yet scored); otherwise a number from 0 to the item's
    points with at most one decimal (GB/Z 19579 scores items in steps of 5 % of their points, which one
    decimal always holds). Anything else is an InputError naming the item."""
    value = str(text if text is not None else "").strip()
    if not value:
        return None
    try:
        score = Decimal(value)
    except InvalidOperation:
        raise InputError(item.code, _("得分“%(value)s”不是数字。") % {"value": value[:20]}) from None
    if not score.is_finite():
        raise InputError(item.code, _("得分“%(value)s”不是数字。") % {"value": value[:20]})
    if score < 0:
        raise InputError(item.code, _("得分不能为负数。"))
    if score > item.points:
        raise InputError(
            item.code,
            _("得分 %(score)s 超过本条款的分值 %(points)s 分。") % {"score": value[:20], "points": item.points},
        )
    if score != score.quantize(TENTH):
        raise InputError(item.code, _("得分最多保留一位小数。"))
    return score.quantize(TENTH)


def percent_of(item: Item, score: Decimal) -> Decimal:
    return (score * 100 / item.points).quantize(TENTH, rounding=ROUND_HALF_UP)


def band_of(item: Item, score: Decimal | None) -> Band | None:
    """The band a score falls in: the highest band whose lower bound the score's share reaches (a share
    between two bands, e.g. 7 %, belongs to the lower one: the higher one is not yet earned)."""
    if score is None:
        return None
    share = score * 100 / item.points
    found = None
    for band in standard().bands[item.kind]:
        if share >= band.low:
            found = band
    return found


# ----------------------------------------------------------------------------------------- totals


@dataclass(frozen=True)
class CategoryTotal:
    category: Category
    score: Decimal
    scored: int  # items scored so far

    @property
    def share(self) -> Decimal:
        """The share of the category's points earned, per cent to one decimal: the profile."""
        return (self.score * 100 / self.category.points).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Summary:
    categories: tuple[CategoryTotal, ...]

    @property
    def total(self) -> Decimal:
        return sum((row.score for row in self.categories), Decimal("0.0"))

    @property
    def scored(self) -> int:
        return sum(row.scored for row in self.categories)

    @property
    def complete(self) -> bool:
        return self.scored == len(standard().items)

    @property
    def profile(self) -> list[float]:
        return [float(row.share) for row in self.categories]


def summarize(scores: Mapping[str, Decimal]) -> Summary:
    """Totals per category from item scores (item code → score); items not scored count 0."""
    rows = []
    for category in standard().categories:
        given = [scores[item.code] for item in category.items if item.code in scores]
        rows.append(CategoryTotal(category, sum(given, Decimal("0.0")), len(given)))
    return Summary(tuple(rows))


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    points: int
    current: Decimal
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.current - self.previous


def compare(current: Summary, previous: Summary | None) -> list[ComparisonRow]:
    """Category by category and in all, this year's points beside the previous assessment's."""
    rows = [
        ComparisonRow(
            f"{row.category.code} {row.category.title}",
            row.category.points,
            row.score,
            None if previous is None else previous.categories[index].score,
        )
        for index, row in enumerate(current.categories)
    ]
    rows.append(
        ComparisonRow(_("总分"), standard().points, current.total, None if previous is None else previous.total)
    )
    return rows


# ----------------------------------------------------------------------------------------- the assessments


def _organization_of(actor: Actor) -> int:
    """The organization whose assessments `actor` works on: ENTERPRISE users of an organization only; anyone
    else is told there is nothing here (C14: officers included)."""
    if actor.role != Role.ENTERPRISE or actor.organization_id is None:
        raise NotFound(_("没有这份自评。"))
    return actor.organization_id


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:  # an API key acts for no person; assessments are made by people
        raise NotFound(_("没有这份自评。"))
    return actor.user_id


def assessments_of(actor: Actor) -> list[Assessment]:
    return list(Assessment.objects.filter(organization_id=_organization_of(actor)).order_by("-year"))


def assessment_for(actor: Actor, pk: int) -> Assessment:
    found = Assessment.objects.filter(pk=pk, organization_id=_organization_of(actor)).first()
    if found is None:
        raise NotFound(_("没有这份自评。"))
    return found


def scores_of(assessment: Assessment) -> dict[str, AssessmentScore]:
    return {row.item: row for row in assessment.scores.all()}


def summary_of(assessment: Assessment) -> Summary:
    return summarize({code: row.score for code, row in scores_of(assessment).items()})


def previous_of(assessment: Assessment) -> Assessment | None:
    """The organization's assessment of the nearest earlier year (the year-on-year comparison)."""
    return (
        Assessment.objects.filter(organization_id=assessment.organization_id, year__lt=assessment.year)
        .order_by("-year")
        .first()
    )


def parse_year(text: object, *, today: datetime.date | None = None) -> int:
    value = str(text if text is not None else "").strip()
    this_year = (today or timezone.localdate()).year
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= this_year + 1:
        raise InputError(
            "year", _("年度应为 %(first)s 至 %(last)s 之间的年份。") % {"first": FIRST_YEAR, "last": this_year + 1}
        )
    return int(value)


def create_assessment(actor: Actor, *, year: object, title: str = "") -> Assessment:
    """A new assessment of the actor's organization for `year` (one per year), against the edition in force."""
    organization_id = _organization_of(actor)
    number = parse_year(year)
    if len(title) > 100:
        raise InputError("title", _("标题最多 100 个字符。"))
    if Assessment.objects.filter(organization_id=organization_id, year=number).exists():
        raise InputError("year", _("%(year)s 年度的自评已经存在，请打开它继续评分。") % {"year": number})
    try:
        with transaction.atomic():
            return Assessment.objects.create(
                organization_id=organization_id,
                year=number,
                edition=standard().edition,
                title=title.strip(),
                created_by_id=_user_id(actor),
            )
    except IntegrityError:  # the same year created at the same moment by a colleague
        raise InputError("year", _("%(year)s 年度的自评已经存在，请打开它继续评分。") % {"year": number}) from None


def save_scores(actor: Actor, assessment: Assessment, entries: Mapping[str, tuple[object, str]]) -> list[InputError]:
    """Score items of `assessment`: item code → (score as typed, evidence note). Every entry is checked
    first; if any is refused, the errors are returned (each naming its item) and nothing is saved. A blank
    score with no evidence removes the item's score."""
    if assessment.organization_id != _organization_of(actor):
        raise NotFound(_("没有这份自评。"))
    errors: list[InputError] = []
    parsed: dict[str, tuple[Decimal | None, str]] = {}
    for code, (text, evidence) in entries.items():
        try:
            item = standard().item(code)
            score = parse_score(item, text)
            note = (evidence or "").strip()
            if len(note) > EVIDENCE_LIMIT:
                raise InputError(code, _("证据说明最多 %(n)s 个字符。") % {"n": EVIDENCE_LIMIT})
            if score is None and note:
                raise InputError(code, _("填写了证据说明，请同时给出得分。"))
            parsed[code] = (score, note)
        except InputError as error:
            errors.append(error)
    if errors:
        return errors
    with transaction.atomic():
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        for code, (score, note) in parsed.items():
            if score is None:
                AssessmentScore.objects.filter(assessment=assessment, item=code).delete()
            else:
                AssessmentScore.objects.update_or_create(
                    assessment=assessment, item=code, defaults={"score": score, "evidence": note}
                )
        assessment.save(update_fields=["updated_at"])
    return []


def delete_assessment(actor: Actor, assessment: Assessment) -> None:
    if assessment.organization_id != _organization_of(actor):
        raise NotFound(_("没有这份自评。"))
    with transaction.atomic():
        assessment.delete()
