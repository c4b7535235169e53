"""The integrity API's schemas (C9): the joint punishment query and the public disclosure list. Types and
presence only; the rules (one subject per item, check characters, at most 100 items) are
integrity.joint.checked_items'. Public schemas list exactly the public fields (docs/architecture.md
invariant 3): a person is named, never identified by number."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field


class JointItemIn(Schema):
    uscc: str | None = Field(None, description="an organization's unified social credit code", max_length=40)
    name: str | None = Field(None, description="a person's name (with id_number)", max_length=100)
    id_number: str | None = Field(
        None, description="the person's identity-document number (GB 11643); never stored or returned", max_length=40
    )


class JointQueryIn(Schema):
    items: list[JointItemIn] = Field(description="1 to 100 items, each a credit code or a name and ID number")


class JointBanOut(Schema):
    kind: str = Field(
        description="PERMANENT_EXIT, LIFETIME_BAN, APPLICATION_BAR, CERTIFICATION_BAR or SERIOUS_VIOLATION"
    )
    kind_label: str
    decision_number: str
    decided_on: datetime.date
    authority: str
    starts: datetime.date
    until: datetime.date | None = Field(description="the day the bar ends; null for a bar without end")
    permanent: bool
    text: str = Field(description="the sentence CertHub gives when it refuses something for this bar")


class JointAnswerOut(Schema):
    index: int
    uscc: str | None
    name: str | None
    registered: bool | None = Field(description="for a credit code: whether CertHub registers it; null for a person")
    barred: bool
    bans: list[JointBanOut]


class JointQueryOut(Schema):
    query_id: int
    asked_at: datetime.datetime
    item_count: int
    hit_count: int
    items: list[JointAnswerOut]


class DisclosureRowOut(Schema):
    category: str = Field(
        description="BODY_SUSPENDED, BODY_REVOKED, LAB_SUSPENDED, LAB_REVOKED, PENALTY, INSTITUTION_BAN or PERSON_BAN"
    )
    category_label: str
    name: str
    uscc: str | None
    decision_number: str | None
    decided_on: datetime.date | None
    authority: str | None
    until: datetime.date | None
    detail: str | None
    region_code: str | None


class DisclosurePageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[DisclosureRowOut]
