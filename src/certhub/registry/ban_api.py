"""The officers' ban API (C9): list the bans of their region, impose one by its decision, lift one. Writes
are the officer's own, by session with its CSRF token, and, as on the pages, only within minutes of
confirming who they are (core.reauth, C14)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from certhub.core.actors import Actor
from certhub.core.api_auth import request_actor, signed_in_writer
from certhub.core.choices import Role
from certhub.core.errors import NotPermitted
from certhub.core.permissions import within_scope
from certhub.core.reauth import confirmed_recently
from certhub.core.schemas import KEY_OR_SESSION, SESSION_REQUIRED, ErrorOut
from certhub.registry import bans
from certhub.registry.actions.bans import do_impose_ban, do_lift_ban
from certhub.registry.models import Ban
from certhub.registry.schemas import MAX_LIMIT, BanIn, BanLiftIn, BanOut, BanPage

router = Router(tags=["bans"])

WRITE_RESPONSES = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _officer(request: HttpRequest, *, writes: bool = False) -> Actor:
    """An officer or an administrator (401 for anyone unsigned, 403 for other roles); a write by session
    with its CSRF token and a recent confirmation of who they are."""
    actor = signed_in_writer(request) if writes else request_actor(request)
    if actor.role == Role.PUBLIC:
        raise AuthenticationError()
    if actor.role not in (Role.OFFICER, Role.ADMINISTRATOR):
        raise NotPermitted(_("限制措施仅对监管人员和系统管理员开放"))
    if writes and not confirmed_recently(request):
        raise NotPermitted(_("登记或解除限制措施前须重新验证身份：请在页面上确认密码和动态口令后再提交"))
    return actor


def ban_out(ban: Ban) -> dict[str, Any]:
    """A ban as the API gives it: never a person's ID-document digest."""
    organization, person = ban.organization, ban.person
    subject: dict[str, str | None]
    if organization is not None:
        subject = {"type": "organization", "name": organization.name, "uscc": organization.uscc}
    else:
        assert person is not None  # the model's ban_one_subject
        subject = {"type": "person", "name": person.name, "uscc": None}
    return {
        "id": ban.pk,
        "kind": ban.kind,
        "kind_label": str(ban.get_kind_display()),
        "subject": subject,
        "licence_type": ban.licence_type,
        "decision_number": ban.decision_number,
        "decided_on": ban.decided_on,
        "authority": ban.authority,
        "region_code": ban.region_code,
        "starts": ban.starts,
        "ends": ban.ends,
        "in_force": bans.is_in_force(ban),
        "reason": ban.reason,
        "legal_basis": ban.legal_basis,
        "source": ban.source,
        "lifted_on": ban.lifted_on,
        "lift_decision_number": ban.lift_decision_number,
        "lift_reason": ban.lift_reason,
        "sentence": bans.ban_refusal(ban),
    }


@router.get(
    "bans",
    response={200: BanPage, 401: ErrorOut, 403: ErrorOut},
    openapi_extra=KEY_OR_SESSION,
    summary="Bans decided in or about the officer's region (officers)",
)
def list_bans(
    request: HttpRequest, kind: str = "", state: str = "", q: str = "", offset: int = 0, limit: int = Query(20)
) -> dict[str, Any]:
    """Newest first; `kind` one of the ban kinds, `state` in_force or ended, `q` a name, credit code or
    decision number; at most 100 a page."""
    actor = _officer(request)
    found = bans.filtered(bans.bans_visible_to(actor), kind=kind, state=state, q=q)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    return {"count": found.count(), "items": [ban_out(b) for b in found[offset : offset + limit]]}


@router.post("bans", response={201: BanOut, **WRITE_RESPONSES}, openapi_extra=SESSION_REQUIRED, summary="Impose a ban")
def impose_ban(request: HttpRequest, payload: BanIn) -> Status:
    """Record a ban by its decision (decision number required; an end after the start; none for a
    permanent exit or a lifetime ban; the application and certification bars' default periods otherwise)."""
    actor = _officer(request, writes=True)
    organization, person = bans.ban_subject(
        organization_uscc=payload.organization_uscc,
        person_name=payload.person_name,
        person_id_number=payload.person_id_number,
    )
    ban = do_impose_ban(
        kind=payload.kind,
        organization=organization,
        person=person,
        decision_number=payload.decision_number,
        decided_on=payload.decided_on,
        authority=payload.authority,
        starts=payload.starts,
        ends=payload.ends or None,
        reason=payload.reason,
        legal_basis=payload.legal_basis,
        licence_type=payload.licence_type,
        actor=actor,
    )
    return Status(201, ban_out(ban))


@router.post(
    "bans/{ban_id}/lift",
    response={200: BanOut, **WRITE_RESPONSES},
    openapi_extra=SESSION_REQUIRED,
    summary="Lift a ban",
)
def lift_ban(request: HttpRequest, ban_id: int, payload: BanLiftIn) -> dict[str, Any]:
    """Lift a ban by a decision, from `lifted_on` on: only officers of the deciding authority's region or of
    a region above it."""
    actor = _officer(request, writes=True)
    ban = within_scope(bans.bans_visible_to(actor).filter(pk=ban_id).first(), bool, _("你的辖区内没有这条记录。"))
    lifted = do_lift_ban(
        ban=ban,
        decision_number=payload.decision_number,
        lifted_on=payload.lifted_on,
        reason=payload.reason,
        actor=actor,
    )
    return ban_out(Ban.objects.select_related("organization", "person").get(pk=lifted.pk))
