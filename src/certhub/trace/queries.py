"""Traces (C4 全过程追溯、倒查追溯): from a certificate, a test report or an organization back to
everything the registry knows behind it — its status history and audit trail, each step with its entry in
the transparency ledger and an inclusion proof against a signed checkpoint; the body, its auditors, the
test reports with their lab and signatory; and, once those modules exist, inspections and complaints.

Two views of the same trace (docs/architecture.md invariant 3, C14 "personal data minimized"):

- the public part, for everyone: public registry fields, the ledger (which is public anyway), who
  acted by role only;
- the full view, for those who answer for the record: administrators, officers whose region covers
  it (the region test of certificates_visible_to and organizations_visible_to), and the certification
  body or lab that reported it. It adds who recorded each step, which fields each step changed, the
  internal fields (reporting lag, dates of registration), people (auditors, affiliations) and measured
  results. In the public part these fields are present and null, so that both views have one shape.

A signed-in user who may not see a record in full gets the public part — never less than an anonymous
visitor (an officer of another region included). Records the public may not see (drafts) stay unknown.

Reports behind a certificate: those whose client (委托单位) is the certificate's holder and whose sample
name (样品名称) the certificate names — in its CCC catalogue product, its listed products or its scope,
compared as the procurement check compares them (C13). A report naming no sample is linked to nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certhub.complaints.queries import substantiated_of_organization
from certhub.core.actors import ANONYMOUS, SYSTEM, Actor
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import NotFound
from certhub.core.models import AuditEvent
from certhub.core.permissions import Permission, is_permitted
from certhub.core.validation import USCC, validate_value
from certhub.inspections.records import published_results_of
from certhub.ledger import checkpoints, log, merkle
from certhub.ledger.queries import PublishedEntry, entries_of
from certhub.licensing.models import Application, Licence
from certhub.market.models import SelfDeclaration
from certhub.market.queries import checks_of_organization, declarations_of
from certhub.registry.choices import CertificateStatus, PersonRole, ReportConclusion
from certhub.registry.models import (
    Affiliation,
    Certificate,
    CertificationBody,
    Lab,
    Organization,
    TestReport,
)
from certhub.registry.queries import (
    AMBIGUITY_CAP,
    CCC_CODE,
    AmbiguousNumber,
    _product_matches,
    access_certificate,
    access_organization,
    capped_count,
    certificates_visible_to,
    public_certificate_record,
    refuse_ambiguous_number,
    with_live_flags,
)

T = TypeVar("T")

# Bounds on one trace, so that a holder with thousands of certificates or reports costs one page, not all.
LIST_CAP = 200
# A holder's reports searched for the sample names a certificate names, newest first.
REPORT_CANDIDATE_CAP = 1_000


class TraceView(models.TextChoices):
    PUBLIC = "public", gettext_lazy("公开部分")
    FULL = "full", gettext_lazy("完整记录")


# ---------------------------------------------------------------- who sees what


def sees_in_full(actor: Actor, *, region_code: str, owner_organization_id: int | None) -> bool:
    """The full view: administrators; officers whose region covers the record (C14, the
    region rule of certificates_visible_to); the certification body or lab that reported it."""
    if actor.role in (Role.CERTIFICATION_BODY, Role.LAB):
        return actor.organization_id is not None and actor.organization_id == owner_organization_id
    if not is_permitted(actor, Permission.VIEW_OFFICE):
        return False
    return actor.role == Role.ADMINISTRATOR or actor.covers_region(region_code)


def _certificates_seen_by(actor: Actor) -> models.QuerySet[Certificate]:
    """The certificates the actor may see, and in any case the public ones (see _fetch)."""
    if actor.role == Role.PUBLIC:
        return certificates_visible_to(actor)
    return certificates_visible_to(actor) | certificates_visible_to(ANONYMOUS)


def _fetch(actor: Actor, fetch: Callable[[Actor], T]) -> tuple[T, Actor]:
    """Fetch as the actor, or — when the actor's scope leaves the record out (an officer of another
    region) — as the public: a signed-in user never sees less than an anonymous visitor."""
    try:
        return fetch(actor), actor
    except NotFound:
        if actor.role == Role.PUBLIC:
            raise
        return fetch(ANONYMOUS), ANONYMOUS


# ---------------------------------------------------------------- the ledger and the audit trail


def _checkpoint() -> dict[str, Any] | None:
    """The checkpoint proofs are given against: a fresh one when due (ledger.checkpoints.current, the
    same as GET /api/v1/ledger/checkpoint), else the latest; None while the ledger is empty."""
    checkpoint = checkpoints.current(SYSTEM)
    if checkpoint is None:
        return None
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": log.b64(bytes(checkpoint.root_hash)),
        "note": checkpoint.note,
        "verifier_key": checkpoints.verifier_key(),
    }


def _ledger_entries(entries: list[PublishedEntry], tree_size: int) -> dict[int, dict[str, Any]]:
    """Each entry with its RFC 9162 inclusion proof in the tree of `tree_size` entries (the checkpoint's).
    An entry newer than the checkpoint has no proof yet: it comes with the next checkpoint. The hashes of
    every proof are read together (two queries), not entry by entry."""
    provable = [e for e in entries if e.index < tree_size]
    ranges = [merkle.inclusion_ranges(e.index, tree_size) for e in provable]
    hashes = iter(log.range_hashes([r for part in ranges for r in part]))
    proofs = {e.index: [log.b64(next(hashes)) for _r in part] for e, part in zip(provable, ranges, strict=True)}
    return {
        e.index: {
            "index": e.index,
            "leaf_hash": log.b64(e.leaf_hash),
            "entry": e.entry,
            "proof": proofs.get(e.index),
            "proof_status": "included" if e.index in proofs else "pending",
        }
        for e in entries
    }


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The fields a step changed, in alphabetical order: the order of a stored state's keys is the
    database's (PostgreSQL's jsonb sorts them its own way), so it says nothing."""
    before, after = before or {}, after or {}
    return sorted(k for k in {*before, *after} if before.get(k) != after.get(k))


def audit_trail(subjects: Iterable[models.Model], *, full: bool) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The audit rows about `subjects`, oldest first, each with its ledger entry and proof; and the
    checkpoint the proofs are against. Who recorded a step (a user's name, a key's prefix) and what it
    changed are the full view's; the public sees the role, as the ledger entry itself says."""
    subjects = list(subjects)
    match = Q(pk__in=[])
    for subject in subjects:
        match |= Q(subject_type=subject._meta.label_lower, subject_id=str(subject.pk))
    rows = list(
        AuditEvent.objects.filter(match)
        .order_by("id")
        .values(
            "time", "event_type", "actor_label", "actor_role", "subject_type", "before", "after", "ledger_entry__index"
        )
    )
    entries = [e for s in subjects for e in entries_of(s._meta.label_lower, str(s.pk))]
    checkpoint = _checkpoint()
    ledger = _ledger_entries(sorted(entries, key=lambda e: e.index), checkpoint["tree_size"] if checkpoint else 0)
    events = []
    for row in rows:
        before, after = row["before"] or {}, row["after"] or {}
        status_change = row["subject_type"] == "registry.certificate" and "status" in after
        surveyed = after.get("last_surveillance_date")
        events.append(
            {
                "time": row["time"],
                "subject_type": row["subject_type"],
                "event_type": row["event_type"],
                "event_label": _label(AuditEventType, row["event_type"]),
                "actor_role": row["actor_role"],
                "actor_role_label": _label(Role, row["actor_role"]),
                "actor_label": row["actor_label"] if full else None,
                "changed_fields": _changed_fields(row["before"], row["after"]) if full else None,
                "from_status": before.get("status")
                if status_change and before.get("status") != after["status"]
                else None,
                "to_status": after["status"] if status_change and before.get("status") != after["status"] else None,
                # A surveillance audit shows as a new last_surveillance_date (recorded, reported in a correction
                # or with the certificate itself).
                "surveillance_date": surveyed
                if surveyed and surveyed != before.get("last_surveillance_date")
                else None,
                "ledger": ledger.get(row["ledger_entry__index"]),
            }
        )
    return events, checkpoint


# ---------------------------------------------------------------- shared pieces


def _region(organization: Organization) -> dict[str, str]:
    return {"code": organization.region_id, "name": organization.region.name}


def _body(body: CertificationBody) -> dict[str, Any]:
    return {
        "name": body.name,
        "approval_number": body.approval_number,
        "accreditation": body.accreditation,
        "status": body.status,
        "uscc": body.organization.uscc,
        "region": _region(body.organization),
    }


def _lab(lab: Lab) -> dict[str, Any]:
    return {
        "name": lab.name,
        "cma_number": lab.cma_number,
        "cma_valid_from": lab.cma_valid_from,
        "cma_valid_until": lab.cma_valid_until,
        "status": lab.status,
        "uscc": lab.organization.uscc,
    }


def _signatory(report: TestReport) -> dict[str, Any]:
    signatory = report.signatory
    return {"name": signatory.person.name, "valid_from": signatory.valid_from, "valid_until": signatory.valid_until}


def _report_summary(report: TestReport) -> dict[str, Any]:
    """What a report-verification page shows (C1: number, lab, signatory, date, sample, conclusion) —
    public; 谁签字谁担责 (C9): every report names who signed it."""
    return {
        "number": report.number,
        "issue_date": report.issue_date,
        "product": report.product,
        "conclusion": report.conclusion,
        "conclusion_label": _label(ReportConclusion, report.conclusion),
        "lab": {"name": report.lab.name, "cma_number": report.lab.cma_number},
        "signatory": _signatory(report),
    }


def _certificate_summary(certificate: Certificate) -> dict[str, Any]:
    scheme, body = certificate.scheme, certificate.certification_body
    return {
        "number": certificate.number,
        "status": certificate.status,
        "status_label": _label(CertificateStatus, certificate.status),
        "scheme": {"code": scheme.code, "name": scheme.name, "name_en": scheme.name_en},
        "certification_body": {"name": body.name, "approval_number": body.approval_number},
        "holder_name": certificate.holder_name,
        "issue_date": certificate.issue_date,
        "expiry_date": certificate.expiry_date,
    }


def _names_product(certificate: Certificate, product: str) -> list[str]:
    """Where the certificate names a report's sample (the rule in this module's docstring)."""
    return _product_matches(certificate, product, bool(CCC_CODE.match(product)))


def _affiliations(
    organization_id: int, *, role: str = "", during: tuple[datetime.date, datetime.date] | None = None
) -> list[dict[str, Any]]:
    queryset = Affiliation.objects.filter(organization_id=organization_id).select_related("person")
    if role:
        queryset = queryset.filter(role=role)
    if during is not None:
        queryset = queryset.filter(Q(end__isnull=True) | Q(end__gte=during[0]), start__lte=during[1])
    return [
        {
            "name": a.person.name,
            "role": a.role,
            "role_label": _label(PersonRole, a.role),
            "start": a.start,
            "end": a.end,
        }
        for a in queryset.order_by("person__name", "start", "id")[:LIST_CAP]
    ]


def _licensing(organization_id: int, *, full: bool) -> dict[str, Any]:
    """The organization's licences (a licensing decision is public, 行政许可 双公示) and, in the full view,
    its applications with where each stands (C8: "the case appears in the lab's trace")."""
    licences = Licence.objects.filter(holder_id=organization_id).order_by("-valid_from", "-id")
    applications = Application.objects.filter(applicant_id=organization_id).order_by("-submitted_at", "-id")
    return {
        "licences": [
            {
                "number": licence.number,
                "licence_type": licence.licence_type,
                "licence_type_label": str(licence.get_licence_type_display()),
                "status": licence.status,
                "status_label": str(licence.get_status_display()),
                "valid_from": licence.valid_from,
                "valid_until": licence.valid_until,
                "decision_number": licence.decision_number,
            }
            for licence in licences[:LIST_CAP]
        ],
        "licence_applications": [
            {
                "number": application.number,
                "licence_type_label": str(application.get_licence_type_display()),
                "kind_label": str(application.get_kind_display()),
                "track_label": str(application.get_track_display()),
                "state": application.state,
                "state_label": str(application.get_state_display()),
                "submitted_on": application.submitted_on,
                "decided_on": application.decided_on,
            }
            for application in applications[:LIST_CAP]
        ]
        if full
        else None,
        "_subjects": [*licences[:LIST_CAP], *(applications[:LIST_CAP] if full else [])],
    }


def _sections(organization_id: int, *, full: bool = False) -> dict[str, list[Any]]:
    """Published 双随机 results of the organization behind the record (C5: results flow into its record) and,
    in the full view, the complaints and tip-offs about it found substantiated (C10)."""
    complaints = substantiated_of_organization(organization_id) if full else []
    return {"inspections": published_results_of(organization_id), "complaints": complaints}


# issue 17: declarations
def _declaration(declaration: SelfDeclaration) -> dict[str, Any]:
    """A self-declaration the organization published (C7): public, withdrawn ones included."""
    return {
        "number": declaration.number,
        "status": declaration.status,
        "status_label": str(declaration.get_status_display()),
        "ccc_product_code": declaration.ccc_product.code,
        "ccc_product_name": declaration.ccc_product.name,
        "product_name": declaration.product_name,
        "product_models": list(declaration.product_models),
        "declared_on": declaration.declared_on,
        "withdrawn_on": declaration.withdrawn_on,
    }


# ---------------------------------------------------------------- a certificate


def access_traced_certificate(actor: Actor, number: str, *, body: str = "") -> tuple[Certificate, Actor]:
    """The certificate to trace and the actor it was fetched as (the public, if the actor's own scope
    left it out). Raises AmbiguousNumber when several bodies use the number and `body` names none."""
    body = refuse_ambiguous_number(_certificates_seen_by(actor), number, body)
    return _fetch(actor, lambda a: access_certificate(a, number, body=body))


def reports_behind(certificate: Certificate) -> list[TestReport]:
    """The test reports behind a certificate (the rule in this module's docstring), newest first."""
    candidates = (
        TestReport.objects.filter(client_id=certificate.holder_id)
        .exclude(product="")
        .select_related("lab", "signatory__person")
        .order_by("-issue_date", "number")[:REPORT_CANDIDATE_CAP]
    )
    return [report for report in candidates if _names_product(certificate, report.product)][:LIST_CAP]


def certificate_trace(actor: Actor, number: str, *, body: str = "") -> dict[str, Any]:
    """The trace of one certificate (raises NotFound, AmbiguousNumber)."""
    certificate, seen_as = access_traced_certificate(actor, number, body=body)
    full = sees_in_full(
        seen_as,
        region_code=certificate.region_code,
        owner_organization_id=certificate.certification_body.organization_id,
    )
    events, checkpoint = audit_trail([certificate], full=full)
    record = with_live_flags(public_certificate_record(certificate))
    record["ledger_indexes"] = [e["ledger"]["index"] for e in events if e["ledger"] is not None]
    body_row = certificate.certification_body
    return {
        "view": (TraceView.FULL if full else TraceView.PUBLIC).value,
        "certificate": record,
        "internal": {
            # Internal (C2): how late the body reported it; officers compare bodies by it.
            "reporting_lag_days": certificate.reporting_lag_days,
            "last_surveillance_date": certificate.last_surveillance_date,
            "registered_at": certificate.created_at,
            "updated_at": certificate.updated_at,
        }
        if full
        else None,
        "certification_body": _body(body_row),
        "surveillance": [
            {
                "audit_date": e["surveillance_date"],
                "recorded_at": e["time"],
                "ledger_index": e["ledger"]["index"] if e["ledger"] else None,
            }
            for e in events
            if e["surveillance_date"]
        ],
        # The registry is not told which auditors audited a certificate: these are the body's auditors on
        # record while it was in force. People's names are for the full view only (C14).
        "body_auditors": _affiliations(
            body_row.organization_id,
            role=PersonRole.AUDITOR,
            during=(certificate.original_issue_date, certificate.expiry_date),
        )
        if full
        else None,
        "events": events,
        "checkpoint": checkpoint,
        "test_reports": [_report_summary(r) for r in reports_behind(certificate)],
        **_sections(certificate.holder_id),
    }


# ---------------------------------------------------------------- a test report


def access_test_report(actor: Actor, number: str, *, lab: str = "") -> TestReport:
    """A report by its number and, when several labs use the number, its lab's CMA number. Every report's
    public part is public (C1: a report can be checked); the full view is decided by sees_in_full."""
    queryset = TestReport.objects.filter(number=number.strip())
    if lab.strip():
        queryset = queryset.filter(lab__cma_number=lab.strip())
    else:
        choices = list(queryset.order_by("lab__cma_number").values_list("lab__cma_number", "lab__name")[:AMBIGUITY_CAP])
        if len(choices) > 1:
            raise AmbiguousNumber(
                _("多个检验检测机构使用此报告编号，请用lab参数指定"), parameter="lab", choices=choices
            )
    report = (
        queryset.select_related("lab__organization__region", "signatory__person", "client__region")
        .prefetch_related("items", "lab__scope", "signatory__scope")
        .order_by("id")
        .first()
    )
    if report is None:
        raise NotFound(_("登记库中没有编号为“%(number)s”的检验检测报告") % {"number": number.strip()[:64]})
    return report


def _covers(scope: Iterable[Any], parameter: str, standard: str, day: datetime.date) -> bool:
    """Whether a qualified scope covered (parameter, standard) on `day` (C6: 超资质认定范围)."""
    return any(
        row.parameter == parameter
        and row.standard == standard
        and row.valid_from <= day
        and (row.valid_until is None or day <= row.valid_until)
        for row in scope
    )


def certificates_behind_report(actor: Actor, report: TestReport) -> list[dict[str, Any]]:
    """The certificates a report stands behind: the reverse of reports_behind, among those the actor sees."""
    if report.client_id is None or not report.product:
        return []
    held = (
        _certificates_seen_by(actor)
        .filter(holder_id=report.client_id)
        .select_related("scheme", "certification_body", "ccc_product")
        .order_by("-issue_date", "-id")[:REPORT_CANDIDATE_CAP]
    )
    linked = []
    for certificate in held:
        matched = _names_product(certificate, report.product)
        if matched:
            linked.append({**_certificate_summary(certificate), "matched_on": matched})
    return linked[:LIST_CAP]


def report_trace(actor: Actor, number: str, *, lab: str = "") -> dict[str, Any]:
    """The trace of one test report (raises NotFound, AmbiguousNumber)."""
    report = access_test_report(actor, number, lab=lab)
    owner = report.lab.organization
    full = sees_in_full(actor, region_code=owner.region_id, owner_organization_id=owner.pk)
    day = report.issue_date
    signatory = report.signatory
    client = report.client
    events, checkpoint = audit_trail([report], full=full)
    detail = {
        **_report_summary(report),
        "lab": _lab(report.lab),
        "client": {"name": client.name, "uscc": client.uscc} if client else None,
        "cma_valid_on_issue_date": report.lab.cma_valid_from <= day <= report.lab.cma_valid_until,
        "signatory_valid_on_issue_date": signatory.valid_from <= day
        and (signatory.valid_until is None or day <= signatory.valid_until),
        "items": [
            {
                "parameter": item.parameter,
                "standard": item.standard,
                # Measured results stay with the lab, its client and the officers (full view).
                "result": item.result if full else None,
                "within_lab_scope": _covers(report.lab.scope.all(), item.parameter, item.standard, day),
                "within_signatory_scope": _covers(signatory.scope.all(), item.parameter, item.standard, day),
            }
            for item in report.items.all()
        ],
        "registered_at": report.created_at if full else None,
    }
    return {
        "view": (TraceView.FULL if full else TraceView.PUBLIC).value,
        "report": detail,
        "events": events,
        "checkpoint": checkpoint,
        "certificates": certificates_behind_report(actor, report),
        **_sections(report.lab.organization_id),
    }


# ---------------------------------------------------------------- an organization


def organization_trace(actor: Actor, uscc: str) -> dict[str, Any]:
    """The trace of one organization by credit code: its certificates, the reports it commissioned, its
    registration as a certification body or lab, and the ledger entries of all three (raises
    ValidationFailed for a malformed code, NotFound for an unknown one)."""
    code = validate_value(USCC, uscc, field="uscc")
    organization, seen_as = _fetch(actor, lambda a: access_organization(a, code))
    full = sees_in_full(seen_as, region_code=organization.region_id, owner_organization_id=organization.pk)
    body = CertificationBody.objects.select_related("organization__region").filter(organization=organization).first()
    lab = Lab.objects.select_related("organization").filter(organization=organization).first()
    licensing = _licensing(organization.pk, full=full)
    declared = list(declarations_of(organization)[:LIST_CAP])
    subjects = [s for s in (organization, body, lab) if s is not None] + licensing.pop("_subjects") + declared
    events, checkpoint = audit_trail(subjects, full=full)
    held = (
        certificates_visible_to(seen_as)
        .filter(holder=organization)
        .select_related("scheme", "certification_body")
        .order_by("-issue_date", "-id")
    )
    reports = (
        TestReport.objects.filter(client=organization)
        .select_related("lab", "signatory__person")
        .order_by("-issue_date", "number")
    )
    return {
        "view": (TraceView.FULL if full else TraceView.PUBLIC).value,
        "organization": {
            "uscc": organization.uscc,
            "name": organization.name,
            "region": _region(organization),
            "industry_section": organization.industry_section,
            "industry_division": organization.industry_division,
            "above_designated_size": organization.above_designated_size,
            # Market registration's status and former names (曾用名) are public registration facts (C1).
            "registration_status": organization.registration_status,
            "registration_status_label": str(organization.get_registration_status_display()),
            "former_names": [
                {"name": f.name, "used_from": f.used_from, "used_until": f.used_until}
                for f in organization.former_names.all()
            ],
        },
        "certification_body": _body(body) if body else None,
        "lab": _lab(lab) if lab else None,
        "certificates": [_certificate_summary(c) for c in held[:LIST_CAP]],
        "certificate_count": capped_count(held)[0],
        "test_reports": [_report_summary(r) for r in reports[:LIST_CAP]],
        "test_report_count": capped_count(reports)[0],
        # Who worked there, in which role (affiliation history, C1): people are the full view's (C14).
        "people": _affiliations(organization.pk) if full else None,
        **licensing,
        # The self-declarations it published, newest first (C7): a producer's own account of what it sells.
        "declarations": [_declaration(d) for d in declared],
        "events": events,
        "checkpoint": checkpoint,
        **_sections(organization.pk, full=full),
        # C7: market checks that traced a listing to it, as producer or shop; enforcement findings, full view only.
        "market_checks": checks_of_organization(organization.pk) if full else None,
    }
