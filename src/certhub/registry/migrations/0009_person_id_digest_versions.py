"""Person-identifier digests name the keys they were made with (registry.person_ids). A digest written
before keyed hashing — 64 hex characters, SHA-256 of the Django secret, ":" and the number — is the same
value written as "0$<base64url>"; `certhub people rehash` then wraps it under the person-identifier key."""

import base64
import re

from django.db import migrations

LEGACY = re.compile(r"[0-9a-f]{64}")


def to_versioned(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    for person in Person.objects.exclude(id_digest="").only("id", "id_digest").iterator():
        if LEGACY.fullmatch(person.id_digest):
            text = base64.urlsafe_b64encode(bytes.fromhex(person.id_digest)).rstrip(b"=").decode()
            Person.objects.filter(pk=person.pk).update(id_digest=f"0${text}")


def to_hex(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    for person in Person.objects.filter(id_digest__startswith="0$").only("id", "id_digest").iterator():
        raw = base64.urlsafe_b64decode(person.id_digest[2:] + "=")
        Person.objects.filter(pk=person.pk).update(id_digest=raw.hex())


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_audits_manufactured_products")]

    operations = [migrations.RunPython(to_versioned, to_hex)]
