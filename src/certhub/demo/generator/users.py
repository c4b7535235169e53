"""The demo logins: one per role, and an inspector with a task still to record."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext

from certhub.core.choices import RegionLevel, Role
from certhub.core.models import Region, User
from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import DEMO_PASSWORD
from certhub.inspections.models import Inspector
from certhub.registry.models import CertificationBody, Lab, Organization


class Users(ProvinceBase):
    def _users(self, bodies: list[CertificationBody], labs: list[Lab]) -> list[tuple[str, str]]:
        """Demo logins, one per role; all share DEMO_PASSWORD (printed by the demo command)."""
        province = Region.objects.get(level=RegionLevel.PROVINCE)
        prefecture = Region.objects.filter(level=RegionLevel.PREFECTURE).order_by("code").first()
        enterprise = Organization.objects.get(uscc=self.holder_usccs[0])
        specs = [
            ("admin", Role.ADMINISTRATOR, None, None, "系统管理员"),
            ("officer", Role.OFFICER, province, None, f"{province.name}市场监督管理局"),
            (
                "officer_city",
                Role.OFFICER,
                prefecture,
                None,
                f"{prefecture.name}市场监督管理局" if prefecture else "",
            ),
            ("cb", Role.CERTIFICATION_BODY, None, bodies[0].organization, bodies[0].name),
            ("lab", Role.LAB, None, labs[0].organization if labs else None, labs[0].name if labs else ""),
            ("enterprise", Role.ENTERPRISE, None, enterprise, enterprise.name),
        ]
        logins = []
        for username, role, region, organization, label in specs:
            if not User.objects.filter(username=username).exists():
                User.objects.create_user(
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    region=region,
                    organization=organization,
                    department=label if role == Role.OFFICER else "",
                    is_staff=role == Role.ADMINISTRATOR,
                    is_superuser=role == Role.ADMINISTRATOR,
                    first_name=label[:150],
                )
            logins.append((username, label))
        self.logins = logins
        return logins


def iter_logins() -> Iterator[tuple[str, str, str]]:
    names = [
        "admin",
        "officer",
        "officer_city",
        "cb",
        "lab",
        "enterprise",
        "applicant",
        "producer",
        "reviewer",
        "environment",
    ]
    # An inspector with a task still to record, so that the demo shows 谁检查、谁录入 at once.
    inspector = (
        Inspector.objects.filter(user__isnull=False, assignments__task__status="ASSIGNED")
        .order_by("code")
        .select_related("user")
        .first()
    )
    for user in User.objects.filter(username__in=names):
        yield user.username, user.get_role_display(), user.first_name
    if inspector is not None:
        yield inspector.user.username, gettext("执法检查人员"), inspector.department
