"""Uploaded materials: checked by content, stored by digest. The checking and storing are
certhub.core.uploads'; this module only turns an upload into a Material row's fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckedMaterial:
    """An upload already checked and stored: what the Material row records."""

    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


def checked_material(name: str, checked: Any, storage_key: str) -> CheckedMaterial:
    """A Material's fields from `certhub.core.uploads.check_upload`'s answer (kind, content_type, size,
    sha256) and the key `store_upload` returned."""
    return CheckedMaterial(
        name=name[:200],
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        storage_key=storage_key,
    )
