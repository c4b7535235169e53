"""The ledger over HTTP (C4): checkpoints, the verifier key, entries and proofs, so that anyone
can check with their own RFC 9162 and c2sp.org tools that CertHub's history was never rewritten.
Hashes are standard base64; every refusal uses the common error body and a 422, never a 500."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.decorators import decorate_view

from certhub.core.actors import SYSTEM
from certhub.core.errors import NotFound, ValidationFailed
from certhub.core.ratelimit import limit_anonymous
from certhub.core.schemas import ErrorOut
from certhub.ledger import checkpoints, keys, log, merkle
from certhub.ledger.queries import MAX_RANGE, entries_between
from certhub.ledger.schemas import ConsistencyIn, EntriesOut, InclusionIn, ProofOut, RangeIn

router = Router(tags=["ledger"])


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message]})


def _text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


TEXT = {"responses": {200: {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}}}


@router.get("ledger/checkpoint", response={404: ErrorOut}, openapi_extra=TEXT, tags=["ledger"])
def get_checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint (c2sp.org/tlog-checkpoint in a c2sp.org/signed-note), as text. A new
    one is signed when entries were added and the last is older than the checkpoint interval."""
    checkpoint = checkpoints.current(SYSTEM)
    if checkpoint is None:
        raise NotFound(_("账本还没有条目，尚无检查点"))
    return _text(checkpoint.note)


@router.get("ledger/key", response={404: ErrorOut}, openapi_extra=TEXT, tags=["ledger"])
def get_key(request: HttpRequest) -> HttpResponse:
    """The verifier key of the checkpoints: name+hash+base64 (c2sp.org/signed-note)."""
    return _text(keys.verifier_key() + "\n")


@router.get("ledger/entries", response={200: EntriesOut, 422: ErrorOut, 429: ErrorOut}, tags=["ledger"])
@decorate_view(limit_anonymous)
def get_entries(request: HttpRequest, query: Query[RangeIn]) -> dict[str, Any]:
    """Entries start ≤ index < end (at most 1,000 at a time)."""
    size = log.tree_size()
    if query.end <= query.start:
        raise _refuse("end", _("end（%(end)s）须大于start（%(start)s）") % {"end": query.end, "start": query.start})
    if query.end > size:
        raise _refuse("end", _("账本只有%(size)s条，end不能超过它") % {"size": size})
    if query.end - query.start > MAX_RANGE:
        raise _refuse("end", _("一次最多取%(limit)s条") % {"limit": MAX_RANGE})
    entries = entries_between(query.start, query.end)
    return {"entries": [{"index": e.index, "leaf_hash": log.b64(e.leaf_hash), "entry": e.entry} for e in entries]}


@router.get("ledger/proof/inclusion", response={200: ProofOut, 422: ErrorOut, 429: ErrorOut}, tags=["ledger"])
@decorate_view(limit_anonymous)
def get_inclusion_proof(request: HttpRequest, query: Query[InclusionIn]) -> dict[str, Any]:
    """The audit path of entry `index` in the tree of the first `tree_size` entries (RFC 9162 §2.1.3)."""
    if query.index >= query.tree_size:
        message = _("序号%(index)s不在大小为%(size)s的树中") % {"index": query.index, "size": query.tree_size}
        raise _refuse("index", message)
    try:
        proof = log.inclusion_proof(query.index, query.tree_size)
    except merkle.ProofError:
        raise _refuse("tree_size", _("账本只有%(size)s条") % {"size": log.tree_size()}) from None
    return {"proof": [log.b64(h) for h in proof]}


@router.get("ledger/proof/consistency", response={200: ProofOut, 422: ErrorOut, 429: ErrorOut}, tags=["ledger"])
@decorate_view(limit_anonymous)
def get_consistency_proof(request: HttpRequest, query: Query[ConsistencyIn]) -> dict[str, Any]:
    """That the tree of `first` entries is a prefix of the tree of `second` (RFC 9162 §2.1.4)."""
    if query.first > query.second:
        raise _refuse(
            "first",
            _("first（%(first)s）不能大于second（%(second)s）") % {"first": query.first, "second": query.second},
        )
    try:
        proof = log.consistency_proof(query.first, query.second)
    except merkle.ProofError:
        raise _refuse("second", _("账本只有%(size)s条") % {"size": log.tree_size()}) from None
    return {"proof": [log.b64(h) for h in proof]}
