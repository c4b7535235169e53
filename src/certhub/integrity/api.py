"""Integrity endpoints of API v1 (C9): the joint punishment query other departments ask with their keys
(scope `joint_punishment_query`) or officers with their session, and the public disclosure list. Parse,
call, answer (docs/architecture.md convention 7); errors in the one shape of the API."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from certhub.core.api_auth import presented_key, require_scope, signed_in_writer
from certhub.core.choices import ApiScope
from certhub.core.schemas import KEY_OR_SESSION, ErrorOut
from certhub.integrity.actions import do_query_joint_punishment
from certhub.integrity.choices import QueryChannel
from certhub.integrity.disclosure import disclosure_rows
from certhub.integrity.schemas import DisclosurePageOut, JointQueryIn, JointQueryOut

router = Router(tags=["integrity"])
DISCLOSURE_PAGE_SIZE = 50


@router.post(
    "/joint-punishment/query",
    response={200: JointQueryOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Joint punishment query (联合惩戒)",
    openapi_extra=KEY_OR_SESSION,
)
def joint_punishment_query(request: HttpRequest, payload: JointQueryIn) -> dict[str, Any]:
    """Ask, for up to 100 credit codes or persons (name and identity-document number), which bans and
    serious-violation listings bind them today and until when. Another department asks with its key
    (scope `joint_punishment_query`); an officer with their session. Every query is logged with the asking
    department; an item with a bad check character refuses the whole query (422), and nothing is logged."""
    if presented_key(request):
        actor = require_scope(request, ApiScope.JOINT_PUNISHMENT_QUERY)
    else:
        actor = signed_in_writer(request)
    items = [item.model_dump() for item in payload.items]
    log, answers = do_query_joint_punishment(items=items, channel=QueryChannel.API, actor=actor)
    return {
        "query_id": log.pk,
        "asked_at": log.asked_at,
        "item_count": log.item_count,
        "hit_count": log.hit_count,
        "items": answers,
    }


class DisclosureFilter(Schema):
    q: str = Field("", description="a name, credit code or decision number (part of it)", max_length=100)
    category: str = Field("", description="one category (see the rows' `category`)", max_length=20)
    page: int = Field(1, ge=1, le=100000)


@router.get("/disclosure", response={200: DisclosurePageOut, 429: ErrorOut}, summary="Public disclosure list")
def disclosure(request: HttpRequest, filters: Query[DisclosureFilter]) -> dict[str, Any]:
    """The public disclosure list (公示名单): suspended and revoked certification bodies and labs, penalties
    within their publicity period, institutions under a ban in force, and persons under a lifetime ban (by
    name and decision only), 50 to a page, newest decision first."""
    rows = disclosure_rows(timezone.localdate(), search=filters.q, category=filters.category)
    paginator = Paginator(rows, DISCLOSURE_PAGE_SIZE)
    page = paginator.get_page(filters.page)
    return {"count": paginator.count, "page": page.number, "pages": paginator.num_pages, "results": list(page)}
