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
    if tree_size > len(leaf_hashes):
        raise ProofError(f"no tree of {tree_size} (the log holds {len(leaf_hashes)})")
    return [root_hash(leaf_hashes[a:b]) for a, b in inclusion_ranges(index, tree_size)]


def consistency_proof(leaf_hashes: Sequence[bytes], size1: int, size2: int) -> list[bytes]:
    """PROOF(size1, D[size2]): that the tree of `size1` leaves is a prefix of the tree of `size2`."""
    if size2 > len(leaf_hashes):
        raise ProofError(f"no tree of {size2} (the log holds {len(leaf_hashes)})")
    return [root_hash(leaf_hashes[a:b]) for a, b in consistency_ranges(size1, size2)]


# A proof is a list of subtree hashes MTH(D[a:b]). The functions below say which ranges [a, b) of leaves
# the RFC's recursive PATH and PROOF name, in proof order, so that a stored log can answer from its
# stored subtree hashes (ledger.log) and a list of leaves from the leaves (above), with one definition.


def inclusion_ranges(index: int, tree_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make PATH(index, D[tree_size])."""
    if not 0 <= index < tree_size:
        raise ProofError(f"no leaf {index} in a tree of {tree_size}")
    ranges, low, high = [], 0, tree_size
    while high - low > 1:
        k = _split(high - low)
        if index - low < k:
            ranges.append((low + k, high))
            high = low + k
        else:
            ranges.append((low, low + k))
            low += k
    return ranges[::-1]


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1's SUBPROOF)."""
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from {size1} to {size2}")
    ranges, low, high, m, complete = [], 0, size2, size1, True
    while m != high - low:
        k = _split(high - low)
        if m <= k:
            ranges.append((low + k, high))
            high = low + k
        else:
            ranges.append((low, low + k))
            low, m, complete = low + k, m - k, False
    if not complete:
        ranges.append((low, high))
    return ranges[::-1]


def complete_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """Leaves [start, end) as complete subtrees (level, index): 2**level leaves from index << level,
    largest first. Folding their hashes from the right gives MTH(D[start:end]) whenever the range is
    one the RFC's recursion splits off, as every range of a proof is."""
    subtrees = []
    while start < end:
        size = start & -start if start else 1 << ((end - start).bit_length() - 1)
        while start + size > end:
            size >>= 1
        level = size.bit_length() - 1
        subtrees.append((level, start >> level))
        start += size
    return subtrees


def fold(hashes: Sequence[bytes]) -> bytes:
    """The root over complete subtrees' hashes, largest first: each joined to everything on its right."""
    if not hashes:
        return EMPTY_ROOT
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = node_hash(left, root)
    return root


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
