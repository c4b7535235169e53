"""The detectors over signals (certificate use, CCC coverage, audit time, surveillance, penalties), the
actions that record those signals (bad rows refused, nothing written) and the scoring run that grades every
subject with history and raises warnings."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from certhub.cases.actions import do_dismiss_warning
from certhub.core.actors import SYSTEM
from certhub.core.errors import ValidationFailed
from certhub.registry.actions import do_record_certification_audits, do_record_manufactured_products
from certhub.registry.models import CccProduct, CertificationAudit, ManufacturedProduct, Organization
from certhub.risk.actions import do_record_certificate_uses, do_record_penalties, do_run_scoring, do_set_risk_grades
from certhub.risk.detectors import (
    audit_time_short,
    ccc_uncovered,
    certificate_use_invalid,
    penalties,
    run_all,
    surveillance_overdue,
)
from certhub.risk.models import CertificateUse, Grade, GradeChange, Penalty, ScoringRun, Warning

DAY = datetime.date(2026, 3, 2)


def uses(world, *pairs):
    do_record_certificate_uses(
        rows=[
            {
                "certificate": world.certificates[key].pk,
                "used_on": day,
                "channel": "procurement",
                "place": "某县政府采购项目",
                "reported_by": "县财政局",
            }
            for key, day in pairs
        ],
        actor=SYSTEM,
    )


def test_use_while_suspended_or_withdrawn_is_found_and_use_while_valid_is_not(world):
    uses(world, ("active", datetime.date(2026, 1, 5)), ("suspended", datetime.date(2025, 8, 31)))
    assert certificate_use_invalid() == []
    uses(world, ("suspended", datetime.date(2025, 9, 1)), ("withdrawn", datetime.date(2025, 3, 1)))
    [finding] = certificate_use_invalid()
    hengyang = world.organizations["hengyang"]
    assert (finding.subject_type, finding.subject_id, finding.count, finding.since) == (
        "organization",
        hengyang.pk,
        2,
        datetime.date(2025, 3, 1),
    )
    assert finding.explanation == (
        f"衡阳湘江机械制造有限公司（{hengyang.uscc}）有2次在证书暂停、撤销、注销或过期后仍使用证书"
        "（如CNCA-EMS-2024-0004），最早在2025-03-01"
    )


def test_use_after_expiry_is_found_and_a_use_in_the_future_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        uses(world, ("active", datetime.date(2099, 1, 1)))
    assert caught.value.errors == {"rows[0].used_on": ["日期2099-01-01晚于今天"]}
    assert CertificateUse.objects.count() == 0
    with time_machine.travel(datetime.datetime(2028, 3, 2, 9, tzinfo=datetime.UTC)):
        uses(world, ("active", datetime.date(2028, 2, 28)))  # its last day
        assert certificate_use_invalid() == []
        uses(world, ("active", datetime.date(2028, 2, 29)))
        assert [(f.subject_id, f.count) for f in certificate_use_invalid()] == [(world.organizations["maker"].pk, 1)]


def test_a_ccc_product_made_without_a_valid_certificate_is_found(world):
    other = CccProduct.objects.exclude(code="0701").filter(effective_to__isnull=True).order_by("code").first()
    do_record_manufactured_products(
        rows=[
            {
                "uscc": world.organizations["maker"].uscc,
                "ccc_product": "0701",
                "source": "licence",
                "recorded_on": "2025-05-01",
            },
            {
                "uscc": world.organizations["hengyang"].uscc,
                "ccc_product": "0701",
                "source": "statistics",
                "recorded_on": "2025-06-01",
            },
            {
                "uscc": world.organizations["hengyang"].uscc,
                "ccc_product": other.code,
                "source": "inspection",
                "recorded_on": "2025-07-01",
            },
        ],
        actor=SYSTEM,
    )
    [finding] = ccc_uncovered(today=DAY)
    hengyang = world.organizations["hengyang"]
    assert (finding.subject_id, finding.count, finding.since) == (hengyang.pk, 2, datetime.date(2025, 6, 1))
    assert finding.explanation == (
        f"衡阳湘江机械制造有限公司（{hengyang.uscc}）生产2种CCC目录产品（如“"
        f"{min(other.name, CccProduct.objects.get(code='0701').name)}”）而无有效的CCC证书或自我声明，"
        "最早登记于2025-06-01"
    )


def test_recording_manufactured_products_refuses_bad_rows_and_writes_nothing(world):
    maker = world.organizations["maker"].uscc
    do_record_manufactured_products(
        rows=[{"uscc": maker, "ccc_product": "0701", "source": "licence", "recorded_on": "2025-05-01"}], actor=SYSTEM
    )
    with pytest.raises(ValidationFailed) as caught:
        do_record_manufactured_products(
            rows=[
                {"uscc": "91430100MA4L000000", "ccc_product": "0701", "source": "licence", "recorded_on": "2025-05-01"},
                {"uscc": maker, "ccc_product": "9999", "source": "rumour", "recorded_on": "2025-13-01"},
                {"uscc": maker, "ccc_product": "0701", "source": "licence", "recorded_on": "2025-05-01"},
            ],
            actor=SYSTEM,
        )
    assert caught.value.errors == {
        "rows[0].uscc": ["登记库中没有统一社会信用代码为91430100MA4L000000的机构"],
        "rows[1].ccc_product": ["CCC目录中没有产品代码“9999”"],
        "rows[1].source": ["未知的信息来源“rumour”"],
        "rows[1].recorded_on": [caught.value.errors["rows[1].recorded_on"][0]],
        "rows[2].ccc_product": ["该企业已登记此产品"],
    }
    assert "2025-13-01" in caught.value.errors["rows[1].recorded_on"][0]
    assert ManufacturedProduct.objects.count() == 1


def test_a_qms_initial_audit_below_iaf_md5_is_found_per_body(world):
    hunan = world.actor("cb_hunan")
    do_record_certification_audits(
        body=world.bodies["hunan"],
        rows=[
            # 8 people: table 2 days, at most 30 % less → 1.4; 1.5 is enough.
            {
                "certificate": "CNCA-QMS-2025-0001",
                "kind": "initial",
                "stage1_days": "0.5",
                "stage2_days": "1.0",
                "effective_personnel": 8,
                "end_date": "2025-02-20",
            },
            # 30 people: table 4 days → 2.8; 2.0 is 0.8 short.
            {
                "certificate": "CNCA-QMS-2025-0002",
                "kind": "initial",
                "stage1_days": "1",
                "stage2_days": "1",
                "effective_personnel": 30,
                "end_date": "2025-02-21",
            },
            # Environmental systems are not measured against Table QMS 1; surveillance audits are not initial ones.
            {
                "certificate": "CNCA-EMS-2024-0004",
                "kind": "initial",
                "stage1_days": "0.5",
                "stage2_days": "0.5",
                "effective_personnel": 30,
                "end_date": "2024-01-05",
            },
            {
                "certificate": "CNCA-QMS-2025-0001",
                "kind": "surveillance",
                "stage1_days": "0",
                "stage2_days": "0.5",
                "effective_personnel": 30,
                "end_date": "2026-02-01",
            },
        ],
        actor=hunan,
    )
    [finding] = audit_time_short()
    assert (finding.subject_type, finding.subject_id, finding.count, finding.since) == (
        "certification_body",
        world.bodies["hunan"].pk,
        1,
        datetime.date(2025, 2, 21),
    )
    assert finding.explanation == (
        "认证机构湖南标准认证有限公司（CNCA-R-2004-117）有1次质量管理体系初次审核的人日"
        "少于IAF MD 5允许的最低值（最多少0.8人日），最早一次结束于2025-02-21"
    )


def test_recording_audits_refuses_bad_rows_and_another_bodys_certificates(world):
    with pytest.raises(ValidationFailed) as caught:
        do_record_certification_audits(
            body=world.bodies["hunan"],
            rows=[
                {
                    "certificate": "CNCA-QMS-2025-0001",
                    "kind": "initial",
                    "stage1_days": "1",
                    "stage2_days": "0",
                    "effective_personnel": 0,
                    "end_date": "2025-02-20",
                },
                {
                    "certificate": "NO-SUCH",
                    "kind": "final",
                    "stage1_days": "x",
                    "stage2_days": "2",
                    "effective_personnel": 5,
                    "end_date": "2025-02-20",
                },
            ],
            actor=world.actor("cb_hunan"),
        )
    assert caught.value.errors == {
        "rows[0].stage2_days": ["人日应为0.5到999之间的数"],
        "rows[0].effective_personnel": ["有效人数应为正整数"],
        "rows[1].certificate": ["本机构没有编号为NO-SUCH的证书"],
        "rows[1].kind": ["未知的审核类型“final”"],
        "rows[1].stage1_days": ["人日应为0到999之间的数"],
    }
    assert CertificationAudit.objects.count() == 0


@pytest.mark.django_db
def test_surveillance_overdue_counts_active_certificates_per_body(world):
    # Every active certificate of the world was issued on 2025-03-01, with yearly surveillance: due 2026-03-01.
    assert surveillance_overdue(today=datetime.date(2026, 3, 1)) == []
    found = {f.subject_key: (f.count, f.since) for f in surveillance_overdue(today=DAY)}
    assert found == {
        "CNCA-R-2004-117": (2, datetime.date(2025, 3, 1)),
        "CNCA-R-2011-089": (1, datetime.date(2025, 3, 1)),
    }


def test_penalties_count_for_three_years_and_bad_rows_are_refused(world):
    maker = world.organizations["maker"]
    do_record_penalties(
        rows=[
            {
                "organization": maker.pk,
                "decision_number": "长市监处罚〔2025〕12号",
                "decided_on": "2025-06-01",
                "authority": "长沙市市场监督管理局",
                "reason": "伪造认证标志",
            },
            {
                "organization": maker.pk,
                "decision_number": "长市监处罚〔2022〕3号",
                "decided_on": "2022-06-01",
                "authority": "长沙市市场监督管理局",
                "reason": "未经认证出厂销售CCC目录产品",
            },
        ],
        actor=SYSTEM,
    )
    [finding] = penalties(today=DAY)
    assert (finding.subject_id, finding.count, finding.since) == (maker.pk, 1, datetime.date(2025, 6, 1))
    with pytest.raises(ValidationFailed) as caught:
        do_record_penalties(
            rows=[
                {
                    "organization": maker.pk,
                    "decision_number": "长市监处罚〔2025〕12号",
                    "decided_on": "2025-06-01",
                    "authority": "",
                    "reason": "x",
                }
            ],
            actor=SYSTEM,
        )
    assert caught.value.errors == {
        "rows[0].decision_number": ["文号长市监处罚〔2025〕12号已登记"],
        "rows[0].authority": ["此项必填"],
    }
    assert Penalty.objects.count() == 2


def test_the_scoring_run_grades_everyone_with_history_and_warns_once(world):
    hengyang, maker = world.organizations["hengyang"], world.organizations["maker"]
    do_set_risk_grades(rows=[("organization", maker.pk, "D", "上年度分类")], actor=SYSTEM)
    uses(world, ("withdrawn", datetime.date(2025, 3, 1)))
    run = do_run_scoring(today=DAY, actor=SYSTEM)
    subjects = Organization.objects.count() + 2 + 1  # two bodies, one lab
    assert (run.subjects, run.findings, run.warnings) == (subjects, len(run_all(DAY)), 1)
    graded = Grade.objects.get(subject_type="organization", subject_id=hengyang.pk)
    # One use while withdrawn: severity 100 (saturation 1) × weight 0.2 = 20 → grade B (10 ≤ 20 < 25), and a
    # warning (20 is the threshold).
    assert (graded.grade, graded.score, graded.region_code) == ("B", 20.0, "430405")
    assert Grade.objects.get(subject_type="organization", subject_id=maker.pk).grade == "A"
    assert list(
        GradeChange.objects.filter(subject_id=maker.pk, subject_type="organization").values_list(
            "from_grade", "to_grade"
        )
    ) == [("D", "A")]
    assert GradeChange.objects.filter(run=run).count() == run.changed == subjects
    [warning] = Warning.objects.all()
    assert (warning.subject_id, warning.uscc, warning.region_code, warning.grade, warning.score, warning.status) == (
        hengyang.pk,
        hengyang.uscc,
        "430405",
        "B",
        20.0,
        "OPEN",
    )
    assert [(f["detector"], f["count"], f["contribution"]) for f in warning.findings] == [
        ("certificate_use_invalid", 1, "20.0")
    ]
    assert warning.findings[0]["text_zh"] == (
        f"衡阳湘江机械制造有限公司（{hengyang.uscc}）有1次在证书暂停、撤销、注销或过期后"
        "仍使用证书（如CNCA-EMS-2024-0004），最早在2025-03-01"
    )
    assert warning.findings[0]["text_en"] == (
        f"衡阳湘江机械制造有限公司 ({hengyang.uscc}) used certificates after they were suspended, withdrawn, cancelled "
        "or expired (uses: 1, e.g. CNCA-EMS-2024-0004), the first on 2025-03-01"
    )
    # A second run changes nothing and refreshes the open warning instead of raising another.
    again = do_run_scoring(today=DAY, actor=SYSTEM)
    assert (again.changed, again.warnings, Warning.objects.count()) == (0, 0, 1)
    assert Warning.objects.get().run_id == again.pk
    # Handled, with nothing new since: no new warning; a new finding: a new warning.
    do_dismiss_warning(
        warning=Warning.objects.get(), reason="经核实为同一违法行为，已另案处理", actor=world.actor("officer_province")
    )
    assert do_run_scoring(today=DAY, actor=SYSTEM).warnings == 0
    uses(world, ("suspended", datetime.date(2025, 10, 1)))
    assert do_run_scoring(today=DAY, actor=SYSTEM).warnings == 1
    assert ScoringRun.objects.count() == 4
    assert Decimal(str(Grade.objects.get(subject_type="organization", subject_id=hengyang.pk).score)) == Decimal("20")


def test_certhub_risk_record_loads_a_file_all_or_nothing(world, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    good = tmp_path / "uses.csv"
    good.write_text(
        "approval_number,certificate_number,used_on,channel,place,reported_by\n"
        "CNCA-R-2004-117,CNCA-QMS-2025-0002,2025-10-01,procurement,某县采购项目,县财政局\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("risk", "record", "uses", str(good), stdout=out)
    assert out.getvalue() == "1 rows recorded\n"
    assert list(CertificateUse.objects.values_list("certificate__number", "channel")) == [
        ("CNCA-QMS-2025-0002", "procurement")
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "approval_number,certificate_number,used_on,channel\n"
        "CNCA-R-2004-117,CNCA-QMS-2025-0001,2025-10-01,market\n"
        "CNCA-R-2011-089,CNCA-QMS-2025-0002,2025-10-01,market\n"
        "CNCA-R-2004-117,CNCA-QMS-2025-0001,2025-10-01,rumour\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("risk", "record", "uses", str(bad))
    assert str(caught.value) == (
        "nothing recorded:\nline 3.certificate_number: no certificate with this number from this body"
    )
    assert caught.value.returncode == 1
    bad.write_text("uscc,decision_number\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.csv: missing columns: decided_on, authority, reason"):
        call_command("risk", "record", "penalties", str(bad))
    assert (CertificateUse.objects.count(), Penalty.objects.count()) == (1, 0)
