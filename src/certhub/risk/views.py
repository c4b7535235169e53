"""Office pages of risk (C6): the scoring runs and the grade mix of the officer's region, and a
subject's risk profile — grade, score, the findings behind it, its history and its warnings. Officers
only; nothing here is linked from a public page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from certhub.core.errors import NotFound, NotPermitted
from certhub.core.web import office_required, request_actor
from certhub.registry.choices import RiskGrade
from certhub.risk import queries


@office_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        context = {
            "run": queries.latest_run(),
            "mix": queries.grade_mix(actor),
            "highest": queries.highest(actor),
            "changes": queries.recent_changes(actor),
            "grades": list(RiskGrade),
        }
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    return render(request, "risk/overview.html", context)


@office_required
@require_safe
def subject(request: HttpRequest, subject_type: str, subject_id: int) -> HttpResponse:
    try:
        found = queries.profile(request_actor(request), subject_type, subject_id)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "risk/subject.html", {"profile": found})
