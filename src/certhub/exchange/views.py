"""Submission pages (C2): upload with progress, the report of each submission with its downloads, the
history per organization (officers read those of their region) and reporting timeliness per body."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import NotFound, NotPermitted, ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, is_permitted
from certhub.exchange.choices import SubmissionChannel, SubmissionKind
from certhub.exchange.fields import COLUMNS
from certhub.exchange.forms import LabMigrationForm, UploadForm
from certhub.exchange.lab_migration import read_lab_migration
from certhub.exchange.models import Submission
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.queries import LATE_AFTER_DAYS, access_submission, reporting_timeliness, submissions_visible_to
from certhub.exchange.readers import FileRejected
from certhub.exchange.reports import TEMPLATES, report_csv, report_xlsx
from certhub.registry.actions.migration import migrate_labs
from certhub.registry.lab_migration import SHEETS, MigrationRefused, Problem
from certhub.registry.models import CertificationBody, Lab

READERS = (Role.CERTIFICATION_BODY, Role.LAB, Role.OFFICER, Role.ADMINISTRATOR)


def _actor(request: HttpRequest) -> Actor:
    actor = Actor.from_user(request.user)
    if actor.role not in READERS:
        raise PermissionDenied(_("数据报送页面仅对认证机构、检验检测机构和监管人员开放。"))
    return actor


@login_required
@require_safe
def submission_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page = Paginator(submissions_visible_to(actor), 25).get_page(request.GET.get("page"))
    can_upload = actor.role in (Role.CERTIFICATION_BODY, Role.LAB, Role.OFFICER, Role.ADMINISTRATOR)
    return render(
        request,
        "exchange/list.html",
        {
            "page": page,
            "can_upload": can_upload,
            "can_migrate": is_permitted(actor, Permission.MIGRATE_LAB_DATA),
            "timeliness": reporting_timeliness(actor),
            "late_after": LATE_AFTER_DAYS,
            "show_organization": actor.role in (Role.OFFICER, Role.ADMINISTRATOR),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Certification bodies upload certificates or status changes; labs upload test reports."""
    actor = _actor(request)
    submitter, kinds = _submitter(actor)
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    region = officer_region(actor)
    context = {
        "form": form,
        "submitter": submitter,
        "submitter_name": submitter.name if submitter else (region.name if region else _("全省")),
        "kinds": _template_links(kinds),
    }
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        options = Options(
            kind=form.cleaned_data["kind"],
            mode=form.cleaned_data["mode"],
            channel=SubmissionChannel.UPLOAD,
            region=region,
        )
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "upload"
            with path.open("wb") as out:
                for chunk in uploaded.chunks():
                    out.write(chunk)
            try:
                organization = submitter.organization if submitter else None
                submission = submit_file(path, Path(uploaded.name).name, organization, options, actor=actor)
            except (NotPermitted, ValidationFailed) as error:
                # A refusal's own words, without the field name the API puts before them (a ban, C9).
                messages = [m for ms in getattr(error, "errors", {}).values() for m in ms] or [error.message]
                for message in messages:
                    form.add_error("file", message)
                return render(request, "exchange/upload.html", context, status=422)
        return redirect("exchange:detail", pk=submission.pk)
    return render(request, "exchange/upload.html", context, status=422 if form.errors else 200)


def officer_region(actor: Actor) -> Region | None:
    """The region an officer's organizations file is filed for (their own; None for an administrator's,
    province-wide)."""
    if actor.role == Role.OFFICER and actor.region_code:
        return Region.objects.get(code=actor.region_code)
    return None


def _submitter(actor: Actor) -> tuple[CertificationBody | Lab | None, list[str]]:
    """The body or lab the user submits for, and what it may submit. Officers and administrators submit
    market registration's organizations for their region (C1), for no organization."""
    if actor.role in (Role.OFFICER, Role.ADMINISTRATOR):
        return None, [SubmissionKind.ORGANIZATIONS]
    if actor.role == Role.CERTIFICATION_BODY:
        body = CertificationBody.objects.select_related("organization").filter(organization_id=actor.organization_id)
        if body.exists():
            return body.get(), [SubmissionKind.CERTIFICATES, SubmissionKind.STATUS]
    if actor.role == Role.LAB:
        lab = Lab.objects.select_related("organization").filter(organization_id=actor.organization_id)
        if lab.exists():
            return lab.get(), [SubmissionKind.REPORTS]
    raise PermissionDenied(_("只有认证机构、检验检测机构和监管人员可以上传报送数据。"))


