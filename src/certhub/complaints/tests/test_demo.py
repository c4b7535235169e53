"""The demo province's complaints (C10): one in every state, one forwarded with its clock kept, one overdue
on the officer's due list, and the substantiated one with its case."""

from __future__ import annotations

import pytest
from django.utils import timezone

from certhub.cases.models import Case
from certhub.complaints.choices import ComplaintState, ComplaintStep
from certhub.complaints.models import Complaint
from certhub.complaints.queries import due_complaints
from certhub.core.actors import Actor
from certhub.core.models import User
from certhub.demo.generator import DemoProvince, Size


@pytest.mark.django_db
def test_the_demo_has_complaints_in_every_state_one_forwarded_and_one_overdue():
    DemoProvince(Size(organizations=400, certificates=600, bodies=6, labs=4, reports_per_lab=1)).run()
    today = timezone.localdate()
    assert set(Complaint.objects.values_list("state", flat=True)) == set(ComplaintState.values)
    forwarded = Complaint.objects.get(events__step=ComplaintStep.FORWARDED)
    assert forwarded.region_code != forwarded.organization.region_id
    officer = Actor.from_user(User.objects.get(username="officer"))
    overdue = [c for c in due_complaints(officer) if c.due_on < today]
    assert [(c.kind, c.due_step, c.product) for c in overdue] == [("TIP_OFF", ComplaintStep.VERIFICATION, "电饭煲")]
    substantiated = Complaint.objects.get(state=ComplaintState.SUBSTANTIATED)
    assert Case.objects.get(complaint=substantiated).uscc == substantiated.organization.uscc
