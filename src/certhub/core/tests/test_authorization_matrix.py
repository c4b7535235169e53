"""C14: who may do what. Each allowed call writes exactly one audit row; each refusal raises NotPermitted
and changes nothing (docs/architecture.md convention 13, 16)."""

import datetime

import pytest

from certhub.core.actions import do_issue_api_key
from certhub.core.actors import ANONYMOUS
from certhub.core.errors import NotPermitted
from certhub.core.models import ApiKey, AuditEvent, User
from certhub.registry import actions
from certhub.registry.models import (
    Certificate,
    CertificateEvent,
    CertificationAudit,
    ManufacturedProduct,
    Organization,
    TestReport,
)
from certhub.registry.testing import certificate_data, make_uscc
from certhub.risk.models import CertificateUse, Grade, Penalty

ACTORS = ["anonymous", "maker", "cb_hunan", "cb_yueyang", "lab", "officer_changsha", "officer_hengyang",
          "officer_province", "admin"]  # fmt: skip


def create_certificate(world, actor):
    return actions.do_create_certificate(
        body=world.bodies["hunan"], data=certificate_data("MATRIX-1", world.organizations["maker"]), actor=actor
    )


def suspend_certificate(world, actor):
    return actions.do_change_certificate_status(
        certificate=world.certificates["active"],
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 10, 1),
        reason="监督审核不合格",
        actor=actor,
    )


def create_organization_in_changsha(world, actor):
    return actions.do_create_organization(
        data={"uscc": make_uscc(777, "430103"), "name": "长沙天心测试有限公司", "region": "430103"}, actor=actor
    )


def create_test_report(world, actor):
    return actions.do_create_test_report(
        lab=world.labs["main"],
        number="R-2025-0001",
        signatory=world.signatories["zhou"],
        issue_date=datetime.date(2025, 6, 1),
        conclusion="PASS",
        items=[{"parameter": "绝缘电阻", "standard": "GB 4706.1-2005"}],
        actor=actor,
    )


def issue_api_key(world, actor):
    return do_issue_api_key(organization=world.organizations["maker"], name="采购核验", role="ENTERPRISE", actor=actor)


def create_user_in_changsha(world, actor):
    from certhub.accounts.users.actions import do_create_user

    return do_create_user(
        username="officer_yuelu", name="岳麓", email="yuelu@amr.example", role="OFFICER", region="430104",
        department="岳麓区市场监督管理局", organization=None, actor=actor,
    )  # fmt: skip


def deactivate_maker(world, actor):
    from certhub.accounts.users.actions import do_deactivate_user

    return do_deactivate_user(user=world.users["maker"], reason="离职", actor=actor)


def rotate_api_key(world, actor):
    from certhub.core.actions import do_rotate_api_key, find_api_key

    return do_rotate_api_key(key=find_api_key(world.api_keys["cb_hunan"]), actor=actor)


def revoke_api_key(world, actor):
    from certhub.core.actions import do_revoke_api_key, find_api_key

    return do_revoke_api_key(key=find_api_key(world.api_keys["cb_hunan"]), actor=actor)


def record_certificate_use(world, actor):
    from certhub.risk.actions import do_record_certificate_uses

    return do_record_certificate_uses(
        rows=[{"certificate": world.certificates["active"].pk, "used_on": "2025-06-01", "channel": "procurement"}],
        actor=actor,
    )


def record_penalty(world, actor):
    from certhub.risk.actions import do_record_penalties

    return do_record_penalties(
        rows=[
            {
                "organization": world.organizations["maker"].pk,
                "decision_number": "长市监罚1号",
                "decided_on": "2025-06-01",
                "authority": "长沙市市场监督管理局",
                "reason": "冒用认证标志",
            }
        ],
        actor=actor,
    )


def record_manufactured_product(world, actor):
    row = {
        "uscc": world.organizations["maker"].uscc,
        "ccc_product": "0701",
        "source": "licence",
        "recorded_on": "2025-06-01",
    }
    return actions.do_record_manufactured_products(rows=[row], actor=actor)


def record_certification_audit(world, actor):
    return actions.do_record_certification_audits(
        body=world.bodies["hunan"],
        rows=[
            {
                "certificate": "CNCA-QMS-2025-0001",
                "kind": "initial",
                "stage1_days": "1",
                "stage2_days": "2",
                "effective_personnel": 20,
                "end_date": "2025-02-20",
            }
        ],
        actor=actor,
    )


def run_scoring(world, actor):
    from certhub.risk.actions import do_run_scoring

    return do_run_scoring(today=datetime.date(2026, 3, 2), actor=actor)


