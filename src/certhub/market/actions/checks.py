"""Recording market checks (C7): listings, labels and samples judged by market.engine and kept with their
verdicts — from the inspector's page or the API in one call of up to 1,000 listings, or from a platform's
file in chunks that resume where they stopped (market.files) — and a sample's lab report linked when it comes
back. Every listing is checked before anything is written (docs/architecture.md invariant 6); each call or
chunk writes one audit row for its checks (their count, id range and digest)."""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import orjson
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core import bulk
from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType
from certhub.core.errors import Conflict, ValidationFailed
from certhub.core.models import Region, region_prefix
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.market.choices import BatchSource, BatchState, CheckChannel
from certhub.market.engine import Judgement, judge
from certhub.market.listings import Catalogue, Listing, check_listings
from certhub.market.models import Campaign, CheckBatch, MarketCheck
from certhub.registry.models import TestReport

BATCH_AUDIT_FIELDS = ["source", "channel", "campaign", "region_code", "state", "filename", "sha256", "rows_total",
                      "rows_done", "finished_at"]  # fmt: skip
CHECK_AUDIT_FIELDS = ["batch", "row", "channel", "checked_on", "region_code", "claimed_number", "verdict",
                      "certificate", "declaration", "producer", "sample_number", "test_report"]  # fmt: skip


def batch_errors(
    *, channel: str, source: str, region_code: str, campaign: Campaign | None
) -> tuple[dict[str, list[str]], tuple[datetime.date, datetime.date] | None]:
    """The batch's own arguments: a known channel and source, a region of GB/T 2260, and a campaign whose
    region contains it. Returns the errors and the campaign's period (its checks must fall inside)."""
    errors: dict[str, list[str]] = {}
    if channel not in CheckChannel.values:
        errors["channel"] = [_("未知的发现渠道“%(value)s”") % {"value": str(channel)[:20]}]
    if source not in BatchSource.values:
        errors["source"] = [_("未知的来源“%(value)s”") % {"value": str(source)[:20]}]
    if not Region.objects.filter(code=region_code).exists():
        errors["region_code"] = [_("未知的行政区划代码“%(code)s”") % {"code": str(region_code)[:12]}]
    period = None
    if campaign is not None:
        period = (campaign.starts_on, campaign.ends_on)
        region = Region.objects.filter(code=campaign.region_code).first()
        if region is not None and not str(region_code).startswith(region_prefix(region.code, region.level)):
            errors["campaign"] = [
                _("检查地区%(region)s不在专项整治“%(campaign)s”的地区%(campaign_region)s内")
                % {"region": region_code, "campaign": campaign.name, "campaign_region": campaign.region_code}
            ]
    return errors, period


def _validated(
    listings: Sequence[Mapping[str, Any]],
    *,
    channel: str,
    source: str,
    region_code: str,
    campaign: Campaign | None,
    catalogue: Catalogue,
    prefix: str = "listings",
    rows: Sequence[int] | None = None,
) -> list[Listing]:
    errors, period = batch_errors(channel=channel, source=source, region_code=region_code, campaign=campaign)
    try:
        clean = check_listings(
            listings, catalogue=catalogue, prefix=prefix, rows=rows, campaign_period=period, today=timezone.localdate()
        )
    except ValidationFailed as failure:
        errors.update(failure.errors)
        clean = []
    if errors:
        raise ValidationFailed(errors)
    return clean


def _pk(row: Any) -> int | None:
    return row.pk if row is not None else None


