"""The national certificate numbering rule, where it encodes the issuing body (C14; issue 14 finding 1):
a certificate number in the rule's form begins with its body's code, read from the body's approval
number. The rule is data, with its sources: registry/data/certificate_numbering.json. What the rule does
not let CertHub read (CCC's designated-body codes, a body's own legacy numbering) is not checked."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RULE_FILE = Path(__file__).parent / "data" / "certificate_numbering.json"


@functools.cache
def rule() -> dict[str, Any]:
    data = json.loads(RULE_FILE.read_text(encoding="utf-8"))
    data["approval_numbers"] = [(re.compile(r["pattern"]), r["code"]) for r in data["approval_numbers"]]
    data["certificate_numbers"] = [re.compile(r["pattern"]) for r in data["certificate_numbers"]]
    return data


def body_code(approval_number: str) -> str | None:
    """The code a body's certificate numbers begin with (CNCA-R-2004-117 → "117", CNCA-RF-2005-07 →
    "F07"), or None when its approval number is not in the national form."""
    for pattern, template in rule()["approval_numbers"]:
        match = pattern.match(approval_number.strip())
        if match:
            return str(template.format(**match.groupdict()))
    return None


def encoded_body_code(number: str) -> str | None:
    """The body code a certificate number encodes under the rule, or None when it is not in that form."""
    for pattern in rule()["certificate_numbers"]:
        match = pattern.match(number)
        if match:
            return str(match.group("body"))
    return None


def issuing_body(number: str, approval_numbers: Iterable[str]) -> str | None:
    """Of the bodies holding `number` (their approval numbers), the one the number encodes — when exactly
    one does — or None."""
    code = encoded_body_code(number)
    if code is None:
        return None
    issuers = [a for a in approval_numbers if body_code(a) == code]
    return issuers[0] if len(issuers) == 1 else None
