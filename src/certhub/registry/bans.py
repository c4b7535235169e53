"""Bans (C9): the kinds' default periods as data (registry/data/bans.json, each with its source), the
queries that find a ban in force, and the one sentence every refusal gives (`ban_refusal`).

The single-record checks read one ban; the bulk paths (a certificate file, a report batch) ask once for
every subject of the batch (`organization_bans`, `person_bans`): one query per batch, never one per row,
so that the ban check costs the bulk import almost nothing (bench part `bans`).

A ban binds from its start to the day before its end (`ends` is the first free day), unless lifted
(registry.models.ban_in_force)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.core.errors import ValidationFailed
from certhub.core.validation import compact_uscc
from certhub.registry import person_ids
from certhub.registry.choices import PERSON_BAN_KINDS, BanKind, PersonRole
from certhub.registry.dates import add_months
from certhub.registry.models import Ban, CertificationBody, Lab, Organization, Person, ban_in_force
from certhub.registry.queries.access import within_region
from certhub.registry.queries.people import find_person, id_number_problem

RULES: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "bans.json").read_text("utf-8"))["kinds"]

# The kinds with no end: the decision names none and none may be given.
ENDLESS_KINDS = frozenset(kind for kind in BanKind if RULES[kind.value]["months"] is None)
ORGANIZATION_BAN_KINDS = frozenset(BanKind) - PERSON_BAN_KINDS

# What each entry point refuses (C9, BanKind): an institution under permanent exit issues nothing; a
# certification bar stops certification of the holder; a lifetime ban stops a person's recording.
ISSUING_KINDS = frozenset({BanKind.PERMANENT_EXIT})
HOLDER_KINDS = frozenset({BanKind.CERTIFICATION_BAR})


# The roles a lifetime ban bars (C9, BanKind.LIFETIME_BAN): signatory, auditor and technical manager, roles
# only certification bodies and labs have, and legal representative of a body or a lab.
BANNED_ROLES = frozenset(
    {PersonRole.SIGNATORY, PersonRole.AUDITOR, PersonRole.TECHNICAL_MANAGER, PersonRole.LEGAL_REPRESENTATIVE}
)


def role_is_barred(role: str, organization: Organization) -> bool:
    """Whether a lifetime ban bars `role` at `organization`: a legal representative only of a body or a lab."""
    if role not in BANNED_ROLES:
        return False
    if role != PersonRole.LEGAL_REPRESENTATIVE:
        return True
    return (
        CertificationBody.objects.filter(organization=organization).exists()
        or Lab.objects.filter(organization=organization).exists()
    )


def default_end(kind: str, starts: datetime.date) -> datetime.date | None:
    """The end a decision that names none gets: its kind's period (bans.json) after the start, or no end."""
    months = RULES[kind]["months"]
    return None if months is None else add_months(starts, int(months))


def checks_enabled() -> bool:
    """The ban checks of the bulk writers are on unless settings.CERTHUB_BAN_CHECKS is False — read at each
    import, so that the benchmark can measure the same import with and without them (bench part `bans`).
    The single-record actions always check."""
    return bool(getattr(settings, "CERTHUB_BAN_CHECKS", True))


def today() -> datetime.date:
    return timezone.localdate()


def ban_refusal(ban: Ban) -> str:
    """The sentence every refusal gives: who is barred, by which decision of which authority, and until
    when (C9: each refusal names the ban and when it ends)."""
    subject = ban.organization.name if ban.organization_id else ban.person.name  # type: ignore[union-attr]
    values = {
        "subject": subject,
        "kind": BanKind(ban.kind).label,
        "authority": ban.authority,
        "decided": f"{ban.decided_on:%Y-%m-%d}",
        "decision": ban.decision_number,
    }
    if ban.ends is None:
        return _("%(subject)s已被%(authority)s于%(decided)s决定%(kind)s（决定文号%(decision)s），无期限") % values
    return _("%(subject)s已被%(authority)s于%(decided)s决定%(kind)s（决定文号%(decision)s），至%(ends)s届满") % {
        **values,
        "ends": f"{ban.ends:%Y-%m-%d}",
    }


def in_force(day: datetime.date | None = None) -> QuerySet[Ban]:
    """Bans binding on `day` (today by default), with their subject read in the same query."""
    return Ban.objects.filter(ban_in_force(day or today())).select_related("organization", "person")


def organization_ban(
    organization_id: int | None, kinds: Collection[str], day: datetime.date | None = None
) -> Ban | None:
    """The ban of one of `kinds` binding the organization on `day`: the one that lasts longest (a
    permanent one first), so that the refusal names the end that matters."""
    if organization_id is None:
        return None
    bans = in_force(day).filter(organization_id=organization_id, kind__in=list(kinds))
    return _longest(bans)


def person_ban(person_id: int | None, day: datetime.date | None = None) -> Ban | None:
    """The lifetime ban binding the person on `day`, if any."""
    if person_id is None:
        return None
    return _longest(in_force(day).filter(person_id=person_id, kind__in=list(PERSON_BAN_KINDS)))


