"""Office pages of 双随机、一公开 (C5): plans and their batches (announce, then draw), the
inspector's own tasks with the result form (谁检查、谁录入), and the reviewer's queue (谁公示).

Views parse input, call the actions and render; the actions decide. A refusal is shown next to the field
it names (422) or as a message; NotPermitted is a 403. Every successful POST redirects with a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certhub.core.web import inspector_pages_required, office_required, page_of, request_actor
from certhub.core.web import permitted as _permitted
from certhub.core.web import pressed as _pressed
from certhub.core.web import submitted as _submitted
from certhub.inspections import actions, queries
from certhub.inspections.choices import BatchStatus, PlanStatus, TaskStatus
from certhub.inspections.forms import (
    BatchForm,
    DrawForm,
    InspectorForm,
    PlanForm,
    PoolForm,
    PublishForm,
    ResultForm,
    ReturnForm,
)
from certhub.inspections.models import Batch, Plan, Task

TASKS_PER_PAGE = 50


@office_required
@require_safe
def office_home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    context = {
        "due": queries.overdue_tasks(actor, limit=queries.DUE_SHOWN),
        "inspector": queries.inspector_of(actor),
        "review_count": queries.review_queue(actor).count(),
    }
    return render(request, "inspections/office/home.html", context)


# ------------------------------------------------------------------ plans


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_list(request: HttpRequest) -> HttpResponse:
    """The plans of the officer's region and the form that draws up a new one."""
    actor = request_actor(request)
    form = PlanForm(request.POST if request.method == "POST" else None, actor=actor, department=actor.department)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    plan = _submitted(
        form,
        lambda: actions.do_create_plan(
            title=data["title"],
            year=data["year"],
            region=data["region"],
            department=data["department"],
            items=list(data["items"]),
            description=data["description"],
            actor=actor,
        ),
    )
    if plan is not None:
        messages.success(request, _("已新建抽查计划%(number)s。") % {"number": plan.number})
        return redirect("inspections:office_plan_detail", number=plan.number)
    context = {"plans": queries.plans_visible_to(actor), "form": form}
    return render(request, "inspections/office/plan_list.html", context, status=422 if form.errors else 200)


@office_required
@require_safe
def plan_detail(request: HttpRequest, number: str) -> HttpResponse:
    plan = _permitted(lambda: queries.access_plan(request_actor(request), number))
    batches = plan.batches.defer("snapshot").order_by("number")
    context = {
        "plan": plan,
        "items": plan.items.order_by("code"),
        "batches": batches,
        "draft": plan.status == PlanStatus.DRAFT,
    }
    return render(request, "inspections/office/plan.html", context)