@action_step
def _write_checks(
    batch: CheckBatch,
    listings: Sequence[Listing],
    judgements: Sequence[Judgement],
    rows: Sequence[int],
    actor: Actor,
) -> list[int]:
    """Insert the checks as rows (COPY on PostgreSQL, executemany on SQLite: a million-listing file goes at
    the database's pace, without a model instance per row) and write the one audit row that vouches for
    them: how many, their id range, the count per verdict and the SHA-256 of their values."""
    spec = bulk.table(MarketCheck)
    ids = bulk.allocate_ids(MarketCheck, len(listings))
    now = timezone.now()
    today = timezone.localdate()
    values = [
        spec.values_of(
            SimpleNamespace(
                id=pk,
                batch_id=batch.pk,
                row=row,
                campaign_id=batch.campaign_id,
                channel=batch.channel,
                checked_on=listing.day(today),
                region_code=batch.region_code,
                platform=listing.platform,
                shop=listing.shop,
                shop_organization_id=_pk(judgement.shop_organization),
                url=listing.url,
                product_name=listing.product_name,
                model=listing.model,
                trademark=listing.trademark,
                catalogue_code=listing.catalogue_code,
                claimed_number=listing.number,
                gtin=listing.gtin,
                ccc_product_id=_pk(judgement.ccc_product),
                placement=judgement.placement,
                verdict=judgement.verdict,
                reason=judgement.reason,
                certificate_id=_pk(judgement.certificate),
                declaration_id=_pk(judgement.declaration),
                producer_id=_pk(judgement.producer),
                sample_number=listing.sample_number,
                test_report_id=None,
                recorded_at=now,
            )
        )
        for pk, listing, judgement, row in zip(ids, listings, judgements, rows, strict=True)
    ]
    bulk.insert_rows(MarketCheck, values)
    after = {
        "kind": "market_checks",
        "rows": len(values),
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
        "verdicts": dict(Counter(str(j.verdict) for j in judgements)),
        "digest": hashlib.sha256(orjson.dumps(values, default=str)).hexdigest(),
    }
    record_audit(actor, AuditEventType.MARKET_CHECKS_RECORDED, batch, before=None, after=after)
    return ids


@action
def do_check_listings(
    *,
    listings: Sequence[Mapping[str, Any]],
    channel: str,
    region_code: str,
    source: str,
    campaign: Campaign | None = None,
    actor: Actor,
) -> CheckBatch:
    """Judge up to 1,000 listings seen in `region_code` and record them as one batch, with their verdicts in
    the order given (rows 1…n). Every listing is checked first: any problem refuses the whole call with each
    listing's field and reason (`listings[i].field`), and nothing is written."""
    authorize(actor, Permission.RECORD_MARKET_CHECK, region_code=region_code)
    catalogue = Catalogue.load()
    clean = _validated(
        listings, channel=channel, source=source, region_code=region_code, campaign=campaign, catalogue=catalogue
    )
    now = timezone.now()
    batch = CheckBatch(
        source=source,
        channel=channel,
        campaign=campaign,
        region_code=region_code,
        state=BatchState.DONE,
        rows_total=len(clean),
        rows_done=len(clean),
        submitted_by=actor.label,
        created_at=now,
        finished_at=now,
    )
    batch.save()
    judgements = judge(clean, day_default=timezone.localdate(), catalogue=catalogue)
    _write_checks(batch, clean, judgements, range(1, len(clean) + 1), actor)
    return batch


@action
def do_open_check_batch(
    *,
    source: str,
    channel: str,
    region_code: str,
    campaign: Campaign | None = None,
    filename: str = "",
    sha256: str = "",
    stored_path: str = "",
    rows_total: int | None = None,
    actor: Actor,
) -> CheckBatch:
    """Open a batch whose listings come in chunks (a file): recorded as checking, with its file's name and
    digest so that the same file resumes it (docs/architecture.md convention 18)."""
    authorize(actor, Permission.RECORD_MARKET_CHECK, region_code=region_code)
    errors, _period = batch_errors(channel=channel, source=source, region_code=region_code, campaign=campaign)
    if errors:
        raise ValidationFailed(errors)
    batch = CheckBatch(
        source=source,
        channel=channel,
        campaign=campaign,
        region_code=region_code,
        state=BatchState.CHECKING,
        filename=filename[:200],
        sha256=sha256,
        stored_path=stored_path[:500],
        rows_total=rows_total,
        submitted_by=actor.label,
    )
    batch.save()
    record_audit(
        actor, AuditEventType.MARKET_CHECKS_RECORDED, batch, before=None, after=snapshot(batch, BATCH_AUDIT_FIELDS)
    )
    return batch


