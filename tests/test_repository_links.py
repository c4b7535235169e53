"""The repository stands on its own (docs/architecture.md convention 23): whatever the code and the docs point
to is inside it.

- every relative Markdown link in README.md and docs/*.md resolves to a file or directory of the repository
  (and, when it names a heading of a Markdown file, to that heading);
- every docs/<name>.md that src/, bench/ or tests/ mention exists;
- nothing under src/, bench/, tests/, docs/, .ci/, README.md or the Makefile points at design notes kept
  outside the repository;
- every capability code C1–C14 the code cites is a heading of docs/capabilities.md, and every invariant,
  convention and named section of docs/architecture.md the code cites is defined there.

Plain file reads, no database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MARKDOWN = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
CODE_DIRS = [ROOT / "src", ROOT / "bench", ROOT / "tests"]
CODE_SUFFIXES = {".py", ".html", ".txt", ".js", ".css", ".md"}
SKIPPED_DIRS = {"__pycache__", "node_modules", ".venv"}

# Names of notes that live outside the repository, spelt in pieces so that this file does not name them.
OUTSIDE = ["MISSION" + ".md", "STYLE" + ".md", "ARCHITECTURE" + ".md", "../" + "shared"]
# Absolute paths into the machine the project was first written on.
WORKSPACE = "/work" + "/"


def files_under(*paths: Path, suffixes: set[str] | None = None) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*")):
            if not found.is_file() or SKIPPED_DIRS & set(found.relative_to(ROOT).parts):
                continue
            if suffixes is None or found.suffix in suffixes:
                yield found


def text_of(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ------------------------------------------------------------------------------------------ Markdown links

FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose(markdown: str) -> str:
    """The Markdown without fenced code blocks and code spans, where brackets are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def links(markdown: str) -> list[str]:
    text = prose(markdown)
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, all but letters, digits, `_`, `-` and spaces
    dropped (code marks and CJK punctuation included), spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())  # a link's text only
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for match in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", markdown), re.MULTILINE):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(page: Path, text: str | None = None) -> list[str]:
    """What is wrong with the relative links of `page` (whose text is `text`, or read from the file)."""
    text = text_of(page) if text is None else text
    problems = []
    for target in links(text):
        if SCHEME.match(target) or target.startswith("/"):
            continue  # a web address, or a path of the running site (/submissions/templates/…)
        path_part, _, fragment = target.partition("#")
        path_part = path_part.split("?", 1)[0]
        if not path_part:
            if fragment not in anchors(text):
                problems.append(f"{relative(page)}: {target} names no heading of this page")
            continue
        destination = (page.parent / path_part).resolve()
        if not destination.is_relative_to(ROOT):
            problems.append(f"{relative(page)}: {target} leaves the repository")
        elif not destination.exists():
            problems.append(f"{relative(page)}: {target} does not exist")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(text_of(destination)):
            problems.append(f"{relative(page)}: {target} names no heading of {relative(destination)}")
    return problems


@pytest.mark.parametrize("page", MARKDOWN, ids=relative)
def test_every_relative_link_resolves_inside_the_repository(page):
    assert broken_links(page) == []


def test_the_link_check_catches_links_to_nowhere():
    """The check above can fail: a page linking out of the repository, to a missing file, to a missing
    heading of another page or of its own; links in code are not links."""
    assert links("see [x](missing.md) and `[y](in-code.md)`\n  ```\n  [z](fenced.md)\n  ```\n") == ["missing.md"]
    assert slug("C5 双随机、一公开 random inspections") == "c5-双随机一公开-random-inspections"
    assert slug("The draw algorithm: `certhub.inspections.draw`") == "the-draw-algorithm-certhubinspectionsdraw"
    planted = DOCS / "planted.md"
    name = relative(planted)
    text = "# Here\n[a](../../outside.md) [b](nowhere.md) [c](capabilities.md#c99) [d](#not-here) [e](#here)\n"
    assert broken_links(planted, text) == [
        f"{name}: ../../outside.md leaves the repository",
        f"{name}: nowhere.md does not exist",
        f"{name}: capabilities.md#c99 names no heading of {relative(DOCS / 'capabilities.md')}",
        f"{name}: #not-here names no heading of this page",
    ]


# ------------------------------------------------------------------------------- what the code points at


def code_files() -> Iterator[Path]:
    return files_under(*CODE_DIRS, suffixes=CODE_SUFFIXES)


