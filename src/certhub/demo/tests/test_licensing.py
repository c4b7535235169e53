"""The demo province's licensing cases: both licence types and both tracks, pending and decided, with the
告知承诺 check due, a case waiting on a department, one overdue — as the reviewer's due list shows them."""

import datetime

import time_machine

from certhub.core.actors import Actor
from certhub.core.choices import RegionLevel
from certhub.core.models import Region, User
from certhub.demo.generator import SIZES, DemoProvince
from certhub.licensing.models import Application, Licence
from certhub.licensing.queries import due_and_overdue
from certhub.registry.models import Ban

NOW = datetime.datetime(2026, 11, 16, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_the_demo_licensing_cases(reference):
    with time_machine.travel(NOW, tick=False):
        province = DemoProvince(SIZES["small"])
        province.counties = list(Region.objects.filter(level=RegionLevel.COUNTY))
        cases = province._licensing()
    states = dict(Application.objects.values_list("number", "state"))
    assert {key: states[number] for key, number in cases.items()} == {
        "commitment": "GRANTED",
        "waiting_on_opinion": "AWAITING_OPINIONS",
        "overdue": "REVIEW_CONCLUDED",
        "to_accept": "SUBMITTED",
        "granted": "GRANTED",
        "refused": "REFUSED",
        "production_granted": "GRANTED",
        "revoked": "GRANTED",
    }
    assert sorted(Licence.objects.values_list("licence_type", "status")) == [
        ("CMA", "ACTIVE"),
        ("CMA", "REVOKED"),
        ("PRODUCTION", "ACTIVE"),
        ("PRODUCTION", "ACTIVE"),
    ]
    # The revoked lab is barred for three years from the decision (C9), and its second application refused.
    bar = Ban.objects.get()
    assert (bar.kind, bar.organization.name, bar.licence_type, bar.decision_number, bar.starts, bar.ends) == (
        "APPLICATION_BAR",
        "长沙坪塘检测技术有限公司",
        "CMA",
        "湘市监认撤〔2026〕3号",
        NOW.date(),
        datetime.date(2029, 11, 16),
    )
    assert Application.objects.filter(applicant=bar.organization).count() == 1
    reviewer = Actor.from_user(User.objects.get(username="reviewer"))
    listed = [(i.number, i.step, i.due_on, i.overdue) for i in due_and_overdue(reviewer, NOW.date())]
    # The overdue case was reviewed on 2026-10-02 (moved 45 days back): its 20 working days ran past the
    # National Day holiday to 11-03. The opinion asked on 11-04 is due ten working days later, 11-18.
    assert listed == [
        (cases["overdue"], "DECISION", datetime.date(2026, 11, 3), True),
        (cases["waiting_on_opinion"], "OPINION", datetime.date(2026, 11, 18), False),
        (cases["to_accept"], "ACCEPTANCE", datetime.date(2026, 11, 20), False),
        (cases["commitment"], "POST_CHECK", datetime.date(2027, 2, 16), False),
    ]
    for username in ("applicant", "producer", "reviewer", "environment", "fire"):
        assert User.objects.get(username=username).check_password("certhub-demo-2026")
