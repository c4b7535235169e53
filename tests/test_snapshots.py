"""Public behaviour held still across refactors: the OpenAPI document, every URL pattern, and a set of
public API responses compared with snapshots in tests/snapshots/ (docs/architecture.md, "Nothing may change
for users").

A snapshot changes only when a change of public behaviour is intended: regenerate with
`CERTHUB_UPDATE_SNAPSHOTS=1 make test PYTEST_ARGS=tests/test_snapshots.py` and review the diff.

The world is built at a frozen instant so that dates computed from today are stable. Values that are random
by design (ledger salts make every leaf and root hash differ between runs; signing keys are made per run)
are replaced by a placeholder before comparing; their presence and type are still compared."""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import re
from typing import Any

import httpx
import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver

from certhub.api import api
from certhub.registry.testing import build_world

SNAPSHOTS = pathlib.Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("CERTHUB_UPDATE_SNAPSHOTS") == "1"
FROZEN = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)

# Keys whose values are random per run (salted hashes, per-run signing keys, timestamps of writes).
VOLATILE_KEYS = re.compile(
    r"^(leaf_hash|root_hash|root|hash|hashes|proof|inclusion_proof|consistency_proof|checkpoint|signature|"
    r"note|key|public_key|key_id|kid|vkey|payload|seal|qr|svg|digest|subject_digest|created_at|recorded_at|"
    r"logged_at|signed_at|timestamp|fingerprint|after_digest|before_digest|time)$"
)


def scrub(value: Any) -> Any:
    """The value with every volatile field replaced by a marker naming its type."""
    if isinstance(value, dict):
        return {
            key: (f"<{type(item).__name__}>" if VOLATILE_KEYS.match(key) else scrub(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub(item) for item in value]
    if isinstance(value, str) and value.startswith("{"):  # a ledger entry carries its canonical JSON as text
        try:
            return {"json": scrub(json.loads(value))}
        except ValueError:
            return value
    return value


def compare(name: str, actual: Any) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path.name}: regenerate with CERTHUB_UPDATE_SNAPSHOTS=1"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text), f"{name} differs from its snapshot"


def url_patterns(resolvers: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            found += url_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def test_openapi_document_is_unchanged():
    compare("openapi", api.get_openapi_schema())


def test_every_url_pattern_is_unchanged():
    patterns = url_patterns(get_resolver().url_patterns)
    # Static-file and debug patterns depend on settings, not on CertHub's code.
    compare("urls", sorted({p for p in patterns if not p.startswith(("static/", "__debug__"))}))


# Public GET requests an anonymous caller makes, in order (each keyed by a readable name).
PUBLIC_REQUESTS = [
    ("certificates_all", "/certificates", {}),
    ("certificates_q_holder", "/certificates", {"q": "湘江机械"}),
    ("certificates_suspended", "/certificates", {"status": "SUSPENDED"}),
    ("certificates_region", "/certificates", {"region": "430100", "limit": "2"}),
    ("certificates_bad_status", "/certificates", {"status": "NOPE"}),
    ("certificate_active", "/certificates/CNCA-QMS-2025-0001", {}),
    ("certificate_active_of_body", "/certificates/CNCA-QMS-2025-0001", {"body": "CNCA-R-2004-117"}),
    ("certificate_suspended", "/certificates/CNCA-QMS-2025-0002", {}),
    ("certificate_unknown", "/certificates/CNCA-QMS-1999-9999", {}),
    ("organizations", "/organizations", {"q": "湖南"}),
    ("organizations_match", "/organizations/match", {"name": "长沙星城电器"}),
    ("certification_bodies", "/certification-bodies", {}),
    ("certification_body", "/certification-bodies/CNCA-R-2004-117", {}),
    ("labs_lead", "/labs", {"parameter": "铅"}),
    ("lab", "/labs/231812050341", {}),
    ("schemes", "/schemes", {}),
    ("scheme_qms", "/schemes/QMS", {}),
    ("scheme_unknown", "/schemes/NOPE", {}),
    ("ledger_entries", "/ledger/entries", {"start": "0", "end": "5"}),
    ("trace_certificate", "/trace/certificate/CNCA-QMS-2025-0002", {}),
    ("trace_unknown", "/trace/certificate/CNCA-QMS-1999-9999", {}),
    ("inspections_results", "/inspections/results", {}),
]


@pytest.mark.django_db(transaction=True)
def test_public_api_responses_are_unchanged(live_server):
    with time_machine.travel(FROZEN, tick=False):
        world = build_world()
        holder = world.organizations["maker"].uscc
        requests = [*PUBLIC_REQUESTS, ("organization", f"/organizations/{holder}", {})]
        requests.append(("trace_organization", f"/trace/organization/{holder}", {}))
        requests.append(("procurement", "/procurement/check", {"uscc": holder, "product": "电"}))
        responses = {}
        with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=20) as client:
            for name, path, params in requests:
                response = client.get(path, params=params)
                body = (
                    response.json() if response.headers.get("content-type", "").startswith("application/json") else None
                )
                responses[name] = {"status": response.status_code, "body": scrub(body)}
    compare("public_api", responses)
