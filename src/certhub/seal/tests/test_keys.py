"""Seal keys: made and retired only through actions, private halves only as 0600 files, rotation that
keeps old seals verifying within their windows (C3 anti-forgery)."""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from certhub.core.actors import ANONYMOUS, SYSTEM
from certhub.core.errors import Conflict, NotPermitted, ValidationFailed
from certhub.core.models import AuditEvent
from certhub.core.regulated import RegulatedWriteError
from certhub.ledger.queries import entries_of, latest_index
from certhub.registry import actions as registry_actions
from certhub.seal.actions import do_create_seal_key, do_retire_seal_key, ensure_signing_key
from certhub.seal.cose import SealError, decode, key_id, sign, wrap
from certhub.seal.keyfiles import SigningUnavailable, key_path
from certhub.seal.models import SealKey
from certhub.seal.queries import check_seal, seal_text, signing_key, trust_list
from certhub.seal.tests.helpers import EXAMPLE_CLAIMS, EXAMPLE_KEY
from certhub.seal.trust import kid_text

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_new_key_is_a_row_a_0600_file_an_audit_row_and_a_ledger_entry(world, key_dir):
    before = AuditEvent.objects.count()
    key = do_create_seal_key(actor=SYSTEM)
    public = bytes(key.public_key)
    assert key.kid == base64.b64encode(key_id(public)).decode()
    assert len(key.kid) == 12
    path = key_dir / "seal" / f"{key_id(public).hex()}.pem"
    assert path == key_path(key_id(public))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert private.public_key().public_bytes_raw() == public
    # The database holds the public key only.
    assert set(SealKey.objects.values_list("public_key", flat=True)) == {public}
    assert key.valid_from == key.created_at and key.valid_from.microsecond == 0
    assert (key.retired_at, key.valid_until) == (None, None)
    event = AuditEvent.objects.get(pk__gt=0, event_type="SEAL_KEY_CREATED")
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor_label, event.subject_type, event.subject_id) == ("system", "seal.sealkey", str(key.pk))
    assert event.after == {
        "kid": key.kid,
        "valid_from": key.valid_from.isoformat(),
        "valid_until": None,
        "retired_at": None,
        "public_key": base64.b64encode(public).decode(),
    }
    # The ledger entry names the key by its public key id (C4: anyone can tie it to the trust list).
    (entry,) = entries_of("seal.sealkey", str(key.pk))
    assert entry.index == latest_index("seal.sealkey", str(key.pk))
    assert (entry.document["action"], entry.document["subject_id"]) == ("SEAL_KEY_CREATED", key.kid)


def test_only_administrators_manage_keys_and_rows_change_only_through_actions(world, key_dir):
    for actor in (ANONYMOUS, world.actor("officer_province"), world.actor("cb_hunan")):
        with pytest.raises(NotPermitted):
            do_create_seal_key(actor=actor)
    assert SealKey.objects.count() == 0
    assert not (key_dir / "seal").exists()
    key = do_create_seal_key(actor=world.actor("admin"))
    with pytest.raises(NotPermitted):
        do_retire_seal_key(key=key, actor=world.actor("officer_province"))
    key.retired_at = timezone.now()
    with pytest.raises(RegulatedWriteError):
        key.save()
    assert SealKey.objects.get().retired_at is None


def test_a_validity_end_must_follow_the_start(world, key_dir):
    with pytest.raises(ValidationFailed) as refused:
        do_create_seal_key(valid_until=timezone.now() - datetime.timedelta(days=1), actor=SYSTEM)
    assert refused.value.errors == {"valid_until": ["失效时间须晚于启用时间和当前时间"]}
    assert SealKey.objects.count() == 0


def test_rotation_old_seals_verify_in_their_window_and_new_ones_use_the_new_key(world, key_dir):
    certificate = world.certificates["active"]
    first = do_create_seal_key(actor=SYSTEM)
    old_seal = seal_text(certificate)
    assert decode(old_seal).kid == first.kid_bytes
    # Rotate: the new key signs from now on; the old one is still trusted.
    second = do_create_seal_key(valid_from=timezone.now() + datetime.timedelta(seconds=1), actor=SYSTEM)
    later = timezone.now() + datetime.timedelta(seconds=2)
    assert signing_key(later) == second
    new_seal = seal_text(certificate, now=later)
    assert decode(new_seal).kid == second.kid_bytes
    assert check_seal(old_seal, now=later).seal.key.kid_text == first.kid
    assert check_seal(new_seal, now=later).seal.key.kid_text == second.kid
    assert [k["kid"] for k in trust_list()["keys"]] == [first.kid, second.kid]
    # Retire the old key with an end: its seals verify until then, not after.
    until = later + datetime.timedelta(days=30)
    do_retire_seal_key(key=first, valid_until=until, actor=SYSTEM)
    assert check_seal(old_seal, now=until - datetime.timedelta(seconds=1)).seal.claims.number == certificate.number
    with pytest.raises(SealError) as expired:
        check_seal(old_seal, now=until)
    assert expired.value.code == "key_expired"
    assert check_seal(new_seal, now=until).seal.key.kid_text == second.kid


