"""Bad input to complaints (C10), each a clear refusal naming its field and reason with nothing written,
through every entry point that takes it (the action, the public form, the tracking page): a complaint with
no subject and no text; an evidence file that is not what it claims, or too large; a query code that does
not match — the same answer whether the number exists or not — and the tracking page's limit per address."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certhub.complaints.models import Complaint
from certhub.complaints.testing import file_complaint
from certhub.complaints.tests.helpers import counts, form_data, photo, png
from certhub.core import ratelimit
from certhub.core.errors import ValidationFailed
from certhub.core.testing import by_class, element_text

NO_SUBJECT = "请填写投诉举报对象：证书编号、企业（店铺）或机构名称、产品，至少一项"
NO_TEXT = "请说明发生了什么"
NOT_MATCHING = "受理编号或查询码不正确"


# ---------------------------------------------------------------- no subject and no text


def test_the_action_refuses_a_complaint_with_no_subject_and_no_text(world):
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        file_complaint(certificate_number="", subject_name="", product=" ", text="  \n ")
    assert refused.value.errors == {"subject": [NO_SUBJECT], "text": [NO_TEXT]}
    assert counts() == before


def test_the_form_refuses_a_complaint_with_no_subject_and_no_text(client, world):
    before = counts()
    data = form_data(certificate_number="", subject_name="", product="", text="")
    response = client.post("/complaints/", data)
    assert response.status_code == 422
    assert element_text(response, "id_subject_name_errors") == NO_SUBJECT
    assert element_text(response, "id_text_errors") == NO_TEXT
    assert counts() == before


def test_an_unmatched_subject_needs_the_region_where_it_happened(client, world):
    before = counts()
    data = form_data(certificate_number="", subject_name="某某无名小店", product="")
    response = client.post("/complaints/", data)
    assert response.status_code == 422
    assert element_text(response, "id_region_code_errors") == (
        "登记库中没有找到投诉举报对象，请选择事发地所在地区，以便转交当地市场监管部门"
    )
    assert counts() == before


# ---------------------------------------------------------------- evidence files


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("门店证书.jpg", png(), "“门店证书.jpg”：文件内容是PNG，与扩展名.jpg不符"),
        (
            "门店证书.jpg",
            b"just some text, not a picture",
            "“门店证书.jpg”：无法识别文件内容：只接受PDF、PNG、JPEG文件",
        ),
        ("证书.pdf", photo(), "“证书.pdf”：文件内容是JPEG，与扩展名.pdf不符"),
    ],
)
def test_an_evidence_file_that_is_not_what_it_claims_is_refused(client, world, name, data, reason):
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        file_complaint(evidence=[(name, data)])
    assert refused.value.errors == {"evidence": [reason]}
    assert counts() == before
    response = client.post("/complaints/", {**form_data(), "evidence": [SimpleUploadedFile(name, data)]})
    assert response.status_code == 422
    assert element_text(response, "id_evidence_errors") == reason
    assert counts() == before


def test_an_evidence_file_over_the_size_limit_is_refused(client, world, settings):
    settings.CERTHUB_COMPLAINT_EVIDENCE_MAX_BYTES = 1024
    big = photo(size=(400, 400))
    assert len(big) == 3238  # a single-colour picture: its JPEG is the same on every run
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        file_complaint(evidence=[("大图.jpg", big)])
    reason = "“大图.jpg”：文件大小为3238字节，超过上限1 KB"
    assert refused.value.errors == {"evidence": [reason]}
    response = client.post("/complaints/", {**form_data(), "evidence": [SimpleUploadedFile("大图.jpg", big)]})
    assert response.status_code == 422
    assert element_text(response, "id_evidence_errors") == reason
    assert counts() == before


def test_more_evidence_files_than_allowed_are_refused(world, settings):
    settings.CERTHUB_COMPLAINT_EVIDENCE_MAX_FILES = 2
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        file_complaint(evidence=[("1.png", png()), ("2.png", png()), ("3.png", png())])
    assert refused.value.errors == {"evidence": ["最多上传2个证据文件，收到3个"]}
    assert counts() == before


# ---------------------------------------------------------------- the query code


def track(client, number: str, code: str):
    return client.post("/complaints/track/", {"number": number, "code": code})


def test_a_query_code_that_does_not_match_gets_the_same_answer_as_a_number_that_does_not_exist(client, world):
    complaint, code = file_complaint()
    wrong_code = "A" * 8 if code != "A" * 8 else "B" * 8
    missing_number = complaint.number[:-1] + ("0" if complaint.number[-1] != "0" else "1")
    assert not Complaint.objects.filter(number=missing_number).exists()
    before = counts()
    answers = [track(client, complaint.number, wrong_code), track(client, missing_number, code)]
    for response in answers:
        assert response.status_code == 422
        assert by_class(response, "error-summary") == [NOT_MATCHING]
        assert "complaint-state" not in response.content.decode()
    first, second = (
        r.content.decode().replace(n, "N") for r, n in zip(answers, [complaint.number, missing_number], strict=True)
    )
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", first).replace(wrong_code, "C") == strip.sub("", second).replace(code, "C")
    assert counts() == before
    right = track(client, complaint.number, code.lower())
    assert right.status_code == 200
    assert element_text(right, "complaint-state") == "已收到，待受理"


def test_the_tracking_page_is_limited_per_address(client, world, settings, monkeypatch):
    settings.CERTHUB_COMPLAINT_TRACK_RATE_LIMIT = 3
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_020.0)
    complaint, code = file_complaint()
    for attempt in range(3):
        assert track(client, complaint.number, f"WRONG{attempt}").status_code == 422
    # Past the limit even the right code is not looked up: guessing gets no further by persisting.
    refused = track(client, complaint.number, code)
    assert refused.status_code == 429
    assert by_class(refused, "error-summary") == ["操作过于频繁：每分钟最多3次，请在60秒后重试"]
    assert "complaint-state" not in refused.content.decode()
    other_address = track(client.__class__(REMOTE_ADDR="192.0.2.7"), complaint.number, code)
    assert other_address.status_code == 200
    assert element_text(other_address, "complaint-state") == "已收到，待受理"
