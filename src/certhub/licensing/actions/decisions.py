"""Decisions (C8): the assigned officer grants or refuses once every department has answered; a grant
writes the registry in the same transaction (a CMA qualification creates or changes the lab, its scope rows,
key people and signatories, each naming the decision) and issues the licence with its seal; 告知承诺 grants
on the spot and schedules the post-approval check; a false commitment found by that check, or misconduct an
officer decides on, revokes the licence and imposes the registry's bar on new applications
(行政许可法 第六十九条、第七十九条, C9)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.licensing import clocks
from certhub.licensing.actions.common import application_state, locked, move, named_user, require_state, today
from certhub.licensing.bans import licensing_authority, refusal_text, refusing_ban, representative_digest
from certhub.licensing.choices import (
    ApplicationKind,
    ApplicationState,
    CheckOutcome,
    Decision,
    LicenceStatus,
    LicenceType,
    OnSiteOutcome,
    Step,
    Track,
)
from certhub.licensing.licences import next_licence_number, seal_payload
from certhub.licensing.models import Application, Licence, PostApprovalCheck
from certhub.licensing.procedures import procedure
from certhub.registry.actions.bans import do_impose_ban
from certhub.registry.actions.labs import (
    do_add_lab_person,
    do_add_lab_scope,
    do_authorize_signatory,
    do_change_lab,
    do_create_lab,
    do_end_lab_scope,
)
from certhub.registry.actions.signals import do_record_manufactured_products
from certhub.registry.choices import BanKind, BodyStatus, PersonRole, ProductSource
from certhub.registry.models import Ban, CccProduct, Lab, LabScope, ManufacturedProduct

S = ApplicationState
LICENCE_FIELDS = [
    "number",
    "licence_type",
    "holder",
    "lab",
    "valid_from",
    "valid_until",
    "status",
    "status_changed_on",
    "decision_number",
    "granted_by",
]


def next_decision_number(year: int) -> str:
    """许可决定书编号 when the officer gives none: XKJD-<year>-<serial of six digits>."""
    prefix = f"XKJD-{year}-"
    last = Application.objects.filter(decision_number__startswith=prefix).aggregate(last=Max("decision_number"))["last"]
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


def pending_departments(application: Application) -> list[str]:
    return sorted(application.opinion_requests.filter(answered_on__isnull=True).values_list("department", flat=True))


@action
def do_decide_application(
    *,
    application: Application,
    decision: str,
    reasons: str = "",
    decision_number: str = "",
    actor: Actor,
) -> Application:
    """Grant or refuse a reviewed application. Only the officer the case is assigned to decides, and only
    once every department asked has answered; a refusal states its reasons. A grant writes the registry and
    issues the licence in this same transaction."""
    authorize(actor, Permission.DECIDE_LICENCE, region_code=application.region_code)
    user_id = named_user(actor)
    application = locked(application)
    if application.assigned_to_id != user_id:
        assignee = application.assigned_to.get_username() if application.assigned_to else _("（未指派）")
        raise NotPermitted(_("只有本案承办人（%(assignee)s）可以作出许可决定") % {"assignee": assignee})
    pending = pending_departments(application)
    if pending:
        raise Conflict(
            _("以下部门尚未答复意见，不能作出决定：%(departments)s") % {"departments": "、".join(pending)},
            field="opinions",
        )
    require_state(application, S.REVIEW_CONCLUDED)
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = _("未知的决定“%(value)s”") % {"value": decision}
    if decision == Decision.REFUSE and not reasons.strip():
        errors["reasons"] = _("不予许可须说明理由")
    review = getattr(application, "onsite_review", None)
    failed = review is not None and (review.outcome == OnSiteOutcome.FAILED or review.rectification_passed is False)
    if decision == Decision.GRANT and failed:
        errors["decision"] = _("现场评审或整改未通过，不能准予许可")
    if len(decision_number.strip()) > 64:
        errors["decision_number"] = _("至多64字")
    if errors:
        raise ValidationFailed(errors)
    before = application_state(application)
    on = today()
    application.decided_on = on
    application.decision_number = decision_number.strip() or next_decision_number(on.year)
    clocks.stop_clocks(application, on, Step.DECISION)
    if decision == Decision.REFUSE:
        application.refusal_reasons = reasons.strip()
        move(application, S.REFUSED, step="REFUSED", note=reasons.strip(), actor=actor, on=on)
        clocks.stop_clocks(application, on)
    else:
        move(application, S.GRANTED, step="GRANTED", note=application.decision_number, actor=actor, on=on)
        clocks.start_clock(application, Step.CERTIFICATE, on)
        grant(application, on, actor)
        # The electronic certificate is issued with the decision: its period is met the same day.
        clocks.stop_clocks(application, on, Step.CERTIFICATE)
    clocks.refresh_due(application)
    record_audit(
        actor,
        AuditEventType.APPLICATION_DECIDED,
        application,
        before=before,
        after={**application_state(application), "decision": decision},
        reason=reasons.strip(),
    )
    return application


@action
def do_grant_on_commitment(*, application: Application, actor: Actor) -> Licence:
    """告知承诺: the applicant has signed the commitment; the licence is granted on the spot and its
    post-approval check is scheduled within the licence type's period."""
    authorize(actor, Permission.DECIDE_LICENCE, region_code=application.region_code)
    application = locked(application)
    require_state(application, S.SUBMITTED)
    if application.track != Track.COMMITMENT or not application.commitment_signed_at:
        raise Conflict(_("只有已签署告知承诺书的告知承诺申请可以当场许可"), field="track")
    refusal = refusing_ban(application.applicant, application.licence_type, {}, today())
    if refusal is not None:
        # No grant on a commitment while the applicant is barred (C9), even for a case filed before the bar.
        raise ValidationFailed({refusal.field: [refusal_text(refusal)]})
    before = application_state(application)
    on = today()
    application.decided_on = on
    application.decision_number = next_decision_number(on.year)
    if actor.user_id is not None and actor.role == Role.OFFICER:
        application.assigned_to_id = actor.user_id
    move(application, S.GRANTED, step="GRANTED_ON_COMMITMENT", note=application.decision_number, actor=actor, on=on)
    licence = grant(application, on, actor)
    check = PostApprovalCheck(
        licence=licence,
        application=application,
        due_on=procedure(application.licence_type).post_check_due(on),
    )
    check.save()
    clocks.refresh_due(application)
    record_audit(
        actor,
        AuditEventType.APPLICATION_DECIDED,
        application,
        before=before,
        after={**application_state(application), "decision": Decision.GRANT},
    )
    return licence