def test_a_key_unknown_to_this_installation_is_refused(world, key_dir):
    do_create_seal_key(actor=SYSTEM)
    text = seal_text(world.certificates["active"])
    # A well-formed seal signed with a key this installation never made.
    foreign = wrap(sign(EXAMPLE_CLAIMS.to_payload(), EXAMPLE_KEY))
    with pytest.raises(SealError) as refused:
        check_seal(foreign)
    assert refused.value.code == "unknown_key"
    assert check_seal(text).seal.claims.number == "CNCA-QMS-2025-0001"


def test_retiring_twice_is_refused_and_changes_nothing(world, key_dir):
    key = do_create_seal_key(actor=SYSTEM)
    retired = do_retire_seal_key(key=key, actor=SYSTEM)
    assert retired.retired_at is not None and retired.valid_until is None
    events = AuditEvent.objects.filter(event_type="SEAL_KEY_RETIRED")
    assert events.get().after["retired_at"] == retired.retired_at.isoformat()
    with pytest.raises(Conflict) as refused:
        do_retire_seal_key(key=key, actor=SYSTEM)
    when = timezone.localtime(retired.retired_at).strftime("%Y-%m-%d %H:%M")
    assert refused.value.message == f"密钥{key.kid}已于{when}停用"
    assert events.count() == 1


def test_without_a_signing_key_no_seal_is_made(world, key_dir):
    with pytest.raises(SigningUnavailable) as refused:
        seal_text(world.certificates["active"])
    assert refused.value.message == "尚无可用的签章密钥：请管理员运行“certhub seal keys --new”"
    key = do_create_seal_key(actor=SYSTEM)
    key_path(key.kid_bytes).unlink()
    with pytest.raises(SigningUnavailable) as missing:
        seal_text(world.certificates["active"])
    assert missing.value.message == (
        f"签章私钥文件{key_path(key.kid_bytes)}不存在：请恢复该文件，或用“certhub seal keys --new”生成新密钥"
    )
    do_retire_seal_key(key=key, actor=SYSTEM)
    with pytest.raises(SigningUnavailable):
        seal_text(world.certificates["active"])


def test_ensure_signing_key_makes_one_only_when_there_is_none(world, key_dir):
    first = ensure_signing_key(actor=SYSTEM)
    assert ensure_signing_key(actor=SYSTEM) == first
    assert SealKey.objects.count() == 1


def test_the_seal_follows_the_certificates_state(world, seal_key):
    certificate = world.certificates["active"]
    text = seal_text(certificate)
    assert seal_text(certificate) == text  # the same state, the same seal
    claims = check_seal(text).seal.claims
    assert claims.status == "ACTIVE"
    assert claims.ledger_index == latest_index("registry.certificate", str(certificate.pk))
    registry_actions.do_change_certificate_status(
        certificate=certificate,
        to_status="SUSPENDED",
        effective_date=datetime.date(2025, 10, 1),
        reason="监督审核不合格",
        actor=world.actor("cb_hunan"),
    )
    certificate.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        seal_text(certificate)
    assert (refused.value.status, refused.value.code) == (409, "not_active")
    assert refused.value.message == "证书“CNCA-QMS-2025-0001”当前状态为“暂停”，只有有效证书才有防伪二维码"
    registry_actions.do_change_certificate_status(
        certificate=certificate,
        to_status="ACTIVE",
        effective_date=datetime.date(2025, 10, 20),
        reason="整改完成",
        actor=world.actor("cb_hunan"),
    )
    certificate.refresh_from_db()
    restored = seal_text(certificate)
    assert restored != text
    assert check_seal(restored).seal.claims.ledger_index > claims.ledger_index
    # The old seal is still genuine (it was signed), and the check reports the record changed since.
    assert check_seal(text).record_changed is True


def test_keys_command_new_list_retire(world, key_dir):
    output = run("seal", "keys", "--new")
    key = SealKey.objects.get()
    assert output.splitlines()[0] == f"新签章密钥 · new signing key {key.kid}  ({key_path(key.kid_bytes)})"
    when = timezone.localtime(key.valid_from).strftime("%Y-%m-%d %H:%M")
    assert output.splitlines()[1] == f"{key.kid}  signing  from {when}  retired -  until -"
    listed = run("seal", "keys", "--list")
    assert listed == f"{key.kid}  signing  from {when}  retired -  until -\n"
    retired = run("seal", "keys", "--retire", key.kid, "--until", "2099-01-01")
    key.refresh_from_db()
    assert retired.splitlines() == [
        f"已停用 · retired {key.kid}",
        f"{key.kid}  retired  from {when}  retired {timezone.localtime(key.retired_at):%Y-%m-%d %H:%M}"
        "  until 2099-01-01 00:00",
    ]
    with pytest.raises(CommandError, match="no seal key 'nope'"):
        run("seal", "keys", "--retire", "nope")
    with pytest.raises(CommandError, match=re.escape(f"密钥{key.kid}已于")):
        run("seal", "keys", "--retire", key.kid)


def test_trust_command_prints_the_trust_list(world, seal_key):
    assert json.loads(run("seal", "trust")) == {
        "iss": "certhub.hunan.example",
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(bytes(seal_key.public_key)).rstrip(b"=").decode(),
                "kid": seal_key.kid,
                "use": "sig",
                "alg": "EdDSA",
                "nbf": int(seal_key.valid_from.timestamp()),
            }
        ],
    }
    assert kid_text(seal_key.kid_bytes) == seal_key.kid
