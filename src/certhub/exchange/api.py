"""Submissions API (C2): a certification body posts up to 1,000 records in one call and gets the whole
report back; it, and the officers over its region, read its submissions later. The records go the way a
file goes (exchange.pipeline): they are kept as JSON Lines, one record per line, so row N of a report is
record N of the batch."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import orjson
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import AuthenticationError
from ninja.responses import Status

from certhub.core.actors import Actor
from certhub.core.api_auth import presented_key, request_actor, require_scope, signed_in_writer
from certhub.core.choices import ApiScope, Role
from certhub.core.errors import NotPermitted
from certhub.core.models import Region
from certhub.core.schemas import KEY_OR_SESSION, ErrorOut
from certhub.exchange.choices import SubmissionChannel, SubmissionKind
from certhub.exchange.models import Submission
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.queries import access_submission, submissions_visible_to
from certhub.exchange.schemas import SubmissionIn, SubmissionOut
from certhub.registry.models import CertificationBody

router = Router(tags=["submissions"])
PROBLEMS_IN_RESPONSE = 1000


def submission_out(submission: Submission, *, with_problems: bool = True) -> dict[str, Any]:
    problems = []
    if with_problems:
        problems = list(
            submission.problems.values("row", "field", "value", "message", "severity")[:PROBLEMS_IN_RESPONSE]
        )
    listed = len(problems)
    return {
        "id": submission.pk,
        "state": submission.state,
        "kind": submission.kind,
        "mode": submission.mode,
        "channel": submission.channel,
        "file_format": submission.file_format,
        "filename": submission.filename,
        "sha256": submission.sha256,
        "received_at": submission.received_at,
        "finished_at": submission.finished_at,
        "submitted_by": submission.submitted_label,
        "total_rows": submission.total_rows,
        "created": submission.created_count,
        "updated": submission.updated_count,
        "unchanged": submission.unchanged_count,
        "rejected": submission.rejected_count,
        "notes": submission.note_count,
        "message": submission.message,
        "problems": problems,
        "problems_omitted": submission.problems_omitted
        + (max(0, submission.problems.count() - listed) if with_problems and listed == PROBLEMS_IN_RESPONSE else 0),
    }


@router.post(
    "submissions",
    response={201: SubmissionOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Submit a batch of certificates, status changes, test reports or organizations",
    openapi_extra=KEY_OR_SESSION,
)
def create_submission(request: HttpRequest, payload: SubmissionIn) -> Status:
    """A certification body's batch of up to 1,000 records (its API key required). Every record is
    validated before anything is written; in the default mode `all` one bad record rejects the batch and
    nothing is applied, in mode `valid` the valid records are applied. Resubmitting the same records
    changes nothing and reports them `unchanged`. The answer (201) is the submission's report, whatever
    its outcome: `state` says whether it was applied, partly applied or rejected, and `problems` name
    the record (`row`), field, value and reason. Kind `organizations` (market registration's records) is
    filed by a signed-in officer for their region or an administrator, with the session and its CSRF token
    in X-CSRFToken, not with a key."""
    if payload.kind == SubmissionKind.ORGANIZATIONS:
        return _organizations_batch(request, payload)
    actor = request_actor(request, required=True)
    if actor.role != Role.CERTIFICATION_BODY or actor.organization_id is None:
        raise NotPermitted(_("只有认证机构的接口密钥可以报送证书数据"))
    require_scope(
        request, ApiScope.SUBMIT_REPORTS if payload.kind == SubmissionKind.REPORTS else ApiScope.SUBMIT_CERTIFICATES
    )
    body = (
        CertificationBody.objects.select_related("organization").filter(organization_id=actor.organization_id).first()
    )
    if body is None:
        raise NotPermitted(_("该密钥所属机构不是已登记的认证机构"))
    lines = b"".join(orjson.dumps(record) + b"\n" for record in payload.records)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "batch.jsonl"
        path.write_bytes(lines)
        options = Options(kind=payload.kind, mode=payload.mode, channel=SubmissionChannel.API)
        submission = submit_file(path, "api-batch.jsonl", body.organization, options, actor=actor)
    return Status(201, submission_out(submission))


def _organizations_batch(request: HttpRequest, payload: SubmissionIn) -> Status:
    """Market registration's organizations (kind `organizations`, C1) are filed by an officer for their
    region, or an administrator, signed in (session with the CSRF token): they come through the
    regulator, not from one organization's key."""
    actor = signed_in_writer(request)
    if actor.role not in (Role.OFFICER, Role.ADMINISTRATOR):
        raise NotPermitted(_("只有监管人员和系统管理员可以报送机构登记信息"))
    region = Region.objects.get(code=actor.region_code) if actor.role == Role.OFFICER and actor.region_code else None
    lines = b"".join(orjson.dumps(record) + b"\n" for record in payload.records)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "batch.jsonl"
        path.write_bytes(lines)
        options = Options(kind=payload.kind, mode=payload.mode, channel=SubmissionChannel.API, region=region)
        submission = submit_file(path, "api-batch.jsonl", None, options, actor=actor)
    return Status(201, submission_out(submission))


def _reader(request: HttpRequest) -> Actor:
    """A key holding the `read` scope (else 403 naming it) or a signed-in user: anonymous callers see no
    submissions."""
    actor = require_scope(request, ApiScope.READ) if presented_key(request) else request_actor(request)
    if actor.role == Role.PUBLIC:
        raise AuthenticationError()
    return actor


@router.get(
    "submissions",
    response={200: list[SubmissionOut], 401: ErrorOut, 403: ErrorOut},
    summary="Recent submissions",
    openapi_extra=KEY_OR_SESSION,
)
def list_submissions(request: HttpRequest, limit: int = Query(50, ge=1, le=200)) -> list[dict[str, Any]]:
    """The caller's organization's submissions, newest first (officers: those of their region's
    organizations), without their problem lists."""
    actor = _reader(request)
    return [submission_out(s, with_problems=False) for s in submissions_visible_to(actor)[:limit]]


@router.get(
    "submissions/{submission_id}",
    response={200: SubmissionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A report",
    openapi_extra=KEY_OR_SESSION,
)
def get_submission(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    """One submission's report, with up to 1,000 of its problems."""
    actor = _reader(request)
    return submission_out(access_submission(actor, submission_id))
