"""What a market check is given: one listing, label or sample as it was seen (C7), and the one rule set that
checks it wherever it comes from — the inspector's page, `POST /api/v1/market/checks`, a platform's file, the
`certhub market check` command (docs/architecture.md convention 7: one validation mechanism, pydantic with
core.validation's field types).

The rules: at most 1,000 listings a call (a file is read in chunks of that size); every text within its
column's length; a product name, unless a GTIN or a claimed number identifies the product; a GTIN with a
right check digit (GS1 General Specifications §7.9); a shop's Unified Social Credit Code valid under
GB 32100-2015; a check date not in the future (default: today in Asia/Shanghai, docs/architecture.md
invariant 5); a catalogue code that exists in the CCC catalogue version in force on the check date
(SAMR 2023 No. 36). Every problem is reported as `listings[i].field` (or, for a file, `rows[N].field`)
with its reason, and nothing is written while one remains."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.errors import ValidationFailed
from certhub.core.validation import Gtin, Input, OptionalDate, OptionalUscc, Text, collect, normalize_text
from certhub.registry.models import CccProduct

MAX_LISTINGS = 1000


def fold_number(value: str) -> str:
    """A claimed certificate or declaration number in one spelling: NFKC, upper case, no spaces — a label
    prints "2021 0101 0123 4567", the registry holds 2021010101234567."""
    return "".join(normalize_text(value).upper().split())


class Listing(Input):
    """One listing, label or sample as checked: the lengths are MarketCheck's columns."""

    platform: Annotated[str, Text(64, required=False)] = ""
    shop: Annotated[str, Text(200, required=False)] = ""
    shop_uscc: OptionalUscc = ""
    product_name: Annotated[str, Text(200, required=False)] = ""
    model: Annotated[str, Text(100, required=False)] = ""
    trademark: Annotated[str, Text(100, required=False)] = ""
    catalogue_code: Annotated[str, Text(9, required=False)] = ""
    claimed_number: Annotated[str, Text(64, required=False)] = ""
    gtin: Gtin = ""
    url: Annotated[str, Text(500, required=False)] = ""
    checked_on: OptionalDate = None
    sample_number: Annotated[str, Text(64, required=False)] = ""

    @property
    def number(self) -> str:
        return fold_number(self.claimed_number)

    def day(self, default: datetime.date) -> datetime.date:
        return self.checked_on or default


@dataclass(frozen=True)
class Catalogue:
    """The CCC catalogue, every version, read once per batch (a few hundred rows): which product a code
    names on a day."""

    products: tuple[CccProduct, ...]

    @classmethod
    def load(cls) -> Catalogue:
        return cls(tuple(CccProduct.objects.select_related("category", "version").order_by("code", "effective_from")))

    def product(self, code: str, day: datetime.date) -> CccProduct | None:
        """The catalogue product with this code (or one of its parallel codes, 0205/0207) in force on `day`."""
        code = normalize_text(code)
        for product in self.products:
            if (product.code == code or code in (product.codes or [])) and product.in_force_on(day):
                return product
        return None

    def by_id(self) -> dict[int, CccProduct]:
        return {p.pk: p for p in self.products}


def check_listings(
    raw: Sequence[Mapping[str, Any]],
    *,
    today: datetime.date | None = None,
    catalogue: Catalogue | None = None,
    prefix: str = "listings",
    rows: Sequence[int] | None = None,
    campaign_period: tuple[datetime.date, datetime.date] | None = None,
) -> list[Listing]:
    """Every listing checked; ValidationFailed naming each bad one as `{prefix}[i].field` (i the position,
    or the file's row number from `rows`) with every problem, or the clean listings with their check dates
    filled in. Refuses more than MAX_LISTINGS and none at all."""
    if len(raw) > MAX_LISTINGS:
        raise ValidationFailed(
            {
                prefix: [
                    _("一次最多核查%(limit)d条，收到%(count)d条：请分批提交")
                    % {"limit": MAX_LISTINGS, "count": len(raw)}
                ]
            }
        )
    if not raw:
        raise ValidationFailed({prefix: [_("至少需要一条")]})
    today = today or timezone.localdate()
    catalogue = catalogue or Catalogue.load()
    errors: dict[str, list[str]] = {}
    clean: list[Listing] = []
    for position, item in enumerate(raw):
        where = f"{prefix}[{rows[position] if rows is not None else position}]"
        if not isinstance(item, Mapping):
            errors.setdefault(where, []).append(_("应为对象"))
            continue
        listing = collect(Listing, item, errors, prefix=where)
        if listing is None:
            continue
        if not listing.product_name and not listing.gtin and not listing.claimed_number:
            # Something must say what the product is: its name, or a GTIN or number that names it.
            errors.setdefault(f"{where}.product_name", []).append(
                _("必填：请填写产品名称，或商品条码、证书或自我声明编号之一")
            )
        listing = listing.model_copy(update={"checked_on": listing.day(today)})
        day = listing.day(today)
        if day > today:
            errors.setdefault(f"{where}.checked_on", []).append(
                _("检查日期%(day)s晚于今天（%(today)s）") % {"day": day.isoformat(), "today": today.isoformat()}
            )
        elif campaign_period is not None and not campaign_period[0] <= day <= campaign_period[1]:
            errors.setdefault(f"{where}.checked_on", []).append(
                _("检查日期%(day)s不在专项整治期间（%(start)s至%(end)s）")
                % {
                    "day": day.isoformat(),
                    "start": campaign_period[0].isoformat(),
                    "end": campaign_period[1].isoformat(),
                }
            )
        if listing.catalogue_code and catalogue.product(listing.catalogue_code, day) is None:
            errors.setdefault(f"{where}.catalogue_code", []).append(
                _("目录代码“%(code)s”在%(day)s施行的CCC目录中不存在")
                % {"code": listing.catalogue_code, "day": day.isoformat()}
            )
        clean.append(listing)
    if errors:
        raise ValidationFailed(errors)
    return clean
