"""A licensing case appears in the organization's trace (C8, C4): the licence for everyone, with its ledger
entries on the timeline; the applications, with where each stands, for the officers of its region."""

from certhub.core.testing import sign_in_client
from certhub.licensing.tests.test_commitment import commit


def test_the_trace_shows_the_licence_to_everyone_and_the_application_to_officers(lic, client):
    application = commit(lic)
    licence = application.licence
    uscc = lic.organizations["producer"].uscc

    public = client.get(f"/api/v1/trace/organization/{uscc}").json()
    assert public["view"] == "public"
    assert public["licences"] == [
        {
            "number": licence.number,
            "licence_type": "PRODUCTION",
            "licence_type_label": "工业产品生产许可证",
            "status": "ACTIVE",
            "status_label": "有效",
            "valid_from": licence.valid_from.isoformat(),
            "valid_until": licence.valid_until.isoformat(),
            "decision_number": application.decision_number,
        }
    ]
    assert public["licence_applications"] is None
    licence_events = [e["event_type"] for e in public["events"] if e["subject_type"] == "licensing.licence"]
    assert licence_events == ["LICENCE_ISSUED"]
    assert all(e["ledger"] is not None for e in public["events"] if e["subject_type"] == "licensing.licence")

    own = sign_in_client(client, lic.users["reviewer"]).get(f"/api/v1/trace/organization/{uscc}").json()
    assert own["view"] == "full"
    assert own["licence_applications"] == [
        {
            "number": application.number,
            "licence_type_label": "工业产品生产许可证",
            "kind_label": "首次申请",
            "track_label": "告知承诺",
            "state": "GRANTED",
            "state_label": "准予许可",
            "submitted_on": application.submitted_on.isoformat(),
            "decided_on": application.decided_on.isoformat(),
        }
    ]
    page = client.get(f"/trace/organization/{uscc}/")
    assert licence.number in page.content.decode()
    assert application.number in page.content.decode()
