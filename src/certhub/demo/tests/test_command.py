"""`certhub demo`: builds a consistent province, once."""

import io

from django.core.management import call_command

from certhub.core.models import User
from certhub.demo import generator
from certhub.demo.generator.excellence import NEW_EDITION_CERTIFICATES  # issue 18: transitions
from certhub.demo.generator.integrity import ORGANIZATIONS as INTEGRITY_ORGANIZATIONS
from certhub.demo.generator.market import CERTIFICATES as MARKET_CERTIFICATES
from certhub.inspections.models import Batch, Inspector, Task
from certhub.registry.models import Certificate, CertificateEvent, Organization
from certhub.risk.models import Grade, Warning
from certhub.stats.models import ComputedMetric


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_small_builds_a_consistent_province(db, monkeypatch):
    monkeypatch.setitem(
        generator.SIZES,
        "small",
        generator.Size(organizations=300, certificates=900, bodies=6, labs=4, reports_per_lab=2),
    )
    output = run("demo", "--size", "small", "--no-progress")
    assert output.startswith(
        "organizations: 310, certification_bodies: 6, labs: 4, certificates: 900, inspection_tasks: "
    )
    # The size's certificates and the fixed ones the market campaign's listings name (demo/generator/market.py).
    # ... and the EMS certificates on ISO 14001:2026 beside the 2015 ones (demo/generator/excellence.py).
    assert Certificate.objects.count() == 900 + len(MARKET_CERTIFICATES) + NEW_EDITION_CERTIFICATES == 927
    statuses = dict.fromkeys(["DRAFT", "ACTIVE", "SUSPENDED", "WITHDRAWN", "CANCELLED", "EXPIRED"], 0)
    for status in Certificate.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert all(count > 0 for count in statuses.values()), statuses
    assert statuses["ACTIVE"] > statuses["SUSPENDED"]
    # Every certificate's last event leads to its current status; every holder is registered.
    for certificate in Certificate.objects.all()[:200]:
        last = CertificateEvent.objects.filter(certificate=certificate).order_by("recorded_at", "id").last()
        assert last.to_status == certificate.status
    assert not Certificate.objects.exclude(holder__in=Organization.objects.all()).exists()
    assert sorted(User.objects.filter(inspector__isnull=True).values_list("username", flat=True)) == [
        "admin",
        "applicant",
        "cb",
        "demo-lab_granted",
        "demo-lab_new",
        "demo-lab_overdue",
        "demo-lab_refused",
        "demo-lab_revoked",
        "demo-producer_general",
        "enterprise",
        "environment",
        "fire",
        "lab",
        "officer",
        "officer_city",
        "producer",
        "reviewer",
    ]
    # C8: an organization with a registered contact e-mail and no account, for a new lab's sign-up.
    new_lab = Organization.objects.get(uscc="91430104880000016Q")
    assert (new_lab.name, new_lab.contact_email, new_lab.users.count()) == (
        "湖南麓山检测技术有限公司", "contact@lushan-testing.example", 0,
    )  # fmt: skip
    # 双随机: a drawn batch whose every task has two inspectors, three results published; a batch announced.
    drawn, announced = Batch.objects.order_by("number")
    tasks = int(output.split("inspection_tasks: ")[1].split(",")[0])
    assert (drawn.status, announced.status, drawn.tasks.count(), tasks > 0) == ("DRAWN", "COMMITTED", tasks, True)
    assert all(task.assignments.count() == 2 for task in drawn.tasks.all())
    assert Task.objects.filter(status="PUBLISHED").count() == 3
    assert Inspector.objects.filter(user__isnull=False).count() == Inspector.objects.count() > 0
    # Risk (C6): every subject graded by the demo's scoring run, its planted anomalies warned about; the
    # dashboard's figures aggregated for today and the eleven month-ends before.
    warnings = int(output.split("risk_warnings: ")[1].split(" ")[0])
    assert warnings == Warning.objects.count() > 0
    # The licensing cases' applicants and the integrity archive's organizations join after the scoring run
    # (the next nightly run grades them).
    late = [name for _key, _serial, name in INTEGRITY_ORGANIZATIONS]
    scored = Organization.objects.filter(licence_applications__isnull=True).exclude(name__in=late).count()
    assert Grade.objects.count() == scored + 6 + 4
    assert ComputedMetric.objects.values("day").distinct().count() == 12
    again = run("demo", "--size", "small", "--if-empty", "--no-progress")
    assert again.startswith("演示数据已存在 · demo data already present")
    assert Certificate.objects.count() == 927
