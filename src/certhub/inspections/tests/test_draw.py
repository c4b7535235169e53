"""Verifiable draws (C5): RFC 3797's worked example reproduced row by row from the published vectors, by the
function and by the command; the SHA-256 variant; and every input that cannot give a draw refused."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from certhub.inspections.draw import DrawError, key_string, select, steps

VECTORS = Path(__file__).resolve().parents[4] / "tests" / "vectors" / "rfc3797"
ROW = re.compile(r"^\s*(\d+)\s+([0-9A-F]{32})\s+(\d+)\s+->\s+(\d+)\s+<-\s*(\S*)\s*$")


def seeds() -> list[str]:
    lines = (VECTORS / "ref.seeds").read_text().splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def names() -> list[str]:
    return [line.strip() for line in (VECTORS / "ref.names").read_text().splitlines() if line.strip()]


def results() -> list[tuple[int, str, int, int, str]]:
    rows = []
    for line in (VECTORS / "ref.results").read_text().splitlines()[1:]:
        match = ROW.match(line)
        assert match, line
        number, digest, divisor, position, name = match.groups()
        rows.append((int(number), digest, int(divisor), int(position), name))
    return rows


def test_the_key_string_is_the_rfcs():
    assert seeds() == ["9319", "2 5 12 8 10", "9 18 26 34 41 45"]
    assert key_string(seeds()) == "9319./2.5.8.10.12./9.18.26.34.41.45./"


def test_every_row_of_the_rfc_example_is_reproduced():
    expected = results()
    assert len(expected) == 16
    pool = names()
    assert len(pool) == 25
    computed = list(steps(len(pool), len(expected), seeds()))
    assert [(s.number, s.digest, s.remaining, s.position) for s in computed] == [row[:4] for row in expected]
    # The example names the first eleven chosen; the pool is the names file in order.
    assert [pool[s.position - 1] for s in computed[:11]] == [row[4] for row in expected[:11]]


def test_the_command_prints_the_positions_and_the_table():
    out = io.StringIO()
    arguments = ["--pool-size", "25", "--count", "16", *[a for s in seeds() for a in ("--source", s)]]
    call_command("draw", "rfc3797", *arguments, stdout=out)
    assert out.getvalue().split() == [str(row[3]) for row in results()]
    table = io.StringIO()
    call_command("draw", "rfc3797", *arguments, "--table", stdout=table)
    lines = table.getvalue().splitlines()
    assert lines[0] == "key string: 9319./2.5.8.10.12./9.18.26.34.41.45./"
    assert lines[2:] == [f"{n:>6}  {d}  {r:>5}  -> {p}" for n, d, r, p, _name in results()]


def test_sources_are_order_free_within_and_tolerant_of_separators():
    assert key_string(["10 8 12 5 2", "0009319"]) == "2.5.8.10.12./9319./"
    assert key_string(["2,5;12 8\t10"]) == "2.5.8.10.12./"


def test_the_sha256_variant_has_the_same_structure():
    chosen = select(1_000, 50, seeds(), "sha256")
    assert len(chosen) == len(set(chosen)) == 50
    assert all(1 <= p <= 1_000 for p in chosen)
    assert chosen == select(1_000, 50, seeds(), "sha256")  # deterministic
    assert chosen != select(1_000, 50, [*seeds(), "1"], "sha256")  # every source counts
    first = next(steps(1_000, 1, seeds(), "sha256"))
    import hashlib

    key = b"9319./2.5.8.10.12./9.18.26.34.41.45./"
    value = hashlib.sha256(bytes(4) + key + bytes(4)).digest()
    assert (first.digest, first.position) == (value.hex().upper(), int.from_bytes(value, "big") % 1_000 + 1)


def test_a_whole_pool_is_a_permutation():
    assert sorted(select(200, 200, ["1 2 3"])) == list(range(1, 201))


@pytest.mark.parametrize(
    ("pool", "count", "sources", "algorithm", "message"),
    [
        (25, 26, ["9319"], "rfc3797", "cannot draw 26 from a pool of 25: the count must be 1 to 25"),
        (25, 0, ["9319"], "rfc3797", "cannot draw 0 from a pool of 25: the count must be 1 to 25"),
        (0, 1, ["9319"], "rfc3797", "the pool is empty (size 0): nothing can be drawn"),
        (25, 3, [], "rfc3797", "no random source: a draw needs the published values it was announced to use"),
        (25, 3, ["  "], "rfc3797", 'a source is empty: give the published numbers, e.g. "2 5 12 8 10"'),
        (25, 3, ["2 5 x"], "rfc3797", "source '2 5 x': 'x' is not a whole number (RFC 3797 sources are numbers)"),
        (25, 3, ["-4"], "rfc3797", "source '-4': '-4' is not a whole number (RFC 3797 sources are numbers)"),
        (70_000, 65_537, ["1"], "rfc3797", "rfc3797 numbers selections with 2 bytes: at most 65,536 a draw"),
        (25, 3, ["1"], "md4", "unknown algorithm 'md4': use rfc3797 or sha256"),
    ],
)
def test_inputs_that_cannot_give_a_draw_are_refused(pool, count, sources, algorithm, message):
    with pytest.raises(DrawError) as refused:
        select(pool, count, sources, algorithm)
    assert str(refused.value) == message


def test_the_command_exits_2_with_the_reason():
    with pytest.raises(CommandError) as refused:
        call_command("draw", "rfc3797", "--pool-size", "5", "--count", "6", "--source", "1")
    assert (refused.value.returncode, str(refused.value)) == (
        2,
        "cannot draw 6 from a pool of 5: the count must be 1 to 5",
    )
