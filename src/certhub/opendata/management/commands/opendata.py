"""`certhub opendata export [--dir DIR] [--keep N]`: write an open-data export of the public registry (C2)
and print its manifest. Run nightly by a timer (docs/deployment.md) and on demand from the portal."""

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from certhub.opendata.exporter import ExportRunning, export_open_data


class Command(BaseCommand):
    help = "Export the public registry as CSV and JSON Lines (gzip) with a manifest and SHA256SUMS."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        export = sub.add_parser("export", help="write a new export and point `latest` at it")
        export.add_argument("--dir", type=Path, help="export directory (default: CERTHUB_OPENDATA_DIR)")
        export.add_argument("--keep", type=int, help="exports to keep (default: CERTHUB_OPENDATA_KEEP)")
        export.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep must be at least 1")

        def progress(iterable: Any, **kwargs: Any) -> Any:
            if options["no_progress"]:
                return iterable
            return tqdm(iterable, file=sys.stderr, dynamic_ncols=True, **kwargs)

        started = time.monotonic()
        try:
            result = export_open_data(root=options["dir"], keep=options["keep"], progress=progress)
        except ExportRunning as running:
            raise CommandError("另一个开放数据导出正在进行 · another open-data export is in progress") from running
        elapsed = time.monotonic() - started
        export = result.export
        self.stdout.write(f"开放数据已导出 · open data exported: {export.path} ({elapsed:.0f} s)")
        self.stdout.write(
            f"  generated_at {export.manifest['generated_at']}, certhub {export.manifest['certhub_version']}"
        )
        for entry in export.manifest["files"]:
            self.stdout.write(
                f"  {entry['filename']:<30} {entry['rows']:>12,} rows {entry['bytes']:>15,} bytes  {entry['sha256']}"
            )
        if result.pruned:
            self.stdout.write("  已删除旧导出 · removed old exports: " + ", ".join(result.pruned))
