"""Where licensing meets the registry's bans (C9, registry.Ban): which ban keeps an applicant from applying,
and the facts licensing writes on the bar it imposes when a licence is revoked.

A new application is refused while (docs/licensing.md, "Revocation and the bar on new applications"):
- the applicant organization is under a permanent exit (永久退出: it applies for no licence, ever);
- the applicant organization is under an application bar in force for this licence type or for any;
- the legal representative the application names is the legal representative recorded on an application
  bar in force on another organization (行政许可法 第七十九条: the bar follows the person to a new
  organization). The ID number is matched on its keyed digest (registry.person_ids), never kept in clear.
A cancellation (注销) is not a new application: giving a licence up stays open to everyone.

A person under a lifetime ban (终身禁入) may not be named as the lab's legal representative, technical manager
or a signatory: the field naming them is refused with the ban's sentence (banned_people), so a lab learns it
when it applies, not when the licence is granted (the registry's signatory and key-people actions refuse
them too)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _

from certhub.core.choices import RegionLevel
from certhub.core.models import Region
from certhub.licensing.models import Application, Licence
from certhub.registry import person_ids
from certhub.registry.bans import ban_refusal
from certhub.registry.choices import BanKind, PersonRole
from certhub.registry.models import Affiliation, Ban, Organization, ban_in_force


@dataclass(frozen=True)
class Refusal:
    """The ban that refuses an application and the input it is about (`applicant`, or the legal
    representative when the bar came with the person from another organization)."""

    ban: Ban
    field: str


def _representative_number(particulars: Mapping[str, Any]) -> str:
    person = particulars.get("legal_representative") if isinstance(particulars, Mapping) else None
    number = person.get("id_number") if isinstance(person, Mapping) else None
    return number.strip() if isinstance(number, str) else ""


def _order() -> list[Any]:
    # A permanent exit (no end) first, then the bar that ends last: the one the applicant waits longest for.
    return [F("ends").desc(nulls_first=True), "id"]


def refusing_ban(
    organization: Organization, licence_type: str, particulars: Mapping[str, Any], on: datetime.date
) -> Refusal | None:
    """The ban that refuses a new application of `licence_type` from `organization` on `on`, if any."""
    in_force = Ban.objects.filter(ban_in_force(on)).select_related("organization")
    own = (
        in_force.filter(organization=organization)
        .filter(Q(kind=BanKind.PERMANENT_EXIT) | Q(kind=BanKind.APPLICATION_BAR, licence_type__in=[licence_type, ""]))
        .order_by(*_order())
        .first()
    )
    if own is not None:
        return Refusal(own, "applicant")
    number = _representative_number(particulars)
    if not number:
        return None
    others = in_force.filter(kind=BanKind.APPLICATION_BAR, licence_type__in=[licence_type, ""]).exclude(
        Q(organization=organization) | Q(legal_representative_digest="")
    )
    chains = set()
    for stored in others.order_by().values_list("legal_representative_digest", flat=True).distinct():
        try:
            chains.add(person_ids.chain_of(stored))
        except ValueError:
            continue  # not a digest: matches no number
    if not chains:
        return None
    digests = person_ids.candidates(number, sorted(chains))
    found = others.filter(legal_representative_digest__in=digests).order_by(*_order()).first()
    return Refusal(found, "particulars.legal_representative.id_number") if found is not None else None


def _named_people(particulars: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, ID number) for every person a CMA application names: the key people and the signatories."""
    named = []
    for role in ("legal_representative", "technical_manager"):
        person = particulars.get(role)
        if isinstance(person, Mapping) and isinstance(person.get("id_number"), str) and person["id_number"].strip():
            named.append((f"particulars.{role}.id_number", person["id_number"].strip()))
    signatories = particulars.get("signatories")
    for index, person in enumerate(signatories if isinstance(signatories, list) else []):
        if isinstance(person, Mapping) and isinstance(person.get("id_number"), str) and person["id_number"].strip():
            named.append((f"particulars.signatories[{index}].id_number", person["id_number"].strip()))
    return named


def banned_people(particulars: Mapping[str, Any], on: datetime.date) -> dict[str, str]:
    """The fields of `particulars` naming a person under a lifetime ban in force on `on`, each with the
    refusal: one statement for the bans, one for the people, whatever the count (matched on the keyed
    digest under every key chain in use)."""
    named = _named_people(particulars) if isinstance(particulars, Mapping) else []
    if not named:
        return {}
    bans = {
        ban.person.id_digest: ban
        for ban in Ban.objects.filter(ban_in_force(on), kind=BanKind.LIFETIME_BAN)
        .exclude(person__id_digest="")
        .select_related("person")
        .order_by("id")
    }
    chains = set()
    for stored in bans:
        try:
            chains.add(person_ids.chain_of(stored))
        except ValueError:
            continue  # not a digest: matches no number
    found = {}
    for field, number in named:
        for digest in person_ids.candidates(number, sorted(chains)):
            if digest in bans:
                found[field] = ban_refusal(bans[digest])
                break
    return found


def refusal_text(refusal: Refusal) -> str:
    """The sentence refusing the application: the ban's own (registry.bans.ban_refusal: the ban, its
    decision and the day it ends), preceded, for a bar that came with the legal representative, by whose
    bar it is."""
    sentence = ban_refusal(refusal.ban)
    if refusal.field == "applicant":
        return sentence
    owner = refusal.ban.organization.name if refusal.ban.organization is not None else ""
    return _("法定代表人是受限制机构“%(organization)s”的法定代表人，限制及于其新任职的机构：%(sentence)s") % {
        "organization": owner,
        "sentence": sentence,
    }


def licensing_authority() -> str:
    """The authority deciding licences and their revocation: the province's market regulation bureau (the
    资质认定 of labs and the production licences this system handles are provincial decisions)."""
    province = Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    # A proper name, recorded as the decision states it: never translated.
    return f"{province.name}市场监督管理局" if province else "市场监督管理局"


def representative_digest(licence: Licence, application: Application | None) -> str:
    """The legal representative's ID digest to record on the bar after `licence` is revoked: the lab's
    legal representative in the registry when there is one, else the one the application named."""
    affiliation = (
        Affiliation.objects.filter(
            organization_id=licence.holder_id, role=PersonRole.LEGAL_REPRESENTATIVE, end__isnull=True
        )
        .exclude(person__id_digest="")
        .select_related("person")
        .order_by("-start", "-id")
        .first()
    )
    if affiliation is not None:
        return affiliation.person.id_digest
    named = ((application.particulars if application else None) or {}).get("legal_representative") or {}
    return str(named.get("id_digest", "")) if isinstance(named, Mapping) else ""
