"""Reference data actions: administrative divisions, certification schemes and the CCC catalogue (C1)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.audit import record_audit, snapshot
from certhub.core.choices import AuditEventType, RegionLevel
from certhub.core.errors import ValidationFailed
from certhub.core.models import Region
from certhub.core.permissions import Permission, authorize
from certhub.core.regulated import action, action_step
from certhub.registry.models import CccCatalogueVersion, CccCategory, CccProduct, Scheme

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@action
def do_load_regions(*, path: str | Path, actor: Actor) -> int:
    """Load (or refresh) the administrative divisions of one province from its data file.
    Another province is a different file, not different code (C1)."""
    authorize(actor, Permission.LOAD_REFERENCE_DATA)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    divisions = sorted(data["divisions"], key=lambda d: {"province": 0, "prefecture": 1, "county": 2}[d["level"]])
    existing = {r.code: r for r in Region.objects.all()}
    changed = 0
    for division in divisions:
        if division["level"] not in RegionLevel.values:
            raise ValidationFailed({"level": _("未知级别“%(division)s”") % {"division": division["level"]}})
        values = {
            "name": division["name"],
            "name_en": division.get("name_en", ""),
            "level": division["level"],
            "parent_id": division["parent"],
        }
        region = existing.get(division["code"])
        if region and all(getattr(region, k) == v for k, v in values.items()):
            continue
        before = snapshot(region) if region else None
        region = Region(code=division["code"], **values)
        region.save()
        existing[region.code] = region
        record_audit(actor, AuditEventType.REGION_LOADED, region, before=before, after=snapshot(region))
        changed += 1
    return changed


@action
def do_load_reference_data(*, actor: Actor) -> dict[str, int]:
    """Load the certification schemes and the versioned CCC catalogue from registry/data/."""
    authorize(actor, Permission.LOAD_REFERENCE_DATA)
    counts = {"schemes": 0, "ccc_versions": 0, "ccc_categories": 0, "ccc_products": 0}
    for entry in json.loads((DATA_DIR / "schemes.json").read_text(encoding="utf-8")):
        fields = {
            "name": entry["name"],
            "name_en": entry.get("name_en", ""),
            "mandatory": bool(entry.get("mandatory")),
            "kind": entry["kind"],
            "validity_years": entry.get("validity_years"),
            "surveillance_months": entry.get("surveillance_months"),
            "standard": entry.get("standard", "")[:300],
            "authority": entry.get("authority", "")[:200],
            "source": entry.get("source", ""),
        }
        counts["schemes"] += _upsert(actor, Scheme, {"code": entry["code"]}, fields)
    catalogue = json.loads((DATA_DIR / "ccc_catalogue.json").read_text(encoding="utf-8"))
    versions = {}
    for entry in catalogue["versions"]:
        fields = {
            "title": entry["title"],
            "published": datetime.date.fromisoformat(entry["published"]),
            "effective": datetime.date.fromisoformat(entry["effective"]),
            "source": entry.get("source", ""),
        }
        counts["ccc_versions"] += _upsert(actor, CccCatalogueVersion, {"key": entry["id"]}, fields)
        versions[entry["id"]] = CccCatalogueVersion.objects.get(key=entry["id"])
    categories = {}
    for entry in catalogue["categories"]:
        fields = {"name": entry["name"], "name_en": entry.get("name_en", "")}
        counts["ccc_categories"] += _upsert(actor, CccCategory, {"number": entry["number"]}, fields)
        categories[entry["number"]] = CccCategory.objects.get(number=entry["number"])
    for entry in catalogue["products"]:
        fields = {
            "name": entry["name"],
            "name_en": entry.get("name_en", ""),
            "category": categories[entry["category"]],
            "mode": entry["mode"],
            "version": versions[entry["version"]],
            "effective_from": datetime.date.fromisoformat(entry["effective_from"]),
            "effective_to": (datetime.date.fromisoformat(entry["effective_to"]) if entry.get("effective_to") else None),
            "source": entry.get("source", ""),
            "note": entry.get("note", ""),
            "codes": entry.get("codes") or [entry["code"]],
        }
        counts["ccc_products"] += _upsert(actor, CccProduct, {"code": entry["code"]}, fields)
    return counts


@action_step
def _upsert(actor: Actor, model: type[models.Model], key: dict[str, Any], fields: dict[str, Any]) -> int:
    """Insert or update one reference row by natural key; audit only real changes. Returns 1 if changed."""
    row = model._default_manager.filter(**key).first()
    if row is not None and all(getattr(row, k) == v for k, v in fields.items()):
        return 0
    before = snapshot(row) if row is not None else None
    row = row or model(**key)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    record_audit(actor, AuditEventType.REFERENCE_DATA_LOADED, row, before=before, after=snapshot(row))
    return 1
