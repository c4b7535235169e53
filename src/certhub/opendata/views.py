"""The open-data page (C2, C3): the latest export's files with rows, sizes and SHA-256 digests; downloads
that stream the files; and, for administrators, a button that starts an export. The views read the export
directory and call the exporter; they decide nothing themselves."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from certhub.core.actors import Actor
from certhub.core.errors import NotPermitted
from certhub.core.permissions import Permission, is_permitted
from certhub.opendata.exporter import (
    CHECKSUMS,
    MANIFEST,
    Export,
    ExportDidNotStart,
    ExportRunning,
    export_in_progress,
    last_failure,
    latest_export,
    start_export,
)
from certhub.opendata.queries import DATASET_BY_NAME, DATASETS

FORMAT_LABELS = {
    "csv": gettext_lazy("CSV（UTF-8，带BOM）"),
    "jsonl": gettext_lazy("JSON Lines（UTF-8）"),
}
CONTENT_TYPES = {MANIFEST: "application/json", CHECKSUMS: "text/plain; charset=utf-8"}


def file_rows(export: Export) -> list[dict[str, Any]]:
    rows = []
    for entry in export.manifest["files"]:
        dataset = DATASET_BY_NAME.get(entry["dataset"])
        rows.append(
            {
                **entry,
                "label": dataset.label if dataset else entry["dataset"],
                "format_label": FORMAT_LABELS.get(entry["format"], entry["format"]),
                "url": reverse("opendata:download", args=[entry["filename"]]),
            }
        )
    return rows


def progress_of(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """The running export's progress as the page shows it: which dataset, rows so far, step n of m."""
    if state is None:
        return None
    dataset = DATASET_BY_NAME.get(state.get("dataset", ""))
    started = state.get("started_at")
    return {
        "dataset": dataset.label if dataset else "",
        "rows": state.get("rows", 0),
        "total": state.get("total"),
        "step": min(len(state.get("done", [])) + 1, len(DATASETS)),
        "steps": len(DATASETS),
        "started_at": (
            datetime.datetime.strptime(started, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC) if started else None
        ),
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_user(request.user)
    export = latest_export()
    can_export = is_permitted(actor, Permission.EXPORT_OPEN_DATA)
    context = {
        "export": export,
        "files": file_rows(export) if export else [],
        "manifest_url": reverse("opendata:download", args=[MANIFEST]),
        "checksums_url": reverse("opendata:download", args=[CHECKSUMS]),
        "running": progress_of(export_in_progress()),
        "can_export": can_export,
        # Failures name files and exceptions: for administrators only.
        "failure": last_failure() if can_export else None,
        "licence": settings.CERTHUB_OPENDATA_LICENCE,
    }
    return render(request, "opendata/index.html", context)


@require_safe
def progress(request: HttpRequest) -> HttpResponse:
    """The progress box, polled by the page while an export runs; when it has ended, htmx reloads the
    page so that it lists the new files."""
    running = progress_of(export_in_progress())
    if running is None:
        response = HttpResponse(_("没有正在进行的导出。"), content_type="text/plain; charset=utf-8")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "opendata/_progress.html", {"running": running})


@require_safe
def download(request: HttpRequest, filename: str) -> FileResponse:
    """One file of the latest export, streamed. Only the names in its manifest (and the manifest and
    SHA256SUMS themselves) are served, so no path, `..` or other file can be reached."""
    export = latest_export()
    # A plain file name the manifest lists, nothing else: even an edited manifest cannot name a path.
    if export is None or filename not in export.filenames or Path(filename).name != filename:
        raise Http404(_("最新的开放数据中没有这个文件。"))
    try:
        handle = open(export.path / filename, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError as error:  # pruned between reading the manifest and opening the file
        raise Http404(_("最新的开放数据中没有这个文件。")) from error
    data = filename not in CONTENT_TYPES
    response = FileResponse(
        handle,
        as_attachment=data,
        filename=filename,
        # A .gz file is sent as what it is, not with Content-Encoding: the browser saves it compressed,
        # with the digest the manifest lists.
        content_type=CONTENT_TYPES.get(filename, "application/gzip"),
    )
    # The same URLs serve the next export tomorrow: caches must check back.
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """The administrators' button: start an export now (CSRF-checked POST; see exporter.start_export)."""
    actor = Actor.from_user(request.user)
    if not is_permitted(actor, Permission.EXPORT_OPEN_DATA):
        raise PermissionDenied(_("只有系统管理员可以生成开放数据。"))
    try:
        result = start_export(actor=actor)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from error
    except ExportRunning:
        messages.error(request, _("已有一个导出正在进行，请等它完成。"))
    except ExportDidNotStart as error:
        messages.error(request, _("导出未能启动：%(error)s") % {"error": error})
    else:
        if result is None:
            messages.success(request, _("导出已开始。完成后本页将列出新的文件。"))
        else:
            messages.success(request, _("导出已完成：%(name)s。") % {"name": result.export.name})
    return redirect("opendata:index")
