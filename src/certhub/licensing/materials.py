"""Uploaded materials: checked by content, stored by digest. The checking and storing are
certhub.core.uploads'; this module only turns an upload into a Material row's fields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckedMaterial:
    """An upload already checked and stored: what the Material row records."""

    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
