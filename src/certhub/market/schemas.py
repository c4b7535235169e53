"""API schemas of market checks (C7). A listing is what an inspector or a platform saw; the answer gives every
listing's verdict in the order sent, with the reason and what it was judged against. Not public: the answers
go to the officers and inspectors of the region (docs/architecture.md invariant 4)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema


class ListingIn(Schema):
    """One listing, label or sample; every field is text (the rules are market.listings')."""

    platform: str = Field("", description="E-commerce platform, market or shop street.")
    shop: str = Field("", description="The shop or seller as shown.")
    shop_uscc: str = Field("", description="The seller's Unified Social Credit Code, when shown (GB 32100-2015).")
    product_name: str = Field("", description="Product name as listed; required unless a GTIN or number is given.")
    model: str = Field("", description="Model as listed (compared folded: 'BCD-218' = 'bcd 218').")
    trademark: str = ""
    catalogue_code: str = Field("", description="CCC catalogue code if known; must exist on the check date.")
    claimed_number: str = Field("", description="Certificate or self-declaration (ZS…) number the listing claims.")
    gtin: str = Field("", description="GTIN/EAN barcode (8, 12, 13 or 14 digits, check digit verified).")
    url: str = ""
    checked_on: str = Field("", description="The day it was seen (YYYY-MM-DD; default today, not in the future).")
    sample_number: str = Field("", description="Sampling slip number for a sample taken for testing.")


class MarketChecksIn(Schema):
    channel: str = Field(description="onsite, online or sample.")
    region_code: str = Field(description="Where the listings were checked (GB/T 2260), within the caller's region.")
    campaign: int | None = Field(None, description="The campaign (专项整治) id the checks belong to.")
    listings: list[ListingIn] = Field(description="At most 1,000 listings; all are checked before any is recorded.")


class MarketCheckOut(Schema):
    id: int
    row: int
    checked_on: datetime.date
    platform: str
    shop: str
    product_name: str
    model: str
    claimed_number: str
    gtin: str
    verdict: str
    verdict_label: str
    reason: str
    placement: str
    ccc_product_code: str | None
    ccc_product_name: str | None
    certificate_number: str | None
    declaration_number: str | None
    producer_uscc: str | None
    producer_name: str | None
    shop_organization_uscc: str | None
    test_report_number: str | None


class CheckBatchOut(Schema):
    id: int
    source: str
    channel: str
    campaign: int | None
    region_code: str
    state: str
    rows_total: int | None
    rows_done: int
    submitted_by: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    verdicts: dict[str, int] = Field(description="How many checks of the batch got each verdict.")
    offset: int
    checks: list[MarketCheckOut] = Field(description="The checks from `offset` on, in row order (at most 1,000).")
