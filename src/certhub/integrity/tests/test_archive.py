"""The integrity archive (C9): entries read from the records behind them, each with its legal basis, source
and publicity period; the public sees what is in its period, officers of the region everything; credit
repair ends a penalty's publicity early with a decision number, refused before the shortest period and by
an officer outside the region, and nothing written then."""

import datetime

import pytest

from certhub.core.errors import NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.testing import signed_in
from certhub.integrity.actions import do_repair_credit
from certhub.integrity.models import CreditRepair
from certhub.risk.actions import do_record_penalties
from certhub.risk.models import Penalty


@pytest.fixture
def penalised(barred):
    do_record_penalties(
        rows=[
            {
                "organization": barred.world.organizations["hengyang"].pk,
                "decision_number": "衡市监罚〔2024〕8号",
                "decided_on": "2024-09-01",
                "authority": "衡阳市市场监督管理局",
                "reason": "伪造认证证书",
            }
        ],
        actor=barred.world.actor("officer_province"),
    )
    return Penalty.objects.get(decision_number="衡市监罚〔2024〕8号")


def repair(
    barred, penalty, *, actor="officer_hengyang", ends=datetime.date(2026, 3, 2), number="衡市监信修〔2026〕1号"
):
    return do_repair_credit(
        organization=barred.world.organizations["hengyang"],
        source=f"risk.Penalty:{penalty.pk}",
        decision_number=number,
        decided_on=datetime.date(2026, 3, 1),
        ends_publicity_on=ends,
        authority="衡阳市市场监督管理局",
        reason="已履行处罚决定并整改到位",
        actor=barred.world.actor(actor),
    )


def test_the_public_archive_shows_entries_in_their_period_with_basis_and_dates(client, penalised, barred):
    uscc = barred.world.organizations["hengyang"].uscc
    response = client.get(f"/integrity/{uscc}/")
    entries = response.context["entries"]
    assert [(e.kind, e.decision_number, e.public_from, e.public_until) for e in entries] == [
        ("BAN", "湘市监许〔2025〕9号", datetime.date(2025, 6, 1), datetime.date(2028, 6, 1)),
        ("PENALTY", "衡市监罚〔2024〕8号", datetime.date(2024, 9, 1), datetime.date(2027, 9, 1)),
    ]
    assert entries[0].legal_basis == "行政许可法 第七十九条"
    assert entries[1].source == f"risk.Penalty:{penalised.pk}"
    assert response.context["full"] is False
    assert "来源记录" not in response.content.decode()


def test_a_lifted_ban_stays_for_officers_and_leaves_the_public_archive(client, barred):
    from certhub.registry.actions.bans import do_lift_ban

    do_lift_ban(
        ban=barred.bans["bar"],
        decision_number="湘市监许〔2026〕2号",
        lifted_on=datetime.date(2026, 2, 1),
        reason="行政复议撤销原决定",
        actor=barred.world.actor("officer_province"),
    )
    uscc = barred.world.organizations["hengyang"].uscc
    assert client.get(f"/integrity/{uscc}/").context["entries"] == []
    signed_in(client, barred.world, "officer_hengyang")
    entries = client.get(f"/integrity/{uscc}/").context["entries"]
    assert [(e.kind, e.public_until) for e in entries] == [("BAN", datetime.date(2026, 2, 1))]
    assert entries[0].title == "限制申请资质（至2028-06-01），已于2026-02-01解除（湘市监许〔2026〕2号）"


def test_credit_repair_ends_a_penalty_publicity_early(client, penalised, barred):
    made = repair(barred, penalised)
    assert (made.entry_kind, made.region_code) == ("PENALTY", "430405")
    event = AuditEvent.objects.get(event_type="CREDIT_REPAIRED")
    assert event.after["decision_number"] == "衡市监信修〔2026〕1号"
    uscc = barred.world.organizations["hengyang"].uscc
    public = client.get(f"/integrity/{uscc}/").context["entries"]
    assert [e.kind for e in public] == ["BAN"]
    rows = client.get("/api/v1/disclosure", {"category": "PENALTY"}).json()["results"]
    assert [row["decision_number"] for row in rows] == []
    signed_in(client, barred.world, "officer_hengyang")
    full = client.get(f"/integrity/{uscc}/").context["entries"]
    penalty = next(e for e in full if e.kind == "PENALTY")
    assert (penalty.public_until, penalty.repair.decision_number) == (
        datetime.date(2026, 3, 2),
        "衡市监信修〔2026〕1号",
    )
    assert [e.kind for e in full].count("CREDIT_REPAIR") == 1


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"number": ""}, {"decision_number": ["必填"]}),
        ({"ends": datetime.date(2025, 8, 1)}, {"ends_publicity_on": ["停止公示日期不得早于决定日期"]}),
        ({"ends": datetime.date(2025, 9, 2)}, {"ends_publicity_on": ["停止公示日期不得早于决定日期"]}),
    ],
)
def test_bad_repairs_are_refused_and_write_nothing(penalised, barred, kwargs, errors):
    with pytest.raises(ValidationFailed) as refused:
        repair(barred, penalised, **kwargs)
    assert refused.value.errors == errors
    assert (CreditRepair.objects.count(), AuditEvent.objects.filter(event_type="CREDIT_REPAIRED").count()) == (0, 0)


