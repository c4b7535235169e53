"""`certhub draw`: publicly verifiable random selections (C5), as anyone can compute them.

- `certhub draw rfc3797|sha256 --pool-size N --count K --source "…" [--source "…" …] [--table]` prints
  the chosen pool positions (1-based), one a line, in selection order; `--table` prints RFC 3797's table
  (selection, digest, members left, position) instead.
- `certhub draw verify DRAW.json` redoes a published batch draw from its file (inspections.drawfile):
  both pools' Merkle roots, the commitment against its ledger entry and time, the selection and the
  inspectors. Needs no database.

Exit 0; 1 when a draw file does not reproduce (the first difference is printed); 2 when the inputs cannot
give a draw or the file cannot be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certhub.inspections.draw import ALGORITHMS, DrawError, key_string, steps
from certhub.inspections.drawfile import DrawFileError, DrawMismatch, verify_bytes


class Command(BaseCommand):
    help = "Compute a publicly verifiable random selection (RFC 3797, or its SHA-256 variant), or verify a draw file."
    requires_system_checks: list[str] = []  # pure computations: usable without a configured database

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        for algorithm in ALGORITHMS:
            method = commands.add_parser(algorithm, help=f"select with {algorithm}")
            method.add_argument("--pool-size", type=int, required=True, help="how many members the pool has")
            method.add_argument("--count", type=int, required=True, help="how many to select")
            method.add_argument("--source", action="append", default=[], help="one published random source (repeat)")
            method.add_argument("--table", action="store_true", help="print every step, as RFC 3797's example does")
        check = commands.add_parser("verify", help="redo a published batch draw from its draw file")
        check.add_argument("file", help="the draw file (DRAW.json) as downloaded from the task announcement")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "verify":
            self._verify(Path(options["file"]))
            return
        try:
            key = key_string(options["source"])
            chosen = list(steps(options["pool_size"], options["count"], options["source"], options["command"]))
        except DrawError as error:
            raise CommandError(str(error), returncode=2) from None
        if not options["table"]:
            self.stdout.write("\n".join(str(step.position) for step in chosen))
            return
        self.stdout.write(f"key string: {key}")
        self.stdout.write(f"{'index':>6}  {'digest':<{len(chosen[0].digest)}}  {'div':>5}  selected")
        for step in chosen:
            self.stdout.write(f"{step.number:>6}  {step.digest}  {step.remaining:>5}  -> {step.position}")

    def _verify(self, path: Path) -> None:
        try:
            checked = verify_bytes(path.read_bytes())
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}", returncode=2) from None
        except DrawFileError as error:
            raise CommandError(f"{path}: {error}", returncode=2) from None
        except DrawMismatch as error:
            raise CommandError(f"{path}: the draw does NOT reproduce: {error}", returncode=1) from None
        for line in checked:
            self.stdout.write(f"ok  {line}")
        self.stdout.write(f"{path}: the draw reproduces.")