# ------------------------------------------------------------------ the grant writes the registry


@action_step
def grant(application: Application, on: datetime.date, actor: Actor) -> Licence:
    """Write what the decision grants: the lab and its scope (CMA) or the products (production), then the
    licence with its seal."""
    if application.licence_type == LicenceType.CMA:
        lab = _write_lab(application, on, actor)
        scope = [
            {"field": s.field, "object": s.object, "parameter": s.parameter, "standard": s.standard, "limits": s.limits}
            for s in lab.scope.filter(valid_until__isnull=True).order_by("id")
        ]
        return _issue_licence(
            application,
            on,
            actor,
            lab=lab,
            number=lab.cma_number,
            scope=scope,
            valid_from=lab.cma_valid_from,
            valid_until=lab.cma_valid_until,
            closed=application.kind == ApplicationKind.CANCELLATION,
        )
    products = list(application.particulars.get("products", []))
    _record_products(application, products, on, actor)
    proc = procedure(application.licence_type)
    current = application.licence
    if current is not None and application.kind != ApplicationKind.RENEWAL:
        valid_from, valid_until = current.valid_from, current.valid_until
    else:
        valid_from, valid_until = on, proc.valid_until(on)
    scope = products or (current.scope if current is not None else [])
    return _issue_licence(
        application,
        on,
        actor,
        lab=None,
        number="",
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        closed=application.kind == ApplicationKind.CANCELLATION,
    )


