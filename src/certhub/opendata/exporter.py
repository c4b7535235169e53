"""Writing open-data exports (C2) and finding the latest one.

An export streams each dataset once into two gzip-compressed files, CSV and JSON Lines, hashing the bytes
as they are written; adds `manifest.json` and `SHA256SUMS`; makes the finished directory visible with one
rename and then switches the `latest` symbolic link with another, so a download never sees half an export;
and deletes the oldest exports beyond the number to keep.

One export runs at a time, whether from the nightly timer, the command line or the portal's button: the
exporter holds an advisory lock (flock) on `.export.lock`, which the operating system releases if the
process dies, and writes its progress to `.export-progress.json` for the portal page."""

from __future__ import annotations

import contextlib
import csv
import datetime
import fcntl
import gzip
import hashlib
import importlib.metadata
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from django.conf import settings
from django.utils import timezone

from certhub.core.actors import Actor
from certhub.core.permissions import Permission, authorize
from certhub.opendata.queries import DATASETS, Dataset, csv_row

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
LATEST = "latest"
LOCK = ".export.lock"
PROGRESS = ".export-progress.json"
FAILURE = ".export-failed.json"
ON_DEMAND_LOG = ".export.log"
TEMPORARY_PREFIX = ".tmp-"
# 2026-11-27T020000Z, with -2, -3 … when two exports start within the same second.
EXPORT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{6}Z)(?:-(\d+))?$")
FORMAT_VERSION = "certhub-opendata/1"
GZIP_LEVEL = 6  # zlib's own default balance of time and size
PROGRESS_EVERY_SECONDS = 2.0

Progress = Callable[..., Iterable[Any]]


class ExportRunning(Exception):
    """Another export holds the lock."""


def export_root() -> Path:
    return Path(settings.CERTHUB_OPENDATA_DIR)