def organization_bans(
    organization_ids: Iterable[int], kinds: Collection[str], day: datetime.date | None = None
) -> dict[int, Ban]:
    """For a batch: {organization id: its longest ban of `kinds` binding on `day`} for those barred, in one
    query per chunk of ids (core.bulk.matching), whatever the batch's size."""
    return _by_subject("organization_id", organization_ids, kinds, day)


def person_bans(person_ids: Iterable[int], day: datetime.date | None = None) -> dict[int, Ban]:
    """For a batch: {person id: their lifetime ban binding on `day`} for those banned."""
    return _by_subject("person_id", person_ids, PERSON_BAN_KINDS, day)


def all_organization_bans(kinds: Collection[str], day: datetime.date | None = None) -> dict[int, Ban]:
    """{organization id: its longest ban of `kinds` binding on `day`} for every barred organization, in one
    statement: for a large batch, cheaper than asking about its holders (bans are few)."""
    found: dict[int, Ban] = {}
    for ban in in_force(day).filter(organization__isnull=False, kind__in=list(kinds)):
        key = ban.organization_id
        assert key is not None
        if key not in found or _outlasts(ban, found[key]):
            found[key] = ban
    return found


def _by_subject(column: str, ids: Iterable[int], kinds: Collection[str], day: datetime.date | None) -> dict[int, Ban]:
    wanted = sorted({i for i in ids if i is not None})
    found: dict[int, Ban] = {}
    if not wanted or not Ban.objects.exists():
        return found
    for chunk in _chunks(wanted):
        for ban in in_force(day).filter(**{f"{column}__in": chunk}, kind__in=list(kinds)):
            key = getattr(ban, column)
            if key not in found or _outlasts(ban, found[key]):
                found[key] = ban
    return found


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    """Chunks within SQLite's bound-variable limit (the one core.bulk.matching keeps to); PostgreSQL takes a
    batch's ids in one statement."""
    size = len(ids) if connection.vendor == "postgresql" else 900
    for start in range(0, len(ids), max(size, 1)):
        yield ids[start : start + size]


def _outlasts(ban: Ban, other: Ban) -> bool:
    if ban.ends is None:
        return other.ends is None and ban.pk < other.pk
    return other.ends is not None and ban.ends > other.ends


def _longest(bans: QuerySet[Ban]) -> Ban | None:
    best: Ban | None = None
    for ban in bans:
        if best is None or _outlasts(ban, best):
            best = ban
    return best


def is_in_force(ban: Ban, day: datetime.date | None = None) -> bool:
    on = day or today()
    return ban.starts <= on and (ban.ends is None or ban.ends > on) and (ban.lifted_on is None or ban.lifted_on > on)


def bans_visible_to(actor: Actor) -> QuerySet[Ban]:
    """The bans an officer sees (C14): those decided in their region or about an organization in it; an
    administrator sees all, anyone else none."""
    bans = Ban.objects.select_related("organization", "person")
    if actor.role == Role.ADMINISTRATOR:
        return bans
    prefix = actor.region_prefix
    if actor.role != Role.OFFICER or not prefix:
        return bans.none()
    return bans.filter(within_region("region_code", prefix) | within_region("organization__region_id", prefix))


def filtered(bans: QuerySet[Ban], *, kind: str = "", state: str = "", q: str = "") -> QuerySet[Ban]:
    """The officer list's filters: a kind, in force today or not, a name, credit code or decision number."""
    if kind:
        bans = bans.filter(kind=kind)
    if state == "in_force":
        bans = bans.filter(ban_in_force(today()))
    elif state == "ended":
        bans = bans.exclude(ban_in_force(today()))
    text = q.strip()
    if text:
        bans = bans.filter(
            Q(organization__name__contains=text)
            | Q(organization__uscc=text.upper())
            | Q(person__name=text)
            | Q(decision_number__contains=text)
        )
    return bans.order_by("-starts", "-id")


def ban_subject(
    *, organization_uscc: str = "", person_name: str = "", person_id_number: str = ""
) -> tuple[Organization | None, Person | None]:
    """The subject a page or API call names: an organization by credit code, or a registered person by name
    and ID-document number (found by its keyed digest, registry.person_ids; the number is neither kept nor
    quoted, C14). ValidationFailed naming the field otherwise."""
    uscc = compact_uscc(organization_uscc)
    name = person_name.strip()
    if uscc and (name or person_id_number.strip()):
        raise ValidationFailed({"organization": [_("限制措施应针对一个机构或一名人员")]})
    if uscc:
        organization = Organization.objects.filter(uscc=uscc).first()
        if organization is None:
            raise ValidationFailed({"organization": [_("统一社会信用代码%(uscc)s未在登记库中") % {"uscc": uscc[:20]}]})
        return organization, None
    if not name and not person_id_number.strip():
        raise ValidationFailed({"organization": [_("限制措施应针对一个机构或一名人员")]})
    problem = id_number_problem(person_id_number) if person_id_number.strip() else _("必填")
    if problem:
        raise ValidationFailed({"person_id_number": [problem]})
    if not name:
        raise ValidationFailed({"person": [_("必填")]})
    person = find_person(name, person_ids.normalized(person_id_number))
    if person is None:
        raise ValidationFailed({"person": [_("登记库中没有此姓名和身份证件号码的人员")]})
    return None, person
