"""What the trace API tests share: the expected records of the `traced` world (conftest.py) and how a client reads
and checks a trace."""

from __future__ import annotations

import base64
from typing import Any

from certhub.core.testing import sign_in_client
from certhub.ledger import checkpoints, merkle, note

CCC = "2025010701000123"
HUNAN = {"name": "湖南标准认证有限公司", "approval_number": "CNCA-R-2004-117"}
CCC_SCHEME = {"code": "CCC", "name": "强制性产品认证", "name_en": "China Compulsory Certification"}
QMS_SCHEME = {"code": "QMS", "name": "质量管理体系认证", "name_en": "Quality management system (ISO 9001)"}
ZHOU = {"name": "周敏", "valid_from": "2023-05-01", "valid_until": None}
LAB_REF = {"name": "湖南省产品质量检验检测研究院", "cma_number": "231812050341"}
REPORT_SUMMARY = {"number": "BG-2025-0001", "issue_date": "2025-06-01", "product": "家用电冰箱", "conclusion": "PASS",
                  "conclusion_label": "合格", "lab": LAB_REF, "signatory": ZHOU}  # fmt: skip
# The fields only the full view fills, as JSON paths of a certificate trace with two recorded steps.
CERTIFICATE_PRIVATE = {
    "view", "internal", "body_auditors",
    "events.0.actor_label", "events.0.changed_fields", "events.1.actor_label", "events.1.changed_fields",
}  # fmt: skip


def get(client, path: str, **params: str) -> Any:
    return client.get(f"/api/v1/trace/{path}", params)


def as_user(client, world, username: str | None):
    client.logout()
    if username:
        sign_in_client(client, world.users[username])
    return client


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def verify_proofs(trace: dict[str, Any]) -> list[int]:
    """Check a trace as a client would: the checkpoint's signature with the log's key, then each entry's
    leaf hash and inclusion proof against the checkpoint's root. Returns the indexes proved."""
    checkpoint = trace["checkpoint"]
    verifier = checkpoints.signer().verifier()
    assert checkpoint["verifier_key"] == str(verifier)
    body = note.Checkpoint.parse(note.open_note(checkpoint["note"], [verifier]).text)
    assert (body.size, base64.b64encode(body.root_hash).decode()) == (checkpoint["tree_size"], checkpoint["root_hash"])
    proved = []
    for event in trace["events"]:
        ledger = event["ledger"]
        leaf = b64(ledger["leaf_hash"])
        assert leaf == merkle.leaf_hash(ledger["entry"].encode())
        if ledger["proof_status"] == "included":
            merkle.verify_inclusion(leaf, ledger["index"], body.size, [b64(p) for p in ledger["proof"]], body.root_hash)
            proved.append(ledger["index"])
    return proved


def differing_paths(a: Any, b: Any, prefix: str = "") -> set[str]:
    """The JSON paths where two documents differ (a whole subtree counts once when one side is null)."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return {p for k in a for p in differing_paths(a[k], b[k], f"{prefix}{k}.")}
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return {p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in differing_paths(x, y, f"{prefix}{i}.")}
    return set() if a == b else {prefix.rstrip(".")}
