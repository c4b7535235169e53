"""Person-identifier digests are keyed hashes under a key of their own (issue 14, finding 6; C14): exact
values under known keys, the key file's mode, independence from the Django secret, rotation by wrapping
(`certhub people new-key` / `rehash`, resumable, audited), and the rows written before keyed hashing."""

from __future__ import annotations

import importlib
import stat

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from certhub.core.actors import SYSTEM
from certhub.core.models import AuditEvent
from certhub.registry import person_ids
from certhub.registry.actions import do_create_person, do_rehash_person_ids
from certhub.registry.models import Person

pytestmark = pytest.mark.django_db

NUMBER = "43010219800101123X"
K1 = bytes(range(32))
K2 = bytes(range(32, 64))
# HMAC-SHA-256 of NUMBER under K1; under K1 then K2; under K2 (base64url, no padding).
UNDER_1 = "1$9xITEj0FzKxSus9Mqu1vpMsKD_P3Fy_W5q3l0HA9Xmc"
UNDER_1_2 = "1.2$ddqi7WoQF7SxWovizUMd8VKGyA70Dq2lmePyaa-yUEs"
UNDER_2 = "2$OqBH8pXQtX5RxTYNx21zTsnr2mTVgj043I3_pmP6Ii0"
DEMO_SECRET = "certhub-demo-only-not-secret-" + "x" * 32
# SHA-256 of DEMO_SECRET, ":" and NUMBER: what was stored before keyed hashing; and that wrapped under K1.
LEGACY_HEX = "9eff7d2ddb478028554f61787e2ee3407f8f3eee4fda5d0f56799c3efb1201e9"
LEGACY = "0$nv99LdtHgChVT2F4fi7jQH-PPu5P2l0PVnmcPvsSAek"
LEGACY_UNDER_1 = "0.1$sEs2LEYE6ujVRVD5hFiw0WZu5pjc_iylz6tI9b85H5U"


@pytest.fixture
def key_dir(settings, tmp_path):
    settings.KEY_DIR = tmp_path / "keys"
    settings.SECRET_KEY = DEMO_SECRET
    return settings.KEY_DIR


def place_key(key_dir, version: int, key: bytes) -> None:
    directory = key_dir / "person-id"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{version}.key").write_text(key.hex() + "\n")


def test_a_digest_is_the_hmac_under_the_newest_key(key_dir):
    place_key(key_dir, 1, K1)
    assert person_ids.id_digest(NUMBER) == UNDER_1
    assert person_ids.id_digest(" 43010219800101123x ") == UNDER_1  # the form the number is hashed in
    place_key(key_dir, 2, K2)
    assert person_ids.id_digest(NUMBER) == UNDER_2


def test_the_key_is_made_on_first_use_readable_by_the_server_alone(key_dir, settings):
    person = do_create_person(name="欧阳明远", roles=["AUDITOR"], id_number=NUMBER, actor=SYSTEM)
    key_file = key_dir / "person-id" / "1.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    assert person.id_digest.startswith("1$") and len(person.id_digest) == 45
    assert person_ids.matches(NUMBER, person.id_digest)
    assert not person_ids.matches("430102198001011234", person.id_digest)
    # The Django secret plays no part: rotating it leaves every digest matching.
    settings.SECRET_KEY = "a-new-django-secret-" + "y" * 40
    assert person_ids.matches(NUMBER, Person.objects.get(pk=person.pk).id_digest)


def test_a_person_without_an_id_number_has_no_digest(key_dir):
    person = do_create_person(name="李娜", roles=["AUDITOR"], id_number="  ", actor=SYSTEM)
    assert person.id_digest == ""
    assert not (key_dir / "person-id").exists()


