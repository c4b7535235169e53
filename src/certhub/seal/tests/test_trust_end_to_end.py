"""The trust story a newcomer follows (C3, C4), over real HTTP with nothing but published data:
take a certificate's QR text, verify it offline against the downloaded trust list, read the ledger index
it carries, fetch that entry, a signed checkpoint and the inclusion proof, and check them with the
documented algorithms; then tamper with the text and see it refused."""

import base64
import io
import json

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from certhub.ledger import merkle, note
from certhub.seal.claims import SealClaims
from certhub.seal.cose import PREFIX, decode

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_newcomer_checks_a_paper_certificate_from_its_qr_code_to_the_signed_ledger(
    live_server, world, seal_key, tmp_path, settings
):
    settings.LEDGER_CHECKPOINT_INTERVAL = 0
    certificate = world.certificates["ccc"]
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=20) as api:
        seal = api.get(f"/certificates/{certificate.number}/seal").json()
        trust = tmp_path / "trust.json"
        trust.write_text(api.get("/trust/keys").text)
        key = note.Verifier.parse(api.get("/ledger/key").text.strip())
        checkpoint = note.Checkpoint.parse(note.open_note(api.get("/ledger/checkpoint").text, [key]).text)

        # Offline: the command needs only the text and the trust list.
        out = io.StringIO()
        call_command("seal", "verify", seal["qr"], "--keys", str(trust), stdout=out)
        assert out.getvalue().startswith("valid: 防伪二维码真实 · genuine seal")

        claims = SealClaims.from_payload(decode(seal["qr"]).payload)
        assert claims.number == certificate.number
        index = claims.ledger_index
        record = api.get(f"/certificates/{certificate.number}").json()
        assert index == record["ledger_indexes"][-1]

        entry = api.get("/ledger/entries", params={"start": index, "end": index + 1}).json()["entries"][0]
        leaf = merkle.leaf_hash(entry["entry"].encode())
        assert base64.b64decode(entry["leaf_hash"]) == leaf
        assert json.loads(entry["entry"])["subject_id"].endswith(f"/{certificate.number}")
        proof = api.get("/ledger/proof/inclusion", params={"index": index, "tree_size": checkpoint.size}).json()
        merkle.verify_inclusion(
            leaf, index, checkpoint.size, [base64.b64decode(p) for p in proof["proof"]], checkpoint.root_hash
        )

    # One character changed anywhere after the prefix, and the seal is refused with a reason.
    body = seal["qr"][len(PREFIX) :]
    forged = PREFIX + body[:40] + ("A" if body[40] != "A" else "B") + body[41:]
    with pytest.raises(CommandError) as refused:
        call_command("seal", "verify", forged, "--keys", str(trust))
    assert refused.value.returncode == 1
    assert str(refused.value).startswith("invalid [")