@action_step
def _write_lab(application: Application, on: datetime.date, actor: Actor) -> Lab:
    data: dict[str, Any] = application.particulars
    decision = application.decision_number
    proc = procedure(LicenceType.CMA)
    kind = application.kind
    if kind == ApplicationKind.FIRST:
        lab = do_create_lab(
            organization=application.applicant,
            name=data["lab_name"],
            cma_number=next_licence_number(LicenceType.CMA, on.year, application.region_code),
            cma_valid_from=on,
            cma_valid_until=proc.valid_until(on),
            decision=decision,
            actor=actor,
        )
        application.lab = lab
        application.save(update_fields=["lab"])
    else:
        lab = application.lab or Lab.objects.get(organization=application.applicant)
    if kind == ApplicationKind.RENEWAL:
        lab = do_change_lab(lab=lab, decision=decision, cma_valid_until=proc.valid_until(on), actor=actor)
    elif kind == ApplicationKind.CHANGE and data.get("lab_name") and data["lab_name"] != lab.name:
        lab = do_change_lab(lab=lab, decision=decision, name=data["lab_name"], actor=actor)
    elif kind == ApplicationKind.CANCELLATION:
        lab = do_change_lab(lab=lab, decision=decision, status=BodyStatus.CLOSED, reason=_("注销资质认定"), actor=actor)
    ended = list(LabScope.objects.filter(lab=lab, pk__in=data.get("end_scope", []), valid_until__isnull=True))
    if ended:
        do_end_lab_scope(lab=lab, scope=ended, end=on, decision=decision, actor=actor)
    rows = [
        do_add_lab_scope(
            lab=lab,
            field=row["field"],
            object=row["object"],
            parameter=row["parameter"],
            standard=row["standard"],
            limits=row.get("limits", ""),
            valid_from=on,
            decision=decision,
            actor=actor,
        )
        for row in data.get("scope", [])
    ]
    for role, person_role in (
        ("legal_representative", PersonRole.LEGAL_REPRESENTATIVE),
        ("technical_manager", PersonRole.TECHNICAL_MANAGER),
    ):
        person = data.get(role)
        if person:
            do_add_lab_person(
                lab=lab,
                name=person["name"],
                role=person_role,
                id_digest=person["id_digest"],
                start=on,
                decision=decision,
                actor=actor,
            )
    for signatory in data.get("signatories", []):
        person = do_add_lab_person(
            lab=lab,
            name=signatory["name"],
            role=PersonRole.SIGNATORY,
            id_digest=signatory["id_digest"],
            start=on,
            decision=decision,
            actor=actor,
        )
        do_authorize_signatory(
            lab=lab,
            person=person,
            scope=[rows[i] for i in signatory["scope"]],
            valid_from=on,
            decision=decision,
            actor=actor,
        )
    return lab


def _record_products(application: Application, products: list[dict[str, Any]], on: datetime.date, actor: Actor) -> None:
    """Products of the CCC catalogue a production licence names join what the maker is known to make (the
    CCC coverage denominator, C6), with the licence as their source."""
    codes = {p.get("ccc_code") for p in products if p.get("ccc_code")}
    known = set(CccProduct.objects.filter(code__in=codes).values_list("code", flat=True))
    recorded = set(
        ManufacturedProduct.objects.filter(organization=application.applicant, ccc_product__code__in=known).values_list(
            "ccc_product__code", flat=True
        )
    )
    rows = [
        {"uscc": application.applicant.uscc, "ccc_product": code, "source": ProductSource.LICENCE, "recorded_on": on}
        for code in sorted(known - recorded)
    ]
    if rows:
        do_record_manufactured_products(rows=rows, actor=actor)


