"""API schemas of the self-declaration register (C7). A declaration is a public record: its public answer lists
exactly what is published — the producer by name and credit code, the product, models, standards, the report
behind it (its number and lab) or the note why it cannot be checked here, and a withdrawal with its reason
(docs/architecture.md invariant 3). Lengths are bounded here for the document; the rules are the action's."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from certhub.registry.schemas import MAX_LIMIT


class DeclarationIn(Schema):
    ccc_product_code: str = Field(max_length=20, description="The CCC catalogue code (4 digits) of a `*`/`**` product.")
    product_name: str = Field(max_length=400)
    product_models: list[str] = Field(max_length=200, description="The models declared, at least one.")
    trademark: str = Field("", max_length=200)
    gtins: list[str] = Field(default_factory=list, max_length=200, description="GTINs (EAN-13, …) of the product.")
    standards: list[str] = Field(max_length=30, description="Standard codes, e.g. GB 4706.1-2005.")
    test_report_number: str = Field("", max_length=128, description="The type-test report, as registered in CertHub.")
    lab_cma_number: str = Field("", max_length=64, description="The CMA certificate number of the report's lab.")
    report_note: str = Field(
        "", max_length=4000, description="Why the report cannot be checked in CertHub (when no report is named)."
    )
    declared_on: datetime.date = Field(description="The declaration day (not in the future).")


class DeclarationWithdrawIn(Schema):
    reason: str = Field(max_length=4000)
    withdrawn_on: datetime.date = Field(description="From this day the declaration covers nothing.")


class DeclarationProducerOut(Schema):
    name: str
    uscc: str
    region_code: str


class DeclarationProductOut(Schema):
    code: str
    name: str
    mode: str = Field(description="self_declaration_a (`*`) or self_declaration_b (`**`).")


class DeclarationReportOut(Schema):
    number: str
    lab_name: str
    lab_cma_number: str
    issue_date: datetime.date


class DeclarationOut(Schema):
    number: str
    status: str = Field(description="published or withdrawn.")
    status_label: str
    producer: DeclarationProducerOut
    ccc_product: DeclarationProductOut
    product_name: str
    product_models: list[str]
    trademark: str
    gtins: list[str]
    standards: list[str]
    test_report: DeclarationReportOut | None
    report_note: str
    declared_on: datetime.date
    withdrawn_on: datetime.date | None
    withdrawal_reason: str


class DeclarationPage(Schema):
    count: int = Field(description="matches, counted up to 10,000")
    count_exact: bool = Field(description="false when there are more than `count` matches")
    limit: int
    offset: int
    items: list[DeclarationOut]


class DeclarationFilter(Schema):
    q: str = Field("", max_length=200, description="Number, producer, product or model.")
    number: str = Field("", max_length=64)
    producer: str = Field("", max_length=200, description="Part of the producer's name, or its credit code.")
    product: str = Field("", max_length=200, description="Part of the product's name, or its catalogue code.")
    model: str = Field("", max_length=100, description="Part of a model, in any spelling.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=10_000)