def _template_links(kinds: list[str]) -> list[dict[str, object]]:
    return [{"kind": kind, "label": SubmissionKind(kind).label, "formats": list(TEMPLATES)} for kind in kinds]


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    submission = _submission(actor, pk)
    severity = request.GET.get("severity", "")
    problems = submission.problems.all()
    if severity in ("error", "note"):
        problems = problems.filter(severity=severity)
    page = Paginator(problems, 50).get_page(request.GET.get("page"))
    return render(request, "exchange/detail.html", {"submission": submission, "page": page, "severity": severity})


@login_required
@require_safe
def report_download(request: HttpRequest, pk: int, file_format: str) -> HttpResponse | StreamingHttpResponse:
    submission = _submission(_actor(request), pk)
    name = f"certhub-submission-{submission.pk}-report.{file_format}"
    if file_format == "csv":
        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            report_csv(submission), content_type="text/csv; charset=utf-8"
        )
    elif file_format == "xlsx":
        response = HttpResponse(report_xlsx(submission), content_type=TEMPLATES["xlsx"][1])
    else:
        raise Http404()
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def template_download(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    """The blank template of a kind in a format: public, so that anyone can prepare a file."""
    if kind not in COLUMNS or file_format not in TEMPLATES:
        raise Http404()
    build, content_type = TEMPLATES[file_format]
    response = HttpResponse(build(kind), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="certhub-{kind}-template.{file_format}"'
    return response


def _submission(actor: Actor, pk: int) -> Submission:
    try:
        return access_submission(actor, pk)
    except NotFound:
        raise Http404(_("没有这份报送，或无权查看。")) from None


@login_required
@require_http_methods(["GET", "POST"])
def lab_migration(request: HttpRequest) -> HttpResponse:
    """The administrator's data migration of labs, scope rows, signatories and key people (C1, C8): the file
    `certhub registry import-labs` takes, all or nothing, every problem listed by sheet, row and column."""
    actor = Actor.from_user(request.user)
    if not is_permitted(actor, Permission.MIGRATE_LAB_DATA):
        raise PermissionDenied(_("检验检测机构数据迁移仅对系统管理员开放。"))
    form = LabMigrationForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "upload"
            with path.open("wb") as out:
                for chunk in uploaded.chunks():
                    out.write(chunk)
            try:
                migration = read_lab_migration(path, Path(uploaded.name).name)
                summary = migrate_labs(migration=migration, dry_run=form.cleaned_data["dry_run"], actor=actor)
            except FileRejected as error:
                form.add_error("file", error.message)
            except MigrationRefused as refused:
                problems = refused.problems
            except NotPermitted as error:
                raise PermissionDenied(error.message) from error
            else:
                # The outcome travels in the redirect's URL, signed: the upload script follows the redirect and
                # then loads that URL again, so a one-time message would be gone by the time it is shown.
                token = signing.dumps(dataclasses.asdict(summary), salt=MIGRATION_RESULT_SALT)
                return redirect(f"{reverse('exchange:lab_migration')}?{urlencode({'result': token})}")
    context = {"form": form, "problems": problems, "sheets": SHEETS, "result": _migration_result(request)}
    return render(request, "exchange/lab_migration.html", context, status=422 if form.errors or problems else 200)


MIGRATION_RESULT_SALT = "certhub.exchange.lab_migration.result"


def _migration_result(request: HttpRequest) -> str:
    """The outcome of the migration just run, from the signed `result` of the URL (an hour at most)."""
    token = request.GET.get("result", "")
    if not token:
        return ""
    try:
        counts = signing.loads(token, salt=MIGRATION_RESULT_SALT, max_age=3600)
    except signing.BadSignature:
        return ""
    text = (
        _(
            "%(labs)d个机构、%(scope)d条资质认定范围、%(signatories)d名授权签字人、%(key_people)d名关键人员"
            "（新登记人员%(people_created)d名）"
        )
        % counts
    )
    if counts["dry_run"]:
        return _("试导入通过，未写入任何数据：") + text
    return _("已导入：") + text
