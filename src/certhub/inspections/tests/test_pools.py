"""The frozen pools' leaves and Merkle roots (inspections.pools): the fast paths give exactly what the
definitions in docs/inspections.md give."""

from __future__ import annotations

import orjson
import pytest

from certhub.core import canonical
from certhub.inspections import pools
from certhub.ledger import merkle


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8, 13, 64, 65, 100])
def test_the_inlined_merkle_root_is_rfc_9162s(size):
    leaves = [f"leaf {i}".encode() for i in range(size)]
    assert pools.merkle_root(leaves) == merkle.root_hash([merkle.leaf_hash(leaf) for leaf in leaves]).hex()


def _pool(keys, regions, organizations, sizes):
    rows = zip(keys, regions, organizations, strict=True)
    return pools.TargetPool(sizes, [(n, k, r, o, n) for n, (k, r, o) in enumerate(rows)])


def test_leaves_are_rfc_8785_json_lists_stratum_by_stratum():
    pool = _pool(
        ["K1", "K2", "K3"], ["430102", "430103", "430104"], ["O1", "O2", "O3"], {"A": 1, "B": 0, "C": 2, "D": 0}
    )
    assert pool.strata() == ["A", "C", "C"]
    assert pool.leaves() == [canonical.dumps(row) for row in pool.rows()]
    assert pool.leaves()[1] == b'["C","K2","430103","O2"]'


def test_an_enterprise_row_is_its_own_organization():
    pool = pools.TargetPool({"A": 0, "B": 2, "C": 0, "D": 0}, [(7, "9143A", "430102"), (8, "9143B", "430103")])
    assert pool.leaves() == [b'["B","9143A","430102","9143A"]', b'["B","9143B","430103","9143B"]']
    assert (pool.organization(1), pool.organization_id(1), pool.target_id(1)) == ("9143B", 8, 8)


def test_keys_that_need_escaping_take_the_canonical_path():
    pool = _pool(
        ['CNCA-R-2004-117/证书"1"', "CNCA\\2", "tab\there"],
        ["430102"] * 3,
        ["O1", "O2", "O3"],
        {"A": 0, "B": 3, "C": 0, "D": 0},
    )
    assert pool.leaves() == [canonical.dumps(row) for row in pool.rows()]
    assert orjson.loads(pool.leaves()[0]) == ["B", 'CNCA-R-2004-117/证书"1"', "430102", "O1"]


@pytest.mark.parametrize("size", [10, 16, 33, 100])
def test_the_two_process_root_equals_the_one_process_root(monkeypatch, size):
    from certhub.inspections import hashing

    columns = (["A"] * 3 + ["B"] * (size - 3), [(i, f"K{i:04d}", "430102", f"O{i}", i) for i in range(size)])
    one = hashing.root(hashing.target_leaves(*columns))
    monkeypatch.setattr(hashing, "PARALLEL_FROM", 8)
    here: list[int] = []
    plain_root = hashing.root
    monkeypatch.setattr(hashing, "root", lambda leaves: here.append(len(leaves)) or plain_root(leaves))
    assert hashing.target_pool_root(*columns) == one
    # This process hashed only the part after the split; the worker process did the first part.
    assert here == [size - hashing._split(size)]
    assert one == merkle.root_hash([merkle.leaf_hash(leaf) for leaf in hashing.target_leaves(*columns)])
