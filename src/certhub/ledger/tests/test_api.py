"""The ledger over real HTTP, as a newcomer checks it with nothing but the documented algorithm: fetch the
key and a checkpoint, a certificate's entries, their inclusion proofs and a consistency proof, and
verify them all; and every bad request refused with its reason, never a 500."""

import base64

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certhub.ledger import merkle, note
from certhub.ledger.models import Checkpoint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(live_server, world):
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=20) as client:
        yield client


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_a_newcomer_checks_a_certificate_against_a_signed_checkpoint(api, world, settings):
    settings.LEDGER_CHECKPOINT_INTERVAL = 0
    key = api.get("/ledger/key")
    assert key.headers["content-type"] == "text/plain; charset=utf-8"
    verifier = note.Verifier.parse(key.text.strip())
    checkpoint = api.get("/ledger/checkpoint")
    assert checkpoint.headers["content-type"] == "text/plain; charset=utf-8"
    assert checkpoint.text == Checkpoint.objects.get().note
    body = note.Checkpoint.parse(note.open_note(checkpoint.text, [verifier]).text)
    assert body.origin == settings.LEDGER_ORIGIN

    certificate = world.certificates["active"]
    approval = certificate.certification_body.approval_number
    record = api.get(f"/certificates/{certificate.number}", params={"body": approval}).json()
    indexes = record["ledger_indexes"]
    assert len(indexes) == 1
    (index,) = indexes
    entries = api.get("/ledger/entries", params={"start": index, "end": index + 1}).json()["entries"]
    assert [e["index"] for e in entries] == [index]
    entry = entries[0]
    assert b64(entry["leaf_hash"]) == merkle.leaf_hash(entry["entry"].encode())
    assert f'"subject_id":"{approval}/{certificate.number}"' in entry["entry"]
    proof = api.get("/ledger/proof/inclusion", params={"index": index, "tree_size": body.size}).json()["proof"]
    merkle.verify_inclusion(b64(entry["leaf_hash"]), index, body.size, [b64(p) for p in proof], body.root_hash)

    # The registry changes; a later checkpoint must extend the earlier one.
    with httpx.Client(base_url=api.base_url, headers={"X-API-Key": world.api_keys["cb_hunan"]}) as writer:
        changed = writer.post(
            f"/certificates/{certificate.number}/status",
            json={"status": "SUSPENDED", "effective_date": "2026-01-05", "reason": "监督审核不通过"},
        )
    assert changed.status_code == 200
    assert changed.json()["ledger_indexes"] == [index, body.size]
    later = note.Checkpoint.parse(note.open_note(api.get("/ledger/checkpoint").text, [verifier]).text)
    assert later.size == body.size + 1
    consistency = api.get("/ledger/proof/consistency", params={"first": body.size, "second": later.size}).json()
    merkle.verify_consistency(
        body.size, later.size, [b64(p) for p in consistency["proof"]], body.root_hash, later.root_hash
    )
    assert api.get(f"/certificates/{certificate.number}", params={"body": approval}).json()["ledger_indexes"] == [
        index,
        body.size,
    ]


@pytest.mark.parametrize(
    ("path", "params", "field", "message"),
    [
        ("/ledger/entries", {"start": 5, "end": 5}, "end", "end（5）须大于start（5）"),
        ("/ledger/entries", {"start": 0, "end": 10**9}, "end", "账本只有{size}条，end不能超过它"),
        ("/ledger/entries", {"start": 0, "end": 1001}, "end", "账本只有{size}条，end不能超过它"),
        ("/ledger/proof/inclusion", {"index": 3, "tree_size": 3}, "index", "序号3不在大小为3的树中"),
        ("/ledger/proof/inclusion", {"index": 0, "tree_size": 10**9}, "tree_size", "账本只有{size}条"),
        ("/ledger/proof/consistency", {"first": 9, "second": 3}, "first", "first（9）不能大于second（3）"),
        ("/ledger/proof/consistency", {"first": 1, "second": 10**9}, "second", "账本只有{size}条"),
    ],
)
def test_out_of_range_requests_are_refused_with_the_reason(api, path, params, field, message):
    from certhub.ledger import log

    size = log.tree_size()
    response = api.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["errors"] == {field: [message.format(size=size)]}


def test_a_page_of_entries_has_a_limit(api, monkeypatch):
    monkeypatch.setattr("certhub.ledger.api.MAX_RANGE", 10)
    response = api.get("/ledger/entries", params={"start": 0, "end": 11})
    assert (response.status_code, response.json()["errors"]) == (422, {"end": ["一次最多取10条"]})
    assert [e["index"] for e in api.get("/ledger/entries", params={"start": 0, "end": 10}).json()["entries"]] == list(
        range(10)
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [({"start": -1, "end": 3}, "start"), ({"start": "x", "end": 3}, "start"), ({"end": 3}, "start")],
)
def test_malformed_parameters_are_refused_by_field(api, params, field):
    response = api.get("/ledger/entries", params=params)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
def test_the_note_parser_refuses_anything_with_a_note_error(data):
    key = note.Signer.generate("fuzz").verifier()
    with pytest.raises(note.NoteError):
        note.open_note(data, [key])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len("abc\n\n— x ")), st.characters(blacklist_categories=["Cs"]))
def test_a_signed_note_changed_anywhere_is_refused(position, character):
    signer = note.Signer.generate("fuzz")
    signed = note.sign("certhub.example/ledger\n12\n" + base64.b64encode(bytes(32)).decode() + "\n", signer)
    changed = signed[:position] + character + signed[position + 1 :]
    if changed == signed:
        return
    with pytest.raises(note.NoteError):
        note.open_note(changed, [signer.verifier()])


def test_the_certificate_page_lists_its_ledger_entries(client, world):
    from certhub.ledger.queries import indexes_of

    certificate = world.certificates["active"]
    response = client.get(
        f"/certificates/{certificate.number}/", {"body": certificate.certification_body.approval_number}
    )
    (index,) = indexes_of("registry.certificate", str(certificate.pk))
    content = response.content.decode()
    assert f'<a href="/api/v1/ledger/entries?start={index}&amp;end={index + 1}"><code>#{index}</code></a>' in content
    assert "<code>CERTIFICATE_CREATED</code>" in content