@action_step
def _issue_licence(
    application: Application,
    on: datetime.date,
    actor: Actor,
    *,
    lab: Lab | None,
    number: str,
    scope: list[Any],
    valid_from: datetime.date,
    valid_until: datetime.date,
    closed: bool,
) -> Licence:
    """Issue the licence, or reissue the one the application concerns with its new facts."""
    licence = application.licence or (Licence.objects.filter(lab=lab).first() if lab is not None else None)
    before = snapshot(licence, LICENCE_FIELDS) if licence is not None else None
    if licence is None:
        unit = str(application.particulars.get("product_unit_code", ""))
        licence = Licence(
            number=number or next_licence_number(application.licence_type, on.year, application.region_code, unit),
            licence_type=application.licence_type,
            holder=application.applicant,
        )
    licence.holder_name = lab.name if lab is not None else application.applicant.name
    licence.lab = lab
    licence.region_code = application.region_code
    licence.valid_from, licence.valid_until = valid_from, valid_until
    licence.status = LicenceStatus.CLOSED if closed else LicenceStatus.ACTIVE
    licence.status_changed_on = on
    licence.status_reason = ApplicationKind(application.kind).label
    licence.scope = scope
    licence.granted_by = application
    licence.decision_number = application.decision_number
    licence.save()
    licence.seal = seal_payload(licence)
    licence.save(update_fields=["seal"])
    if application.licence_id != licence.pk:
        application.licence = licence
        application.save(update_fields=["licence"])
    record_audit(actor, AuditEventType.LICENCE_ISSUED, licence, before=before, after=snapshot(licence, LICENCE_FIELDS))
    return licence


# ------------------------------------------------------------------ after a 告知承诺 grant


@action
def do_record_post_approval_check(
    *,
    check: PostApprovalCheck,
    outcome: str,
    note: str,
    done_on: datetime.date | None = None,
    decision_number: str = "",
    actor: Actor,
) -> PostApprovalCheck:
    """Record the post-approval check of a 告知承诺 licence. A false commitment revokes the licence (and
    the lab's qualification) by a revocation decision (`decision_number`, numbered by the system when not
    given), and bars the holder from applying for the same licence for the period of 行政许可法 第七十九条:
    an APPLICATION_BAR registry ban (C9)."""
    licence = check.licence
    authorize(actor, Permission.HANDLE_LICENSING, region_code=licence.region_code)
    named_user(actor)
    check = PostApprovalCheck.objects.select_for_update().get(pk=check.pk)
    on = done_on or today()
    errors: dict[str, str] = {}
    if check.done_on is not None:
        raise Conflict(_("该核查已于%(on)s记录") % {"on": check.done_on.isoformat()}, field="check")
    if outcome not in CheckOutcome.values:
        errors["outcome"] = _("未知的核查结论“%(value)s”") % {"value": outcome}
    if not note.strip():
        errors["note"] = _("须写明核查情况")
    if on > today() or on < licence.valid_from:
        errors["done_on"] = _("核查日期须在发证日期与今天之间")
    if len(decision_number.strip()) > 64:
        errors["decision_number"] = _("至多64字")
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(check)
    check.done_on, check.outcome, check.note = on, outcome, note.strip()
    check.save()
    application = locked(check.application)
    if outcome == CheckOutcome.FALSE_COMMITMENT and licence.status != LicenceStatus.REVOKED:
        # A licence already revoked (for misconduct, do_revoke_licence) is not revoked, nor barred, twice.
        reason = _("告知承诺内容不实：%(note)s") % {"note": note.strip()}
        _revoke(
            licence,
            application,
            on,
            reason,
            decision_number.strip() or next_revocation_number(on.year),
            _("告知承诺内容不实（许可证%(number)s被撤销）") % {"number": licence.number},
            actor,
        )
    clocks.refresh_due(application)
    record_audit(actor, AuditEventType.POST_APPROVAL_CHECK_RECORDED, check, before=before, after=snapshot(check))
    return check


