"""Abuse controls of the public complaint form (C10): the proof of work (missing, wrong, expired, spent
already), the same subject and text again within the duplicate window, the per-address limits a minute and
a day. Each refusal names its reason and writes nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import signing

from certhub.complaints import pow
from certhub.complaints.models import Complaint
from certhub.complaints.testing import file_complaint
from certhub.complaints.tests.conftest import on_day
from certhub.complaints.tests.helpers import TEXT, counts, form_data
from certhub.core import ratelimit
from certhub.core.errors import ValidationFailed
from certhub.core.testing import by_class


def test_a_filing_with_a_solved_challenge_is_received(client, world):
    response = client.post("/complaints/", form_data())
    assert response.status_code == 302
    assert response["Location"] == "/complaints/filed/"
    complaint = Complaint.objects.get()
    assert complaint.proof_salt is not None and len(complaint.proof_salt) == 32


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"proof_nonce": ""}, "缺少人机验证结果：请在浏览器中启用JavaScript，等待验证完成后再提交"),
        ({"proof_token": "forged:token"}, "人机验证无效，请刷新页面后重新提交"),
    ],
)
def test_a_filing_without_a_valid_proof_of_work_is_refused(client, world, change, message):
    before = counts()
    response = client.post("/complaints/", form_data(**change))
    assert response.status_code == 422
    assert by_class(response, "error-summary") == [message]
    assert counts() == before


def test_a_wrong_answer_to_the_challenge_is_refused(client, world, settings):
    settings.CERTHUB_COMPLAINT_POW_BITS = 12
    challenge = pow.new_challenge()
    nonce = 0
    while pow.leading_zero_bits(pow.digest(challenge.salt, str(nonce))) >= 12:
        nonce += 1
    before = counts()
    response = client.post("/complaints/", form_data(proof_token=challenge.token, proof_nonce=str(nonce)))
    assert response.status_code == 422
    assert by_class(response, "error-summary") == ["人机验证未通过，请刷新页面后重新提交"]
    assert counts() == before


def test_a_challenge_easier_than_the_setting_is_refused(client, world, settings):
    easy = signing.dumps({"s": "ab" * 16, "b": 0}, salt=pow.SIGNING_SALT)
    before = counts()
    response = client.post("/complaints/", form_data(proof_token=easy, proof_nonce="0"))
    assert by_class(response, "error-summary") == ["人机验证无效，请刷新页面后重新提交"]
    assert counts() == before


def test_an_expired_challenge_is_refused(client, world, settings):
    settings.CERTHUB_COMPLAINT_POW_SECONDS = 600
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False):
        data = form_data()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 11, tzinfo=datetime.UTC), tick=False):
        before = counts()
        response = client.post("/complaints/", data)
    assert by_class(response, "error-summary") == ["人机验证已过期，请刷新页面后重新提交"]
    assert counts() == before


def test_a_solved_challenge_files_once(client, world):
    data = form_data()
    assert client.post("/complaints/", data).status_code == 302
    before = counts()
    response = client.post("/complaints/", {**data, "text": "另一件事：同一门店还销售无3C标志的插座。"})
    assert response.status_code == 422
    assert by_class(response, "error-summary") == ["人机验证已使用过，请刷新页面后重新提交"]
    assert counts() == before


def test_the_same_subject_and_text_within_the_window_is_refused_as_a_duplicate(world):
    with on_day(datetime.date(2026, 3, 2)):
        file_complaint()
    before = counts()
    with on_day(datetime.date(2026, 3, 31)), pytest.raises(ValidationFailed) as refused:
        # Spacing, punctuation and letter case do not make it new.
        file_complaint(subject_name=" 长沙星城电器有限公司", text=TEXT.replace("，", ",") + " ")
    assert refused.value.errors == {
        "text": ["30日内已有对同一对象、内容相同的投诉举报，不再重复受理；请用当时取得的受理编号和查询码查询办理进度"]
    }
    assert counts() == before
    with on_day(datetime.date(2026, 4, 1)):
        complaint, _code = file_complaint()
    assert complaint.received_on == datetime.date(2026, 4, 1)
    # Another subject with the same text is not a duplicate.
    with on_day(datetime.date(2026, 4, 1)):
        other, _code = file_complaint(subject_name="衡阳湘江机械制造有限公司", certificate_number="")
    assert other.organization == world.organizations["hengyang"]


def test_an_address_past_its_daily_limit_is_refused(world, settings):
    settings.CERTHUB_COMPLAINT_DAILY_LIMIT = 2
    for n in range(2):
        file_complaint(text=f"第{n}件：门店展示伪造的证书。", address="198.51.100.9")
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        file_complaint(text="第3件：门店展示伪造的证书。", address="198.51.100.9")
    assert refused.value.errors == {"": ["同一网络地址24小时内最多提交2件投诉举报，请明天再提交"]}
    assert counts() == before
    # The address is kept only as a keyed hash.
    assert not Complaint.objects.filter(address_digest__contains="198.51").exists()
    file_complaint(text="第3件：门店展示伪造的证书。", address="198.51.100.10")


def test_the_form_is_limited_per_address_a_minute(client, world, settings, monkeypatch):
    settings.CERTHUB_COMPLAINT_RATE_LIMIT = 1
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_000_020.0)
    assert client.post("/complaints/", form_data()).status_code == 302
    before = counts()
    response = client.post("/complaints/", form_data(text="另一件：门店还销售无3C标志的插座。"))
    assert response.status_code == 429
    assert by_class(response, "error-summary") == ["操作过于频繁：每分钟最多1次，请在60秒后重试"]
    assert counts() == before