def test_a_repair_before_the_shortest_period_or_of_a_ban_is_refused(penalised, barred):
    early = Penalty.objects.get(pk=penalised.pk)
    do_record_penalties(
        rows=[
            {
                "organization": barred.world.organizations["hengyang"].pk,
                "decision_number": "衡市监罚〔2025〕30号",
                "decided_on": "2025-12-01",
                "authority": "衡阳市市场监督管理局",
                "reason": "未按规定使用认证标志",
            }
        ],
        actor=barred.world.actor("officer_province"),
    )
    recent = Penalty.objects.get(decision_number="衡市监罚〔2025〕30号")
    with pytest.raises(ValidationFailed) as refused:
        repair(barred, recent)
    assert refused.value.errors == {"ends_publicity_on": ["公示满规定的最短期限后方可修复，最早为2026-12-01"]}
    with pytest.raises(ValidationFailed) as ban:
        do_repair_credit(
            organization=barred.world.organizations["hengyang"],
            source=f"registry.Ban:{barred.bans['bar'].pk}",
            decision_number="衡市监信修〔2026〕2号",
            decided_on=datetime.date(2026, 3, 1),
            ends_publicity_on=datetime.date(2026, 3, 2),
            authority="衡阳市市场监督管理局",
            reason="—",
            actor=barred.world.actor("officer_hengyang"),
        )
    assert ban.value.errors == {"ends_publicity_on": ["限制措施不适用信用修复"]}
    assert early.pk and CreditRepair.objects.count() == 0


def test_an_officer_outside_the_region_may_not_repair(penalised, barred):
    with pytest.raises(NotPermitted):
        repair(barred, penalised, actor="officer_changsha")
    assert CreditRepair.objects.count() == 0


def test_the_repair_form_shows_a_refusal_beside_its_field_then_records(client, penalised, barred):
    signed_in(client, barred.world, "officer_hengyang")
    uscc = barred.world.organizations["hengyang"].uscc
    form = {
        "source": f"risk.Penalty:{penalised.pk}",
        "decision_number": "衡市监信修〔2026〕1号",
        "decided_on": "2026-03-01",
        "ends_publicity_on": "2026-02-01",
        "authority": "衡阳市市场监督管理局",
        "reason": "已履行处罚决定并整改到位",
    }
    refused = client.post(f"/office/integrity/{uscc}/repair/", form)
    assert refused.status_code == 422
    assert refused.context["repair_form"].errors == {"ends_publicity_on": ["停止公示日期不得早于决定日期"]}
    assert CreditRepair.objects.count() == 0
    done = client.post(f"/office/integrity/{uscc}/repair/", {**form, "ends_publicity_on": "2026-03-02"})
    assert (done.status_code, done["Location"]) == (302, f"/integrity/{uscc}/")
    assert CreditRepair.objects.get().decision_number == "衡市监信修〔2026〕1号"


def test_an_officer_outside_the_region_gets_no_repair_form(client, penalised, barred):
    signed_in(client, barred.world, "officer_changsha")
    uscc = barred.world.organizations["hengyang"].uscc
    response = client.post(f"/office/integrity/{uscc}/repair/", {"source": f"risk.Penalty:{penalised.pk}"})
    assert response.status_code == 404
    assert client.get(f"/integrity/{uscc}/").context["full"] is False
    assert CreditRepair.objects.count() == 0


def test_a_person_is_public_only_under_a_lifetime_ban(client, barred):
    response = client.get(f"/integrity/person/{barred.person.pk}/")
    assert [e.decision_number for e in response.context["entries"]] == ["湘市监罚〔2026〕2号"]
    signatory = barred.world.signatories["zhou"].person
    assert client.get(f"/integrity/person/{signatory.pk}/").status_code == 404