def sign_up(world, actor):
    from certhub.accounts.signup.actions import do_sign_up

    return do_sign_up(
        username="liu_fang", name="刘芳", email="liufang@mail.example", password="Xiangjiang-lab 2026 spring",
        accepted_terms=True, actor=actor,
    )  # fmt: skip


def query_joint_punishment(world, actor):
    from certhub.integrity.actions import do_query_joint_punishment

    return do_query_joint_punishment(items=[{"uscc": world.organizations["maker"].uscc}], channel="PAGE", actor=actor)


OPERATIONS = {
    "create_certificate": (create_certificate, {"cb_hunan", "admin"}),
    "suspend_certificate": (suspend_certificate, {"cb_hunan", "admin"}),
    "create_organization_in_changsha": (
        create_organization_in_changsha, {"officer_changsha", "officer_province", "admin"}),
    "create_test_report": (create_test_report, {"lab", "admin"}),
    "issue_api_key": (issue_api_key, {"admin"}),
    "rotate_api_key": (rotate_api_key, {"admin"}),
    "revoke_api_key": (revoke_api_key, {"admin"}),
    # Users (C14): administrators everyone, officers their region (长沙's 岳麓 district; the maker is there).
    "create_user_in_changsha": (create_user_in_changsha, {"officer_changsha", "officer_province", "admin"}),
    "deactivate_maker": (deactivate_maker, {"officer_changsha", "officer_province", "admin"}),
    # Risk signals and grades (C6): officers inside the record's region; a body its own audits; the scoring
    # run is the system's (administrators).
    "record_certificate_use": (record_certificate_use, {"officer_changsha", "officer_province", "admin"}),
    "record_penalty": (record_penalty, {"officer_changsha", "officer_province", "admin"}),
    "record_manufactured_product": (record_manufactured_product, {"officer_changsha", "officer_province", "admin"}),
    "record_certification_audit": (record_certification_audit, {"cb_hunan", "admin"}),
    "run_scoring": (run_scoring, {"admin"}),
    # Signup. Anyone not signed in creates an enterprise account (C8).
    "sign_up": (sign_up, {"anonymous", "admin"}),
    # C9: integrity archives, joint punishment — the joint punishment query is answered to every officer (and logged).
    "query_joint_punishment": (
        query_joint_punishment, {"officer_changsha", "officer_hengyang", "officer_province", "admin"}),
}  # fmt: skip


def state():
    return (
        sorted(Certificate.objects.values_list("number", "status")),
        CertificateEvent.objects.count(),
        Organization.objects.count(),
        TestReport.objects.count(),
        sorted(ApiKey.objects.values_list("prefix", "revoked_at", "expires_at")),
        sorted(User.objects.values_list("username", "role", "region_id", "is_active")),
        [model.objects.count() for model in (CertificateUse, Penalty, ManufacturedProduct, CertificationAudit, Grade)],
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("username", ACTORS)
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_authorization_matrix(world, operation, username):
    function, allowed = OPERATIONS[operation]
    actor = ANONYMOUS if username == "anonymous" else world.actor(username)
    before = state()
    if username in allowed:
        function(world, actor)
        assert AuditEvent.objects.count() == before[-1] + 1
    else:
        with pytest.raises(NotPermitted) as refusal:
            function(world, actor)
        assert refusal.value.message.startswith(f"{actor.label} 无权执行")
        assert state() == before


def test_officers_see_only_their_region(world):
    from certhub.registry.queries import certificates_visible_to

    def numbers(username):
        return sorted(certificates_visible_to(world.actor(username)).values_list("number", flat=True))

    # 长沙 (430100) holds "maker" (430104); 衡阳 (430400) holds "hengyang" (430405).
    assert numbers("officer_changsha") == ["2025010701000123", "CNCA-QMS-2025-0001", "CNCA-QMS-2025-0003"]
    assert numbers("officer_hengyang") == ["CNCA-EMS-2024-0004", "CNCA-QMS-2025-0001", "CNCA-QMS-2025-0002"]
    assert numbers("officer_province") == [
        "2025010701000123",
        "CNCA-EMS-2024-0004",
        "CNCA-QMS-2025-0001",
        "CNCA-QMS-2025-0001",
        "CNCA-QMS-2025-0002",
        "CNCA-QMS-2025-0003",
    ]
    # The public never sees drafts; a body sees its own.
    assert "CNCA-QMS-2025-0003" not in sorted(certificates_visible_to(ANONYMOUS).values_list("number", flat=True))
    assert "CNCA-QMS-2025-0003" in numbers("cb_hunan")
    assert "CNCA-QMS-2025-0003" not in numbers("cb_yueyang")