def test_every_docs_page_the_code_mentions_exists():
    missing = []
    for path in code_files():
        for name in re.findall(r"\bdocs/([A-Za-z0-9_.-]+\.md)\b", text_of(path)):
            if not (DOCS / name).is_file():
                missing.append(f"{relative(path)}: docs/{name}")
    assert missing == []


def scanned_for_outside_references() -> Iterator[Path]:
    return files_under(
        ROOT / "src", ROOT / "bench", ROOT / "tests", DOCS, ROOT / ".ci", ROOT / "README.md", ROOT / "Makefile"
    )


def test_nothing_points_at_notes_outside_the_repository():
    offenders = []
    for path in scanned_for_outside_references():
        text = text_of(path)
        offenders += [f"{relative(path)}: {name}" for name in OUTSIDE if name in text]
    assert offenders == []


def test_nothing_points_at_absolute_paths_of_the_workspace():
    offenders = [relative(path) for path in scanned_for_outside_references() if WORKSPACE in text_of(path)]
    assert offenders == []


# ------------------------------------------------------------------ clauses, invariants, conventions cited

CLAUSE = re.compile(r"\bC(\d{1,2})\b")
RULE = re.compile(
    r"\b(invariant|convention)s?\s+(\d+(?:\s*(?:,|–|-|and)\s*\d+)*)",
    re.IGNORECASE,
)
SECTION = re.compile(r"docs/architecture\.md,?\s+\"([^\"]+)\"")


def cited_numbers(spec: str) -> set[int]:
    """'8, 9' → {8, 9}; '18–19' → {18, 19}; '11 and 12' → {11, 12}."""
    numbers: set[int] = set()
    for part in re.split(r"\s*(?:,|and)\s*", spec):
        ends = [int(n) for n in re.split(r"\s*[–-]\s*", part) if n]
        numbers.update(range(ends[0], ends[-1] + 1))
    return numbers


def test_rule_citations_are_read_as_the_code_writes_them():
    found = [
        (m.group(1).lower(), cited_numbers(m.group(2)))
        for m in RULE.finditer(
            "(docs/architecture.md conventions 8, 9), convention 18–19, Invariant 1: x, convention 11 and 12"
        )
    ]
    assert found == [("convention", {8, 9}), ("convention", {18, 19}), ("invariant", {1}), ("convention", {11, 12})]
    assert {int(n) for n in CLAUSE.findall("(C5, C14) QC1:… CNAS C117-M C2SP")} == {5, 14}


def headings(page: Path) -> list[str]:
    return re.findall(r"^#{1,6}\s+(.+?)\s*$", FENCE.sub("", text_of(page)), re.MULTILINE)


def test_every_clause_the_code_cites_is_defined_in_capabilities():
    defined = {int(m.group(1)) for h in headings(DOCS / "capabilities.md") if (m := re.match(r"C(\d+)\b", h))}
    assert defined == set(range(1, 15)), "docs/capabilities.md defines C1 to C14, each as a heading"
    undefined = []
    for path in code_files():
        for number in sorted({int(n) for n in CLAUSE.findall(text_of(path))}):
            if number not in defined:
                undefined.append(f"{relative(path)}: C{number}")
    assert undefined == []


def test_every_invariant_and_convention_the_code_cites_is_defined_in_architecture():
    defined: dict[str, set[int]] = {"invariant": set(), "convention": set()}
    for heading in headings(DOCS / "architecture.md"):
        if match := re.match(r"(Invariant|Convention) (\d+):", heading):
            defined[match.group(1).lower()].add(int(match.group(2)))
    assert defined == {"invariant": set(range(1, 7)), "convention": set(range(1, 24))}
    undefined = []
    for path in code_files():
        for match in RULE.finditer(text_of(path)):
            kind = match.group(1).lower()
            undefined += [
                f"{relative(path)}: {kind} {n}" for n in sorted(cited_numbers(match.group(2))) if n not in defined[kind]
            ]
    assert undefined == []


def test_every_section_of_architecture_the_code_quotes_is_there():
    page = " ".join(text_of(DOCS / "architecture.md").split()).lower()
    missing = []
    for path in code_files():
        for quoted in SECTION.findall(text_of(path)):
            phrase = " ".join(quoted.split()).lower()
            if phrase not in page:
                missing.append(f"{relative(path)}: {quoted!r}")
    assert missing == []
