"""The demo province's risk signals: each detector finds exactly the anomalies the generator planted —
the known number of each kind — and nothing on the clean records (C6, issue "Done when")."""

from __future__ import annotations

import pytest
from django.utils import timezone

from certhub.demo.generator import PLANTED, DemoProvince, Size
from certhub.risk.detectors import DETECTORS, run_all
from certhub.risk.models import Grade, Warning

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """One demo province for the module: enough bodies and labs that every planted anomaly has a subject
    of its own."""
    with django_db_blocker.unblock():
        demo = DemoProvince(Size(organizations=600, certificates=2_500, bodies=8, labs=8, reports_per_lab=3))
        counts = demo.run()
        yield demo, counts
        from django.core.management import call_command

        call_command("flush", "--no-input", verbosity=0)
        from certhub.registry.testing import ensure_reference_data

        ensure_reference_data()


def test_every_detector_finds_exactly_what_was_planted(province):
    demo, _counts = province
    found: dict[str, set[tuple[str, int]]] = {detector: set() for detector in DETECTORS}
    for finding in run_all(timezone.localdate()):
        found[finding.detector].add((str(finding.subject_type), finding.subject_id))
    assert found == demo.planted
    # The known number of each kind; a lab planted with a report outside its scope is also outside its
    # signatory's scope, so that detector finds those labs too; the integrity archive's demo adds two
    # penalised makers (demo/generator/integrity.py); the market campaign's sale under a suspended certificate
    # adds its holder to the certificate uses (demo/generator/market.py).
    assert {detector: len(subjects) for detector, subjects in found.items()} == {
        **PLANTED,
        "signatory_outside_authorization": PLANTED["signatory_outside_authorization"] + 2,
        "penalties": PLANTED["penalties"] + 2,
        "certificate_use_invalid": PLANTED["certificate_use_invalid"] + 1,
    }


def test_the_demo_scoring_run_warns_about_planted_subjects_only(province):
    demo, counts = province
    planted = set().union(*demo.planted.values())
    warned = set(Warning.objects.values_list("subject_type", "subject_id"))
    assert warned <= planted
    assert counts["risk_warnings"] == len(warned) == Warning.objects.count() > 0
    # Every subject is graded; only planted subjects are above A.
    assert set(Grade.objects.exclude(grade="A").values_list("subject_type", "subject_id")) <= planted