# ------------------------------------------------------------------ revocation and the bar it brings


def next_revocation_number(year: int) -> str:
    """撤销许可决定书编号 when the officer gives none: XKCX-<year>-<serial of six digits>, counted over the
    bars revocations imposed (every revocation imposes one)."""
    prefix = f"XKCX-{year}-"
    last = Ban.objects.filter(decision_number__startswith=prefix).aggregate(last=Max("decision_number"))["last"]
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


@action
def do_revoke_licence(
    *,
    licence: Licence,
    decision_number: str,
    reason: str,
    actor: Actor,
) -> Ban:
    """Revoke a licence for misconduct (撤销: obtained by deception or bribery, a false commitment found
    later, 行政许可法 第六十九条): the licence and, for a CMA qualification, the lab's qualification end on the
    day of the decision, and the holder — and its legal representative's next organization — may not apply
    for the same licence for three years (行政许可法 第七十九条, procedures.json "bar"): an APPLICATION_BAR
    ban with the decision's number (C9). Only an officer of the licence's region decides it."""
    authorize(actor, Permission.DECIDE_LICENCE, region_code=licence.region_code)
    named_user(actor)
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    errors: dict[str, str] = {}
    if not decision_number.strip():
        errors["decision_number"] = _("必填：撤销许可须有决定书编号")
    elif len(decision_number.strip()) > 64:
        errors["decision_number"] = _("至多64字")
    if not reason.strip():
        errors["reason"] = _("须写明撤销的事实和理由")
    if errors:
        raise ValidationFailed(errors)
    if licence.status in (LicenceStatus.REVOKED, LicenceStatus.CLOSED):
        raise Conflict(
            _("许可证%(number)s已于%(on)s%(status)s")
            % {
                "number": licence.number,
                "on": licence.status_changed_on.isoformat(),
                "status": LicenceStatus(licence.status).label,
            },
            field="licence",
        )
    on = today()
    application = locked(licence.granted_by) if licence.granted_by is not None else None
    ban = _revoke(
        licence,
        application,
        on,
        _("撤销许可：%(reason)s") % {"reason": reason.strip()},
        decision_number.strip(),
        _("许可证%(number)s被撤销：%(reason)s") % {"number": licence.number, "reason": reason.strip()},
        actor,
    )
    if application is not None:
        clocks.refresh_due(application)  # a post-approval check still open no longer falls due
    return ban


@action_step
def _revoke(
    licence: Licence,
    application: Application | None,
    on: datetime.date,
    status_reason: str,
    decision_number: str,
    bar_reason: str,
    actor: Actor,
) -> Ban:
    """The licence (and the lab) revoked on `on` by `decision_number`, and the bar on new applications."""
    proc = procedure(licence.licence_type)
    before = snapshot(licence, LICENCE_FIELDS)
    licence.status, licence.status_changed_on, licence.status_reason = LicenceStatus.REVOKED, on, status_reason
    licence.save(update_fields=["status", "status_changed_on", "status_reason"])
    record_audit(
        actor,
        AuditEventType.LICENCE_STATUS_CHANGED,
        licence,
        before=before,
        after=snapshot(licence, LICENCE_FIELDS),
        reason=f"{decision_number} {status_reason}",
    )
    if licence.lab is not None:
        do_change_lab(
            lab=licence.lab, decision=decision_number, status=BodyStatus.REVOKED, reason=status_reason, actor=actor
        )
    return do_impose_ban(
        kind=BanKind.APPLICATION_BAR,
        organization=licence.holder,
        licence_type=licence.licence_type,
        decision_number=decision_number,
        decided_on=on,
        authority=licensing_authority(),
        starts=on,
        ends=proc.bar_ends(on),
        reason=bar_reason,
        legal_basis=f"{proc.bar.source} {proc.bar.article}",
        source=f"licensing.Licence:{licence.number}",
        legal_representative_digest=representative_digest(licence, application),
        actor=actor,
    )
