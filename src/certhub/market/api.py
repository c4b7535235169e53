"""Market checks in API v1 (C7): an officer or enforcement inspector posts up to 1,000 listings — from an
e-commerce platform, a market-wide campaign, a shop visit — and gets every listing's verdict back in the
order sent, with its reason; the batch can be read again later. Parse, call, answer (docs/architecture.md
convention 7): the rules are market.listings' and the decisions market.engine's.

Writes are made by the person, signed in (session with the CSRF token in X-CSRFToken): CertHub's API keys
belong to organizations, and recording a market check is an officer's or inspector's act in their region."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import AuthenticationError

from certhub.core.api_auth import request_actor, signed_in_writer
from certhub.core.choices import Role
from certhub.core.errors import ValidationFailed
from certhub.core.schemas import SESSION_REQUIRED, ErrorOut
from certhub.market.actions.checks import do_check_listings
from certhub.market.choices import BatchSource, Verdict
from certhub.market.models import Campaign, CheckBatch
from certhub.market.queries import access_check_batch, batch_checks, batch_verdicts
from certhub.market.schemas import CheckBatchOut, MarketChecksIn

router = Router(tags=["market"])
CHECKS_IN_RESPONSE = 1000


def check_out(check: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """One check as the answer shows it, from batch_checks' values."""
    return {
        "id": check["id"],
        "row": check["row"],
        "checked_on": check["checked_on"],
        "platform": check["platform"],
        "shop": check["shop"],
        "product_name": check["product_name"],
        "model": check["model"],
        "claimed_number": check["claimed_number"],
        "gtin": check["gtin"],
        "verdict": check["verdict"],
        "verdict_label": labels.get(check["verdict"], check["verdict"]),
        "reason": check["reason"],
        "placement": check["placement"],
        "ccc_product_code": check["ccc_product__code"],
        "ccc_product_name": check["ccc_product__name"],
        "certificate_number": check["certificate__number"],
        "declaration_number": check["declaration__number"],
        "producer_uscc": check["producer__uscc"],
        "producer_name": check["producer__name"],
        "shop_organization_uscc": check["shop_organization__uscc"],
        "test_report_number": check["test_report__number"],
    }


def batch_out(batch: CheckBatch, *, offset: int = 0, limit: int = CHECKS_IN_RESPONSE) -> dict[str, Any]:
    labels = {value: str(label) for value, label in Verdict.choices}  # translated once, not per check
    return {
        "id": batch.pk,
        "source": batch.source,
        "channel": batch.channel,
        "campaign": batch.campaign_id,
        "region_code": batch.region_code,
        "state": batch.state,
        "rows_total": batch.rows_total,
        "rows_done": batch.rows_done,
        "submitted_by": batch.submitted_by,
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
        "verdicts": batch_verdicts(batch),
        "offset": offset,
        "checks": [check_out(c, labels) for c in batch_checks(batch, offset=offset, limit=limit)],
    }


def _campaign(campaign_id: int | None) -> Campaign | None:
    """The campaign named, when it exists; its region is held against the checks' by the action."""
    if campaign_id is None:
        return None
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise ValidationFailed({"campaign": [_("没有编号为%(id)s的专项整治") % {"id": campaign_id}]})
    return campaign


@router.post(
    "market/checks",
    response={201: CheckBatchOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Check up to 1,000 listings against the CCC catalogue and the registry",
    openapi_extra=SESSION_REQUIRED,
)
def record_market_checks(request: HttpRequest, payload: MarketChecksIn) -> HttpResponse:
    """Judge up to 1,000 listings seen in `region_code` (the caller's region) and record them: every listing
    gets its verdict — covered, not in the catalogue, model not covered, certificate invalid, declaration
    invalid, number not in the registry (probable forgery), no claim, needs a person — with a one-sentence
    reason, in the order sent (`row` 1…n). Every listing is checked before anything is recorded: 422 names
    each problem as `listings[i].field` (a GTIN's check digit, a catalogue code unknown in the catalogue in
    force on the check date, a date in the future, more than 1,000 listings) and nothing is written."""
    actor = signed_in_writer(request)
    batch = do_check_listings(
        listings=[item.dict() for item in payload.listings],
        channel=payload.channel,
        region_code=payload.region_code,
        source=BatchSource.API,
        campaign=_campaign(payload.campaign),
        actor=actor,
    )
    # Serialized directly, as the batch verify is: re-validating a thousand checks against CheckBatchOut would
    # cost more than judging them (the tests hold the answer to the published schema).
    return HttpResponse(orjson.dumps(batch_out(batch)), status=201, content_type="application/json")


@router.get(
    "market/checks/{batch_id}",
    response={200: CheckBatchOut, 401: ErrorOut, 404: ErrorOut},
    summary="A batch of market checks with its verdicts",
    openapi_extra=SESSION_REQUIRED,
)
def get_market_checks(request: HttpRequest, batch_id: int, offset: int = Query(0, ge=0, le=10_000_000)) -> HttpResponse:
    """A batch of the caller's region — from the API, the on-site page or a file — with its progress, its
    count per verdict and up to 1,000 of its checks from `offset` on, in row order. 404 alike for a batch
    that does not exist and one outside the caller's region."""
    actor = request_actor(request)
    if actor.role == Role.PUBLIC:
        raise AuthenticationError()
    return HttpResponse(
        orjson.dumps(batch_out(access_check_batch(actor, batch_id), offset=offset)), content_type="application/json"
    )
