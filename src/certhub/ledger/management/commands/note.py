"""`certhub note verify --key VKEY [--key VKEY …] FILE`: check a C2SP signed note (a CertHub checkpoint, or
anyone's) with the given verifier keys. Exit 0 when it verifies, 1 with the reason when it does not."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certhub.ledger.note import NoteError, Verifier, open_note


class Command(BaseCommand):
    help = "Verify a signed note (c2sp.org/signed-note, Ed25519) with one or more verifier keys."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("file", help="the note, or - for standard input")
        parser.add_argument("--key", action="append", required=True, help="a verifier key: name+hash+base64")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            verifiers = [Verifier.parse(key) for key in options["key"]]
            data = sys.stdin.buffer.read() if options["file"] == "-" else Path(options["file"]).read_bytes()
            opened = open_note(data, verifiers)
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror}", returncode=2) from None
        except NoteError as error:
            raise CommandError(f"invalid: {error}", returncode=1) from None
        self.stdout.write(f"valid: signed by {', '.join(opened.verified)}")
        if opened.unknown:
            self.stdout.write(f"also signed by keys not given: {', '.join(opened.unknown)}")
