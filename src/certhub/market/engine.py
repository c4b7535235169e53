"""The market-check engine (C7: may this product be sold?): one judgement per listing, label or sample, with
its reason in one sentence, whichever way it came in. Read-only and set-based: a batch of any size costs the
same fixed number of queries (the catalogue; the claimed certificates, their status events and product lines;
the claimed declarations; the products and declarations with the listings' GTINs; the shops), never one per
listing (docs/architecture.md "five things": no N+1).

The order of the questions, most certain first (强制性产品认证管理规定 Art. 2: no certificate, no sale):

1. A claimed number that is neither a certificate nor a self-declaration in the registry: FORGED_NUMBER (a
   draft certificate is not in the public registry either).
2. A self-declaration number (ZS…): DECLARATION_INVALID when it was withdrawn by the check day, declared only
   after it, or its catalogue product does not allow self-declaration on that day (a product moved to
   third-party certification); MODEL_NOT_COVERED when the listing's model is not among the declared models;
   else COVERED.
3. A certificate number: CERTIFICATE_INVALID when on the check day the certificate was suspended, withdrawn,
   cancelled (its status that day, from its public status history, as risk's certificate_use_invalid
   reads it), not yet issued, or past its expiry (认证证书和认证标志管理办法 Arts. 25–28); MODEL_NOT_COVERED
   when it is not a CCC certificate, is for another catalogue product than the one the listing names, or the
   listing's model (folded: "BCD-218" = "bcd 218") is not among its product lines; else COVERED.
4. No number but a GTIN on a certified product line or a self-declaration: judged as that claim.
5. Otherwise the catalogue decides: the code given, or market.placement.place() on the product name. A
   catalogue product without any claim is NO_CLAIM; a product surely outside the catalogue is
   NOT_IN_CATALOGUE; what cannot be placed goes to a person (NEEDS_PERSON) — the engine never guesses.

The producer is the certificate's holder or the declaration's producer; the shop's organization is found by
its credit code, else only by an exact, unambiguous name."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from certhub.market.choices import DeclarationStatus, Placement, Verdict
from certhub.market.listings import Catalogue, Listing
from certhub.market.models import SelfDeclaration
from certhub.market.placement import Placed, Placer
from certhub.registry.choices import CccMode, CertificateStatus
from certhub.registry.models import (
    CccProduct,
    Certificate,
    CertificateEvent,
    CertifiedProduct,
    Organization,
)
from certhub.registry.products import fold_model
from certhub.registry.queries import certified_products_by_gtin

# Self-declaration numbers: ZS + region (6) + year (4) + sequence (6). Only the prefix is needed to tell a
# declaration from a certificate; the number itself is looked up.
DECLARATION_PREFIX = "ZS"
CCC_SCHEME = "CCC"
# The statuses in which a certificate may not be used (认证证书和认证标志管理办法 Arts. 25–28), as risk reads them.
NOT_VALID = frozenset(
    {CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN, CertificateStatus.CANCELLED, CertificateStatus.EXPIRED}
)
SELF_DECLARATION_MODES = frozenset({CccMode.SELF_DECLARATION_A, CccMode.SELF_DECLARATION_B})


@dataclass(frozen=True)
class Judgement:
    """What one listing was found to be, and why (MarketCheck's judged columns)."""

    verdict: str
    reason: str
    placement: str
    ccc_product: CccProduct | None = None
    certificate: Certificate | None = None
    declaration: SelfDeclaration | None = None
    producer: Organization | None = None
    shop_organization: Organization | None = None


@dataclass
class _Registry:
    """Everything the batch's claims name, read once."""

    certificates: dict[str, list[Certificate]]
    declarations: dict[str, SelfDeclaration]
    events: dict[int, list[tuple[datetime.date, int, str]]]
    models: dict[int, set[str]]
    certificates_by_gtin: dict[str, list[Certificate]]
    declarations_by_gtin: dict[str, list[SelfDeclaration]]
    shops_by_uscc: dict[str, Organization]
    shops_by_name: dict[str, Organization]


def _certificates(
    numbers: Sequence[str], ids: Sequence[int]
) -> tuple[dict[str, list[Certificate]], dict[int, Certificate]]:
    """The non-draft certificates with the claimed numbers (by number, newest first) and those the GTINs
    named (by id), with what judging them reads, in one query."""
    by_number: dict[str, list[Certificate]] = defaultdict(list)
    by_id: dict[int, Certificate] = {}
    if not numbers and not ids:
        return by_number, by_id
    rows = (
        Certificate.objects.filter(Q(number__in=numbers) | Q(id__in=ids))
        .exclude(status=CertificateStatus.DRAFT)
        .select_related("holder", "scheme", "ccc_product")
        .order_by("number", "-issue_date", "-id")
    )
    wanted = set(numbers)
    for certificate in rows:
        by_id[certificate.pk] = certificate
        if certificate.number.upper() in wanted:
            by_number[certificate.number.upper()].append(certificate)
    return by_number, by_id


def _declarations(numbers: Sequence[str]) -> dict[str, SelfDeclaration]:
    rows = SelfDeclaration.objects.filter(number__in=numbers).select_related("organization", "ccc_product")
    return {declaration.number.upper(): declaration for declaration in rows}


def _declaration_ids_with_gtins(gtins: Sequence[str]) -> list[int]:
    """The published declarations listing any of `gtins` in their JSON list: one statement, on each database
    with its own JSON operator (PostgreSQL's jsonb ?|, SQLite's json_each)."""
    if not gtins:
        return []
    table = SelfDeclaration._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT id FROM {table} WHERE gtins ?| %s", [list(gtins)])  # noqa: S608
        else:
            marks = ", ".join(["%s"] * len(gtins))
            cursor.execute(
                f"SELECT DISTINCT d.id FROM {table} d, json_each(d.gtins) j WHERE j.value IN ({marks})",  # noqa: S608
                list(gtins),
            )
        return [row[0] for row in cursor.fetchall()]


def _declarations_by_gtin(gtins: Sequence[str]) -> dict[str, list[SelfDeclaration]]:
    found: dict[str, list[SelfDeclaration]] = defaultdict(list)
    wanted = set(gtins)
    ids = _declaration_ids_with_gtins(sorted(wanted))
    if not ids:
        return found
    rows = SelfDeclaration.objects.filter(id__in=ids).select_related("organization", "ccc_product").order_by("-id")
    for declaration in rows:
        for gtin in declaration.gtins or []:
            if gtin in wanted:
                found[gtin].append(declaration)
    return found


def _shops(listings: Sequence[Listing]) -> tuple[dict[str, Organization], dict[str, Organization]]:
    """Shops' organizations by credit code, and by exact name where the name is one organization's only."""
    codes = sorted({item.shop_uscc for item in listings if item.shop_uscc})
    names = sorted({item.shop for item in listings if item.shop and not item.shop_uscc})
    if not codes and not names:
        return {}, {}
    by_uscc: dict[str, Organization] = {}
    by_name: dict[str, Organization] = {}
    seen_names: dict[str, int] = defaultdict(int)
    query = Q(uscc__in=codes) | Q(name__in=names)
    for organization in Organization.objects.filter(query).only("id", "uscc", "name"):
        if organization.uscc in codes:
            by_uscc[organization.uscc] = organization
        if organization.name in names:
            seen_names[organization.name] += 1
            by_name[organization.name] = organization
    return by_uscc, {name: org for name, org in by_name.items() if seen_names[name] == 1}


def _read_registry(listings: Sequence[Listing]) -> _Registry:
    numbers = sorted({item.number for item in listings if item.number})
    declaration_numbers = [n for n in numbers if n.startswith(DECLARATION_PREFIX)]
    # A number is looked up as a certificate whatever its prefix (a certificate may begin with ZS too), and
    # as a declaration when it has the declarations' prefix.
    declarations = _declarations(declaration_numbers) if declaration_numbers else {}
    gtins = sorted({item.gtin for item in listings if item.gtin and not item.number})
    lines_by_gtin = certified_products_by_gtin(gtins) if gtins else {}
    declarations_by_gtin = _declarations_by_gtin(gtins) if gtins else {}
    certificates, by_id = _certificates(
        numbers, sorted({line.certificate_id for found in lines_by_gtin.values() for line in found})
    )
    certificates_by_gtin = {
        gtin: [by_id[line.certificate_id] for line in found if line.certificate_id in by_id]
        for gtin, found in lines_by_gtin.items()
    }
    certificate_ids = set(by_id)
    events: dict[int, list[tuple[datetime.date, int, str]]] = defaultdict(list)
    models: dict[int, set[str]] = defaultdict(set)
    if certificate_ids:
        # A batch holds at most 1,000 listings: its certificates fit in one statement on both databases.
        ids = sorted(certificate_ids)
        for certificate_id, day, pk, status in CertificateEvent.objects.filter(certificate_id__in=ids).values_list(
            "certificate_id", "effective_date", "id", "to_status"
        ):
            events[certificate_id].append((day, pk, status))
        for certificate_id, model_key in CertifiedProduct.objects.filter(certificate_id__in=ids).values_list(
            "certificate_id", "model_key"
        ):
            models[certificate_id].add(model_key)
    for history in events.values():
        history.sort()
    shops_by_uscc, shops_by_name = _shops(listings)
    return _Registry(
        certificates=certificates,
        declarations=declarations,
        events=events,
        models=models,
        certificates_by_gtin=certificates_by_gtin,
        declarations_by_gtin=declarations_by_gtin,
        shops_by_uscc=shops_by_uscc,
        shops_by_name=shops_by_name,
    )


def status_on(
    certificate: Certificate, history: Sequence[tuple[datetime.date, int, str]], day: datetime.date
) -> tuple[str, datetime.date]:
    """The certificate's status in force on `day` and since when: its last status event on or before the day
    (risk.detectors.certificate_use_invalid reads it the same way); before its first event, not yet issued
    (DRAFT, since the issue date)."""
    current: tuple[str, datetime.date] | None = None
    for effective, _pk, status in history:
        if effective > day:
            break
        current = (status, effective)
    if current is not None:
        return current
    if history or day < certificate.issue_date:
        return CertificateStatus.DRAFT, certificate.issue_date
    return certificate.status, certificate.status_changed_on  # a record without history: its status as stored


def _certificate_for_day(candidates: Sequence[Certificate], registry: _Registry, day: datetime.date) -> Certificate:
    """Numbers are unique per body: of several certificates with the number, a CCC one valid on the day,
    else a CCC one, else the newest (the query's order)."""

    def valid(certificate: Certificate) -> bool:
        status, _since = status_on(certificate, registry.events.get(certificate.pk, ()), day)
        return status == CertificateStatus.ACTIVE and day <= certificate.expiry_date

    ccc = [c for c in candidates if c.scheme.code == CCC_SCHEME]
    return next((c for c in ccc if valid(c)), None) or (ccc[0] if ccc else candidates[0])


def _certificate_words(status: str) -> str:
    return {
        CertificateStatus.SUSPENDED: _("暂停"),
        CertificateStatus.WITHDRAWN: _("撤销"),
        CertificateStatus.CANCELLED: _("注销"),
        CertificateStatus.EXPIRED: _("过期失效"),
    }[CertificateStatus(status)]


def judge_certificate(
    listing: Listing,
    certificate: Certificate,
    registry: _Registry,
    day: datetime.date,
    catalogue_product: CccProduct | None,
    placement: str,
) -> Judgement:
    """Steps 3 and 4 for a certificate: is it valid on the day, and does it cover this product and model?"""
    product = certificate.ccc_product or catalogue_product

    def found(verdict: str, reason: str, about: CccProduct | None = product) -> Judgement:
        return Judgement(
            verdict, reason, placement, ccc_product=about, certificate=certificate, producer=certificate.holder
        )

    number = certificate.number
    if certificate.scheme.code != CCC_SCHEME:
        return found(
            Verdict.MODEL_NOT_COVERED,
            _("证书%(number)s是“%(scheme)s”证书，不是CCC证书，不能证明该产品获得强制性产品认证")
            % {"number": number, "scheme": certificate.scheme.code},
            about=catalogue_product,
        )
    status, since = status_on(certificate, registry.events.get(certificate.pk, ()), day)
    if status == CertificateStatus.DRAFT:
        return found(
            Verdict.CERTIFICATE_INVALID,
            _("证书%(number)s于%(since)s才发证，检查日%(day)s尚未生效")
            % {"number": number, "since": since.isoformat(), "day": day.isoformat()},
        )
    if status in NOT_VALID:
        return found(
            Verdict.CERTIFICATE_INVALID,
            _("证书%(number)s自%(since)s起已%(status)s，检查日%(day)s不得使用")
            % {
                "number": number,
                "since": since.isoformat(),
                "status": _certificate_words(status),
                "day": day.isoformat(),
            },
        )
    if day > certificate.expiry_date:
        return found(
            Verdict.CERTIFICATE_INVALID,
            _("证书%(number)s已于%(expiry)s到期，检查日%(day)s已过有效期")
            % {"number": number, "expiry": certificate.expiry_date.isoformat(), "day": day.isoformat()},
        )
    if (
        catalogue_product is not None
        and certificate.ccc_product is not None
        and catalogue_product.code != certificate.ccc_product.code
    ):
        return found(
            Verdict.MODEL_NOT_COVERED,
            _("证书%(number)s覆盖的目录产品是%(certified)s，不是所填报的%(given)s")
            % {"number": number, "certified": str(certificate.ccc_product), "given": str(catalogue_product)},
            about=catalogue_product,
        )
    models = registry.models.get(certificate.pk, set())
    model = fold_model(listing.model)
    if model and model not in models:
        return found(
            Verdict.MODEL_NOT_COVERED,
            _("证书%(number)s有效，但型号“%(model)s”不在证书所列的产品型号中")
            % {"number": number, "model": listing.model},
        )
    if not model and placement == Placement.GTIN:
        reason = _("商品条码%(gtin)s是证书%(number)s（持证人%(holder)s）所列的产品，证书在%(day)s有效") % {
            "gtin": listing.gtin,
            "number": number,
            "holder": certificate.holder_name,
            "day": day.isoformat(),
        }
    elif model:
        reason = _("证书%(number)s（持证人%(holder)s）在%(day)s有效，覆盖型号“%(model)s”") % {
            "number": number,
            "holder": certificate.holder_name,
            "day": day.isoformat(),
            "model": listing.model,
        }
    else:
        reason = _("证书%(number)s（持证人%(holder)s）在%(day)s有效；未填报型号，未核对型号") % {
            "number": number,
            "holder": certificate.holder_name,
            "day": day.isoformat(),
        }
    return found(Verdict.COVERED, reason)


def judge_declaration(listing: Listing, declaration: SelfDeclaration, day: datetime.date, placement: str) -> Judgement:
    """Step 2: is the self-declaration in force on the day, for a product that allows it, and this model?"""

    def found(verdict: str, reason: str) -> Judgement:
        return Judgement(
            verdict,
            reason,
            placement,
            ccc_product=declaration.ccc_product,
            declaration=declaration,
            producer=declaration.organization,
        )

    number = declaration.number
    if declaration.declared_on > day:
        return found(
            Verdict.DECLARATION_INVALID,
            _("自我声明%(number)s于%(declared)s才作出，检查日%(day)s尚无声明")
            % {"number": number, "declared": declaration.declared_on.isoformat(), "day": day.isoformat()},
        )
    withdrawn = declaration.status == DeclarationStatus.WITHDRAWN and (
        declaration.withdrawn_on is None or declaration.withdrawn_on <= day
    )
    if withdrawn:
        since = declaration.withdrawn_on.isoformat() if declaration.withdrawn_on else "—"
        return found(
            Verdict.DECLARATION_INVALID,
            _("自我声明%(number)s已于%(since)s撤回") % {"number": number, "since": since},
        )
    product = declaration.ccc_product
    if product.mode not in SELF_DECLARATION_MODES or not product.in_force_on(day):
        return found(
            Verdict.DECLARATION_INVALID,
            _("自我声明%(number)s所称目录产品%(product)s在%(day)s不适用自我声明，须经第三方认证")
            % {"number": number, "product": str(product), "day": day.isoformat()},
        )
    model = fold_model(listing.model)
    declared = {fold_model(m) for m in declaration.product_models or [] if isinstance(m, str)}
    if model and model not in declared:
        return found(
            Verdict.MODEL_NOT_COVERED,
            _("自我声明%(number)s有效，但型号“%(model)s”不在声明的型号中") % {"number": number, "model": listing.model},
        )
    if not model and placement == Placement.GTIN:
        reason = _("商品条码%(gtin)s是自我声明%(number)s（生产者%(producer)s）所列的产品，声明在%(day)s有效")
    elif model:
        reason = _("自我声明%(number)s（生产者%(producer)s）在%(day)s有效，覆盖型号“%(model)s”")
    else:
        reason = _("自我声明%(number)s（生产者%(producer)s）在%(day)s有效；未填报型号，未核对型号")
    values = {
        "gtin": listing.gtin,
        "number": number,
        "producer": declaration.organization.name,
        "day": day.isoformat(),
        "model": listing.model,
    }
    return found(Verdict.COVERED, reason % values)


def _placed(
    listing: Listing, given: CccProduct | None, day: datetime.date, placer: _MemoPlacer
) -> tuple[CccProduct | None, str]:
    """The catalogue product of a listing whose claim names none (a forged number): the code given, else
    placement by its name when sure, else none."""
    if given is not None:
        return given, Placement.GIVEN
    if listing.product_name:
        placed = placer.place(listing.product_name, day=day)
        if placed.product is not None:
            return placed.product, Placement.KEYWORDS
    return None, Placement.NONE


def _judge_one(
    listing: Listing, registry: _Registry, catalogue: Catalogue, placer: _MemoPlacer, day: datetime.date
) -> Judgement:
    given = catalogue.product(listing.catalogue_code, day) if listing.catalogue_code else None
    number = listing.number
    if number:
        candidates = registry.certificates.get(number)
        declaration = registry.declarations.get(number)
        if declaration is not None and (not candidates or number.startswith(DECLARATION_PREFIX)):
            return judge_declaration(listing, declaration, day, Placement.DECLARATION)
        if candidates:
            certificate = _certificate_for_day(candidates, registry, day)
            return judge_certificate(listing, certificate, registry, day, given, Placement.CERTIFICATE)
        product, placement = _placed(listing, given, day, placer)
        return Judgement(
            Verdict.FORGED_NUMBER,
            _("所称编号%(number)s在登记库中既不是证书也不是自我声明，疑似伪造") % {"number": number},
            placement,
            ccc_product=product,
        )
    if listing.gtin:
        certified = registry.certificates_by_gtin.get(listing.gtin) or []
        if certified:
            certificate = _certificate_for_day(certified, registry, day)
            return judge_certificate(listing, certificate, registry, day, given, Placement.GTIN)
        declarations = registry.declarations_by_gtin.get(listing.gtin) or []
        if declarations:
            return judge_declaration(listing, declarations[0], day, Placement.GTIN)
    if given is not None:
        return Judgement(
            Verdict.NO_CLAIM,
            _("目录产品%(product)s（按填报的目录代码），未提供CCC证书或自我声明") % {"product": str(given)},
            Placement.GIVEN,
            ccc_product=given,
        )
    placed = placer.place(listing.product_name, day=day)
    # The placement's rule names the word that decided: "keyword:<word>", "outside:<family>:<word>".
    word = placed.rule.rsplit(":", 1)[-1]
    if placed.product is not None:
        return Judgement(
            Verdict.NO_CLAIM,
            _("按目录描述（“%(word)s”）归入%(product)s，未提供CCC证书或自我声明")
            % {"word": word, "product": str(placed.product)},
            Placement.KEYWORDS,
            ccc_product=placed.product,
        )
    if placed.outside:
        return Judgement(
            Verdict.NOT_IN_CATALOGUE,
            _("“%(name)s”（“%(word)s”）不属于%(day)s施行的CCC目录产品")
            % {"name": listing.product_name, "word": word, "day": day.isoformat()},
            Placement.KEYWORDS,
        )
    return Judgement(
        Verdict.NEEDS_PERSON,
        _("无法按目录描述确定“%(name)s”是否属于CCC目录，需人工判定") % {"name": listing.product_name or listing.gtin},
        Placement.NONE,
    )


class _MemoPlacer:
    """A batch names the same product many times (one model in many shops): each title is placed once per
    day."""

    def __init__(self, placer: Placer) -> None:
        self.placer = placer
        self.placed: dict[tuple[str, datetime.date], Placed] = {}

    def place(self, text: str, *, day: datetime.date) -> Placed:
        key = (text, day)
        if key not in self.placed:
            self.placed[key] = self.placer.place(text, day=day)
        return self.placed[key]


def judge(
    listings: Sequence[Listing], *, day_default: datetime.date, catalogue: Catalogue | None = None
) -> list[Judgement]:
    """One judgement per listing, in order (a listing without a check date is judged on `day_default`): a
    fixed number of queries whatever the batch's size. `catalogue` when the caller has read it already."""
    if not listings:
        return []
    catalogue = catalogue or Catalogue.load()
    placer = _MemoPlacer(Placer(catalogue.products))
    registry = _read_registry(listings)
    judgements = []
    for listing in listings:
        judgement = _judge_one(listing, registry, catalogue, placer, listing.day(day_default))
        shop = registry.shops_by_uscc.get(listing.shop_uscc) if listing.shop_uscc else None
        if shop is None and listing.shop and not listing.shop_uscc:
            shop = registry.shops_by_name.get(listing.shop)
        if shop is not None:
            judgement = dataclasses.replace(judgement, shop_organization=shop)
        judgements.append(judgement)
    return judgements
