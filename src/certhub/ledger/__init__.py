"""The transparency ledger (C4): an append-only Merkle log of every regulated action."""
