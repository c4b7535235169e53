"""The integrity archive (诚信档案, C9) as a read model: nothing is copied, each kind of entry is read from the
record behind it by one "source" function, set-based over a list of organizations (one query per source,
whatever the number of organizations). Each entry carries its legal basis, its source record and the days
its publicity begins and ends (integrity/data/publicity.json); a credit repair (integrity.CreditRepair)
ends an entry's publicity early. The public sees what is in its publicity period on the day; officers see
every entry (docs/architecture.md invariant 3, 4)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from certhub.cases.choices import CaseStatus
from certhub.cases.models import Case
from certhub.complaints.queries import substantiated_for_archive
from certhub.core.actors import Actor
from certhub.core.choices import Role
from certhub.inspections.choices import ADVERSE_RESULTS, TaskStatus
from certhub.inspections.models import Task
from certhub.integrity.choices import EntryKind
from certhub.integrity.models import CreditRepair
from certhub.integrity.publicity import repair_after, source_of, window
from certhub.licensing.choices import LicenceStatus
from certhub.licensing.models import Licence
from certhub.licensing.queries import commitments_of
from certhub.registry.choices import BanKind, BodyStatus
from certhub.registry.models import Ban, CertificationBodyStatusEvent, Lab, Organization, Person
from certhub.risk.models import Penalty


@dataclass(frozen=True)
class Entry:
    """One line of an archive."""

    kind: str
    date: datetime.date
    title: str
    decision_number: str
    authority: str
    legal_basis: str
    # The record it is read from, "app.Model:key", and a page showing it ("" when there is none to show).
    source: str
    link: str
    organization_id: int | None
    subject_name: str
    region_code: str
    public_from: datetime.date | None
    public_until: datetime.date | None
    repair: CreditRepair | None = None

    @property
    def kind_label(self) -> str:
        return str(EntryKind(self.kind).label)

    @property
    def publicity_source(self) -> str:
        return source_of(self.kind)

    def public_on(self, day: datetime.date) -> bool:
        """In its publicity period on `day` (a repair has already shortened public_until)."""
        return (
            self.public_from is not None
            and self.public_from <= day
            and (self.public_until is None or day < self.public_until)
        )

    def repair_problem(self, ends_publicity_on: datetime.date) -> str | None:
        """Why credit repair may not end this entry's publicity on `ends_publicity_on`, or None."""
        earliest = repair_after(self.kind, self.public_from) if self.public_from else None
        if earliest is None:
            return _("%(kind)s不适用信用修复") % {"kind": self.kind_label}
        if not self.public_on(ends_publicity_on):
            return _("该条目在%(day)s不在公示期内") % {"day": ends_publicity_on.isoformat()}
        if ends_publicity_on < earliest:
            return _("公示满规定的最短期限后方可修复，最早为%(day)s") % {"day": earliest.isoformat()}
        return None


