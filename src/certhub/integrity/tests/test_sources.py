"""Archive sources read from other apps' records (C9): a 告知承诺 commitment from licensing, with its
decision, public for three years (国办发〔2020〕42号) and then no longer; a substantiated complaint, as the
complaints app answers it, kept for officers only."""

import datetime

from certhub.core.actors import ANONYMOUS
from certhub.integrity.archive import archive_of, commitment_entries, complaint_entries_from
from certhub.licensing import actions
from certhub.licensing.testing import production_particulars
from certhub.licensing.tests.conftest import lic, on_day  # noqa: F401 - the licensing world fixture

COMMITMENT = "本企业承诺符合工业产品生产许可条件，所提交材料真实有效。"


def test_a_commitment_enters_the_archive_with_its_decision(lic):  # noqa: F811
    producer = lic.organizations["producer"]
    with on_day(datetime.date(2026, 5, 12)):
        application = actions.do_submit_application(
            licence_type="PRODUCTION",
            kind="FIRST",
            track="COMMITMENT",
            uscc=producer.uscc,
            particulars=production_particulars(),
            commitment_text=COMMITMENT,
            actor=lic.actor("producer"),
        )
    (entry,) = commitment_entries([producer.pk])
    assert (entry.kind, entry.date, entry.decision_number, entry.source) == (
        "COMMITMENT",
        datetime.date(2026, 5, 12),
        application.decision_number,
        f"licensing.Application:{application.number}",
    )
    assert entry.title == "告知承诺：工业产品生产许可证（待核查）"
    assert (entry.public_from, entry.public_until) == (datetime.date(2026, 5, 12), datetime.date(2029, 5, 12))
    public = archive_of(producer, ANONYMOUS, datetime.date(2026, 6, 1))
    assert [e.source for e in public] == [entry.source]
    assert archive_of(producer, ANONYMOUS, datetime.date(2029, 5, 12)) == []


def test_substantiated_complaints_become_entries_for_officers_only(world):
    maker = world.organizations["maker"]
    rows = [
        {
            "kind": "complaint",
            "date": datetime.date(2026, 2, 10),
            "organization_id": maker.pk,
            "legal_basis": "市场监督管理投诉举报处理暂行办法",
            "source": "complaints.Complaint:7",
            "title": "举报查证属实",
            "text": "冒用认证标志",
        }
    ]
    (entry,) = complaint_entries_from(rows)
    assert (entry.kind, entry.subject_name, entry.region_code, entry.source) == (
        "COMPLAINT",
        "长沙星城电器有限公司",
        "430104",
        "complaints.Complaint:7",
    )
    assert (entry.public_from, entry.public_until, entry.public_on(datetime.date(2026, 3, 1))) == (None, None, False)
