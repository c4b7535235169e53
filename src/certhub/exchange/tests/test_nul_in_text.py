"""A NUL character in any text a body sends (C14, docs/security.md "Input"): PostgreSQL can neither store nor
compare one, so it is refused where text is read — one rule in core.validation's Text, which every input model
uses — naming the row and the field, and nothing is written. Through a file, the API and an action."""

from __future__ import annotations

import pytest

from certhub.core.errors import ValidationFailed
from certhub.core.models import AuditEvent
from certhub.exchange.choices import SubmissionChannel, SubmissionMode
from certhub.exchange.pipeline import Options, submit_file
from certhub.exchange.testing import certificate_row, write_jsonl
from certhub.registry import actions
from certhub.registry.models import Certificate
from certhub.registry.testing import certificate_data

pytestmark = pytest.mark.django_db

MESSAGE = "不得含有NUL字符（\\0）"


def state() -> tuple[int, int]:
    """Certificates, and audit rows other than a submission's own receipt and report."""
    return Certificate.objects.count(), AuditEvent.objects.exclude(event_type__startswith="SUBMISSION_").count()


def test_a_file_row_with_a_nul_in_its_scope_is_refused_with_its_row_and_field(world, tmp_path):
    maker = world.organizations["maker"]
    rows = [
        certificate_row("HN-NUL-OK", maker.uscc, maker.name),
        certificate_row("HN-NUL-1", maker.uscc, maker.name, scope="电气设备\x00的设计"),
    ]
    before = state()
    options = Options(mode=SubmissionMode.ALL_OR_NOTHING, channel=SubmissionChannel.COMMAND)
    path = write_jsonl(tmp_path / "nul.jsonl", rows)
    submission = submit_file(path, path.name, world.organizations["cb_hunan"], options, actor=world.actor("cb_hunan"))
    assert state() == before
    assert submission.state == "rejected"
    assert list(submission.problems.filter(severity="error").values_list("row", "field", "message", "value")) == [
        (2, "scope", MESSAGE, "电气设备\\0的设计")
    ]


def test_the_api_refuses_a_nul_in_a_text_field(client, world):
    body = certificate_data("HN-NUL-API", world.organizations["maker"], scope="设计\x00生产")
    before = state()
    response = client.post(
        "/api/v1/certificates",
        data=body,
        content_type="application/json",
        HTTP_X_API_KEY=world.api_keys["cb_hunan"],
    )
    assert (response.status_code, response.json()) == (
        422,
        {"code": "validation_failed", "message": f"scope: {MESSAGE}", "errors": {"scope": [MESSAGE]}},
    )
    assert state() == before


def test_the_action_refuses_a_nul_in_a_text_field(world):
    before = state()
    with pytest.raises(ValidationFailed) as refused:
        actions.do_create_certificate(
            body=world.bodies["hunan"],
            data=certificate_data("HN-NUL-ACT", world.organizations["maker"], scope="设计\x00生产"),
            actor=world.actor("cb_hunan"),
        )
    assert refused.value.errors == {"scope": [MESSAGE]}
    assert state() == before
