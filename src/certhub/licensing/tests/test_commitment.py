"""告知承诺 (C8): granted on the spot, its post-approval check on the officers' list; a false commitment
revokes the licence and bars the holder; a second 告知承诺 under the bar is refused and nothing is written."""

import datetime

import pytest

from certhub.core.errors import ValidationFailed
from certhub.core.models import AuditEvent
from certhub.ledger.models import Entry
from certhub.licensing import actions
from certhub.licensing.choices import ApplicationState, CheckOutcome, Step
from certhub.licensing.licences import current_record, seal_facts
from certhub.licensing.models import Application, Licence, PostApprovalCheck
from certhub.licensing.queries import due_and_overdue
from certhub.licensing.testing import production_particulars
from certhub.licensing.tests.conftest import on_day
from certhub.registry.models import Ban

D = datetime.date
COMMITMENT = "本企业承诺符合工业产品生产许可条件，所提交材料真实有效。"


def commit(lic, **overrides):
    arguments = {
        "licence_type": "PRODUCTION",
        "kind": "FIRST",
        "track": "COMMITMENT",
        "uscc": lic.organizations["producer"].uscc,
        "particulars": production_particulars(),
        "commitment_text": COMMITMENT,
        "actor": lic.actor("producer"),
    }
    arguments.update(overrides)
    return actions.do_submit_application(**arguments)


def test_a_production_licence_on_commitment_is_granted_on_the_spot_and_its_check_is_due(lic):
    with on_day(D(2026, 5, 12)):
        application = commit(lic)
    assert application.state == ApplicationState.GRANTED
    assert (application.decided_on, application.decision_number, application.commitment_text) == (
        D(2026, 5, 12),
        "XKJD-2026-000001",
        COMMITMENT,
    )
    licence = Licence.objects.get(holder=lic.organizations["producer"])
    assert (licence.number, licence.licence_type, licence.status, licence.valid_from, licence.valid_until) == (
        "XK00-43-00001",
        "PRODUCTION",
        "ACTIVE",
        D(2026, 5, 12),
        D(2031, 5, 11),
    )
    assert licence.scope == [{"name": "危险化学品包装物", "models": ["200L 钢桶", "25L 塑料桶"], "ccc_code": ""}]
    # What the licence's seal states, and what the verify page reads of it now.
    assert seal_facts(licence) == {
        "number": "XK00-43-00001",
        "licence_type": "PRODUCTION",
        "holder_name": "长沙铜官包装容器有限公司",
        "holder_uscc": lic.organizations["producer"].uscc,
        "valid_from": D(2026, 5, 12),
        "valid_until": D(2031, 5, 11),
        "scope_text": '[{"ccc_code":"","models":["200L 钢桶","25L 塑料桶"],"name":"危险化学品包装物"}]',
        "status": "ACTIVE",
    }
    assert current_record("XK00-43-00001", D(2026, 5, 13)) == {
        "valid": True,
        "status": "ACTIVE",
        "status_label": "有效",
    }
    assert current_record("XK00-43-00002", D(2026, 5, 13)) is None
    check = PostApprovalCheck.objects.get(licence=licence)
    assert (check.due_on, check.done_on) == (D(2026, 8, 12), None)  # within three months of the grant
    [item] = due_and_overdue(lic.actor("reviewer"), D(2026, 5, 13))
    assert (item.number, item.step, item.due_on, item.overdue) == (
        application.number,
        Step.POST_CHECK,
        D(2026, 8, 12),
        False,
    )

    with on_day(D(2026, 7, 1)):
        actions.do_record_post_approval_check(
            check=check, outcome=CheckOutcome.CONFIRMED, note="现场核查，承诺属实", actor=lic.actor("reviewer")
        )
    assert due_and_overdue(lic.actor("reviewer"), D(2026, 7, 2)) == []


def test_a_false_commitment_revokes_the_licence_and_bars_a_second_commitment(lic):
    reviewer = lic.actor("reviewer")
    with on_day(D(2026, 5, 12)):
        commit(lic)
    licence = Licence.objects.get(holder=lic.organizations["producer"])
    with on_day(D(2026, 6, 15)):
        actions.do_record_post_approval_check(
            check=licence.checks.get(), outcome=CheckOutcome.FALSE_COMMITMENT, note="无检验设备", actor=reviewer
        )
    licence.refresh_from_db()
    assert (licence.status, licence.status_changed_on, licence.status_reason) == (
        "REVOKED",
        D(2026, 6, 15),
        "告知承诺内容不实：无检验设备",
    )
    bar = Ban.objects.get()
    assert (
        bar.kind,
        bar.organization_id,
        bar.person_id,
        bar.licence_type,
        bar.decision_number,
        bar.decided_on,
        bar.authority,
        bar.region_code,
        bar.starts,
        bar.ends,
        bar.reason,
        bar.source,
        bar.legal_representative_digest,
    ) == (
        "APPLICATION_BAR",
        lic.organizations["producer"].pk,
        None,
        "PRODUCTION",
        "XKCX-2026-000001",  # numbered by the system: the check's form names no decision
        D(2026, 6, 15),
        "湖南省市场监督管理局",
        "430100",  # the deciding officer's region
        D(2026, 6, 15),
        D(2029, 6, 15),
        "告知承诺内容不实(许可证XK00-43-00001被撤销)",  # NFKC-normalized like every text input
        "licensing.Licence:XK00-43-00001",
        "",  # a production licence names no legal representative
    )
    assert bar.legal_basis.startswith("《中华人民共和国行政许可法》 第六十九条、第七十九条")
    assert list(
        AuditEvent.objects.filter(event_type="BAN_IMPOSED").values_list("subject_type", "subject_id", "reason")
    ) == [("registry.ban", str(bar.pk), "")]
    assert current_record("XK00-43-00001", D(2026, 6, 16)) == {
        "valid": False,
        "status": "REVOKED",
        "status_label": "撤销",
    }

    counts = (Application.objects.count(), Licence.objects.count(), AuditEvent.objects.count(), Entry.objects.count())
    with on_day(D(2027, 1, 4)), pytest.raises(ValidationFailed) as refused:
        commit(lic)
    assert refused.value.errors == {
        "applicant": [
            "长沙铜官包装容器有限公司已被湖南省市场监督管理局于2026-06-15决定限制申请资质"
            "（决定文号XKCX-2026-000001），至2029-06-15届满"
        ]
    }
    assert (
        Application.objects.count(),
        Licence.objects.count(),
        AuditEvent.objects.count(),
        Entry.objects.count(),
    ) == counts
