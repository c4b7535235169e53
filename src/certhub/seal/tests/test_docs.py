"""The documentation stays true: the worked example in docs/data-formats.md is what the code makes today,
and the QR text printed there verifies with the key printed beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from certhub.seal.docs import EXAMPLE_CLAIMS, EXAMPLE_TRUSTED, worked_example
from certhub.seal.tests.helpers import DURING
from certhub.seal.trust import jwk_set, keys_from_jwk_set, verify_seal

DOCS = Path(__file__).resolve().parents[4] / "docs"


def test_the_worked_example_is_regenerated_unchanged():
    text = (DOCS / "data-formats.md").read_text(encoding="utf-8")
    assert worked_example() in text, "docs/data-formats.md: regenerate the worked example (certhub.seal.docs)"


def test_the_documented_qr_text_verifies_with_the_documented_trust_list():
    text = (DOCS / "data-formats.md").read_text(encoding="utf-8")
    section = text[text.index("## Signed seals") :]
    qr_text = re.findall(r"^QC1:[0-9A-Z $%*+\-./:]+$", section, re.M)[-1]
    trust = json.loads(re.search(r'^(\{"iss": .*\})$', section, re.M).group(1))
    keys, issuer = keys_from_jwk_set(trust)
    assert verify_seal(qr_text, keys, now=DURING, issuer=issuer).claims == EXAMPLE_CLAIMS


def test_the_trust_list_shown_in_seals_md_is_the_example_key():
    text = (DOCS / "seals.md").read_text(encoding="utf-8")
    shown = json.loads(re.search(r"```json\n(.*?)\n```", text, re.S).group(1))
    assert shown == jwk_set([EXAMPLE_TRUSTED], issuer="certhub.hunan.example")
