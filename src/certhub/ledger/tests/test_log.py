"""The ledger as actions fill it (C4): one entry per audit row in the action's transaction, entries that
carry digests and never personal data, proofs from stored hashes equal to the RFC's, checkpoints, and
`certhub ledger verify` catching every kind of tampering."""

import base64
import datetime
import io

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from certhub.core.actors import SYSTEM
from certhub.core.audit import salted_digest
from certhub.core.errors import DomainError
from certhub.core.models import AuditEvent
from certhub.ledger import checkpoints, keys, log, merkle, note
from certhub.ledger.actions import do_publish_checkpoint
from certhub.ledger.models import Checkpoint, Entry, Head, Node
from certhub.registry.actions import do_change_certificate_status, do_create_person

pytestmark = pytest.mark.django_db


def leaves() -> list[bytes]:
    return [bytes(h) for h in Entry.objects.order_by("index").values_list("leaf_hash", flat=True)]


def change_status(world, to_status: str) -> None:
    do_change_certificate_status(
        certificate=world.certificates["active"],
        to_status=to_status,
        reason="监督审核",
        effective_date=datetime.date(2026, 1, 5),
        actor=world.actor("cb_hunan"),
    )


def verify(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ledger", "verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, err.getvalue() + str(error)
    return 0, out.getvalue()


# ------------------------------------------------------------------------------- pure: the right edge


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=300))
def test_the_right_edge_and_stored_subtrees_give_the_rfc_root(size):
    hashes = [merkle.leaf_hash(str(i).encode()) for i in range(size)]
    edge, nodes = log.Edge(0, []), []
    for leaf in hashes:
        edge.append(leaf, nodes)
    assert edge.root() == merkle.root_hash(hashes)
    # Every stored node is the root of exactly the leaves it covers.
    for key, value in nodes:
        level, index = key >> 48, key & ((1 << 48) - 1)
        assert value == merkle.root_hash(hashes[index << level : (index + 1) << level])
    assert len(nodes) == size - bin(size).count("1")  # a full binary tree's inner nodes, less the right edge's


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=200))
def test_every_proof_range_is_whole_subtrees_folding_to_the_rfc_hash(start, length):
    hashes = [merkle.leaf_hash(bytes([i % 256, i // 256])) for i in range(start + length)]
    for a, b in merkle.inclusion_ranges(start, start + length) + merkle.consistency_ranges(
        max(start, 1), start + length
    ):
        parts = merkle.complete_subtrees(a, b)
        folded = merkle.fold([merkle.root_hash(hashes[i << lv : (i + 1) << lv]) for lv, i in parts])
        assert folded == merkle.root_hash(hashes[a:b])


# ------------------------------------------------------------------------------- appending in actions


def test_an_action_appends_one_entry_per_audit_row_with_digests_only(world):
    certificate = world.certificates["active"]
    size = log.tree_size()
    do_change_certificate_status(
        certificate=certificate,
        to_status="SUSPENDED",
        effective_date=datetime.date(2026, 1, 5),
        reason="监督审核不通过",
        actor=world.actor("cb_hunan"),
    )
    assert log.tree_size() == size + 1 == Entry.objects.count()
    entry = Entry.objects.get(index=size)
    audit = AuditEvent.objects.order_by("-id").first()
    assert entry.audit_id == audit.pk
    document = orjson.loads(entry.entry)
    salt = bytes(entry.salt)
    assert document == {
        "sequence": size,
        "time": document["time"],
        "action": "CERTIFICATE_STATUS_CHANGED",
        "subject_type": "registry.certificate",
        "subject_id": f"{certificate.certification_body.approval_number}/{certificate.number}",
        "before_digest": salted_digest(salt, audit.before),
        "after_digest": salted_digest(salt, audit.after),
        "actor_role": "CERTIFICATION_BODY",
    }
    assert datetime.datetime.strptime(document["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    # RFC 8785: sorted keys, no whitespace; the leaf hash is over exactly these bytes.
    assert entry.entry == orjson.dumps(dict(sorted(document.items()))).decode()
    assert bytes(entry.leaf_hash) == merkle.leaf_hash(entry.entry.encode())
    assert log.root_at(size + 1) == merkle.root_hash(leaves())


def test_a_refused_action_appends_nothing(world):
    size, nodes = log.tree_size(), Node.objects.count()
    with pytest.raises(DomainError):
        change_status(world, "ACTIVE")
    assert (log.tree_size(), Entry.objects.count(), Node.objects.count()) == (size, size, nodes)


def test_personal_data_is_only_ever_a_salted_digest(world):
    size = log.tree_size()
    person = do_create_person(name="欧阳明远", roles=["AUDITOR"], id_number="430102198001011234", actor=SYSTEM)
    entry = Entry.objects.get(index=size)
    assert "欧阳明远" not in entry.entry and "4301" not in entry.entry
    document = orjson.loads(entry.entry)
    assert (document["subject_type"], document["subject_id"]) == ("registry.person", str(person.pk))
    assert document["after_digest"] == salted_digest(bytes(entry.salt), AuditEvent.objects.get(pk=entry.audit_id).after)
    # Without the private salt the digest cannot be recomputed from a guess of the state.
    assert document["after_digest"] != salted_digest(b"", AuditEvent.objects.get(pk=entry.audit_id).after)


def test_a_bulk_action_appends_one_entry_per_certificate(world):
    from certhub.registry.actions import do_bulk_create_certificates
    from certhub.registry.testing import certificate_data

    size = log.tree_size()
    rows = [certificate_data(f"LEDGER-{n}", world.organizations["maker"]) for n in range(5)]
    created = do_bulk_create_certificates(body=world.bodies["hunan"], rows=rows, actor=world.actor("cb_hunan"))
    entries = [
        orjson.loads(e) for e in Entry.objects.filter(index__gte=size).order_by("index").values_list("entry", flat=True)
    ]
    assert [e["subject_id"] for e in entries] == [
        f"{world.bodies['hunan'].approval_number}/LEDGER-{n}" for n in range(5)
    ]
    assert {e["action"] for e in entries} == {"CERTIFICATE_CREATED"}
    assert [e["sequence"] for e in entries] == list(range(size, size + 5))
    assert len({e["time"] for e in entries}) == 1  # one action, one moment
    assert [c.pk for c in created] == [
        int(a)
        for a in AuditEvent.objects.filter(ledger_entry__index__gte=size)
        .order_by("id")
        .values_list("subject_id", flat=True)
    ]


# ------------------------------------------------------------------------------- proofs from the store


def test_stored_proofs_equal_the_rfc_proofs_over_the_whole_log(world):
    hashes = leaves()
    n = len(hashes)
    assert n > 100
    for size in (1, 2, 3, 7, 8, 9, 64, 65, n - 1, n):
        assert log.root_at(size) == merkle.root_hash(hashes[:size])
        for index in {0, size // 3, size // 2, size - 1}:
            proof = log.inclusion_proof(index, size)
            assert proof == merkle.inclusion_proof(hashes, index, size)
            merkle.verify_inclusion(hashes[index], index, size, proof, log.root_at(size))
        for first in {1, size // 2 or 1, size}:
            proof = log.consistency_proof(first, size)
            assert proof == merkle.consistency_proof(hashes, first, size)
    with pytest.raises(merkle.ProofError, match=f"the log holds {n} entries, not {n + 1}"):
        log.inclusion_proof(0, n + 1)


# ------------------------------------------------------------------------------- checkpoints


def test_checkpoints_are_signed_at_most_once_an_interval_and_stay_consistent(world, settings):
    settings.LEDGER_CHECKPOINT_INTERVAL = 3600
    first = checkpoints.current(SYSTEM)
    assert first.tree_size == log.tree_size()
    opened = note.open_note(first.note, [keys.signer().verifier()])
    body = note.Checkpoint.parse(opened.text)
    assert (body.origin, body.size, body.root_hash) == (
        settings.LEDGER_ORIGIN,
        first.tree_size,
        log.root_at(first.tree_size),
    )
    change_status(world, "SUSPENDED")
    assert checkpoints.current(SYSTEM).pk == first.pk  # within the interval: the same note
    second = do_publish_checkpoint(actor=SYSTEM, force=True)
    assert second.tree_size == first.tree_size + 1
    proof = log.consistency_proof(first.tree_size, second.tree_size)
    merkle.verify_consistency(first.tree_size, second.tree_size, proof, bytes(first.root_hash), bytes(second.root_hash))
    assert do_publish_checkpoint(actor=SYSTEM, force=True).pk == second.pk  # nothing new: nothing signed
    assert Checkpoint.objects.count() == 2


def test_only_the_system_signs_checkpoints(world):
    with pytest.raises(DomainError, match="签发账本检查点"):
        do_publish_checkpoint(actor=world.actor("cb_hunan"))
    assert Checkpoint.objects.count() == 0


def test_the_signing_key_file_is_private(world):
    keys.signer()
    assert keys.key_path().stat().st_mode & 0o777 == 0o600
    assert keys.verifier_key().startswith(f"{keys.settings.LEDGER_ORIGIN}+")


# ------------------------------------------------------------------------------- verify and tampering


def _raw(table: str, sql: str, params: list) -> None:
    """Change a ledger or audit row behind the application's back, as an intruder with database access
    would (on PostgreSQL the append-only triggers must be switched off first, which only the owner can)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def test_verify_passes_on_an_honest_log(world):
    checkpoints.current(SYSTEM)
    code, output = verify()
    assert (code, output.strip()) == (0, f"valid: {log.tree_size()} entries, 1 checkpoints")


def test_verify_catches_an_altered_entry(world):
    checkpoints.current(SYSTEM)
    entry = Entry.objects.get(index=7)
    _raw(
        "ledger_entry",
        'UPDATE ledger_entry SET entry = %s WHERE "index" = 7',
        [entry.entry.replace('"actor_role":"', '"actor_role":"X')],
    )
    code, output = verify("--no-audit")
    assert code == 1
    assert "entry 7: the stored leaf hash does not match the entry" in output


def test_verify_catches_a_rewritten_entry_with_its_leaf_hash(world):
    """A forger who also fixes the leaf hash still changes the root every checkpoint signed."""
    checkpoints.current(SYSTEM)
    text = Entry.objects.get(index=3).entry.replace('"sequence":3', '"sequence":3,"x":1')
    _raw(
        "ledger_entry",
        'UPDATE ledger_entry SET entry = %s, leaf_hash = %s WHERE "index" = 3',
        [text, merkle.leaf_hash(text.encode())],
    )
    code, output = verify("--no-audit")
    assert code == 1
    assert "stored subtree hash 1/1 does not match the entries under it" in output
    assert f"checkpoint {log.tree_size()}: its root is not the root of the first {log.tree_size()} entries" in output


def test_verify_catches_an_audit_row_changed_after_the_fact(world):
    entry = Entry.objects.get(index=5)
    audit = AuditEvent.objects.get(pk=entry.audit_id)
    changed = dict(audit.after, **{next(iter(audit.after)): "篡改"})
    _raw(
        "core_auditevent",
        "UPDATE core_auditevent SET after = %s WHERE id = %s",
        [orjson.dumps(changed).decode(), audit.pk],
    )
    code, output = verify()
    assert code == 1
    assert "entry 5: its after_digest does not match the audit row it records" in output


def test_verify_catches_a_forged_checkpoint_and_a_foreign_key(world):
    checkpoint = checkpoints.current(SYSTEM)
    size, key = checkpoint.tree_size, keys.signer()
    forged = checkpoint.note.replace(f"\n{size}\n", f"\n{size - 1}\n")
    _raw("ledger_checkpoint", "UPDATE ledger_checkpoint SET note = %s WHERE id = %s", [forged, checkpoint.pk])
    code, output = verify()
    assert code == 1
    assert f"checkpoint {size}: invalid signature for key {key.name}+{key.key_hash.hex()}" in output
    stranger = note.Signer.generate(keys.settings.LEDGER_ORIGIN).verifier()
    code, output = verify("--key", str(stranger))
    assert code == 1
    assert f"checkpoint {size}: note has no verifiable signatures" in output


def test_verify_catches_a_missing_entry(world):
    _raw("ledger_entry", 'DELETE FROM ledger_entry WHERE "index" = %s', [log.tree_size() - 1])
    code, output = verify()
    assert code == 1
    assert f"the head (size {log.tree_size()}) does not match the {log.tree_size() - 1} entries" in output


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_update_and_delete_on_the_ledger(world):
    from django.db import DatabaseError, transaction

    checkpoints.current(SYSTEM)

    for sql in (
        "UPDATE ledger_entry SET entry = '{}' WHERE \"index\" = 0",
        'DELETE FROM ledger_entry WHERE "index" = 0',
        "UPDATE ledger_node SET hash = '' WHERE key > 0",
        "DELETE FROM ledger_checkpoint",
    ):
        with pytest.raises(DatabaseError, match="append-only log"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Entry.objects.get(index=0).entry.startswith('{"action"')


def test_entry_hashes_in_the_api_are_standard_base64(world):
    entry = Entry.objects.get(index=0)
    assert base64.b64decode(log.b64(bytes(entry.leaf_hash)), validate=True) == bytes(entry.leaf_hash)
    assert Head.objects.get().size == Entry.objects.count()


@pytest.mark.parametrize("stale", ["same size, another edge", "an older size", "a size ahead"])
def test_a_stale_remembered_head_costs_a_retry_never_a_wrong_tree(world, stale):
    """On PostgreSQL an append starts from the head this process last wrote and applies only if the head
    is still that; another process's append, or a rolled-back action, must never leave a wrong tree."""
    size = log.tree_size()
    real = log.Edge.of(size, Head.objects.get().frontier)
    log._last_head = {
        "same size, another edge": log.Edge(size, [bytes(32)] * len(real.frontier)),
        "an older size": log.Edge(size - 1, real.frontier[:-1]),
        "a size ahead": log.Edge(size + 1, [*real.frontier, bytes(32)]),
    }[stale]
    change_status(world, "SUSPENDED")
    assert log.tree_size() == size + 1
    assert log.root_at(size + 1) == merkle.root_hash(leaves())
    assert verify("--no-audit")[0] == 0
