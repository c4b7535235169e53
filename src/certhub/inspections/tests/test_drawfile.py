"""The published draw file reproduces the draw with `certhub draw verify`, and any alteration is caught
with the reason (C5: anyone can recompute)."""

from __future__ import annotations

import copy
import datetime
import subprocess
import sys

import orjson
import pytest
import time_machine
from django.utils import timezone

from certhub.core.actors import SYSTEM
from certhub.inspections import actions, drawfile, pools
from certhub.inspections.testing import build_inspection_world
from certhub.ledger.models import Entry
from certhub.registry.models import Organization

SOURCES = ["3 12 17 22 28 31 9", "2 6 0 4 1"]


@pytest.fixture
def document(world):
    iw = build_inspection_world(world.PASSWORD)
    batch = actions.do_commit_batch(batch=iw.batch, actor=SYSTEM)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        batch = actions.do_draw_batch(batch=batch, sources=SOURCES, actor=SYSTEM)
    return drawfile.draw_file(batch)


def test_the_file_carries_the_commitment_its_ledger_entry_pools_and_selection(document):
    commitment = document["commitment"]
    entry = Entry.objects.get(index=document["ledger"]["index"])
    assert orjson.loads(document["ledger"]["entry"]) == orjson.loads(entry.entry)
    assert orjson.loads(entry.entry)["action"] == "BATCH_COMMITTED"
    assert document["sources"] == SOURCES
    usccs = sorted(Organization.objects.values_list("uscc", flat=True))
    assert document["pool"] == [["B", u, Organization.objects.get(uscc=u).region_id, u] for u in usccs]
    assert commitment["pool"]["root"] == pools.merkle_root(orjson.dumps(row) for row in document["pool"])
    assert [s["target"] for s in document["selection"]] != []
    assert sorted(s["target"] for s in document["selection"]) == usccs
    assert all(len(s["inspectors"]) == 2 for s in document["selection"])


def test_the_draw_reproduces(document):
    checked = drawfile.verify(document)
    assert len(checked) == 4
    assert checked[0].startswith("target pool: 6 members, Merkle root ")
    assert checked[2].startswith(f"ledger: entry {document['ledger']['index']} records this commitment at ")
    assert checked[3] == (
        "selection: 6 targets and their inspectors reproduced from the sources with sha256 "
        "(key 3.9.12.17.22.28.31./0.1.2.4.6./)"
    )


def _altered(document, change):
    altered = copy.deepcopy(document)
    change(altered)
    return altered


def _swap_first_two(d):
    d["selection"][0]["target"], d["selection"][1]["target"] = d["selection"][1]["target"], d["selection"][0]["target"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["sources"].__setitem__(1, "2 6 0 4 2"), "selection 1: the file says"),
        (_swap_first_two, "selection 1: the file says"),
        (lambda d: d["selection"][2]["inspectors"].reverse(), "selection 3 ("),
        (lambda d: d["pool"].pop(), "the pool lists 5 targets; the commitment announced 6"),
        (lambda d: d["pool"][0].__setitem__(2, "430000"), "the pool's Merkle root is "),
        (lambda d: d["inspectors"][0][3].append("91430100000000019W"), "the inspector pool (8 members, root "),
        (
            lambda d: d["commitment"]["strata"][1].__setitem__("count", 5),
            "the commitment is not the one recorded in the ledger: its salted digest differs from the entry's",
        ),
        (
            lambda d: d["commitment"].__setitem__("sources_available_at", "2020-01-01T00:00:00+08:00"),
            "the commitment is not the one recorded in the ledger",
        ),
        (lambda d: d["selection"].pop(), "the file lists 5 selections; the sources give 6"),
    ],
)
def test_an_altered_file_does_not_reproduce(document, change, message):
    with pytest.raises(drawfile.DrawMismatch) as caught:
        drawfile.verify(_altered(document, change))
    assert str(caught.value).startswith(message)


def test_a_commitment_recorded_after_its_sources_came_out_is_caught(document):
    # Re-sign nothing: claim the sources came out before the ledger time, with a matching digest.
    import base64

    from certhub.core.audit import salted_digest

    altered = copy.deepcopy(document)
    entry = orjson.loads(altered["ledger"]["entry"])
    altered["commitment"]["sources_available_at"] = "2020-01-01T00:00:00+08:00"
    entry["after_digest"] = salted_digest(base64.b64decode(altered["ledger"]["salt"]), altered["commitment"])
    altered["ledger"]["entry"] = orjson.dumps(entry).decode()
    with pytest.raises(drawfile.DrawMismatch) as caught:
        drawfile.verify(altered)
    assert str(caught.value) == (
        f"the commitment was recorded at {entry['time'].replace('Z', '+00:00')}, not before "
        "its sources came out (2020-01-01T00:00:00+08:00)"
    )


def _command(*args):
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "certhub", "draw", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_certhub_draw_verify_exit_codes(document, tmp_path):
    good = tmp_path / "DRAW.json"
    good.write_bytes(drawfile.dumps(document))
    done = _command("verify", str(good))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"{good}: the draw reproduces."
    bad = tmp_path / "altered.json"
    bad.write_bytes(drawfile.dumps(_altered(document, _swap_first_two)))
    done = _command("verify", str(bad))
    assert done.returncode == 1
    assert "the draw does NOT reproduce: selection 1: the file says" in done.stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{")
    done = _command("verify", str(junk))
    assert done.returncode == 2
    assert f"{junk}: not JSON" in done.stderr
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}')
    done = _command("verify", str(other))
    assert (done.returncode, "not a draw file: format must be 'certhub-draw/1'" in done.stderr) == (2, True)