@office_required
@require_POST
def plan_publish(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    plan = _permitted(lambda: queries.access_plan(actor, number))
    _pressed(
        request,
        lambda: actions.do_publish_plan(plan=plan, actor=actor),
        _("抽查计划%(number)s已公告。") % {"number": plan.number},
    )
    return redirect("inspections:office_plan_detail", number=plan.number)


def _render_batch_form(request: HttpRequest, plan: Plan, form: BatchForm, pool_form: PoolForm) -> HttpResponse:
    status = 422 if form.errors or pool_form.errors else 200
    return render(
        request,
        "inspections/office/batch_form.html",
        {"plan": plan, "form": form, "pool_form": pool_form},
        status=status,
    )


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
def batch_create(request: HttpRequest, number: str) -> HttpResponse:
    """Draw up a batch of a plan: items, pool, ratios, inspectors, and the random sources named in advance."""
    actor = request_actor(request)
    plan = _permitted(lambda: queries.access_plan(actor, number))
    form = BatchForm(request.POST if request.method == "POST" else None, plan=plan)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    batch = _submitted(
        form,
        lambda: actions.do_create_batch(
            plan=plan,
            name=data["name"],
            items=list(data["items"]),
            pool=data["pool"],
            ratios=form.ratios(),
            count=data["count"],
            inspectors_per_target=data["inspectors_per_target"],
            own_county_rule=data["own_county_rule"],
            algorithm=data["algorithm"],
            sources_described=form.sources(),
            sources_available_at=data["sources_available_at"],
            actor=actor,
        ),
    )
    if batch is not None:
        messages.success(request, _("已新建批次%(number)s，请核对后公告。") % {"number": batch.number})
        return redirect("inspections:office_batch_detail", number=batch.number)
    return _render_batch_form(request, plan, form, PoolForm(plan=plan))


@office_required
@require_POST
def pool_create(request: HttpRequest, number: str) -> HttpResponse:
    """Save a target pool from the batch form's side form, then return to the batch form."""
    actor = request_actor(request)
    plan = _permitted(lambda: queries.access_plan(actor, number))
    pool_form = PoolForm(request.POST, plan=plan)
    data = pool_form.cleaned_data if pool_form.is_valid() else {}
    pool = _submitted(
        pool_form,
        lambda: actions.do_create_target_pool(
            name=data["pool_name"],
            target_type=data["target_type"],
            region=data["region"],
            industry_section=data["industry_section"].strip().upper(),
            scheme_code=data["scheme_code"],
            above_designated_size=data["above_designated_size"],
            grades=data["grades"],
            actor=actor,
        ),
    )
    if pool is not None:
        messages.success(request, _("已新建检查对象名录库“%(name)s”。") % {"name": pool.name})
        return redirect("inspections:office_batch_create", number=plan.number)
    return _render_batch_form(request, plan, BatchForm(plan=plan), pool_form)


# ------------------------------------------------------------------ batches


def _render_batch(request: HttpRequest, batch: Batch, draw_form: DrawForm | None = None) -> HttpResponse:
    commitment = batch.commitment or {}
    drawn = batch.status == BatchStatus.DRAWN
    if draw_form is None and batch.status == BatchStatus.COMMITTED:
        draw_form = DrawForm(batch=batch)
    tasks = page_of(request, queries.batch_tasks(batch), TASKS_PER_PAGE) if drawn else None
    context = {
        "batch": batch,
        "plan": batch.plan,
        "items": batch.items.order_by("code"),
        "commitment": commitment,
        "total": sum(s["count"] for s in commitment.get("strata", [])),
        "draw_form": draw_form,
        "sources_out": timezone.now() >= batch.sources_available_at,
        "sources": list(zip(batch.sources_described, batch.sources, strict=False)) if drawn else [],
        "page": tasks,
    }
    return render(
        request,
        "inspections/office/batch.html",
        context,
        status=422 if draw_form is not None and draw_form.errors else 200,
    )


@office_required
@require_safe
def batch_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_batch(request, _permitted(lambda: queries.access_batch(request_actor(request), number)))


@office_required
@require_POST
def batch_commit(request: HttpRequest, number: str) -> HttpResponse:
    """Announce the batch (公告): the pools are frozen and the sources named before they exist."""
    actor = request_actor(request)
    batch = _permitted(lambda: queries.access_batch(actor, number))
    _pressed(
        request,
        lambda: actions.do_commit_batch(batch=batch, actor=actor),
        _("批次%(number)s已公告，随机源公布后即可抽取。") % {"number": batch.number},
    )
    return redirect("inspections:office_batch_detail", number=batch.number)


@office_required
@require_POST
def batch_draw(request: HttpRequest, number: str) -> HttpResponse:
    """Enter the published source values and draw."""
    actor = request_actor(request)
    batch = _permitted(lambda: queries.access_batch(actor, number))
    form = DrawForm(request.POST, batch=batch)
    drawn = _submitted(form, lambda: actions.do_draw_batch(batch=batch, sources=form.sources(), actor=actor))
    if drawn is not None:
        messages.success(
            request,
            _("批次%(number)s已抽取%(tasks)d个检查对象。") % {"number": drawn.number, "tasks": drawn.tasks.count()},
        )
        return redirect("inspections:office_batch_detail", number=drawn.number)
    batch.refresh_from_db()
    return _render_batch(request, batch, form)


# ------------------------------------------------------------------ the two pools


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
def inspector_list(request: HttpRequest) -> HttpResponse:
    """The inspector pool of the officer's region (执法检查人员名录库), and the form that adds to it."""
    actor = request_actor(request)
    form = InspectorForm(request.POST if request.method == "POST" else None, actor=actor)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    inspector = _submitted(
        form,
        lambda: actions.do_create_inspector(
            code=data["code"],
            name=data["name"],
            department=data["department"],
            region=data["region"],
            qualifications=data["qualifications"],
            declared_conflicts=data["declared_conflicts"],
            available=data["available"],
            username=data["username"],
            actor=actor,
        ),
    )
    if inspector is not None:
        messages.success(request, _("%(name)s（%(code)s）已入库。") % {"name": inspector.name, "code": inspector.code})
        return redirect("inspections:office_inspector_list")
    context = {
        "page": page_of(request, queries.inspectors_visible_to(actor), TASKS_PER_PAGE),
        "form": form,
        "pools": queries.pools_visible_to(actor),
    }
    return render(request, "inspections/office/inspectors.html", context, status=422 if form.errors else 200)


# ------------------------------------------------------------------ tasks: record, review, publish


@inspector_pages_required
@require_safe
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    page = page_of(request, queries.tasks_assigned_to(actor), TASKS_PER_PAGE)
    context = {"page": page, "inspector": queries.inspector_of(actor)}
    return render(request, "inspections/office/my_tasks.html", context)


def _task_initial(task: Task) -> dict[str, Any]:
    fields = ("result", "follow_up", "findings", "inspected_from", "inspected_until")
    return {name: getattr(task, name) for name in fields if getattr(task, name)}


@inspector_pages_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_record(request: HttpRequest, pk: int) -> HttpResponse:
    """An assigned inspector records the result; anyone else is refused (谁检查、谁录入)."""
    actor = request_actor(request)
    task = _permitted(lambda: queries.access_task(actor, pk))
    if not queries.is_assigned(actor, task):
        # do_record_result refuses them too; the page is not offered to them at all.
        raise PermissionDenied(_("%(actor)s 不是该检查对象的检查人员，不能录入结果") % {"actor": actor.label})
    form = ResultForm(request.POST if request.method == "POST" else None, initial=_task_initial(task))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if _submitted(
        form,
        lambda: actions.do_record_result(
            task=task,
            result=data["result"],
            follow_up=data["follow_up"],
            findings=data["findings"],
            inspected_from=data["inspected_from"],
            inspected_until=data["inspected_until"],
            actor=actor,
        ),
        reload=task,
    ):
        messages.success(request, _("“%(name)s”的检查结果已提交审核。") % {"name": task.target_name})
        return redirect("inspections:office_my_tasks")
    editable = task.status in (TaskStatus.ASSIGNED, TaskStatus.RETURNED)
    context = {"task": task, "form": form, "editable": editable}
    return render(request, "inspections/office/task_record.html", context, status=422 if form.errors else 200)


@office_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    page = page_of(request, queries.review_queue(actor), TASKS_PER_PAGE)
    return render(request, "inspections/office/review_queue.html", {"page": page, "today": timezone.localdate()})


def _late(task: Task) -> bool:
    return task.deadline is not None and timezone.localdate() > task.deadline


def _render_review(
    request: HttpRequest, task: Task, publish_form: PublishForm | None = None, return_form: ReturnForm | None = None
) -> HttpResponse:
    publish_form = publish_form or PublishForm(late=_late(task))
    return_form = return_form or ReturnForm()
    context = {
        "task": task,
        "publish_form": publish_form,
        "return_form": return_form,
        "late": _late(task),
        "reviewable": task.status == TaskStatus.SUBMITTED,
    }
    status = 422 if publish_form.errors or return_form.errors else 200
    return render(request, "inspections/office/task_review.html", context, status=status)


@office_required
@require_safe
def task_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _permitted(lambda: queries.access_task(request_actor(request), pk)))


@office_required
@require_POST
def task_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve and publish (一公开); past the deadline only with the reason, and marked as late."""
    actor = request_actor(request)
    task = _permitted(lambda: queries.access_task(actor, pk))
    form = PublishForm(request.POST, late=_late(task))
    if _submitted(
        form,
        lambda: actions.do_publish_result(
            task=task,
            note=form.cleaned_data["note"],
            late_reason=form.cleaned_data.get("late_reason", ""),
            actor=actor,
        ),
        reload=task,
    ):
        messages.success(request, _("“%(name)s”的检查结果已公示。") % {"name": task.target_name})
        return redirect("inspections:office_review_queue")
    return _render_review(request, task, publish_form=form)


@office_required
@require_POST
def task_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the result back to its inspectors with the reason."""
    actor = request_actor(request)
    task = _permitted(lambda: queries.access_task(actor, pk))
    form = ReturnForm(request.POST)
    if _submitted(
        form, lambda: actions.do_return_result(task=task, note=form.cleaned_data["note"], actor=actor), reload=task
    ):
        messages.success(request, _("“%(name)s”的检查结果已退回检查人员。") % {"name": task.target_name})
        return redirect("inspections:office_review_queue")
    return _render_review(request, task, return_form=form)
