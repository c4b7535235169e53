"""The demo logins: one per role, and an inspector with a task still to record."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext

from certhub.accounts.testing import do_register_contact_email
from certhub.core.choices import RegionLevel, Role
from certhub.core.models import Region, User
from certhub.demo.generator.base import ProvinceBase
from certhub.demo.generator.sizes import DEMO_ACTOR, DEMO_PASSWORD
from certhub.inspections.models import Inspector
from certhub.registry import actions as registry_actions
from certhub.registry.models import CertificationBody, Lab, Organization
from certhub.registry.testing import make_uscc

# C8 一网通办: a lab's organization as market registration brings it, with its registered contact e-mail and
# no account, so that a new lab can sign up at /account/signup/, link to it by the code sent to that address
# (the demo prints e-mails on the console) and apply for its CMA qualification.
NEW_LAB = {
    "uscc": make_uscc(88_000_001, "430104"),  # 91430104880000016Q
    "name": "湖南麓山检测技术有限公司",
    "region": "430104",
    "address": "长沙市岳麓区麓山南路88号",
    "industry_section": "M",
    "industry_division": "74",
}
NEW_LAB_CONTACT = "contact@lushan-testing.example"


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
        self._new_lab_organization()
        return logins

    def _new_lab_organization(self) -> Organization:
        """The organization a new lab signs up for (NEW_LAB): registered, with a contact e-mail, no account."""
        organization = Organization.objects.filter(uscc=NEW_LAB["uscc"]).first()
        if organization is None:
            organization = registry_actions.do_create_organization(data=NEW_LAB, actor=DEMO_ACTOR)
        if organization.contact_email != NEW_LAB_CONTACT:
            do_register_contact_email(organization=organization, email=NEW_LAB_CONTACT, actor=DEMO_ACTOR)
        return organization


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
