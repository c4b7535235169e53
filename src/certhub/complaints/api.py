"""Public endpoints of complaints and tip-offs (C10) in API v1: a proof-of-work challenge, filing (the same
action and rules as the form: a subject or words, evidence checked by content and size, duplicates, limits
per address), and following a complaint with its number and query code (the same 404 whether the number or
the code was wrong; limited per address). Parse, call, answer (docs/architecture.md convention 7)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from certhub.complaints import actions, pow, queries
from certhub.complaints.models import Complaint
from certhub.complaints.schemas import (
    ComplaintChallengeOut,
    ComplaintIn,
    ComplaintReceiptOut,
    ComplaintTrackIn,
    ComplaintTrackOut,
)
from certhub.core.api_auth import request_actor
from certhub.core.errors import ValidationFailed
from certhub.core.ratelimit import client_address, count_request, too_many_requests
from certhub.core.schemas import ErrorOut

router = Router(tags=["complaints"])


def _limited(request: HttpRequest, budget: str, setting: str) -> HttpResponse | None:
    limit = int(getattr(settings, setting))
    if not limit:
        return None
    decision = count_request(f"{budget}:{client_address(request)}", limit)
    return None if decision.allowed else too_many_requests(decision)


@router.get("complaints/challenge", response={200: ComplaintChallengeOut}, summary="A proof-of-work challenge")
def complaint_challenge(request: HttpRequest) -> dict[str, Any]:
    """A fresh challenge for filing one complaint: find a decimal nonce whose SHA-256 of `salt:nonce` starts
    with `bits` zero bits, and send the token and the nonce with the filing (valid for
    CERTHUB_COMPLAINT_POW_SECONDS; spent by the filing it proves)."""
    challenge = pow.new_challenge()
    return {"token": challenge.token, "salt": challenge.salt, "bits": challenge.bits}


@router.post(
    "complaints",
    response={201: ComplaintReceiptOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="File a complaint or tip-off",
)
def file_complaint(request: HttpRequest, payload: ComplaintIn) -> Any:
    """File a complaint (投诉) or tip-off (举报), anonymously or with contact details (never published).
    Evidence files travel as base64 and are checked by their content and size like the form's; images are
    stored without their metadata. Answers the tracking number and the query code (shown this once).
    422 names each field refused, with nothing written; 429 past the limit per address."""
    actor = request_actor(request)
    limited = _limited(request, "complaint-file", "CERTHUB_COMPLAINT_RATE_LIMIT")
    if limited is not None:
        return limited
    files: list[tuple[str, bytes]] = []
    for index, item in enumerate(payload.evidence):
        try:
            files.append((item.name, base64.b64decode(item.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise ValidationFailed({f"evidence.{index}.content_base64": [_("不是有效的base64编码")]}) from None
    salt = pow.verified_salt(payload.proof_token, payload.proof_nonce)
    complaint, code = actions.do_file_complaint(
        kind=payload.kind,
        text=payload.text,
        certificate_number=payload.certificate_number,
        subject_name=payload.subject_name,
        product=payload.product,
        region_code=payload.region_code,
        wants_reply=payload.wants_reply,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
        evidence=files,
        address=client_address(request),
        proof_salt=salt,
        actor=actor,
    )
    receipt = {
        "number": complaint.number,
        "query_code": code,
        "kind": complaint.kind,
        "due_step": complaint.due_step,
        "due_on": complaint.due_on,
    }
    return Status(201, receipt)


def track_out(complaint: Complaint) -> dict[str, Any]:
    return {
        "number": complaint.number,
        "kind": complaint.kind,
        "kind_label": str(complaint.get_kind_display()),
        "state": complaint.state,
        "state_label": str(complaint.get_state_display()),
        "received_on": complaint.received_on,
        "due_step": complaint.due_step,
        "due_on": complaint.due_on,
        "outcome": complaint.outcome_note,
        "events": [
            {"on": e.on, "step": e.step, "step_label": str(e.get_step_display()), "note": e.note}
            for e in queries.public_events(complaint)
        ],
    }


@router.post(
    "complaints/track",
    response={200: ComplaintTrackOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Follow a complaint with its number and query code",
)
def track_complaint(request: HttpRequest, payload: ComplaintTrackIn) -> Any:
    """Where a complaint stands, its outcome and its history as the complainant sees them. A wrong number
    and a wrong code get the same 404; look-ups are limited per address (429)."""
    request_actor(request)
    limited = _limited(request, "complaint-track", "CERTHUB_COMPLAINT_TRACK_RATE_LIMIT")
    if limited is not None:
        return limited
    complaint = queries.tracked_complaint(payload.number, payload.code)
    if complaint is None:
        body = {"code": "not_found", "message": _("受理编号或查询码不正确"), "errors": {}}
        return JsonResponse(body, status=404)
    return track_out(complaint)
