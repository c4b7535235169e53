"""A file of listings checked (C7): an e-commerce platform's export or a campaign's spreadsheet — CSV in
UTF-8 or GB18030, XLSX, JSON Lines, read by exchange's readers with the listing field set
(exchange.fields.LISTING_COLUMNS) — of any length, streamed.

Two passes, so that bad input never writes half a thing (docs/architecture.md invariant 6): first every row
is checked by market.listings' rules, 1,000 at a time, and any problem refuses the file with each row's
field and reason (`rows[N].field`, N the row as the spreadsheet numbers it); then the rows are judged and
recorded chunk by chunk, each chunk one action with the batch's progress (docs/architecture.md convention
18): a stopped run resumes after the last chunk committed when the same file is given again, and a file
already checked whole is answered with its batch, nothing recorded twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.errors import ValidationFailed
from certhub.core.permissions import Permission, authorize
from certhub.exchange.fields import LISTINGS
from certhub.exchange.readers import FileRejected, RawRow, Received, read_rows, receive
from certhub.market.actions.checks import (
    batch_errors,
    do_check_listing_chunk,
    do_finish_check_batch,
    do_open_check_batch,
)
from certhub.market.choices import BatchSource, BatchState
from certhub.market.listings import MAX_LISTINGS, Catalogue, check_listings
from certhub.market.models import Campaign, CheckBatch

# The problems a refused file names at most: enough to correct it, not a second copy of a million rows.
MAX_PROBLEMS = 1000
Progress = Callable[[str, int, int | None], None]


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _received(path: Path, name: str) -> Received:
    try:
        return receive(path, name)
    except FileRejected as error:
        raise ValidationFailed({"file": [error.message]}) from None


def _rows(received: Received) -> Iterator[RawRow]:
    try:
        return read_rows(received, LISTINGS)
    except FileRejected as error:
        raise ValidationFailed({"file": [error.message]}) from None


def validate_file(received: Received, *, campaign: Campaign | None, progress: Progress | None = None) -> int:
    """Pass one: every row checked; the number of data rows, or ValidationFailed naming up to MAX_PROBLEMS
    problems as `rows[N].field`."""
    catalogue = Catalogue.load()
    today = timezone.localdate()
    period = (campaign.starts_on, campaign.ends_on) if campaign is not None else None
    errors: dict[str, list[str]] = {}
    count = 0
    for chunk in _chunks(_rows(received), MAX_LISTINGS):
        count += len(chunk)
        for row in chunk:
            if row.problem is not None and len(errors) < MAX_PROBLEMS:
                field = f".{row.problem[0]}" if row.problem[0] else ""
                errors.setdefault(f"rows[{row.number}]{field}", []).append(row.problem[2])
        good = [row for row in chunk if row.problem is None]
        if good and len(errors) < MAX_PROBLEMS:
            try:
                check_listings(
                    [row.values for row in good],
                    today=today,
                    catalogue=catalogue,
                    prefix="rows",
                    rows=[row.number for row in good],
                    campaign_period=period,
                )
            except ValidationFailed as failure:
                for key, messages in failure.errors.items():
                    if len(errors) < MAX_PROBLEMS:
                        errors.setdefault(key, []).extend(messages)
        if progress is not None:
            progress("validate", count, None)
    if count == 0:
        errors.setdefault("file", []).append(_("文件中没有数据行"))
    if errors:
        raise ValidationFailed(errors)
    return count


def check_file(
    path: Path,
    name: str,
    *,
    channel: str,
    region_code: str,
    campaign: Campaign | None = None,
    actor: Actor,
    chunk_rows: int = MAX_LISTINGS,
    progress: Progress | None = None,
) -> CheckBatch:
    """Check a file of listings seen in `region_code`: refused whole (ValidationFailed, nothing written) or
    recorded as one batch. The same file again resumes its unfinished batch, or answers the finished one."""
    authorize(actor, Permission.RECORD_MARKET_CHECK, region_code=region_code)
    errors, _period = batch_errors(channel=channel, source=BatchSource.FILE, region_code=region_code, campaign=campaign)
    if errors:
        raise ValidationFailed(errors)
    received = _received(path, name)
    earlier = (
        CheckBatch.objects.filter(
            source=BatchSource.FILE, sha256=received.sha256, region_code=region_code, campaign=campaign, channel=channel
        )
        .exclude(state=BatchState.REJECTED)
        .order_by("-created_at", "-id")
        .first()
    )
    if earlier is not None and earlier.state == BatchState.DONE:
        return earlier
    if earlier is None:
        total = validate_file(received, campaign=campaign, progress=progress)
        earlier = do_open_check_batch(
            source=BatchSource.FILE,
            channel=channel,
            region_code=region_code,
            campaign=campaign,
            filename=name,
            sha256=received.sha256,
            rows_total=total,
            actor=actor,
        )
    return process(earlier, received, actor=actor, chunk_rows=chunk_rows, progress=progress)


def process(
    batch: CheckBatch,
    received: Received,
    *,
    actor: Actor,
    chunk_rows: int = MAX_LISTINGS,
    progress: Progress | None = None,
) -> CheckBatch:
    """Pass two: judge and record the file's rows after the batch's `rows_done`, chunk by chunk, then close
    the batch."""
    if received.sha256 != batch.sha256:
        raise ValidationFailed({"file": [_("文件内容与批次%(batch)s的文件不同，无法续查") % {"batch": batch.pk}]})
    size = max(1, min(chunk_rows, MAX_LISTINGS))
    done = 0
    for chunk in _chunks(_rows(received), size):
        if done + len(chunk) <= batch.rows_done:
            done += len(chunk)
            continue
        fresh = chunk[max(0, batch.rows_done - done) :]
        done += len(chunk)
        do_check_listing_chunk(
            batch=batch,
            listings=[row.values for row in fresh],
            rows=[row.number for row in fresh],
            rows_done=done,
            actor=actor,
        )
        batch.rows_done = done
        if progress is not None:
            progress("check", done, batch.rows_total)
    return do_finish_check_batch(batch=batch, actor=actor)
