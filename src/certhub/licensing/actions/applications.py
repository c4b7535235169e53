"""The steps of a case that open and close it (C8): submission, acceptance (or its refusal), assignment,
withdrawal; the review between them is licensing.actions.reviews. Each step moves the case along
licensing.choices.APPLICATION_TRANSITIONS, writes its history row, starts or stops its statutory clocks and keeps
the case's next deadline."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import SYSTEM, Actor
from certhub.core.audit import record_audit
from certhub.core.choices import AuditEventType, Role
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import Region, User
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action
from certhub.core.validation import USCC, collect, validate_value
from certhub.licensing import clocks
from certhub.licensing.actions.common import (
    application_state,
    locked,
    move,
    named_user,
    record_event,
    require_state,
    today,
)
from certhub.licensing.actions.decisions import do_grant_on_commitment
from certhub.licensing.bans import banned_people, refusal_text, refusing_ban
from certhub.licensing.choices import (
    OPEN_STATES,
    ApplicationKind,
    ApplicationState,
    LicenceStatus,
    LicenceType,
    Step,
    Track,
)
from certhub.licensing.licences import next_application_number
from certhub.licensing.models import (
    Application,
    Licence,
)
from certhub.licensing.particulars import CmaParticulars, ProductionParticulars, stored_cma
from certhub.licensing.procedures import procedure, procedures
from certhub.registry.models import Lab, Organization

S = ApplicationState


def _check_renewal(
    valid_until: datetime.date, licence_type: str, on: datetime.date, errors: dict[str, list[str]]
) -> None:
    """A renewal is filed at least the configured months before the validity ends, and never after it."""
    proc = procedure(licence_type)
    last_day = proc.renewal_deadline(valid_until)
    if on > valid_until:
        errors.setdefault("kind", []).append(
            _("有效期已于%(until)s届满，不能申请延续，请提出首次申请") % {"until": valid_until.isoformat()}
        )
    elif on > last_day:
        errors.setdefault("kind", []).append(
            _("延续申请须在有效期届满%(months)d个月前提出：有效期至%(until)s，最迟%(last)s提出")
            % {"months": proc.renewal.months, "until": valid_until.isoformat(), "last": last_day.isoformat()}
        )


@action
def do_submit_application(
    *,
    licence_type: str,
    kind: str,
    track: str,
    uscc: str,
    particulars: Mapping[str, Any],
    region_code: str = "",
    licence_number: str = "",
    commitment_text: str = "",
    actor: Actor,
) -> Application:
    """File an application for the actor's own organization (the account's confirmed organization). The
    credit code must be the organization's and pass its check digit; the region must exist; the
    particulars are checked (a scope row's standard must parse); a renewal is filed inside its window; an
    application a registry ban refuses (licensing.bans: permanent exit, application bar, the legal
    representative's bar from another organization) is refused with the ban's sentence and nothing else.
    On the 告知承诺 track the applicant signs `commitment_text` and the licence is granted at once
    (do_grant_on_commitment)."""
    if actor.organization_id is None:
        raise NotPermitted(_("%(actor)s 尚未关联到机构，不能代表机构申请行政许可") % {"actor": actor.label})
    organization = Organization.objects.select_related("region").get(pk=actor.organization_id)
    authorize(actor, Permission.APPLY_FOR_LICENCE, organization_id=organization.pk, region_code=organization.region_id)
    on = today()
    errors: dict[str, list[str]] = {}
    proc = procedures().get(licence_type)
    if proc is not None and kind != ApplicationKind.CANCELLATION:
        # A ban refuses the application whatever else it says (C9): nothing the applicant corrects helps.
        refusal = refusing_ban(organization, proc.code, particulars, on)
        if refusal is not None:
            raise ValidationFailed({refusal.field: [refusal_text(refusal)]})
        if proc.code == LicenceType.CMA and (banned := banned_people(particulars, on)):
            raise ValidationFailed({field: [sentence] for field, sentence in banned.items()})
    if proc is None:
        errors["licence_type"] = [_("未知的许可类型“%(value)s”") % {"value": licence_type}]
    elif kind not in proc.kinds:
        errors["kind"] = [_("%(type)s没有“%(kind)s”这一申请类型") % {"type": proc.name, "kind": kind}]
    elif track not in proc.tracks_for(kind):
        label = ApplicationKind(kind).label
        errors["track"] = [_("%(kind)s不适用“%(track)s”程序") % {"kind": label, "track": track}]
    try:
        code = validate_value(USCC, uscc, field="uscc")
    except ValidationFailed as failed:
        errors.update(failed.errors)
    else:
        if code != organization.uscc:
            errors["uscc"] = [_("统一社会信用代码与申请账号所属机构（%(uscc)s）不一致") % {"uscc": organization.uscc}]
    region = (region_code or organization.region_id or "").strip()
    if not Region.objects.filter(code=region).exists():
        errors["region_code"] = [_("未知的行政区划代码“%(code)s”") % {"code": region}]
    stored: dict[str, Any] = {}
    lab: Lab | None = None
    licence: Licence | None = None
    if proc is not None and "kind" not in errors:
        lab, licence, stored = _check_particulars(
            proc.code, kind, organization, particulars, licence_number, on, errors
        )
    if track == Track.COMMITMENT and not commitment_text.strip():
        errors["commitment_text"] = [_("告知承诺程序须签署承诺书")]
    if errors:
        raise ValidationFailed(errors)
    assert proc is not None
    application = Application(
        number=next_application_number(on.year),
        licence_type=proc.code,
        kind=kind,
        track=track,
        state=S.SUBMITTED,
        applicant=organization,
        submitted_by_id=actor.user_id,
        lab=lab,
        licence=licence,
        region_code=region,
        particulars=stored,
        submitted_on=on,
    )
    if track == Track.COMMITMENT:
        application.commitment_text = commitment_text.strip()
        application.commitment_signed_at = timezone.now()
    application.save()
    record_event(application, step="SUBMITTED", note="", actor=actor, on=on, from_state=S.SUBMITTED)
    if track == Track.GENERAL:
        clocks.start_clock(application, Step.ACCEPTANCE, on)
    clocks.refresh_due(application)
    record_audit(
        actor, AuditEventType.APPLICATION_SUBMITTED, application, before=None, after=application_state(application)
    )
    if track == Track.COMMITMENT:
        # 告知承诺: granted on the spot, on the applicant's signed commitment (the licensing authority's
        # system grants; the post-approval check follows).
        do_grant_on_commitment(application=application, actor=SYSTEM)
        application.refresh_from_db()
    return application


def _check_particulars(
    licence_type: str,
    kind: str,
    organization: Organization,
    particulars: Mapping[str, Any],
    licence_number: str,
    on: datetime.date,
    errors: dict[str, list[str]],
) -> tuple[Lab | None, Licence | None, dict[str, Any]]:
    lab = Lab.objects.filter(organization=organization).first()
    licence: Licence | None = None
    stored: dict[str, Any] = {}
    if licence_type == LicenceType.CMA:
        checked = collect(CmaParticulars, particulars, errors, prefix="particulars")
        if kind == ApplicationKind.FIRST and lab is not None:
            errors.setdefault("kind", []).append(
                _("本机构已取得资质认定（%(number)s），请申请延续、扩项或变更") % {"number": lab.cma_number}
            )
        if kind != ApplicationKind.FIRST:
            if lab is None:
                errors.setdefault("kind", []).append(_("本机构尚未取得资质认定，请提出首次申请"))
            else:
                licence = Licence.objects.filter(lab=lab, status=LicenceStatus.ACTIVE).first()
                if kind == ApplicationKind.RENEWAL:
                    _check_renewal(lab.cma_valid_until, licence_type, on, errors)
        if checked is not None:
            rows = len(checked.scope)
            if kind in (ApplicationKind.FIRST, ApplicationKind.EXTENSION) and rows == 0:
                errors.setdefault("particulars.scope", []).append(_("至少填写一项检验检测能力"))
            if kind == ApplicationKind.FIRST:
                for role in ("legal_representative", "technical_manager"):
                    if getattr(checked, role) is None:
                        errors.setdefault(f"particulars.{role}", []).append(_("必填"))
            for index, signatory in enumerate(checked.signatories):
                outside = [i for i in signatory.scope if not 0 <= i < rows]
                if outside or not signatory.scope:
                    errors.setdefault(f"particulars.signatories[{index}].scope", []).append(
                        _("授权签字范围须为本申请的检验检测能力序号（0–%(last)d）") % {"last": rows - 1}
                    )
            if checked.end_scope and lab is not None:
                known = set(
                    lab.scope.filter(pk__in=checked.end_scope, valid_until__isnull=True).values_list("pk", flat=True)
                )
                missing = [pk for pk in checked.end_scope if pk not in known]
                if missing:
                    errors.setdefault("particulars.end_scope", []).append(
                        _("不是本机构现行的检验检测能力：%(ids)s") % {"ids": ", ".join(map(str, missing))}
                    )
            if kind == ApplicationKind.REDUCTION and not checked.end_scope:
                errors.setdefault("particulars.end_scope", []).append(_("缩项须列明取消的检验检测能力"))
            if not [k for k in errors if k.startswith("particulars")]:
                stored = stored_cma(checked)
    else:
        checked_production = collect(ProductionParticulars, particulars, errors, prefix="particulars")
        if kind == ApplicationKind.FIRST:
            if checked_production is not None and not checked_production.products:
                errors.setdefault("particulars.products", []).append(_("至少填写一种产品"))
        else:
            licence = Licence.objects.filter(
                number=licence_number.strip(), holder=organization, licence_type=licence_type
            ).first()
            if licence is None or licence.status != LicenceStatus.ACTIVE:
                errors.setdefault("licence_number", []).append(
                    _("本机构没有编号为“%(number)s”的有效生产许可证") % {"number": licence_number}
                )
            elif kind == ApplicationKind.RENEWAL:
                _check_renewal(licence.valid_until, licence_type, on, errors)
        if checked_production is not None:
            stored = checked_production.model_dump()
    return lab, licence, stored


@action
def do_accept_application(*, application: Application, assigned_to: User | None = None, actor: Actor) -> Application:
    """Accept a submitted application (受理): the acceptance clock stops and the review clock starts; with
    an assignee the review begins at once."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    require_state(application, S.SUBMITTED)
    if application.track != Track.GENERAL:
        raise Conflict(_("告知承诺申请当场作出决定，无需受理"), field="track")
    if assigned_to is not None:
        _check_assignee(application, assigned_to)
    before = application_state(application)
    on = today()
    application.accepted_on = on
    move(application, S.ACCEPTED, step="ACCEPTED", note="", actor=actor, on=on)
    clocks.stop_clocks(application, on, Step.ACCEPTANCE)
    clocks.start_clock(application, Step.REVIEW, on)
    if assigned_to is not None:
        application.assigned_to = assigned_to
        move(application, S.UNDER_REVIEW, step="ASSIGNED", note=assigned_to.get_username(), actor=actor, on=on)
    clocks.refresh_due(application)
    record_audit(
        actor, AuditEventType.APPLICATION_ACCEPTED, application, before=before, after=application_state(application)
    )
    return application


@action
def do_refuse_acceptance(*, application: Application, reasons: str, actor: Actor) -> Application:
    """Refuse to accept an application (不予受理), with the reasons the applicant is told."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    named_user(actor)
    application = locked(application)
    require_state(application, S.SUBMITTED)
    if not reasons.strip():
        raise ValidationFailed({"reasons": _("不予受理须说明理由")})
    before = application_state(application)
    on = today()
    application.refusal_reasons = reasons.strip()
    application.decided_on = on
    move(application, S.NOT_ACCEPTED, step="NOT_ACCEPTED", note=reasons.strip(), actor=actor, on=on)
    clocks.stop_clocks(application, on)
    clocks.refresh_due(application)
    record_audit(
        actor,
        AuditEventType.APPLICATION_NOT_ACCEPTED,
        application,
        before=before,
        after=application_state(application),
        reason=reasons.strip(),
    )
    return application


def _check_assignee(application: Application, assigned_to: User) -> None:
    region = assigned_to.region
    covers = (
        assigned_to.is_active
        and assigned_to.role == Role.OFFICER
        and region is not None
        and application.region_code.startswith(region.prefix)
    )
    if not covers:
        raise ValidationFailed(
            {
                "assigned_to": _("承办人%(name)s不是辖区覆盖该申请所在地区（%(region)s）的监管人员")
                % {"name": assigned_to.get_username(), "region": application.region_code}
            }
        )


@action
def do_assign_application(*, application: Application, assigned_to: User, actor: Actor) -> Application:
    """Name the officer who handles and decides the case; an accepted case then goes under review."""
    authorize(actor, Permission.HANDLE_LICENSING, region_code=application.region_code)
    application = locked(application)
    require_state(application, *OPEN_STATES)
    _check_assignee(application, assigned_to)
    before = application_state(application)
    on = today()
    application.assigned_to = assigned_to
    to_state = S.UNDER_REVIEW if application.state == S.ACCEPTED else application.state
    move(application, to_state, step="ASSIGNED", note=assigned_to.get_username(), actor=actor, on=on)
    record_audit(
        actor, AuditEventType.APPLICATION_ASSIGNED, application, before=before, after=application_state(application)
    )
    return application


# ------------------------------------------------------------------ materials


@action
def do_withdraw_application(*, application: Application, reason: str = "", actor: Actor) -> Application:
    """The applicant withdraws an open application; its clocks stop."""
    authorize(actor, Permission.APPLY_FOR_LICENCE, organization_id=application.applicant_id)
    application = locked(application)
    require_state(application, *OPEN_STATES)
    before = application_state(application)
    on = today()
    move(application, S.WITHDRAWN, step="WITHDRAWN", note=reason.strip(), actor=actor, on=on)
    for request in application.opinion_requests.filter(answered_on__isnull=True):
        request.answered_on = on
        request.text = _("申请已撤回")
        request.save(update_fields=["answered_on", "text"])
    for material_request in application.material_requests.filter(answered_on__isnull=True):
        material_request.answered_on = on
        material_request.save(update_fields=["answered_on"])
    clocks.stop_clocks(application, on)
    clocks.refresh_due(application)
    record_audit(
        actor,
        AuditEventType.APPLICATION_WITHDRAWN,
        application,
        before=before,
        after=application_state(application),
        reason=reason.strip(),
    )
    return application
