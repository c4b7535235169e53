"""C14, issue 14 finding 8: a record outside the caller's scope answers exactly as a record that does not
exist — the same status and the same body, on pages and in the API — so that its existence does not leak. One
representative endpoint per app (cases, inspections and statistics have theirs beside their pages; the user
pages in accounts/tests/test_users.py); 403 stays for a role that may not do the kind of thing at all."""

from __future__ import annotations

import pytest

from certhub.core.testing import page_text, signed_in
from certhub.exchange.models import Submission
from certhub.registry.models import Organization

pytestmark = pytest.mark.django_db


def same_answer(outside, missing, outside_key: str, missing_key: str) -> None:
    assert outside.status_code == missing.status_code == 404
    assert outside["Content-Type"] == missing["Content-Type"]
    if outside["Content-Type"].startswith("application/json"):
        assert outside.content.decode().replace(outside_key, "K") == missing.content.decode().replace(missing_key, "K")
    else:
        assert page_text(outside).replace(outside_key, "K") == page_text(missing).replace(missing_key, "K")


def test_registry_history_outside_the_region(client, world):
    hengyang = Organization.objects.get(uscc=world.organizations["hengyang"].uscc)
    officer = signed_in(client, world, "officer_changsha")
    same_answer(
        officer.get(f"/office/organizations/{hengyang.pk}/history/"),
        officer.get("/office/organizations/999999/history/"),
        str(hengyang.pk),
        "999999",
    )


def test_risk_profile_outside_the_region(client, world):
    hengyang = world.organizations["hengyang"]
    officer = signed_in(client, world, "officer_changsha")
    same_answer(
        officer.get(f"/risk/organization/{hengyang.pk}/"),
        officer.get("/risk/organization/999999/"),
        str(hengyang.pk),
        "999999",
    )


def test_another_bodys_submission_in_the_api_and_on_its_page(client, world):
    record = {
        "number": "CNCA-QMS-2026-0200",
        "scheme": "QMS",
        "holder_uscc": world.organizations["maker"].uscc,
        "issue_date": "2026-01-05",
        "expiry_date": "2029-01-04",
    }
    created = client.post(
        "/api/v1/submissions",
        {"records": [record]},
        content_type="application/json",
        HTTP_X_API_KEY=world.api_keys["cb_hunan"],
    )
    assert created.status_code == 201
    submission = Submission.objects.get()
    yueyang = world.api_keys["cb_yueyang"]
    same_answer(
        client.get(f"/api/v1/submissions/{submission.pk}", HTTP_X_API_KEY=yueyang),
        client.get("/api/v1/submissions/999999", HTTP_X_API_KEY=yueyang),
        str(submission.pk),
        "999999",
    )
    officer = signed_in(client, world, "officer_hengyang")
    same_answer(
        officer.get(f"/submissions/{submission.pk}/"),
        officer.get("/submissions/999999/"),
        str(submission.pk),
        "999999",
    )
