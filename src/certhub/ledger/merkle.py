"""RFC 9162 §2.1 Merkle tree hashing, proofs and their verification, as pure functions on bytes.

    leaf = SHA-256(0x00 ‖ entry)        node = SHA-256(0x01 ‖ left ‖ right)

The generators follow the RFC's recursive definitions (MTH, PATH, PROOF over a list of leaf hashes);
the verifiers follow its verification algorithms (§2.1.3.2, §2.1.4.2) and raise ProofError on any bad
proof, wrong size or index, wrong hash length or mismatch, never returning False. Anyone can check
CertHub's proofs with these few lines or with any other RFC 9162 implementation."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not prove what it claims (or the request for one cannot be answered)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where the RFC splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) from the leaves' hashes (the empty tree's root is SHA-256 of nothing)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    # Bottom-up, level by level: the same tree as the RFC's recursion (a lone last node is carried up).
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, tree_size: int) -> list[bytes]:
    """PATH(index, D[tree_size]): the audit path of leaf `index` in the tree of the first `tree_size` leaves."""
    if not 0 <= index < tree_size <= len(leaf_hashes):
        raise ProofError(f"no leaf {index} in a tree of {tree_size} (the log holds {len(leaf_hashes)})")
    return _path(index, leaf_hashes[:tree_size])


def _path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, leaves[:k]), root_hash(leaves[k:])]
    return [*_path(m - k, leaves[k:]), root_hash(leaves[:k])]


def consistency_proof(leaf_hashes: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """PROOF(size1, D[size2]): that the tree of `size1` leaves is a prefix of the tree of `size2`."""
    if not 0 < size1 <= size2 <= len(leaf_hashes):
        raise ProofError(f"no consistency proof from {size1} to {size2} (the log holds {len(leaf_hashes)})")
    return _subproof(size1, leaf_hashes[:size2], True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_hash(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root_hash(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root_hash(leaves[:k])]


def _check_hash(name: str, value: bytes) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        length = len(value) if isinstance(value, bytes) else type(value).__name__
        raise ProofError(f"{name} must be {HASH_SIZE} bytes, got {length}")


def verify_inclusion(leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: does `proof` show the leaf hash `leaf` at `index` in the tree of `tree_size`
    leaves whose root is `root`? Raises ProofError if not."""
    _check_hash("leaf hash", leaf)
    _check_hash("root", root)
    for position, node in enumerate(proof):
        _check_hash(f"proof[{position}]", node)
    if not 0 <= index < tree_size:
        raise ProofError(f"index {index} is outside a tree of {tree_size}")
    fn, sn, r = index, tree_size - 1, leaf
    for node in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(node, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("the proof leads to a different root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """RFC 9162 §2.1.4.2: does `proof` show the tree of `size1` leaves (root `root1`) to be a prefix of
    the tree of `size2` leaves (root `root2`)? Raises ProofError if not. A proof from the empty tree
    proves nothing and is refused, as transparency-dev/merkle does. Equal sizes need only equal roots
    (compared as given, as the official vectors expect)."""
    if size1 <= 0 or size1 > size2:
        raise ProofError(f"no consistency between sizes {size1} and {size2}")
    if size1 == size2:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if root1 != root2:
            raise ProofError("equal sizes but different roots")
        return
    _check_hash("root1", root1)
    _check_hash("root2", root2)
    for position, node in enumerate(proof):
        _check_hash(f"proof[{position}]", node)
    if not proof:
        raise ProofError("empty proof between different sizes")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # an exact power of two: the first tree is a complete subtree
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the trees are deep")
    if fr != root1:
        raise ProofError("the proof does not lead to the first root")
    if sr != root2:
        raise ProofError("the proof does not lead to the second root")
