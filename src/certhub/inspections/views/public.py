"""Public pages of 双随机、一公开 (C5), no sign-in: the item list, announced plans, announced batches
with their commitments and draws, and published results. Risk grades are internal (C6): these pages give
total counts only, never a stratum or a grade."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certhub.core.web import page_of
from certhub.inspections import drawfile, queries
from certhub.inspections.choices import BatchStatus

TASKS_PER_PAGE = 50


@require_safe
def item_list(request: HttpRequest) -> HttpResponse:
    return render(request, "inspections/items.html", {"tab": "items", "items": queries.items()})


@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, queries.published_plans())
    return render(request, "inspections/plans.html", {"tab": "plans", "page": page})


@require_safe
def batch_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, queries.public_batches())
    return render(request, "inspections/batches.html", {"tab": "batches", "page": page})


@require_safe
def result_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, queries.published_results())
    return render(request, "inspections/results.html", {"tab": "results", "page": page})


@require_safe
def batch_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The commitment of an announced batch and, once drawn, the source values and the drawn targets."""
    batch = queries.access_public_batch(number)
    drawn = batch.status == BatchStatus.DRAWN
    context = {
        "tab": "batches",
        "batch": batch,
        "commitment": batch.commitment or {},
        "total": sum(s["count"] for s in (batch.commitment or {}).get("strata", [])),
        "drawn": drawn,
        "sources": list(zip(batch.sources_described, batch.sources, strict=False)) if drawn else [],
        "page": page_of(request, queries.batch_tasks(batch), TASKS_PER_PAGE) if drawn else None,
    }
    return render(request, "inspections/batch.html", context)


@require_safe
def batch_draw_file(request: HttpRequest, number: str) -> HttpResponse:
    """The published draw file of a drawn batch, for anyone to recompute the draw (inspections.drawfile)."""
    batch = queries.access_public_batch(number)
    if batch.status != BatchStatus.DRAWN:
        raise Http404(_("抽查任务%(number)s尚未抽取，没有抽取结果文件。") % {"number": number})
    response = HttpResponse(drawfile.dumps(drawfile.draw_file(batch)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{batch.number}-draw.json"'
    return response
