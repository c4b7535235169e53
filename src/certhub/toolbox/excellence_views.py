"""The performance-excellence self-assessment pages (卓越绩效自评, C12; GB/T 19580): the organization's
assessments by year, a new one for a year, the scoring of each category's items with the band guidance and an
evidence note, the profile and year-on-year comparison, and the PDF report. ENTERPRISE users of the owning
organization only: anyone else — officers included — is told the assessment does not exist (C14). A score
over an item's points is refused next to that item and nothing of the form is saved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.core.actors import Actor
from certhub.core.errors import NotFound
from certhub.core.web import request_actor
from certhub.toolbox import excellence
from certhub.toolbox.errors import InputError
from certhub.toolbox.models import Assessment


def _actor(request: HttpRequest) -> Actor:
    actor = request_actor(request)
    try:
        excellence.assessments_of(actor)  # the ownership rule: an ENTERPRISE user of an organization
    except NotFound as error:
        raise Http404(error.message) from error
    return actor


def _assessment(actor: Actor, pk: int) -> Assessment:
    try:
        return excellence.assessment_for(actor, pk)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The organization's assessments, newest year first, each with its total; and a new one for a year."""
    actor = _actor(request)
    error: InputError | None = None
    year_value = request.POST.get("year", "")
    title_value = request.POST.get("title", "")
    if request.method == "POST":
        try:
            created = excellence.create_assessment(actor, year=year_value, title=title_value)
        except InputError as refused:
            error = refused
        else:
            return redirect("toolbox:excellence_detail", pk=created.pk)
    rows = [(item, excellence.summary_of(item)) for item in excellence.assessments_of(actor)]
    return render(
        request,
        "toolbox/excellence_list.html",
        {
            "rows": rows,
            "standard": excellence.standard(),
            "error": error,
            "year_value": year_value,
            "title_value": title_value,
        },
        status=422 if error else 200,
    )


@login_required
@require_safe
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One year's assessment: the totals per category, the profile chart, the comparison with the previous
    year's assessment (table and chart), the links to score each category and the PDF."""
    actor = _actor(request)
    assessment = _assessment(actor, pk)
    from certhub.core.plots import to_svg  # lazy: matplotlib only for the pages that draw
    from certhub.toolbox.excellence_report import profile_figure

    summary = excellence.summary_of(assessment)
    previous = excellence.previous_of(assessment)
    previous_summary = excellence.summary_of(previous) if previous else None
    title = _("%(year)s 年度卓越绩效自评：各类目得分率") % {"year": assessment.year}
    return render(
        request,
        "toolbox/excellence_detail.html",
        {
            "assessment": assessment,
            "standard": excellence.standard(),
            "summary": summary,
            "previous": previous,
            "comparison": excellence.compare(summary, previous_summary),
            "profile": to_svg(profile_figure(summary, previous_summary, title=title), title=title),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def score_category(request: HttpRequest, pk: int, category: str) -> HttpResponse:
    """Score the items of one category: per item its points, the band guidance, the score and the evidence.
    Every item of the form is checked before anything is saved."""
    actor = _actor(request)
    assessment = _assessment(actor, pk)
    chosen = next((c for c in excellence.standard().categories if c.code == category), None)
    if chosen is None:
        raise Http404(_("没有这个类目。"))
    saved = excellence.scores_of(assessment)
    errors: dict[str, str] = {}
    values: dict[str, tuple[str, str]] = {
        item.code: (
            str(saved[item.code].score) if item.code in saved else "",
            saved[item.code].evidence if item.code in saved else "",
        )
        for item in chosen.items
    }
    if request.method == "POST":
        values = {
            item.code: (request.POST.get(f"score-{item.code}", ""), request.POST.get(f"evidence-{item.code}", ""))
            for item in chosen.items
        }
        refused = excellence.save_scores(actor, assessment, values)
        if not refused:
            return redirect(
                reverse("toolbox:excellence_detail", kwargs={"pk": assessment.pk}) + f"#category-{chosen.code}"
            )
        errors = {error.field: error.text() for error in refused}
    rows = []
    for item in chosen.items:
        score_text, evidence = values[item.code]
        try:
            band = excellence.band_of(item, excellence.parse_score(item, score_text))
        except InputError:
            band = None
        rows.append(
            {
                "item": item,
                "score": score_text,
                "evidence": evidence,
                "band": band,
                "error": errors.get(item.code),
            }
        )
    return render(
        request,
        "toolbox/excellence_score.html",
        {
            "assessment": assessment,
            "category": chosen,
            "rows": rows,
            "bands": excellence.standard().bands[chosen.kind],
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@login_required
@require_safe
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    assessment = _assessment(actor, pk)
    from certhub.toolbox.excellence_report import report_pdf  # lazy: reportlab and matplotlib

    response = HttpResponse(report_pdf(assessment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certhub-excellence-{assessment.year}.pdf"'
    return response


@login_required
@require_POST
def assessment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    assessment = _assessment(actor, pk)
    excellence.delete_assessment(actor, assessment)
    return redirect("toolbox:excellence_list")
