"""What a certificate must be: the validation of its fields, its lifecycle (history, transitions) and
what identifies it. Pure rules and lookups: nothing here writes. Shared by the certificate actions and
the submission importer (exchange.rows), so that both refuse the same things in the same words."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, ValidationInfo

from certhub.core import bulk
from certhub.core.errors import ValidationFailed
from certhub.core.identifiers import identifier_problem
from certhub.core.models import Region
from certhub.core.validation import (
    Gtin,
    Input,
    OptionalDate,
    RequiredDate,
    Text,
    check_date,
    check_identifier,
    check_uscc,
    compact_uscc,
    context_of,
    invalid,
    normalize_text,
    validate,
)
from certhub.registry import bans, certificate_rows, numbering
from certhub.registry.choices import (
    CERTIFICATE_TRANSITIONS,
    PARTICULARS,
    BodyStatus,
    CertificateStatus,
    RegistrationStatus,
    SchemeKind,
)
from certhub.registry.models import (
    Ban,
    CccProduct,
    Certificate,
    CertificateEvent,
    CertificationBody,
    Organization,
    Scheme,
)

# Reasons CertHub itself writes into the public status history: stored as written (in the registry's
# language), whatever language the request that caused them was in.
REASON_ISSUED = gettext_noop("发证")
REASON_DRAFT = gettext_noop("登记草稿")
CERTIFICATE_AUDIT_FIELDS = [
    "number", "status", "status_changed_on", "issue_date", "expiry_date", "original_issue_date",
    "holder", "scheme", "certification_body", "scope", "last_surveillance_date", "standards", "ccc_product",
    "products", "sites", "particulars",
]  # fmt: skip
# What a body may correct or renew on an existing certificate (do_update_certificate). The number, the
# holder and the scheme identify the certificate: changing them is a new certificate.
CERTIFICATE_CONTENT_FIELDS = [
    "scope", "standards", "ccc_product", "products", "sites", "particulars", "original_issue_date", "issue_date",
    "expiry_date", "last_surveillance_date",
]  # fmt: skip


# ---------------------------------------------------------------- who may receive and issue (C1)
# One rule each, applied by every entry point that makes a certificate (do_create_certificate,
# do_bulk_create_certificates, the submission planner in exchange.rows) or changes one.

# A body whose approval has ended changes none of its certificates any more: they change only through the
# registry's own actions on the body (revocation, closure) or by transfer to another body.
ENDED_BODY_STATUSES = frozenset({BodyStatus.REVOKED, BodyStatus.CLOSED})


def body_issuing_problem(body: CertificationBody) -> str | None:
    """Why `body` may not register a new certificate, or None: only an ACTIVE body issues; a suspended
    (暂停), revoked (撤销) or closed (注销) one does not."""
    if body.status == BodyStatus.ACTIVE:
        return None
    return _("认证机构“%(name)s”（%(approval_number)s）的状态为%(label)s（%(status)s），不能登记新证书") % {
        "name": body.name,
        "approval_number": body.approval_number,
        "label": BodyStatus(body.status).label,
        "status": body.status,
    }


def holder_issuing_problem(holder: Organization) -> str | None:
    """Why `holder` may not receive a new certificate, or None: a deregistered (注销) organization no longer
    exists (C1)."""
    if holder.registration_status != RegistrationStatus.DEREGISTERED:
        return None
    return _("获证组织“%(name)s”（%(uscc)s）已注销（DEREGISTERED），不能获得新证书") % {
        "name": holder.name,
        "uscc": holder.uscc,
    }


def body_change_problem(body: CertificationBody) -> str | None:
    """Why `body`'s certificates may no longer be changed through the certificate actions, or None: its
    approval was revoked or it closed (ENDED_BODY_STATUSES)."""
    if body.status not in ENDED_BODY_STATUSES:
        return None
    return _("认证机构“%(name)s”（%(approval_number)s）的状态为%(label)s（%(status)s），其证书不能再变更") % {
        "name": body.name,
        "approval_number": body.approval_number,
        "label": BodyStatus(body.status).label,
        "status": body.status,
    }


def refuse_issuing_body(body: CertificationBody) -> None:
    """ValidationFailed naming `certification_body` unless the body may issue (body_issuing_problem)."""
    problem = body_issuing_problem(body)
    if problem:
        raise ValidationFailed({"certification_body": [problem]})


# ---------------------------------------------------------------- bans (C9)
# A new certificate is refused when the issuing body's organization is under permanent exit, when its
# holder is under a certification bar, and when the holder's certificate of the same scheme is suspended at
# another body since before its issue date (暂停期间不得转换认证机构, registry/data/bans.json: a certificate
# issued before the other one was suspended was no move during a suspension). The single path reads the three in its one
# lookup (certificate_rows.lookups, SingleCertificateContext); a batch reads them once per chunk
# (CertificateBans), never per row.


def suspended_elsewhere_message(
    holder: Organization, scheme: Scheme, number: str, body_name: str, since: datetime.date
) -> str:
    return _(
        "获证组织“%(holder)s”的%(scheme)s证书%(number)s自%(since)s起在认证机构“%(body)s”暂停：暂停期间不得转换认证机构"
    ) % {
        "holder": holder.name,
        "scheme": scheme.name,
        "number": number,
        "body": body_name,
        "since": f"{since:%Y-%m-%d}",
    }


def moves_with_suspension(scheme: Scheme) -> bool:
    """Whether a new certificate of `scheme` for a holder whose certificate of it is suspended elsewhere is
    that certificate moving body: a management system has one certificate per organization and scheme; a
    product certificate (CCC and the like) covers one product, and an organization holds many, from
    several bodies."""
    return scheme.kind == SchemeKind.MANAGEMENT_SYSTEM


Suspension = tuple[str, str, datetime.date]  # the suspended certificate's number, its body's name, since when


def suspended_elsewhere(holder_ids: Iterable[int], body_id: int) -> dict[tuple[int, int], Suspension]:
    """{(holder id, scheme id): (number, body name, suspended since)} of the holders' certificates suspended
    at bodies other than `body_id`, the one suspended first: one query per chunk of holders
    (core.bulk.matching), on the holder index."""
    wanted = sorted(set(holder_ids))
    found: dict[tuple[int, int], Suspension] = {}
    for condition, params in bulk.matching("c.holder_id", wanted):
        rows = Certificate.objects.raw(
            "SELECT c.id, c.holder_id, c.scheme_id, c.number, c.status_changed_on, "  # noqa: S608 - bound values
            "b.name AS body_name FROM registry_certificate c "
            "JOIN registry_certificationbody b ON b.id = c.certification_body_id "
            f"WHERE {condition} AND c.status = %s AND c.certification_body_id <> %s ORDER BY c.status_changed_on, c.id",
            [*params, CertificateStatus.SUSPENDED.value, body_id],
        )
        for row in rows:
            found.setdefault((row.holder_id, row.scheme_id), (row.number, row.body_name, row.status_changed_on))
    return found


def all_suspended_elsewhere(body_id: int) -> dict[tuple[int, int], Suspension]:
    """suspended_elsewhere for every holder: the certificates suspended at bodies other than `body_id`, in
    one statement on the status index (suspended certificates are few beside the others)."""
    found: dict[tuple[int, int], Suspension] = {}
    rows = Certificate.objects.raw(
        "SELECT c.id, c.holder_id, c.scheme_id, c.number, c.status_changed_on, b.name AS body_name "
        "FROM registry_certificate c JOIN registry_certificationbody b ON b.id = c.certification_body_id "
        "WHERE c.status = %s AND c.certification_body_id <> %s ORDER BY c.status_changed_on, c.id",
        [CertificateStatus.SUSPENDED.value, body_id],
    )
    for row in rows:
        found.setdefault((row.holder_id, row.scheme_id), (row.number, row.body_name, row.status_changed_on))
    return found


class CertificateBans:
    """The bans a batch of new certificates of `body` meets (C9): the issuing organization's permanent
    exit, read once; the holders' certification bars and suspended certificates, read either for all
    holders at once (`preload`, a batch: two statements whatever its size, since bars and suspensions are
    few beside the certificates) or for the holders named (`load`, one certificate). With the checks off
    (registry.bans.checks_enabled: settings.CERTHUB_BAN_CHECKS, for the benchmark) nothing is read and
    nothing refused."""

    def __init__(self, body: CertificationBody, *, enabled: bool | None = None) -> None:
        self.body = body
        self.enabled = bans.checks_enabled() if enabled is None else enabled
        self.day = bans.today()
        self.issuer = (
            bans.organization_ban(body.organization_id, bans.ISSUING_KINDS, self.day) if self.enabled else None
        )
        self.loaded: set[int] = set()
        self.everyone = False
        self.holders: dict[int, Ban] = {}
        self.suspended: dict[tuple[int, int], Suspension] = {}

    def preload(self) -> None:
        """Read every certification bar in force and every certificate suspended at another body, once for
        the whole batch: each chunk and row then asks the database nothing."""
        if not self.enabled:
            return
        self.everyone = True
        self.holders = bans.all_organization_bans(bans.HOLDER_KINDS, self.day)
        self.suspended = all_suspended_elsewhere(self.body.pk)

    def load(self, holder_ids: Iterable[int], *, forget: bool = True) -> None:
        """Read the bars of these holders (a chunk's), forgetting the previous chunk's unless `forget` is
        False."""
        if not self.enabled or self.everyone:
            return
        ids = sorted(set(holder_ids))
        if forget:
            self.loaded, self.holders, self.suspended = set(), {}, {}
        self.loaded.update(ids)
        self.holders.update(bans.organization_bans(ids, bans.HOLDER_KINDS, self.day))
        self.suspended.update(suspended_elsewhere(ids, self.body.pk))

    def issuer_problem(self) -> str | None:
        return bans.ban_refusal(self.issuer) if self.issuer is not None else None

    def holder_problem(self, cleaned: dict[str, Any]) -> str | None:
        """Why this holder may not be certified for this scheme now, or None (the holder was loaded)."""
        if not self.enabled:
            return None
        holder = cleaned["holder"]
        if not self.everyone and holder.pk not in self.loaded:  # a holder not read yet: read it now
            self.load([holder.pk], forget=False)
        ban = self.holders.get(holder.pk)
        if ban is not None:
            return bans.ban_refusal(ban)
        suspended = self.suspended.get((holder.pk, cleaned["scheme"].pk))
        if suspended is not None and moves_with_suspension(cleaned["scheme"]) and cleaned["issue_date"] >= suspended[2]:
            return suspended_elsewhere_message(holder, cleaned["scheme"], *suspended)
        return None


def transition_message(current: str, target: str) -> str:
    """ "证书状态不能从撤销（WITHDRAWN）变为有效（ACTIVE）": the words people read, the names the API uses."""
    return _("证书状态不能从%(from_label)s（%(from_status)s）变为%(to_label)s（%(to_status)s）") % {
        "from_label": CertificateStatus(current).label,
        "from_status": current,
        "to_label": CertificateStatus(target).label,
        "to_status": target,
    }


class CertificateContext:
    """Lookups a certificate batch needs, fetched once (schemes, holders, CCC products)."""

    def __init__(self, holder_usccs: Iterable[str] = ()) -> None:
        self.schemes = {s.code: s for s in Scheme.objects.all()}
        # A product listed under several codes (熔断体 0205/0207) is found by any of them.
        self.ccc_products = {code: p for p in CccProduct.objects.all() for code in (p.codes or [p.code])}
        self.holders: dict[str, Organization | None] = {}  # None: looked up and not registered
        self.regions = {r.code: r for r in Region.objects.all()}
        self.prefetch(holder_usccs)

    def prefetch(self, holder_usccs: Iterable[str], *, forget: bool = False) -> None:
        """Fetch these holders in a few queries; `forget` drops those fetched before (a long import keeps
        one chunk's holders at a time)."""
        if forget:
            self.holders = {}
        codes = sorted({c for c in holder_usccs if c})
        self.holders.update(dict.fromkeys(codes))
        # Only what a certificate copies and its public record shows: a chunk holds thousands, and their
        # regions come from the few loaded once.
        for condition, params in bulk.matching("uscc", codes):
            query = (
                "SELECT id, uscc, name, region_id, registration_status "  # noqa: S608
                f"FROM registry_organization WHERE {condition}"
            )
            for holder in Organization.objects.raw(query, params):
                holder.region = self.regions[holder.region_id]
                self.holders[holder.uscc] = holder

    def holder(self, uscc: str) -> Organization | None:
        if uscc not in self.holders:
            self.holders[uscc] = Organization.objects.select_related("region").filter(uscc=uscc).first()
        return self.holders[uscc]

    def bodies_by_code(self) -> dict[str, CertificationBody]:
        """Registered bodies by the code their certificate numbers begin with (registry.numbering): read
        once, and only when a number encodes a body other than the one registering it."""
        if not hasattr(self, "_bodies_by_code"):
            self._bodies_by_code = {
                code: body
                for body in CertificationBody.objects.only("id", "name", "approval_number")
                if (code := numbering.body_code(body.approval_number)) is not None
            }
        return self._bodies_by_code


class SingleCertificateContext(CertificateContext):
    """The lookups of one certificate (do_create_certificate, do_update_certificate): its scheme with
    whether `body` may certify it, its holder with its region, and the CCC product it names, each read
    in one read (with whether the body has the number already), where a batch's context reads the whole
    reference tables once. `allowed` stands for the body's
    schemes as clean_certificate_input asks about them (is this one among them)."""

    def __init__(self, data: dict[str, Any], body: CertificationBody) -> None:
        self.schemes, self.allowed, self.ccc_products, self.regions = {}, set(), {}, {}
        self.holders = {}
        code = str(data.get("scheme") or "").strip().upper()
        uscc = compact_uscc(data.get("holder_uscc"))
        # The number as clean_certificate_input will have it, to know now whether the body has it already;
        # one the identifier grammar refuses is not looked up (a NUL cannot even be sent to PostgreSQL).
        number = normalize_text(data.get("number"))
        found = certificate_rows.lookups(
            body, code, uscc, "" if identifier_problem(number, 60) else number, bans.today()
        )
        self.number_taken = found["number_taken"]
        self.issuer_ban_id, self.holder_ban_id = found["issuer_ban_id"], found["holder_ban_id"]
        self.suspended_id = found["suspended_id"]
        if found["scheme"] is not None:
            self.schemes[code] = found["scheme"]
            if found["allowed"]:
                self.allowed.add(code)
        if uscc:
            self.holders[uscc] = found["holder"]
        product_code = str(data.get("ccc_product") or "").strip()
        if product_code:
            product = certificate_rows.product_by_code(product_code)
            if product is not None and product_code in (product.codes or [product.code]):
                self.ccc_products[product_code] = product
            else:  # perhaps one of another product's codes (熔断体 0205/0207): the catalogue, as a batch has it
                self.ccc_products = {c: p for p in CccProduct.objects.all() for c in (p.codes or [p.code])}

    def holder(self, uscc: str) -> Organization | None:
        if uscc not in self.holders:
            self.holders[uscc] = certificate_rows.holder_by_uscc(uscc)
        return self.holders[uscc]


def _number(value: Any, info: ValidationInfo) -> str:
    """The certificate number: the identifier grammar (core/identifiers.py), and, where the national
    numbering rule encodes the issuing body in it (registry/data/certificate_numbering.json), that body
    must be the one registering it (C14: a body cannot take another body's numbers)."""
    number = check_identifier(value, 60)
    code = numbering.encoded_body_code(number)
    body = context_of(info).get("body")
    if code is None or body is None:
        return number
    own = numbering.body_code(body.approval_number)
    if code == own:
        return number
    other = context_of(info)["certificates"].bodies_by_code().get(code)
    if other is not None and other.pk != body.pk:
        invalid(
            _(
                "按全国认证证书编号规则，编号前缀%(code)s代表认证机构“%(name)s”（%(approval_number)s）：只能登记本机构的证书"
            )
            % {"code": code, "name": other.name, "approval_number": other.approval_number}
        )
    if own is not None:
        invalid(
            _("按全国认证证书编号规则，本机构（%(approval_number)s）的证书编号以%(own)s开头，收到的编号以%(code)s开头")
            % {"approval_number": body.approval_number, "own": own, "code": code}
        )
    return number


def _scheme(value: Any, info: ValidationInfo) -> Scheme:
    """The scheme by its code, which the body must be approved for (context: certificates, allowed)."""
    code = str(value or "").strip().upper()
    scheme = context_of(info)["certificates"].schemes.get(code)
    if scheme is None:
        invalid(_("未知的认证制度“%(code)s”") % {"code": code[:32]} if code else _("必填"))
    if code not in context_of(info)["allowed"]:
        invalid(_("认证机构未获准开展“%(name)s”认证") % {"name": scheme.name})
    return scheme


def _holder(value: Any, info: ValidationInfo) -> Organization:
    """The registered holder by its credit code. A registered holder's code was checked when it was
    registered: look it up first, and run the check digits only for a code the registry does not know (to
    say precisely what is wrong with it)."""
    context = context_of(info)["certificates"]
    holder = context.holders.get(compact_uscc(value))
    if holder is None:
        uscc = check_uscc(value)
        holder = context.holder(uscc)
        if holder is None:
            invalid(_("获证组织%(uscc)s未在登记库中") % {"uscc": uscc})
    return holder


def _original_issue_date(value: Any, info: ValidationInfo) -> datetime.date | None:
    """The issue date when not given: only a bad value given is its own error."""
    return check_date(value) if value else info.data.get("issue_date")


def _expiry_after_issue(value: Any, info: ValidationInfo) -> None:
    issue_date, expiry_date = info.data.get("issue_date"), info.data.get("expiry_date")
    if issue_date and expiry_date and expiry_date <= issue_date:
        invalid(
            _("有效期至（%(expiry_date)s）须晚于发证日期（%(issue_date)s）")
            % {"expiry_date": expiry_date, "issue_date": issue_date}
        )


def _original_not_after_issue(value: Any, info: ValidationInfo) -> None:
    issue_date, original_issue_date = info.data.get("issue_date"), info.data.get("original_issue_date")
    if issue_date and original_issue_date and original_issue_date > issue_date:
        invalid(_("初次发证日期不得晚于发证日期"))


def _ccc_product(value: Any, info: ValidationInfo) -> CccProduct | None:
    code = str(value or "").strip()
    if not code:
        return None
    product = context_of(info)["certificates"].ccc_products.get(code)
    if product is None:
        invalid(_("CCC目录中没有产品代码“%(code)s”") % {"code": code[:8]})
    return product


def _product_list(value: Any) -> list[Any]:
    if not value:
        return []
    if not isinstance(value, list):
        invalid(_("产品应为对象列表"))
    return value


def _product_object(value: Any) -> Any:
    if not isinstance(value, dict):
        invalid(_("产品应为对象"))
    return value


class ProductInput(Input):
    """One product a certificate covers: its name, and what else identifies it."""

    name: Annotated[str, Text(200)]
    gtin: Gtin = ""
    model: Annotated[str, Text(200, required=False)] = ""
    trademark: Annotated[str, Text(200, required=False)] = ""
    batch: Annotated[str, Text(200, required=False)] = ""

    def as_dict(self) -> dict[str, str]:
        """As stored: the name, then only the other values given (checked name and GTIN first, as always)."""
        product = {"name": self.name}
        for key in ("model", "trademark", "batch", "gtin"):
            if getattr(self, key):
                product[key] = getattr(self, key)
        return product


def _particulars(value: Any) -> Any:
    if not value:
        return {}
    if not isinstance(value, dict):
        invalid(_("证书其他内容应为对象"))
    return value


def _particular_key(value: Any) -> str:
    if value not in PARTICULARS:
        invalid(_("未知字段，应为%(keys)s之一") % {"keys": ", ".join(PARTICULARS)})
    return str(value)


def _drop_empty(value: dict[str, str]) -> dict[str, str]:
    return {key: text for key, text in value.items() if text}


def _sites(value: Any) -> list[dict[str, Any]]:
    sites = value or []
    if not isinstance(sites, list) or not all(isinstance(s, dict) for s in sites):
        invalid(_("认证场所应为对象列表"))
    return sites


def _status(value: Any) -> str:
    status = str(value or CertificateStatus.ACTIVE).strip().upper()
    if status not in (CertificateStatus.DRAFT, CertificateStatus.ACTIVE):
        invalid(_("新证书的状态只能是DRAFT或ACTIVE，收到“%(status)s”") % {"status": status[:16]})
    return status


# Aliases, not inline: django-stubs reads Annotated[<Model>, …] inline as its WithAnnotations form.
SchemeField = Annotated[Scheme, PlainValidator(_scheme)]
HolderField = Annotated[Organization, PlainValidator(_holder)]
Products = Annotated[list[Annotated[ProductInput, BeforeValidator(_product_object)]], BeforeValidator(_product_list)]
Particulars = Annotated[
    dict[Annotated[str, PlainValidator(_particular_key)], Annotated[str, Text(200, required=False)]],
    BeforeValidator(_particulars),
    AfterValidator(_drop_empty),
]


class CertificateInput(Input):
    """One certificate's fields as a body reports them. Every bad field is reported at once, the rules
    between fields too (expiry after issue, original issue not after it): pydantic's after-validators of a
    model do not run once a field failed, so these are fields of their own, checked from the dates' values
    when those were valid. Validate with
    core.validation.validate and the context {"certificates": CertificateContext, "allowed": scheme codes}."""

    number: Annotated[str, PlainValidator(_number)]
    scheme: SchemeField
    holder: HolderField = Field(alias="holder_uscc")
    scope: Annotated[str, Text(4000, required=False)] = ""
    standards: Annotated[str, Text(300, required=False)] = ""
    issue_date: RequiredDate
    expiry_date: RequiredDate
    original_issue_date: Annotated[datetime.date | None, PlainValidator(_original_issue_date)] = None
    # The rules between the dates: checked once both dates are read, reported under the later date's key
    # after the dates' own errors (both fields read the key they report under; neither is a value).
    expiry_after_issue: Annotated[None, PlainValidator(_expiry_after_issue)] = Field(
        None, validation_alias="expiry_date", exclude=True
    )
    original_not_after_issue: Annotated[None, PlainValidator(_original_not_after_issue)] = Field(
        None, validation_alias="original_issue_date", exclude=True
    )
    ccc_product: Annotated[CccProduct | None, PlainValidator(_ccc_product)] = None
    products: Products = []
    particulars: Particulars = {}
    sites: Annotated[list[dict[str, Any]], PlainValidator(_sites)] = []
    status: Annotated[str, PlainValidator(_status)] = CertificateStatus.ACTIVE
    last_surveillance_date: OptionalDate = None

    def cleaned(self) -> dict[str, Any]:
        """The certificate's fields as the writers take them (with the holder's name and region copied)."""
        return {
            "number": self.number,
            "scheme": self.scheme,
            "holder": self.holder,
            "holder_name": self.holder.name,
            "region_code": self.holder.region_id,
            "scope": self.scope,
            "standards": self.standards,
            "ccc_product": self.ccc_product,
            "products": [product.as_dict() for product in self.products],
            "sites": self.sites,
            "particulars": self.particulars,
            "issue_date": self.issue_date,
            "expiry_date": self.expiry_date,
            "original_issue_date": self.original_issue_date,
            "last_surveillance_date": self.last_surveillance_date,
            "status": self.status,
        }


def clean_certificate_input(
    data: dict[str, Any], body: CertificationBody, context: CertificateContext, allowed_schemes: set[str]
) -> dict[str, Any]:
    """Validate one certificate's fields (CertificateInput); raise ValidationFailed naming every bad field."""
    return validate(
        CertificateInput, data, context={"certificates": context, "allowed": allowed_schemes, "body": body}
    ).cleaned()


class HistoryStep(Input):
    status: Annotated[str, PlainValidator(lambda v: str(v or "").strip().upper())] = ""
    date: RequiredDate
    reason: Annotated[str, Text(2000)]


def certificate_fields(
    body: CertificationBody, cleaned: dict[str, Any], today: datetime.date, reported_on: datetime.date | None = None
) -> dict[str, Any]:
    """A new certificate's fields as it arrives today (or, for records brought from a body's past, on
    `reported_on`): the reporting lag is counted from its issue date (C2: late reporting is measured)."""
    lag = max(0, ((reported_on or today) - cleaned["issue_date"]).days)
    status_date = today if cleaned["status"] == CertificateStatus.DRAFT else cleaned["issue_date"]
    return {"certification_body": body, "status_changed_on": status_date, "reporting_lag_days": lag, **cleaned}


def new_certificate(
    body: CertificationBody, cleaned: dict[str, Any], today: datetime.date, reported_on: datetime.date | None = None
) -> Certificate:
    return Certificate(**certificate_fields(body, cleaned, today, reported_on))


def new_certificate_draft(body: CertificationBody, cleaned: dict[str, Any], today: datetime.date) -> SimpleNamespace:
    """The same new certificate as a plain object with its foreign keys' ids beside the objects: what
    render_certificates reads, at a fraction of a model instance's cost when a file brings a million."""
    fields = certificate_fields(body, cleaned, today)
    product = fields["ccc_product"]
    return SimpleNamespace(
        id=None,
        created_at=None,
        updated_at=None,
        certification_body_id=body.pk,
        scheme_id=fields["scheme"].pk,
        holder_id=fields["holder"].pk,
        ccc_product_id=product.pk if product is not None else None,
        **fields,
    )


def first_event(certificate: Certificate) -> CertificateEvent:
    return CertificateEvent(
        certificate=certificate,
        from_status="",
        to_status=certificate.status,
        effective_date=certificate.status_changed_on,
        reason=REASON_ISSUED if certificate.status == CertificateStatus.ACTIVE else REASON_DRAFT,
    )


def clean_history(
    raw: Any, start: CertificateStatus, issue_date: datetime.date
) -> tuple[list[dict[str, Any]], str | None]:
    """Validate a sequence of past transitions [{status, date, reason}] against the lifecycle table."""
    if not raw:
        return [], None
    if start != CertificateStatus.ACTIVE:
        return [], _("只有状态为ACTIVE的新证书可以附带状态历史")
    if not isinstance(raw, list):
        return [], _("状态历史应为列表")
    current, last_date, steps = str(start), issue_date, []
    for index, step in enumerate(raw):
        try:
            checked = validate(HistoryStep, step if isinstance(step, dict) else {})
        except ValidationFailed:
            checked = None
        if checked is None or checked.status not in CertificateStatus.values:
            return [], _("第%(step)d步：状态、日期和原因均为必填") % {"step": index + 1}
        status, day, reason = checked.status, checked.date, checked.reason
        if status not in CERTIFICATE_TRANSITIONS[current]:
            return [], _("第%(step)d步：%(problem)s") % {
                "step": index + 1,
                "problem": transition_message(current, status),
            }
        if day < last_date:
            return [], _("第%(step)d步：日期早于上一步") % {"step": index + 1}
        steps.append({"status": status, "date": day, "reason": reason})
        current, last_date = status, day
    return steps, None


def certificate_changes(certificate: Certificate, cleaned: dict[str, Any]) -> dict[str, Any]:
    """The content fields (CERTIFICATE_CONTENT_FIELDS) whose cleaned value differs from the row's."""
    changes = {}
    for field in CERTIFICATE_CONTENT_FIELDS:
        value = cleaned[field]
        current = getattr(certificate, field + "_id") if field == "ccc_product" else getattr(certificate, field)
        compare = value.pk if field == "ccc_product" and value is not None else value
        if current != compare:
            changes[field] = value
    return changes


def identity_errors(certificate: Any, cleaned: dict[str, Any]) -> dict[str, str]:
    """What in `cleaned` would change the fields that identify a registered certificate (its number, holder
    and scheme): changing them is a new certificate. `certificate` may be a model or a plain row."""
    errors = {}
    if cleaned["number"] != certificate.number:
        errors["number"] = _("证书编号不可变更")
    if cleaned["holder"].pk != certificate.holder_id:
        errors["holder_uscc"] = _("证书%(number)s的获证组织不可变更：请注销并登记新证书") % {
            "number": certificate.number
        }
    if cleaned["scheme"].pk != certificate.scheme_id:
        errors["scheme"] = _("证书%(number)s的认证制度不可变更") % {"number": certificate.number}
    return errors
