"""The complaint pages in English (zh-Hans first, the English switch beside it), the receipt shown once, and
the officers' pages closed to everyone else (C14)."""

from __future__ import annotations

from certhub.complaints.testing import file_complaint
from certhub.complaints.tests.helpers import form_data, png
from certhub.core.testing import by_class, element_text, page_text, signed_in


def test_the_public_pages_speak_english_when_asked(client, world):
    form = client.get("/complaints/", HTTP_ACCEPT_LANGUAGE="en")
    assert element_text(form, "proof-status") == "Running the human check (done by your browser, nothing to do)…"
    assert by_class(form, "lead") == [
        "Report forged or misused certification certificates or test reports, or violations in certification and "
        "testing, here. You may stay anonymous; contact details are never published. You receive a tracking number "
        "and a query code to follow the progress and the outcome."
    ]
    refused = client.post("/complaints/", form_data(subject_name="", certificate_number="", product="", text=""),
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert element_text(refused, "id_text_errors") == "Say what happened"


def test_the_receipt_is_shown_once(client, world):
    assert client.post("/complaints/", form_data()).status_code == 302
    receipt = client.get("/complaints/filed/")
    number = element_text(receipt, "tracking-number")
    assert "no-store" in receipt["Cache-Control"]
    assert element_text(receipt, "receipt").startswith(f"受理编号 {number} 查询码 ")
    again = client.get("/complaints/filed/")
    assert (again.status_code, again["Location"]) == (302, "/complaints/track/")


def test_the_officers_pages_are_closed_to_the_public_and_to_other_regions(client, world):
    complaint, _code = file_complaint()
    anonymous = client.get(f"/complaints/office/{complaint.number}/")
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        f"/login/?next=/complaints/office/{complaint.number}/",
    )
    assert signed_in(client.__class__(), world, "maker").get("/complaints/office/").status_code == 403
    changsha = signed_in(client.__class__(), world, "officer_changsha")
    assert element_text(changsha.get(f"/complaints/office/{complaint.number}/"), "complaint-state") == "已收到，待受理"
    hengyang = signed_in(client.__class__(), world, "officer_hengyang")
    assert hengyang.get(f"/complaints/office/{complaint.number}/").status_code == 404


def test_evidence_files_are_served_to_the_officers_of_the_region_only(client, world):
    complaint, _code = file_complaint(evidence=[("门店.png", png())])
    evidence = complaint.evidence.get()
    url = f"/complaints/office/evidence/{evidence.pk}/"
    served = signed_in(client, world, "officer_changsha").get(url)
    assert (served.status_code, served["Content-Type"], served.content[:8]) == (200, "image/png", b"\x89PNG\r\n\x1a\n")
    assert signed_in(client.__class__(), world, "officer_hengyang").get(url).status_code == 404


def test_a_complaint_outside_the_region_answers_as_a_missing_one(client, world):
    complaint, _code = file_complaint()
    missing = complaint.number[:-1] + ("0" if complaint.number[-1] != "0" else "1")
    hengyang = signed_in(client, world, "officer_hengyang")
    outside, absent = (
        hengyang.get(f"/complaints/office/{complaint.number}/"),
        hengyang.get(f"/complaints/office/{missing}/"),
    )
    assert outside.status_code == absent.status_code == 404
    assert page_text(outside).replace(complaint.number, "K") == page_text(absent).replace(missing, "K")