@action
def do_check_listing_chunk(
    *, batch: CheckBatch, listings: Sequence[Mapping[str, Any]], rows: Sequence[int], rows_done: int, actor: Actor
) -> list[int]:
    """Judge and record one chunk of an open batch (its file's rows `rows`) and move its progress to
    `rows_done` data rows, in one transaction: a chunk is recorded whole or not at all, and a resumed file
    starts after the last chunk committed. The chunk is checked like any call (`rows[N].field`)."""
    authorize(actor, Permission.RECORD_MARKET_CHECK, region_code=batch.region_code)
    batch = CheckBatch.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=batch.pk)
    if batch.state != BatchState.CHECKING:
        raise Conflict(_("批次%(batch)s已结束，不能再核查") % {"batch": batch.pk})
    if rows_done <= batch.rows_done:
        raise Conflict(
            _("批次%(batch)s已核查到第%(done)d行") % {"batch": batch.pk, "done": batch.rows_done}, field="rows_done"
        )
    catalogue = Catalogue.load()
    clean = _validated(
        listings,
        channel=batch.channel,
        source=batch.source,
        region_code=batch.region_code,
        campaign=batch.campaign,
        catalogue=catalogue,
        prefix="rows",
        rows=rows,
    )
    judgements = judge(clean, day_default=timezone.localdate(), catalogue=catalogue)
    CheckBatch.objects.filter(pk=batch.pk).update(rows_done=rows_done)
    batch.rows_done = rows_done
    return _write_checks(batch, clean, judgements, rows, actor)


@action
def do_finish_check_batch(*, batch: CheckBatch, actor: Actor) -> CheckBatch:
    """Close a batch whose every chunk is recorded."""
    authorize(actor, Permission.RECORD_MARKET_CHECK, region_code=batch.region_code)
    batch = CheckBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != BatchState.CHECKING:
        raise Conflict(_("批次%(batch)s已结束") % {"batch": batch.pk})
    before = snapshot(batch, BATCH_AUDIT_FIELDS)
    batch.state = BatchState.DONE
    batch.rows_total = batch.rows_done
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "rows_total", "finished_at"])
    record_audit(
        actor, AuditEventType.MARKET_CHECKS_RECORDED, batch, before=before, after=snapshot(batch, BATCH_AUDIT_FIELDS)
    )
    return batch


@action
def do_link_sample_report(*, check: MarketCheck, report: TestReport, actor: Actor) -> MarketCheck:
    """Link the lab's report on a sample taken for testing (channel `sample`) to its check: the report must
    be issued on or after the sampling day, and a check keeps the first report linked (a second is a
    conflict, not a silent replacement)."""
    authorize(actor, Permission.RECORD_MARKET_CHECK, region_code=check.region_code)
    check = MarketCheck.objects.select_for_update().get(pk=check.pk)
    errors: dict[str, list[str]] = {}
    if check.channel != CheckChannel.SAMPLE:
        errors["check"] = [_("只有抽样检验可以关联检验报告")]
    if report.issue_date < check.checked_on:
        errors["report"] = [
            _("报告%(number)s签发于%(issued)s，早于抽样日期%(sampled)s")
            % {
                "number": report.number,
                "issued": report.issue_date.isoformat(),
                "sampled": check.checked_on.isoformat(),
            }
        ]
    if errors:
        raise ValidationFailed(errors)
    if check.test_report_id is not None and check.test_report_id != report.pk:
        raise Conflict(_("该抽样已关联检验报告，不能替换"), field="report")
    before = snapshot(check, CHECK_AUDIT_FIELDS)
    check.test_report = report
    check.save(update_fields=["test_report"])
    record_audit(
        actor, AuditEventType.MARKET_SAMPLE_REPORTED, check, before=before, after=snapshot(check, CHECK_AUDIT_FIELDS)
    )
    return check
