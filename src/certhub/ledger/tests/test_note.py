"""certhub.ledger.note against the official signed-note and checkpoint vectors (tests/vectors/signed-note/):
valid notes verify, tampered, malformed and bad-key cases are refused, and signing reproduces the vector."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from certhub.ledger.note import Checkpoint, NoteError, Signer, Verifier, open_note, sign

VECTORS = json.loads(
    (Path(__file__).resolve().parents[4] / "tests" / "vectors" / "signed-note" / "signed_note_vectors.json").read_text()
)
NOTES_DIR = Path(__file__).resolve().parents[4] / "tests" / "vectors" / "signed-note"


def note_bytes(case: dict) -> bytes:
    return case["note"].encode() if "note" in case else (NOTES_DIR / case["file"]).read_bytes()


@pytest.mark.parametrize("case", VECTORS["notes"], ids=lambda c: f"{c['file']}:{c['expect'][:20]}")
def test_note_vector(case):
    verifiers = [Verifier.parse(v) for v in case.get("vkeys", [])]
    if case["expect"] == "valid":
        opened = open_note(note_bytes(case), verifiers)
        expected = case["expected_per_signature"]
        assert opened.verified == [s["name"] for s in expected if s["result"] == "verified"]
        assert opened.unknown == [s["name"] for s in expected if s["result"] == "unknown"]
        if "text" in case:
            assert opened.text == case["text"]
    elif "expect_parse" in case:
        with pytest.raises(NoteError, match="no verifiable signatures"):
            open_note(note_bytes(case), verifiers)
        text = note_bytes(case).decode()
        assert text[: text.rfind("\n\n") + 1] == case["expect_parse"]["text"]
    else:
        with pytest.raises(NoteError) as refusal:
            open_note(note_bytes(case), verifiers)
        if "invalid signature for key" in case["expect"]:
            assert str(refusal.value) == "invalid signature for key PeterNeumann+c74f20a3"
        if "no verifiable signatures" in case["expect"]:
            assert str(refusal.value) == "note has no verifiable signatures"


@pytest.mark.parametrize("case", VECTORS["malformed_notes"]["cases"], ids=lambda c: c["desc"][:40])
def test_malformed_notes_are_refused(case):
    verifiers = [Verifier.parse(v) for v in case.get("vkeys", [])]
    if "note_hex" in case:
        note = bytes.fromhex(case["note_hex"])
    else:  # built as the vector says: the text, a blank line and the signature line 101 times
        signed = VECTORS["signing"][0]["expected_signed_note"]
        text, signature = signed[: signed.rfind("\n\n") + 1], signed[signed.rfind("\n\n") + 2 :]
        assert case["construct"] == "text + '\\n' + peterSig*101"
        note = (text + "\n" + signature * 101).encode()
    with pytest.raises(NoteError, match="malformed note"):
        open_note(note, verifiers)


def test_signing_reproduces_the_vector_byte_for_byte():
    for case in VECTORS["signing"]:
        signer = Signer.parse(case["skey"])
        assert sign(case["text"], signer) == case["expected_signed_note"]
        assert open_note(case["expected_signed_note"], [signer.verifier()]).verified == [signer.name]


def test_verifier_keys_parse_and_bad_ones_are_refused():
    for vector in VECTORS["vkeys"]:
        verifier = Verifier.parse(vector["vkey"])
        assert (verifier.name, verifier.key_hash.hex(), verifier.public_key.hex()) == (
            vector["name"],
            vector["key_id_hex"],
            vector["ed25519_pubkey_hex"],
        )
        assert str(verifier) == vector["vkey"]
    good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    for case in VECTORS["invalid_vkeys"]["cases"]:
        if "vkey" in case:
            with pytest.raises(NoteError):
                Verifier.parse(case["vkey"])
    # Every proper substring and every variant with one byte incremented is refused.
    variants = {good[i:j] for i in range(len(good)) for j in range(i, len(good) + 1)} - {good}
    variants |= {good[:i] + chr(ord(good[i]) + 1) + good[i + 1 :] for i in range(len(good))}
    for variant in sorted(variants):
        with pytest.raises(NoteError):
            Verifier.parse(variant)


def test_checkpoint_bodies():
    for case in VECTORS["checkpoint_body"]:
        if "marshal" in case:
            checkpoint = Checkpoint(case["origin"], case["size"], case["root_hash_raw_ascii"].encode())
            assert checkpoint.body() == case["marshal"]
        else:
            parsed = Checkpoint.parse(case["parse"])
            assert (parsed.origin, parsed.size, parsed.root_hash.hex()) == (
                case["origin"],
                case["size"],
                case["root_hash_hex"],
            )
    tree = VECTORS["tree_note_golang"][0]
    root = bytes.fromhex(tree["hash_hex"])
    assert Checkpoint("go.sum database tree", tree["n"], root).body() == tree["formatted"]
    with pytest.raises(NoteError, match="is not a decimal number"):
        Checkpoint.parse(tree["bad"][1])
    assert Checkpoint.parse(tree["bad"][2]).root_hash != root


def test_a_fresh_key_signs_a_checkpoint_and_a_changed_line_is_caught():
    signer = Signer.generate("certhub.example/ledger")
    body = Checkpoint("certhub.example/ledger", 3, bytes(32)).body()
    note = sign(body, signer)
    verifier = Verifier.parse(str(signer.verifier()))
    assert open_note(note, [verifier]).text == body
    with pytest.raises(NoteError, match=r"invalid signature for key certhub\.example/ledger"):
        open_note(note.replace("\n3\n", "\n4\n"), [verifier])
    other = Signer.generate("certhub.example/ledger")
    with pytest.raises(NoteError, match="note has no verifiable signatures"):
        open_note(note, [other.verifier()])
    assert base64.b64decode(str(signer).split("+", 4)[-1])[0] == 1


def test_the_note_verify_command_exits_0_or_1_with_the_reason(tmp_path):
    import subprocess
    import sys

    case = VECTORS["signing"][0]
    good = tmp_path / "note.txt"
    good.write_text(case["expected_signed_note"])
    bad = tmp_path / "bad.txt"
    bad.write_text(case["expected_signed_note"].replace("cryptography", "cryptograph"))
    key = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    src = str(Path(__file__).resolve().parents[3])

    def run(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "certhub", "note", "verify", "--key", key, str(path)],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
            timeout=60,
        )

    ok, refused = run(good), run(bad)
    assert (ok.returncode, ok.stdout) == (0, "valid: signed by PeterNeumann\n")
    assert (refused.returncode, refused.stderr.strip()) == (
        1,
        "CommandError: invalid: invalid signature for key PeterNeumann+c74f20a3",
    )