def certhub_version() -> str:
    try:
        return importlib.metadata.version("certhub")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def utc_text(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- the lock and the progress file


class ExportLock:
    """An exclusive flock on `<root>/.export.lock`, held for the whole export, with the progress file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.handle: IO[bytes] | None = None
        self.state: dict[str, Any] = {}
        self.last_written = 0.0

    def __enter__(self) -> ExportLock:
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / LOCK, "ab")  # held until __exit__
        # A reader probing the lock (export_in_progress) holds it for microseconds: retry briefly.
        for attempt in range(20):
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if attempt == 19:
                    handle.close()
                    raise ExportRunning(export_in_progress(self.root)) from None
                time.sleep(0.05)
        self.handle = handle
        self.state = {"pid": os.getpid(), "started_at": utc_text(timezone.now()), "done": []}
        self.write_progress(force=True)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.root / PROGRESS).unlink()
        assert self.handle is not None
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()

    def update(self, *, force: bool = False, **fields: Any) -> None:
        self.state.update(fields)
        self.write_progress(force=force)

    def write_progress(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_written < PROGRESS_EVERY_SECONDS:
            return
        self.last_written = now
        write_atomically(self.root / PROGRESS, orjson.dumps(self.state))


def export_in_progress(root: Path | None = None) -> dict[str, Any] | None:
    """The running export's progress (dataset, rows, total, done, started_at), or None when none runs."""
    root = root or export_root()
    try:
        handle = open(root / LOCK, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                return orjson.loads((root / PROGRESS).read_bytes())
            except (FileNotFoundError, orjson.JSONDecodeError):
                return {}
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def last_failure(root: Path | None = None) -> dict[str, Any] | None:
    """When the last export failed and why; cleared by the next export that succeeds."""
    try:
        return orjson.loads(((root or export_root()) / FAILURE).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None


def write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# ---------------------------------------------------------------- writing one dataset


class DigestingWriter:
    """A write-only file wrapper that counts and hashes the bytes on their way to disk, so the manifest's
    SHA-256 is of exactly what was written without reading the file back."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


@contextlib.contextmanager
def compressed(path: Path) -> Iterator[tuple[gzip.GzipFile, DigestingWriter]]:
    """A gzip stream into `path`, synced to disk on close. The gzip header carries no name and no time,
    so the same data always gives the same file and the same digest."""
    with open(path, "wb") as raw:
        sink = DigestingWriter(raw)
        stream = gzip.GzipFile(filename="", mode="wb", fileobj=sink, compresslevel=GZIP_LEVEL, mtime=0)
        try:
            yield stream, sink
        finally:
            stream.close()
            raw.flush()
            os.fsync(raw.fileno())


def file_entry(dataset: Dataset, kind: str, filename: str, rows: int, sink: DigestingWriter) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "dataset": dataset.name,
        "format": kind,
        "filename": filename,
        "rows": rows,
        "bytes": sink.size,
        "sha256": sink.digest.hexdigest(),
    }
    if kind == "csv":
        entry["columns"] = [column.name for column in dataset.columns]
    return entry


def write_dataset(
    dataset: Dataset,
    directory: Path,
    *,
    as_of: datetime.date,
    lock: ExportLock,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Write `<name>.csv.gz` and `<name>.jsonl.gz` in one pass over the dataset's rows."""
    total = dataset.count()
    lock.update(dataset=dataset.name, rows=0, total=total, force=True)
    csv_name, jsonl_name = f"{dataset.name}.csv.gz", f"{dataset.name}.jsonl.gz"
    rows = 0
    with (
        compressed(directory / csv_name) as (csv_stream, csv_sink),
        compressed(directory / jsonl_name) as (jsonl_stream, jsonl_sink),
    ):
        # UTF-8 with a byte-order mark: Excel, which most offices open CSV files with, reads Chinese
        # correctly only with it; other tools skip it. CRLF line ends and minimal quoting (RFC 4180).
        text = io.TextIOWrapper(csv_stream, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([column.name for column in dataset.columns])
        records: Iterable[dict[str, Any]] = dataset.records(as_of)
        if progress is not None:
            records = progress(records, total=total, desc=dataset.name, unit=" rows")
        for record in records:
            writer.writerow(csv_row(dataset, record))
            jsonl_stream.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
            rows += 1
            if rows % 1000 == 0:
                lock.update(rows=rows)
        text.flush()
        text.detach()  # the stream itself is closed (and its gzip trailer written) by compressed()
    lock.update(rows=rows, done=[*lock.state["done"], dataset.name], force=True)
    return [
        file_entry(dataset, "csv", csv_name, rows, csv_sink),
        file_entry(dataset, "jsonl", jsonl_name, rows, jsonl_sink),
    ]


# ---------------------------------------------------------------- one export


@dataclass(frozen=True)
class Export:
    """A finished export: its directory and its manifest."""

    name: str
    path: Path
    manifest: dict[str, Any]

    @property
    def filenames(self) -> list[str]:
        """Every file that may be downloaded: those the manifest names, the manifest and the checksums."""
        return [entry["filename"] for entry in self.manifest["files"]] + [MANIFEST, CHECKSUMS]

    @property
    def generated_at(self) -> datetime.datetime:
        return datetime.datetime.strptime(self.manifest["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.UTC
        )


@dataclass(frozen=True)
class ExportResult:
    export: Export
    pruned: list[str]


def new_export_name(root: Path, now: datetime.datetime) -> str:
    base = now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    name, serial = base, 1
    while (root / name).exists() or (root / f"{TEMPORARY_PREFIX}{name}").exists():
        serial += 1
        name = f"{base}-{serial}"
    return name


def checksums_text(files: list[dict[str, Any]], manifest_digest: str) -> str:
    """The `sha256sum` format (digest, two spaces, file name), so `sha256sum -c SHA256SUMS` checks them."""
    lines = [f"{entry['sha256']}  {entry['filename']}" for entry in files]
    lines.append(f"{manifest_digest}  {MANIFEST}")
    return "\n".join(lines) + "\n"


def export_open_data(
    *,
    root: Path | None = None,
    keep: int | None = None,
    progress: Progress | None = None,
    now: datetime.datetime | None = None,
) -> ExportResult:
    """Write a complete export under `root` (CERTHUB_OPENDATA_DIR), point `latest` at it and keep the
    newest `keep` (CERTHUB_OPENDATA_KEEP). Raises ExportRunning when another export holds the lock.

    Rows are read in chunks, not in one snapshot: a row changed during the export appears as it was when
    its chunk was read. The manifest says when the export started and finished."""
    root = root or export_root()
    keep = settings.CERTHUB_OPENDATA_KEEP if keep is None else keep
    if keep < 1:
        raise ValueError("keep must be at least 1")
    with ExportLock(root) as lock:
        started = now or timezone.now()
        name = new_export_name(root, started)
        temporary = root / f"{TEMPORARY_PREFIX}{name}"
        remove_abandoned(root)
        temporary.mkdir()
        try:
            manifest = write_export(temporary, started=started, lock=lock, progress=progress)
            os.rename(temporary, root / name)
            sync_directory(root)
            point_latest_at(root, name)
        except BaseException as error:
            shutil.rmtree(temporary, ignore_errors=True)
            if not isinstance(error, KeyboardInterrupt):
                write_atomically(
                    root / FAILURE,
                    orjson.dumps({"failed_at": utc_text(timezone.now()), "error": f"{type(error).__name__}: {error}"}),
                )
            raise
        with contextlib.suppress(FileNotFoundError):
            (root / FAILURE).unlink()
        pruned = prune(root, keep)
    logger.info("open data export %s written (%d files), pruned %s", name, len(manifest["files"]), pruned)
    return ExportResult(Export(name, root / name, manifest), pruned)


def write_export(
    directory: Path, *, started: datetime.datetime, lock: ExportLock, progress: Progress | None
) -> dict[str, Any]:
    # The date on which `surveillance_overdue` is evaluated, in Asia/Shanghai (docs/architecture.md invariant 5).
    as_of = timezone.localdate(started)
    files: list[dict[str, Any]] = []
    for dataset in DATASETS:
        files += write_dataset(dataset, directory, as_of=as_of, lock=lock, progress=progress)
    manifest = {
        "format": FORMAT_VERSION,
        "generated_at": utc_text(started),
        "completed_at": utc_text(timezone.now()),
        "as_of_date": as_of.isoformat(),
        "certhub_version": certhub_version(),
        "licence": settings.CERTHUB_OPENDATA_LICENCE,
        "files": files,
    }
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    write_synced(directory / MANIFEST, manifest_bytes)
    checksums = checksums_text(files, hashlib.sha256(manifest_bytes).hexdigest())
    write_synced(directory / CHECKSUMS, checksums.encode())
    sync_directory(directory)
    return manifest


def write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sync_directory(path: Path) -> None:
    """Make renames in `path` durable, so a crash cannot leave `latest` pointing at nothing."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def point_latest_at(root: Path, name: str) -> None:
    """Switch `latest` in one step: a new link beside it, renamed over it (rename is atomic)."""
    link = root / f".{LATEST}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(name, link)
    os.replace(link, root / LATEST)
    sync_directory(root)


def export_order(name: str) -> tuple[str, int]:
    match = EXPORT_NAME.match(name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


def exports_in(root: Path) -> list[str]:
    """Names of the finished exports under `root`, oldest first."""
    if not root.is_dir():
        return []
    names = [entry.name for entry in root.iterdir() if entry.is_dir() and not entry.is_symlink()]
    return sorted((name for name in names if EXPORT_NAME.match(name)), key=export_order)


def prune(root: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` exports, never the one `latest` points at. A download already
    under way finishes: an open file outlives its directory entry."""
    current = latest_name(root)
    names = exports_in(root)
    doomed = [name for name in names[: max(len(names) - keep, 0)] if name != current]
    for name in doomed:
        shutil.rmtree(root / name)
    return doomed


def remove_abandoned(root: Path) -> None:
    """Temporary directories left by an export that died (the lock, held now, proves none is running)."""
    for entry in root.iterdir():
        if entry.name.startswith(TEMPORARY_PREFIX) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)


# ---------------------------------------------------------------- reading


def latest_name(root: Path | None = None) -> str | None:
    try:
        name = os.readlink((root or export_root()) / LATEST)
    except (FileNotFoundError, OSError):
        return None
    # Only a plain export name is followed: a link edited by hand cannot send a download elsewhere.
    return name if EXPORT_NAME.match(name) else None


def latest_export(root: Path | None = None) -> Export | None:
    """The export `latest` points at, with its manifest; None before the first export."""
    root = root or export_root()
    name = latest_name(root)
    if name is None:
        return None
    try:
        manifest = orjson.loads((root / name / MANIFEST).read_bytes())
    except (FileNotFoundError, NotADirectoryError, orjson.JSONDecodeError):
        return None
    return Export(name, root / name, manifest)


# ---------------------------------------------------------------- on demand, from the portal


def start_export(*, actor: Actor) -> ExportResult | None:
    """Start an export for the portal's button. Not a regulated change (it writes files, not registry
    rows), but only administrators may start one: it reads the whole registry.

    With CERTHUB_OPENDATA_ON_DEMAND = "process" (the default) it runs `certhub opendata export` as a
    separate process, so a long export neither ties up a web worker nor dies with it, and returns None
    once that process holds the lock; with "inline" it exports within the request and returns the
    result (small registries and tests)."""
    authorize(actor, Permission.EXPORT_OPEN_DATA)
    root = export_root()
    if export_in_progress(root) is not None:
        raise ExportRunning
    logger.info("open data export requested by %s", actor.label)
    if settings.CERTHUB_OPENDATA_ON_DEMAND == "inline":
        return export_open_data(root=root)
    spawn_export(root)
    return None


class ExportDidNotStart(RuntimeError):
    pass


def spawn_export(root: Path, *, wait_seconds: float = 10.0) -> subprocess.Popen[bytes]:
    """Run the export command in its own session (it survives a web worker's restart) and wait until it
    holds the lock, so that the page it returns to already shows the export in progress."""
    root.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "certhub", "opendata", "export", "--no-progress", "--dir", str(root)]
    with open(root / ON_DEMAND_LOG, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command, no shell, no user input
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    # Reap the child when it ends, so that it does not linger as a zombie of the web worker.
    threading.Thread(target=process.wait, daemon=True).start()
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if export_in_progress(root) is not None:
            return process
        code = process.poll()
        if code is not None:
            if code == 0:  # finished already (a very small registry)
                return process
            raise ExportDidNotStart(f"exit status {code}, see {root / ON_DEMAND_LOG}")
        time.sleep(0.1)
    return process
