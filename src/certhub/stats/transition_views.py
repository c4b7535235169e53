"""Standard-revision transitions on the statistics pages (C11, issue 18 §5): the section of the dashboard
(the share on the new edition per region) and the officer's list of holders still on an old edition, with
its CSV. Officers see their region and below (C14: another region answers as an unknown one)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certhub.core.display import localized_name
from certhub.core.errors import NotFound, NotPermitted, ValidationFailed
from certhub.core.models import Region
from certhub.core.spreadsheets import CsvWriter
from certhub.core.web import request_actor
from certhub.stats import queries, transitions

PAGE_LIMIT = 500  # rows on the page; the CSV holds them all


def _region(request: HttpRequest) -> Region:
    """The region asked for (?region=, default the officer's own), refused as the dashboard refuses."""
    try:
        return queries.access_region(request_actor(request), request.GET.get("region"))
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    except (NotFound, ValidationFailed) as error:
        raise Http404(getattr(error, "message", "")) from error


def _transition(request: HttpRequest) -> transitions.Transition | None:
    wanted = request.GET.get("transition", "")
    if not wanted:
        return None
    found = transitions.transition(wanted)
    if found is None:
        raise Http404(_("没有这项换版。"))
    return found


def section_context(region: Region, day: datetime.date | None = None) -> dict[str, object]:
    """What the dashboard's transition section shows (stats/_transitions.html), from the stored figures of
    `day` (default the newest complete day); no rows before the first daily run."""
    from certhub.stats.transition_charts import share_chart

    rows = transitions.shares(region, day=day)
    return {
        "transition_region": region,
        "transition_rows": [{"shares": row, "chart": share_chart(row)} for row in rows],
    }


@login_required
@require_safe
def old_holders(request: HttpRequest) -> HttpResponse:
    """The holders in the officer's region still on an old edition, nearest deadline first."""
    region = _region(request)
    chosen = _transition(request)
    holders = list(transitions.old_holders(region, transition_id=chosen.id if chosen else None, limit=PAGE_LIMIT + 1))
    return render(
        request,
        "stats/transitions.html",
        {
            "region": region,
            "region_name": localized_name(region),
            "transitions": transitions.transitions(),
            "chosen": chosen,
            "holders": holders[:PAGE_LIMIT],
            "more": len(holders) > PAGE_LIMIT,
            "limit": PAGE_LIMIT,
        },
    )


def _csv_rows(region: Region, chosen: transitions.Transition | None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    header = [
        _("换版"),
        _("旧版"),
        _("新版"),
        _("换版截止日期"),
        _("剩余天数"),
        _("证书编号"),
        _("获证组织"),
        _("认证机构"),
        _("地区代码"),
        _("证书有效期至"),
        _("依据标准"),
    ]
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for holder in transitions.old_holders(region, transition_id=chosen.id if chosen else None):
        buffer.seek(0)
        buffer.truncate()
        item = holder.transition
        writer.writerow(
            [
                item.title,
                item.old.edition,
                item.new.edition,
                item.transition_end.isoformat(),
                holder.days_left,
                holder.number,
                holder.holder_name,
                holder.body,
                holder.region_code,
                holder.expiry_date.isoformat(),
                holder.standards,
            ]
        )
        yield buffer.getvalue()


@login_required
@require_safe
def old_holders_csv(request: HttpRequest) -> StreamingHttpResponse:
    region = _region(request)
    chosen = _transition(request)
    response = StreamingHttpResponse(_csv_rows(region, chosen), content_type="text/csv; charset=utf-8")
    suffix = f"-{chosen.id}" if chosen else ""
    response["Content-Disposition"] = f'attachment; filename="certhub-transitions-{region.code}{suffix}.csv"'
    return response
