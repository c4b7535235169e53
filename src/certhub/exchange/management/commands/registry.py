"""`certhub registry import-labs FILE [--dry-run]`: the administrator's data migration of labs, their scope
rows, signatories and key people (C1, C8), the same file the administrator's upload page takes
(exchange.lab_migration reads it; registry.actions.migration applies it all or nothing). Every problem is
printed with its sheet, row and column; exit status 1 when the file is refused, and then nothing was written."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from certhub.core.actors import SYSTEM, Actor
from certhub.exchange.lab_migration import read_lab_migration
from certhub.exchange.readers import FileRejected
from certhub.registry.actions.migration import migrate_labs
from certhub.registry.lab_migration import MigrationRefused


def migration_actor() -> Actor:
    """The operator runs the migration with the administrator's rights; audit rows name the command."""
    return Actor(role=SYSTEM.role, label="certhub-registry-import-labs", region_level=SYSTEM.region_level)


class Command(BaseCommand):
    help = "Registry data migration: import-labs FILE [--dry-run] (labs, scope rows, signatories, key people)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        labs = sub.add_parser(
            "import-labs", help="bring labs, scope rows, signatories and key people in, all or nothing"
        )
        labs.add_argument("file", help="CSV (UTF-8 or GB18030) or XLSX")
        labs.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        labs.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            migration = read_lab_migration(path, path.name)
            with tqdm(
                total=len(migration.rows),
                unit="row",
                desc="迁移 · migrating",
                disable=options["no_progress"] or None,
                file=sys.stderr,
            ) as bar:

                def advance(rows: int) -> None:
                    bar.update(rows)

                summary = migrate_labs(
                    migration=migration,
                    dry_run=options["dry_run"],
                    progress=advance,
                    actor=migration_actor(),
                )
        except FileRejected as error:
            raise CommandError(f"拒收 · refused: {error.message}") from None
        except MigrationRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"拒收 · refused: {len(refused.problems)} 处错误 · problems; 未写入任何数据 · nothing written"
            ) from None
        verb = "试导入通过，未写入 · dry run passed, nothing written" if summary.dry_run else "已导入 · imported"
        self.stdout.write(
            f"{verb}: {summary.labs} 机构 · labs, {summary.scope} 范围 · scope rows, "
            f"{summary.signatories} 签字人 · signatories, {summary.key_people} 关键人员 · key people, "
            f"{summary.people_created} 新登记人员 · people registered"
        )
