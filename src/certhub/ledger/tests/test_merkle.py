"""certhub.ledger.merkle against the official vectors in tests/vectors/merkle/ (see tests/vectors/README.md):
every proof file accepted or refused as it says, and the RFC 6962 hashes, roots and proofs reproduced."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from certhub.ledger.merkle import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[4] / "tests" / "vectors" / "merkle"
INCLUSION = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").rglob("*.json"))
RFC6962 = json.loads((VECTORS / "rfc6962_vectors.json").read_text())


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def name(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def test_the_vectors_are_there():
    assert len(INCLUSION) > 40 and len(CONSISTENCY) > 40


@pytest.mark.parametrize("path", INCLUSION, ids=name)
def test_inclusion_vector(path):
    case = json.loads(path.read_text())
    arguments = (
        b64(case["leafHash"]),
        case["leafIdx"],
        case["treeSize"],
        [b64(p) for p in case["proof"] or []],
        b64(case["root"]),
    )
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*arguments)
    else:
        verify_inclusion(*arguments)


@pytest.mark.parametrize("path", CONSISTENCY, ids=name)
def test_consistency_vector(path):
    case = json.loads(path.read_text())
    arguments = (
        case["size1"],
        case["size2"],
        [b64(p) for p in case["proof"] or []],
        b64(case["root1"]),
        b64(case["root2"]),
    )
    if case["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*arguments)
    else:
        verify_consistency(*arguments)


def test_rfc6962_hashes_roots_and_proofs_are_reproduced():
    for vector in RFC6962["hasher_vectors"]:
        if "leaf_hex" in vector:
            assert leaf_hash(bytes.fromhex(vector["leaf_hex"])).hex() == vector["expected"]
        elif "left_hex" in vector:
            assert (
                node_hash(bytes.fromhex(vector["left_hex"]), bytes.fromhex(vector["right_hex"])).hex()
                == vector["expected"]
            )
        else:
            assert root_hash([]).hex() == vector["expected"]
    leaves = [leaf_hash(bytes.fromhex(h)) for h in RFC6962["leaves_hex"]]
    assert [h.hex() for h in leaves] == RFC6962["leaf_hashes_hex"]
    for row in RFC6962["roots_by_tree_size"]:
        assert root_hash(leaves[: row["tree_size"]]).hex() == row["root"]
    for row in RFC6962["inclusion_proofs"]:
        proof = inclusion_proof(leaves, row["leaf_index"], row["tree_size"])
        assert [p.hex() for p in proof] == row["proof"]
        verify_inclusion(
            bytes.fromhex(row["leaf_hash"]), row["leaf_index"], row["tree_size"], proof, bytes.fromhex(row["root"])
        )
    for row in RFC6962["consistency_proofs"]:
        proof = consistency_proof(leaves, row["size1"], row["size2"])
        assert [p.hex() for p in proof] == row["proof"]
        verify_consistency(row["size1"], row["size2"], proof, bytes.fromhex(row["root1"]), bytes.fromhex(row["root2"]))


def test_every_proof_in_a_larger_tree_verifies_and_a_flipped_bit_is_caught():
    leaves = [leaf_hash(f"entry {i}".encode()) for i in range(37)]
    for size in range(1, len(leaves) + 1):
        root = root_hash(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(leaves, index, size)
            verify_inclusion(leaves[index], index, size, proof, root)
            if proof:
                tampered = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
                with pytest.raises(ProofError, match="different root"):
                    verify_inclusion(leaves[index], index, size, tampered, root)
        for first in range(1, size + 1):
            verify_consistency(first, size, consistency_proof(leaves, first, size), root_hash(leaves[:first]), root)


def test_requests_out_of_range_and_wrong_lengths_are_refused_with_a_reason():
    leaves = [leaf_hash(b"a"), leaf_hash(b"b")]
    with pytest.raises(ProofError, match="no leaf 2 in a tree of 2"):
        inclusion_proof(leaves, 2, 2)
    with pytest.raises(ProofError, match="the log holds 2"):
        consistency_proof(leaves, 1, 3)
    with pytest.raises(ProofError, match="root must be 32 bytes, got 31"):
        verify_inclusion(leaves[0], 0, 2, [leaves[1]], root_hash(leaves)[:31])
    with pytest.raises(ProofError, match="index 5 is outside a tree of 2"):
        verify_inclusion(leaves[0], 5, 2, [leaves[1]], root_hash(leaves))
