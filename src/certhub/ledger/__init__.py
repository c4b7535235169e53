"""The transparency ledger (MISSION.md C4): an append-only Merkle log of every regulated action."""