def test_rotation_wraps_every_older_digest_and_keeps_them_matching(key_dir, capsys):
    place_key(key_dir, 1, K1)
    first = do_create_person(name="欧阳明远", roles=["AUDITOR"], id_number=NUMBER, actor=SYSTEM)
    other = do_create_person(name="李娜", roles=["AUDITOR"], id_number="430102199001011234", actor=SYSTEM)
    blank = do_create_person(name="王强", roles=["AUDITOR"], actor=SYSTEM)
    assert first.id_digest == UNDER_1
    call_command("people", "new-key")
    assert sorted(p.name for p in (key_dir / "person-id").iterdir()) == ["1.key", "2.key"]
    (key_dir / "person-id" / "2.key").write_text(K2.hex() + "\n")  # a known key, for exact values
    person_ids._read_key.cache_clear()
    audits = AuditEvent.objects.count()

    call_command("people", "rehash", "--no-progress", "--chunk", "1")

    assert capsys.readouterr().out.endswith("已换钥 · rehashed under key 2: 2\n")
    first.refresh_from_db()
    other.refresh_from_db()
    blank.refresh_from_db()
    assert first.id_digest == UNDER_1_2
    assert person_ids.matches(NUMBER, first.id_digest)
    assert person_ids.matches("430102199001011234", other.id_digest)
    assert other.id_digest.startswith("1.2$")
    assert blank.id_digest == ""
    assert person_ids.candidates(NUMBER, [(1, 2), (2,)]) == [UNDER_1_2, UNDER_2]
    # One audit row per chunk of one person.
    rows = list(AuditEvent.objects.order_by("id")[audits:])
    assert [(r.event_type, r.after["rows"]) for r in rows] == [("PERSON_ID_DIGESTS_REHASHED", 1)] * 2
    # New people get the new key alone; a second rehash finds nothing to do (a stopped one resumes).
    assert do_create_person(name="赵敏", roles=["AUDITOR"], id_number=NUMBER, actor=SYSTEM).id_digest == UNDER_2
    call_command("people", "rehash", "--no-progress")
    assert capsys.readouterr().out.endswith("已换钥 · rehashed under key 2: 0\n")
    assert Person.objects.get(pk=first.pk).id_digest == UNDER_1_2
    call_command("people", "status")
    assert capsys.readouterr().out.splitlines()[1:] == ["  1.2                   2", "  2                     1"]


def test_a_wrapped_digest_cannot_be_matched_without_its_older_key(key_dir):
    place_key(key_dir, 2, K2)
    with pytest.raises(person_ids.PersonIdKeyMissing) as missing:
        person_ids.matches(NUMBER, UNDER_1_2)
    assert str(missing.value) == (
        f"person-identifier key 1 is missing: restore {key_dir}/person-id/1.key from the backup of the key directory"
    )


def test_digests_from_before_keyed_hashing_are_rewritten_and_then_wrapped(key_dir):
    place_key(key_dir, 1, K1)
    person = do_create_person(name="欧阳明远", roles=["AUDITOR"], actor=SYSTEM)
    # The row as the previous release wrote it, and the migration run over it with its own models.
    migration = importlib.import_module("certhub.registry.migrations.0009_person_id_digest_versions")
    apps = MigrationLoader(connection).project_state(("registry", "0009_person_id_digest_versions")).apps
    apps.get_model("registry", "Person").objects.filter(pk=person.pk).update(id_digest=LEGACY_HEX)
    migration.to_versioned(apps, None)
    person.refresh_from_db()
    assert person.id_digest == LEGACY
    assert person_ids.matches(NUMBER, LEGACY)
    assert do_rehash_person_ids(people=[person], version=1, actor=SYSTEM) == 1
    person.refresh_from_db()
    assert person.id_digest == LEGACY_UNDER_1
    assert person_ids.matches(NUMBER, person.id_digest)
    migration.to_hex(apps, None)  # and back, for a downgrade: the 0.1 digest stays (it has no hex form)
    assert Person.objects.get(pk=person.pk).id_digest == LEGACY_UNDER_1


def test_a_malformed_digest_is_named():
    with pytest.raises(ValueError, match=r"not a person-identifier digest: 'abc'"):
        person_ids.matches(NUMBER, "abc")
