"""The public complaint endpoints of API v1 (C10): a challenge, filing with base64 evidence, following with
number and query code; and the same bad input as the form — no subject and no text, evidence that is not what
it claims or too large, a query code that does not match (404 alike for a missing number), the limits per
address — each refused naming its field, with nothing written."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from certhub.complaints import pow
from certhub.complaints.models import Complaint
from certhub.complaints.testing import file_complaint
from certhub.complaints.tests.helpers import TEXT, counts, photo, png
from certhub.core import ratelimit
from certhub.core.uploads import open_upload


def filing(client, **overrides):
    challenge = client.get("/api/v1/complaints/challenge").json()
    assert (
        challenge["bits"] == 4
        and challenge["salt"] in pow.signing.loads(challenge["token"], salt=pow.SIGNING_SALT)["s"]
    )
    body = {
        "kind": "TIP_OFF",
        "certificate_number": "CNCA-QMS-2025-9999",
        "subject_name": "长沙星城电器有限公司",
        "text": TEXT,
        "proof_token": challenge["token"],
        "proof_nonce": pow.solve(challenge["token"]),
        **overrides,
    }
    return client.post("/api/v1/complaints", body, content_type="application/json")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_a_tip_off_is_filed_and_followed_through_the_api(client, world):
    response = filing(client, evidence=[{"name": "证书.jpg", "content_base64": b64(photo())}])
    assert response.status_code == 201
    receipt = response.json()
    complaint = Complaint.objects.get(number=receipt["number"])
    assert receipt == {
        "number": complaint.number,
        "query_code": receipt["query_code"],
        "kind": "TIP_OFF",
        "due_step": "VERIFICATION",
        "due_on": complaint.due_on.isoformat(),
    }
    assert complaint.organization == world.organizations["maker"]
    stored = Image.open(io.BytesIO(open_upload(complaint.evidence.get().sha256)))
    assert dict(stored.getexif()) == {}
    tracked = client.post(
        "/api/v1/complaints/track",
        {"number": complaint.number, "code": receipt["query_code"]},
        content_type="application/json",
    )
    day = complaint.received_on.isoformat()
    assert tracked.json() == {
        "number": complaint.number,
        "kind": "TIP_OFF",
        "kind_label": "举报",
        "state": "RECEIVED",
        "state_label": "已收到，待受理",
        "received_on": day,
        "due_step": "VERIFICATION",
        "due_on": complaint.due_on.isoformat(),
        "outcome": "",
        "events": [{"on": day, "step": "FILED", "step_label": "提交", "note": ""}],
    }


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"certificate_number": "", "subject_name": "", "text": ""},
            {
                "subject": ["请填写投诉举报对象：证书编号、企业（店铺）或机构名称、产品，至少一项"],
                "text": ["请说明发生了什么"],
            },
        ),
        (
            {"evidence": [{"name": "证书.jpg", "content_base64": b64(png())}]},
            {"evidence": ["“证书.jpg”：文件内容是PNG，与扩展名.jpg不符"]},
        ),
        (
            {"evidence": [{"name": "证书.jpg", "content_base64": "not base64!"}]},
            {"evidence.0.content_base64": ["不是有效的base64编码"]},
        ),
        ({"text": "伪造\x00证书"}, {"text": ["含有NUL字符（\\0） · contains a NUL character"]}),
        ({"proof_nonce": ""}, {"proof": ["缺少人机验证结果：请在浏览器中启用JavaScript，等待验证完成后再提交"]}),
    ],
)
def test_bad_filings_are_refused_naming_the_field(client, world, overrides, errors):
    before = counts()
    response = filing(client, **overrides)
    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert counts() == before


def test_an_evidence_file_over_the_limit_is_refused(client, world, settings):
    settings.CERTHUB_COMPLAINT_EVIDENCE_MAX_BYTES = 1024
    before = counts()
    response = filing(client, evidence=[{"name": "大图.jpg", "content_base64": b64(photo(size=(400, 400)))}])
    assert response.status_code == 422
    assert response.json()["errors"] == {"evidence": ["“大图.jpg”：文件大小为3238字节，超过上限1 KB"]}
    assert counts() == before


def test_a_wrong_code_and_a_missing_number_get_the_same_404_and_look_ups_are_limited(
    client, world, settings, monkeypatch
):
    settings.CERTHUB_COMPLAINT_TRACK_RATE_LIMIT = 4
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_020.0)
    complaint, code = file_complaint()
    missing = complaint.number[:-1] + ("0" if complaint.number[-1] != "0" else "1")

    def track(number: str, query_code: str):
        return client.post(
            "/api/v1/complaints/track", {"number": number, "code": query_code}, content_type="application/json"
        )

    answers = [track(complaint.number, "WRONGCODE"), track(missing, code), track(complaint.number + "\x00", code)]
    expected = {"code": "not_found", "message": "受理编号或查询码不正确", "errors": {}}
    assert [(a.status_code, a.json()) for a in answers] == [(404, expected)] * 3
    right = track(complaint.number, code)
    assert (right.status_code, right.json()["number"], right.json()["state"]) == (200, complaint.number, "RECEIVED")
    limited = track(complaint.number, code)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
