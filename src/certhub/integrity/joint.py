"""The joint punishment query (联合惩戒, C9): which bars and serious-violation listings bind an organization
(asked by its credit code) or a person (asked by name and identity-document number) on a day.

Set-based, whatever the number of items: one query for the organizations asked about, one for the people
of the names asked about (each matched on their keyed digest, registry.person_ids: the number is never
stored, compared in clear or returned), one for the bans of all of them. A batch of 100 credit codes costs
the same three queries as one."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from certhub.core.errors import ValidationFailed
from certhub.core.validation import USCC, normalize_text, validate_value
from certhub.registry import person_ids
from certhub.registry.bans import ban_refusal
from certhub.registry.choices import BanKind
from certhub.registry.models import Ban, Organization, Person, ban_in_force
from certhub.registry.queries.people import id_number_problem

MAX_ITEMS = 100
NAME_MAX_LENGTH = 64
# The bars another department is told about: every kind; SERIOUS_VIOLATION blocks nothing in CertHub but
# is exactly what 联合惩戒 reports (市场监督管理严重违法失信名单管理办法 第二十条).
REPORTED_KINDS = tuple(BanKind.values)


@dataclass(frozen=True)
class JointItem:
    """One checked item: a credit code, or a name with an ID number (kept only for the length of the query)."""

    uscc: str = ""
    name: str = ""
    id_number: str = field(default="", repr=False)


def checked_items(raw: Any) -> list[JointItem]:
    """The items of a query, each checked: a credit code (GB 32100, python-stdnum), or a name with an
    identity-document number (GB 11643 check character). ValidationFailed names every bad item by its place
    (items[3].id_number) and quotes no number."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed({"items": [_("至少查询一条")]})
    if len(raw) > MAX_ITEMS:
        raise ValidationFailed(
            {"items": [_("一次最多查询%(max)d条，收到%(count)d条") % {"max": MAX_ITEMS, "count": len(raw)}]}
        )
    errors: dict[str, list[str]] = {}
    items: list[JointItem] = []
    for index, entry in enumerate(raw):
        where = f"items[{index}]"
        values = entry if isinstance(entry, dict) else {}
        uscc = normalize_text(values.get("uscc") or "")
        name = normalize_text(values.get("name") or "")
        number = str(values.get("id_number") or "").strip()
        if uscc and (name or number):
            errors.setdefault(where, []).append(_("每条只查询一个对象：统一社会信用代码，或姓名加身份证件号码"))
            continue
        if uscc:
            try:
                items.append(JointItem(uscc=validate_value(USCC, uscc, field=f"{where}.uscc")))
            except ValidationFailed as error:
                for key, messages in error.errors.items():
                    errors.setdefault(key, []).extend(messages)
            continue
        if not name and not number:
            errors.setdefault(where, []).append(_("须填写统一社会信用代码，或姓名加身份证件号码"))
            continue
        if not name:
            errors.setdefault(f"{where}.name", []).append(_("必填"))
        elif len(name) > NAME_MAX_LENGTH:
            errors.setdefault(f"{where}.name", []).append(_("不超过%(max)d个字符") % {"max": NAME_MAX_LENGTH})
        problem = id_number_problem(number)
        if problem is not None:
            errors.setdefault(f"{where}.id_number", []).append(problem)
        items.append(JointItem(name=name, id_number=person_ids.normalized(number)))
    if errors:
        raise ValidationFailed(errors)
    return items


def ban_answer(ban: Ban) -> dict[str, Any]:
    """What a department is told about one bar: its kind, decision, authority, until when it binds (None:
    no end), and the sentence every refusal in CertHub gives for it (registry.bans.ban_refusal)."""
    until = ban.ends.isoformat() if ban.ends else None
    return {
        "kind": ban.kind,
        "kind_label": str(BanKind(ban.kind).label),
        "decision_number": ban.decision_number,
        "decided_on": ban.decided_on.isoformat(),
        "authority": ban.authority,
        "starts": ban.starts.isoformat(),
        "until": until,
        "permanent": until is None,
        "text": ban_refusal(ban),
    }


def answers(items: list[JointItem], day: datetime.date) -> list[dict[str, Any]]:
    """One answer per item, in the order asked: whether the subject is registered and the bars in force on
    `day`, soonest-starting first. A person is answered by the name asked; the number is never echoed."""
    codes = {item.uscc for item in items if item.uscc}
    organizations = dict(Organization.objects.filter(uscc__in=codes).values_list("uscc", "pk")) if codes else {}
    people: dict[tuple[str, str], list[int]] = {}
    names = {item.name for item in items if item.name}
    if names:
        known = list(Person.objects.filter(name__in=names).exclude(id_digest="").values_list("pk", "name", "id_digest"))
        for item in items:
            if item.name:
                people[(item.name, item.id_number)] = [
                    pk for pk, name, digest in known if name == item.name and person_ids.matches(item.id_number, digest)
                ]
    organization_ids = set(organizations.values())
    person_ids_asked = {pk for pks in people.values() for pk in pks}
    by_organization: dict[int, list[Ban]] = defaultdict(list)
    by_person: dict[int, list[Ban]] = defaultdict(list)
    if organization_ids:
        for ban in Ban.objects.filter(
            ban_in_force(day), organization_id__in=organization_ids, kind__in=REPORTED_KINDS
        ).select_related("organization"):
            by_organization[ban.organization_id].append(ban)
    if person_ids_asked:
        for ban in Ban.objects.filter(
            ban_in_force(day), person_id__in=person_ids_asked, kind__in=REPORTED_KINDS
        ).select_related("person"):
            by_person[ban.person_id].append(ban)
    result: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if item.uscc:
            organization_id = organizations.get(item.uscc)
            bans = by_organization.get(organization_id, []) if organization_id else []
            subject: dict[str, Any] = {"uscc": item.uscc, "name": None}
            registered: bool | None = organization_id is not None
        else:
            bans = [ban for pk in people[(item.name, item.id_number)] for ban in by_person.get(pk, [])]
            subject = {"uscc": None, "name": item.name}
            registered = None
        bans = sorted(bans, key=lambda ban: (ban.starts, ban.pk))
        result.append(
            {
                "index": index,
                **subject,
                "registered": registered,
                "barred": bool(bans),
                "bans": [ban_answer(ban) for ban in bans],
            }
        )
    return result