def _entry(kind: str, start: datetime.date, *, ends: datetime.date | None = None, **fields: object) -> Entry:
    public_from, public_until = window(kind, start, ends=ends)
    return Entry(kind=kind, date=start, public_from=public_from, public_until=public_until, **fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the sources, one per kind of entry


def commitment_entries(organization_ids: Iterable[int]) -> list[Entry]:
    """The 告知承诺 commitments an organization signed in its licence applications (C8), with the outcome of
    the post-approval check (licensing.queries.commitments_of)."""
    rows = commitments_of(organization_ids)
    names = dict(
        (pk, (name, region))
        for pk, name, region in Organization.objects.filter(pk__in={row.organization_id for row in rows}).values_list(
            "pk", "name", "region_id"
        )
    )
    return [
        _entry(
            EntryKind.COMMITMENT,
            row.signed_on,
            title=_("告知承诺：%(type)s（%(outcome)s）")
            % {"type": row.licence_type_label, "outcome": row.outcome_label},
            decision_number=row.decision_number or row.application_number,
            authority="",
            legal_basis=_("告知承诺书"),
            source=f"licensing.Application:{row.application_number}",
            link="",
            organization_id=row.organization_id,
            subject_name=names[row.organization_id][0],
            region_code=names[row.organization_id][1],
        )
        for row in rows
    ]


def violation_entries(organization_ids: Iterable[int]) -> list[Entry]:
    """Problems found by published 双随机 inspections, and closed cases (kept for officers: a case's conclusion
    is not itself a published decision)."""
    ids = list(organization_ids)
    entries = [
        _entry(
            EntryKind.VIOLATION,
            task.published_on,
            title=_("双随机抽查：%(result)s") % {"result": task.get_result_display()},
            decision_number="",
            authority="",
            legal_basis=_("企业信息公示暂行条例 第六条"),
            source=f"inspections.Task:{task.pk}",
            link="",
            organization_id=task.organization_id,
            subject_name=task.target_name,
            region_code=task.target_region,
        )
        for task in Task.objects.filter(
            organization_id__in=ids, status=TaskStatus.PUBLISHED, result__in=ADVERSE_RESULTS
        ).only("pk", "organization_id", "target_name", "target_region", "result", "published_on")
    ]
    usccs = dict(Organization.objects.filter(pk__in=ids).values_list("uscc", "pk"))
    for case in Case.objects.filter(uscc__in=usccs, status=CaseStatus.CLOSED, closed_on__isnull=False):
        entries.append(
            Entry(
                kind=EntryKind.VIOLATION,
                date=case.closed_on,
                title=_("处置案件办结：%(title)s") % {"title": case.title},
                decision_number=case.number,
                authority="",
                legal_basis=case.conclusion,
                source=f"cases.Case:{case.number}",
                link=reverse("cases:case_detail", args=[case.number]),
                organization_id=usccs[case.uscc],
                subject_name=case.subject_name,
                region_code=case.region_code,
                public_from=None,
                public_until=None,
            )
        )
    return entries


def penalty_entries(organization_ids: Iterable[int]) -> list[Entry]:
    """Administrative penalty decisions (risk.Penalty), public for their period from the decision."""
    return [
        _entry(
            EntryKind.PENALTY,
            penalty.decided_on,
            title=penalty.reason,
            decision_number=penalty.decision_number,
            authority=penalty.authority,
            legal_basis=_("行政处罚决定书"),
            source=f"risk.Penalty:{penalty.pk}",
            link="",
            organization_id=penalty.organization_id,
            subject_name=penalty.organization.name,
            region_code=penalty.organization.region_id,
        )
        for penalty in Penalty.objects.filter(organization_id__in=organization_ids).select_related("organization")
    ]


def status_entries(organization_ids: Iterable[int]) -> list[Entry]:
    """Suspensions and revocations of a certification body (its public status history) and of a lab's CMA
    qualification (its licence, or the lab's own status when no licence was issued in CertHub). A suspension
    is public until the body is restored."""
    ids = list(organization_ids)
    entries: list[Entry] = []
    events = list(
        CertificationBodyStatusEvent.objects.filter(body__organization_id__in=ids)
        .select_related("body__organization")
        .order_by("body_id", "effective_date", "recorded_at", "id")
    )
    for position, event in enumerate(events):
        if event.to_status not in (BodyStatus.SUSPENDED, BodyStatus.REVOKED):
            continue
        following = events[position + 1] if position + 1 < len(events) else None
        ends = following.effective_date if following and following.body_id == event.body_id else None
        kind = EntryKind.SUSPENSION if event.to_status == BodyStatus.SUSPENDED else EntryKind.REVOCATION
        entries.append(
            _entry(
                kind,
                event.effective_date,
                ends=ends,
                title=_("认证机构%(status)s：%(reason)s")
                % {"status": event.get_to_status_display(), "reason": event.reason},
                decision_number=event.decision,
                authority=_("国家认证认可监督管理委员会"),
                legal_basis=_("认证认可条例 第十四条"),
                source=f"registry.CertificationBodyStatusEvent:{event.pk}",
                link=reverse("registry:certification_body", args=[event.body.approval_number]),
                organization_id=event.body.organization_id,
                subject_name=event.body.name,
                region_code=event.body.organization.region_id,
            )
        )
    licensed_labs: set[int] = set()
    for licence in Licence.objects.filter(
        holder_id__in=ids, status__in=(LicenceStatus.SUSPENDED, LicenceStatus.REVOKED)
    ).select_related("holder"):
        if licence.lab_id:
            licensed_labs.add(licence.lab_id)
        kind = EntryKind.SUSPENSION if licence.status == LicenceStatus.SUSPENDED else EntryKind.REVOCATION
        entries.append(
            _entry(
                kind,
                licence.status_changed_on,
                title=_("资质认定%(status)s：%(reason)s")
                % {"status": licence.get_status_display(), "reason": licence.status_reason},
                decision_number=licence.decision_number,
                authority="",
                legal_basis=_("检验检测机构资质认定管理办法 第二十九条"),
                source=f"licensing.Licence:{licence.number}",
                link="",
                organization_id=licence.holder_id,
                subject_name=licence.holder_name,
                region_code=licence.region_code,
            )
        )
    for lab in Lab.objects.filter(
        organization_id__in=ids, status__in=(BodyStatus.SUSPENDED, BodyStatus.REVOKED)
    ).select_related("organization"):
        if lab.pk in licensed_labs:
            continue
        kind = EntryKind.SUSPENSION if lab.status == BodyStatus.SUSPENDED else EntryKind.REVOCATION
        entries.append(
            _entry(
                kind,
                lab.cma_valid_from,
                title=_("资质认定%(status)s") % {"status": lab.get_status_display()},
                decision_number=lab.decision,
                authority="",
                legal_basis=_("检验检测机构资质认定管理办法 第二十九条"),
                source=f"registry.Lab:{lab.cma_number}",
                link=reverse("registry:lab", args=[lab.cma_number]),
                organization_id=lab.organization_id,
                subject_name=lab.name,
                region_code=lab.organization.region_id,
            )
        )
    return entries


def _lift_text(ban: Ban) -> str:
    if not ban.lifted_on:
        return ""
    lifted = {"day": ban.lifted_on.isoformat(), "decision": ban.lift_decision_number}
    return _("，已于%(day)s解除（%(decision)s）") % lifted


def _ban_entry(ban: Ban, subject_name: str, organization_id: int | None) -> Entry:
    ends = min(day for day in (ban.ends, ban.lifted_on) if day) if (ban.ends or ban.lifted_on) else None
    until = ban.ends.isoformat() if ban.ends else _("长期")
    return _entry(
        EntryKind.BAN,
        ban.starts,
        ends=ends,
        title=_("%(kind)s（至%(until)s）%(lifted)s")
        % {
            "kind": BanKind(ban.kind).label,
            "until": until,
            "lifted": _lift_text(ban),
        },
        decision_number=ban.decision_number,
        authority=ban.authority,
        legal_basis=ban.legal_basis,
        source=f"registry.Ban:{ban.pk}",
        link="",
        organization_id=organization_id,
        subject_name=subject_name,
        region_code=ban.region_code,
    )


def ban_entries(organization_ids: Iterable[int]) -> list[Entry]:
    """Bans on the organizations (registry.Ban), lifted ones included: public while in force."""
    return [
        _ban_entry(ban, ban.organization.name, ban.organization_id)
        for ban in Ban.objects.filter(organization_id__in=organization_ids).select_related("organization")
    ]


def credit_repair_entries(organization_ids: Iterable[int]) -> list[Entry]:
    """The credit repair decisions themselves (信用修复), which stay in the archive."""
    return [
        _entry(
            EntryKind.CREDIT_REPAIR,
            repair.decided_on,
            title=_("信用修复：%(entry)s自%(day)s起停止公示")
            % {"entry": EntryKind(repair.entry_kind).label, "day": repair.ends_publicity_on.isoformat()},
            decision_number=repair.decision_number,
            authority=repair.authority,
            legal_basis=repair.reason,
            source=f"integrity.CreditRepair:{repair.pk}",
            link="",
            organization_id=repair.organization_id,
            subject_name=repair.organization.name,
            region_code=repair.region_code,
        )
        for repair in CreditRepair.objects.filter(organization_id__in=organization_ids).select_related("organization")
    ]


def substantiated_complaint_entries(organization_ids: Iterable[int]) -> list[Entry]:
    """Substantiated complaints and tip-offs (C10), kept for officers, as the complaints app answers them."""
    return complaint_entries_from(substantiated_for_archive(organization_ids))


def complaint_entries_from(rows: list[dict[str, Any]]) -> list[Entry]:
    """Archive entries from the complaints app's rows ({"date", "organization_id", "legal_basis", "source",
    "title", "text"}): one query for the organizations' names and regions; nothing about the complainant."""
    names = dict(
        (pk, (name, region))
        for pk, name, region in Organization.objects.filter(
            pk__in={row["organization_id"] for row in rows if row.get("organization_id")}
        ).values_list("pk", "name", "region_id")
    )
    entries = []
    for row in rows:
        name, region = names.get(row.get("organization_id"), ("", ""))
        entries.append(
            _entry(
                EntryKind.COMPLAINT,
                row["date"],
                title=str(row["title"]),
                decision_number="",
                authority="",
                legal_basis=str(row["legal_basis"]),
                source=str(row["source"]),
                link="",
                organization_id=row.get("organization_id"),
                subject_name=name,
                region_code=region,
            )
        )
    return entries


SOURCES: tuple[Callable[[Iterable[int]], list[Entry]], ...] = (
    commitment_entries,
    violation_entries,
    penalty_entries,
    status_entries,
    ban_entries,
    substantiated_complaint_entries,
    credit_repair_entries,
)


# ---------------------------------------------------------------- reading an archive


def sees_everything(actor: Actor, region_code: str | None) -> bool:
    """Officers of the organization's region (and administrators) see the whole archive; everyone else its
    public part (docs/architecture.md invariant 3)."""
    return actor.role == Role.ADMINISTRATOR or (actor.role == Role.OFFICER and actor.covers_region(region_code))


def entries_of(organization_ids: list[int]) -> list[Entry]:
    """Every entry of these organizations, repairs applied, newest first."""
    entries = [entry for source in SOURCES for entry in source(organization_ids)]
    repairs = {repair.source: repair for repair in CreditRepair.objects.filter(organization_id__in=organization_ids)}
    repaired = []
    for entry in entries:
        repair = repairs.get(entry.source)
        if repair is not None:
            until = repair.ends_publicity_on
            entry = replace(
                entry, repair=repair, public_until=min(until, entry.public_until) if entry.public_until else until
            )
        repaired.append(entry)
    return sorted(repaired, key=lambda entry: (entry.date, entry.source), reverse=True)


def archive_of(organization: Organization, actor: Actor, day: datetime.date) -> list[Entry]:
    """The archive of one organization as `actor` may see it on `day`."""
    entries = entries_of([organization.pk])
    if sees_everything(actor, organization.region_id):
        return entries
    return [entry for entry in entries if entry.public_on(day)]


def repairable(organization: Organization, source: str) -> Entry | None:
    """The entry of this organization's archive named by `source`, when it is one credit repair may end."""
    for entry in entries_of([organization.pk]):
        if entry.source == source and entry.kind not in (EntryKind.CREDIT_REPAIR,):
            return entry
    return None


def person_archive(person: Person, actor: Actor, day: datetime.date) -> list[Entry]:
    """A person's archive: their bans. The public sees only what the law publishes — a lifetime ban in force,
    by name and decision (integrity/data/publicity.json persons_public_kinds); officers see all of them."""
    entries = [_ban_entry(ban, person.name, None) for ban in Ban.objects.filter(person=person)]
    entries.sort(key=lambda entry: (entry.date, entry.source), reverse=True)
    if actor.role in (Role.ADMINISTRATOR, Role.OFFICER):
        return entries
    public_kinds = {BanKind.LIFETIME_BAN}
    kinds = {f"registry.Ban:{ban.pk}": ban.kind for ban in Ban.objects.filter(person=person)}
    return [entry for entry in entries if kinds[entry.source] in public_kinds and entry.public_on(day)]
