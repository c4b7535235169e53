"""Read side of rapid handling (快速处置, C6): the warnings and cases an officer may see, the officers
a notice goes to (信息通报), and the signed-in officer's inbox. Everything here is internal: scoped by region
(docs/architecture.md convention 11), never used by a public page or the public API. Fetchers raise NotFound
alike for what does not exist and for what lies outside the actor's region (C14: existence does not leak)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certhub.cases.choices import CaseStatus
from certhub.cases.models import Case, Notice
from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel, Role
from certhub.core.models import Region, User, region_prefix
from certhub.core.permissions import within_scope
from certhub.core.workdays import add_working_days, working_days_between
from certhub.registry.queries import within_region
from certhub.risk.choices import WarningStatus
from certhub.risk.models import Warning

# A case whose deadline is this many working days away or fewer is flagged, and reminded (信息通报).
DUE_SOON_WORKING_DAYS = 3


def _region_condition(actor: Actor, field: str) -> Q | None:
    """The rows of the actor's region; None means every row (administrators); nothing for anyone else."""
    if actor.role == Role.ADMINISTRATOR:
        return None
    if actor.role != Role.OFFICER:
        return Q(pk__in=[])
    return within_region(field, actor.region_prefix)


def _scoped(queryset: QuerySet, actor: Actor, field: str = "region_code") -> QuerySet:
    condition = _region_condition(actor, field)
    return queryset if condition is None else queryset.filter(condition)


def covers(actor: Actor, region_code: str) -> bool:
    return actor.role == Role.ADMINISTRATOR or (actor.role == Role.OFFICER and actor.covers_region(region_code))


# ------------------------------------------------------------------ warnings


def prefectures_visible_to(actor: Actor) -> list[Region]:
    """The prefectures (市州) the actor's warnings may lie in: the filter of the warnings list."""
    condition = _region_condition(actor, "code")
    regions = Region.objects.filter(level=RegionLevel.PREFECTURE)
    if condition is not None:
        # A county officer's own prefecture is not "inside" their region, but it is where they are.
        own = (actor.region_code or "")[:4]
        regions = regions.filter(condition | Q(code__startswith=own) if own else condition)
    return list(regions.order_by("code"))


def open_warnings_visible_to(actor: Actor, prefecture: str = "") -> QuerySet[Warning]:
    """Open warnings of the actor's region, highest score first; within `prefecture` when one is given."""
    queryset = _scoped(Warning.objects.filter(status=WarningStatus.OPEN), actor)
    if prefecture:
        queryset = queryset.filter(within_region("region_code", prefecture[:4]))
    return queryset.order_by("-score", "id")


def access_warning(actor: Actor, pk: int) -> Warning:
    """A warning of the actor's region; one elsewhere answers as a missing one (C14)."""
    warning = Warning.objects.filter(pk=pk).first()
    return within_scope(warning, lambda w: covers(actor, w.region_code), _("没有这条风险预警。"))


# ------------------------------------------------------------------ who is notified


def officers_covering(region_code: str) -> list[User]:
    """Active officers whose region covers `region_code` (the province's, the prefecture's and the county's
    officers), by username."""
    candidates = {region_code[:2] + "0000", region_code[:4] + "00", region_code}
    users = (
        User.objects.filter(role=Role.OFFICER, is_active=True, region_id__in=candidates)
        .select_related("region")
        .order_by("username")
    )
    return [
        u
        for u in users
        if u.region is not None and region_code.startswith(region_prefix(u.region.code, u.region.level))
    ]


def known_departments(region_code: str) -> list[str]:
    """The departments a case in `region_code` may notify: those of the officers who cover it. Only a
    department with someone to tell is offered, so that no notice goes nowhere (信息通报)."""
    return sorted({u.department for u in officers_covering(region_code) if u.department.strip()})


def department_officers(region_code: str, departments: list[str]) -> list[User]:
    """The officers of `departments` who cover `region_code`: who hears of a case (信息通报)."""
    wanted = set(departments)
    return [u for u in officers_covering(region_code) if u.department in wanted]


def case_recipients(case: Case) -> list[User]:
    """Who is told when a case opens, nears its deadline or closes: the officers of its departments in its
    region, and its assignee; each once, by username."""
    users = {u.pk: u for u in department_officers(case.region_code, list(case.departments))}
    if case.assignee_id is not None and case.assignee_id not in users and case.assignee is not None:
        users[case.assignee_id] = case.assignee
    return sorted(users.values(), key=lambda u: u.username)


# ------------------------------------------------------------------ cases


@dataclass(frozen=True)
class CaseRow:
    case: Case
    days_left: int | None  # working days to the deadline (negative when past); None once closed
    overdue: bool
    due_soon: bool


def case_row(case: Case, today: datetime.date | None = None) -> CaseRow:
    if case.status != CaseStatus.OPEN:
        return CaseRow(case, None, False, False)
    today = today or timezone.localdate()
    left = working_days_between(today, case.deadline)
    return CaseRow(case, left, case.deadline < today, case.deadline >= today and left <= DUE_SOON_WORKING_DAYS)


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    """Cases of the actor's region: open ones first, each group by deadline."""
    queryset = _scoped(Case.objects.select_related("assignee"), actor)
    # "OPEN" sorts after "CLOSED": descending puts the open cases first.
    return queryset.order_by("-status", "deadline", "id")


def access_case(actor: Actor, number: str) -> Case:
    """A case of the actor's region; one elsewhere answers as a missing one (C14)."""
    case = (
        Case.objects.select_related("warning", "complaint", "market_check", "assignee", "opened_by")
        .filter(number=number)
        .first()
    )
    missing = _("没有编号为“%(number)s”的处置案件。") % {"number": number}
    return within_scope(case, lambda c: covers(actor, c.region_code), missing)


def cases_due(today: datetime.date) -> QuerySet[Case]:
    """Open cases not yet reminded whose deadline is past or within DUE_SOON_WORKING_DAYS working days."""
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS).day
    return (
        Case.objects.filter(status=CaseStatus.OPEN, reminded_on__isnull=True, deadline__lte=horizon)
        .select_related("assignee")
        .order_by("deadline", "id")
    )


# ------------------------------------------------------------------ the inbox


def inbox(actor: Actor) -> QuerySet[Notice]:
    """The signed-in officer's notices: unread first, newest first within each."""
    if actor.user_id is None:
        return Notice.objects.none()
    read = models.Case(models.When(read_at__isnull=True, then=0), default=1, output_field=models.IntegerField())
    return (
        Notice.objects.filter(recipient_id=actor.user_id)
        .select_related("case")
        .alias(read=read)
        .order_by("read", "-created_at", "-id")
    )


def unread_count(actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return Notice.objects.filter(recipient_id=actor.user_id, read_at__isnull=True).count()


def access_notice(actor: Actor, pk: int) -> Notice:
    """A notice, to its recipient only."""
    notice = Notice.objects.select_related("case").filter(pk=pk).first()
    if notice is None or notice.recipient_id != actor.user_id:
        raise Http404(_("没有这条通报。"))
    return notice
