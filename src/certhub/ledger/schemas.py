"""Schemas of the ledger API (ledger/api.py, C4): entries and proofs, hashes in standard base64."""

from __future__ import annotations

from ninja import Field as SchemaField
from ninja import Schema


class EntryOut(Schema):
    index: int
    leaf_hash: str = SchemaField(description="base64 SHA-256(0x00 ‖ entry)")
    entry: str = SchemaField(description="the entry exactly as hashed: RFC 8785 JSON")


class EntriesOut(Schema):
    entries: list[EntryOut]


class ProofOut(Schema):
    proof: list[str] = SchemaField(description="base64 hashes, in RFC 9162 order")


class RangeIn(Schema):
    start: int = SchemaField(ge=0)
    end: int = SchemaField(ge=0, description="exclusive")


class InclusionIn(Schema):
    index: int = SchemaField(ge=0)
    tree_size: int = SchemaField(ge=1)


class ConsistencyIn(Schema):
    first: int = SchemaField(ge=1)
    second: int = SchemaField(ge=1)
