"""`certhub people`: the keys of person-identifier digests (C14; registry.person_ids, docs/security.md).

    certhub people status            key versions on disk; digests by the keys they were made with
    certhub people new-key           make the next key version (new digests use it from now on)
    certhub people rehash            wrap every older digest under the newest key, in chunks, resumable

A rotation is `new-key` then `rehash`. Older key files stay: matching a number against a wrapped digest
recomputes its inner layers. Back up the key directory after `new-key`."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from certhub.core.actors import SYSTEM
from certhub.registry import person_ids
from certhub.registry.actions import do_rehash_person_ids
from certhub.registry.models import Person


class Command(BaseCommand):
    help = "Person-identifier digest keys: status, new-key, rehash."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("status", help="key versions and the digests made with each")
        sub.add_parser("new-key", help="make the next key version")
        rehash = sub.add_parser("rehash", help="wrap older digests under the newest key (resumable)")
        rehash.add_argument("--chunk", type=int, default=1000, help="people per transaction (default 1,000)")
        rehash.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, options["subcommand"].replace("-", "_"))(**options)

    def status(self, **options: Any) -> None:
        versions = person_ids.key_versions()
        self.stdout.write(
            f"密钥版本 · key versions: {', '.join(map(str, versions)) or '—'}  ({person_ids.key_directory()})"
        )
        chains: Counter[str] = Counter()
        for digest in Person.objects.exclude(id_digest="").values_list("id_digest", flat=True).iterator():
            chains[".".join(map(str, person_ids.chain_of(digest)))] += 1
        for chain, count in sorted(chains.items()):
            self.stdout.write(f"  {chain:<12} {count:>10,}")

    def new_key(self, **options: Any) -> None:
        version = person_ids.new_key()
        self.stdout.write(f"新密钥 · new key {version}  ({person_ids.key_directory() / f'{version}.key'})")

    def rehash(self, **options: Any) -> None:
        if options["chunk"] < 1:
            raise CommandError("--chunk must be 1 or more")
        version = person_ids.current_version()
        pending = Person.objects.exclude(id_digest="").exclude(id_digest__regex=rf"(^|\.){version}\$")
        total = pending.count()
        ids = list(pending.order_by("id").values_list("id", flat=True))
        progress = tqdm(total=total, file=sys.stderr, disable=options["no_progress"], unit="人", dynamic_ncols=True)
        changed = 0
        try:
            for start in range(0, len(ids), options["chunk"]):
                chunk = list(Person.objects.filter(id__in=ids[start : start + options["chunk"]]).order_by("id"))
                changed += do_rehash_person_ids(people=chunk, version=version, actor=SYSTEM)
                progress.update(len(chunk))
        except person_ids.PersonIdKeyMissing as missing:
            raise CommandError(str(missing)) from None
        finally:
            progress.close()
        self.stdout.write(f"已换钥 · rehashed under key {version}: {changed:,}")
