"""Placing a market listing in the CCC catalogue from its title (C7), without guessing.

A listing that claims no certificate or declaration, gives no catalogue code and carries no known barcode is
judged by what it is: a catalogue product sold without a claim (NO_CLAIM), a product outside the catalogue
(NOT_IN_CATALOGUE), or something a person has to look at (NEEDS_PERSON). `place()` decides which from the
title alone, with the words of the catalogue's description and boundary table (强制性产品认证目录描述与界定表,
SAMR 2023 No. 36, and SAMR 2024 No. 26) and the names the market sells the products under, all kept as data in
market/data/placement.json beside this module.

How a title is read:

1. The title is folded (NFKC, lower case, runs of white space made one space).
2. Every phrase of the data is looked for: catalogue keywords (per code), generic and blocking ambiguous names,
   part words and the words of product families outside the catalogue. A phrase written with a space
   ("钢化玻璃 门窗") matches when each of its pieces occurs; a Latin or numeric phrase only as a whole token. A
   phrase lying wholly inside a longer phrase that also matched is dropped, so "手机壳" (outside) beats "手机"
   (1606) and "电动自行车充电器" (1122) beats "充电器" (0807).
3. Catalogue words that only say what the listing fits or comes with are passed over: followed by 适用 / 专用 /
   通用 (燃气灶适用), preceded by 送 / 适用 (送充电器), or followed by an accessory of appliances at large (冰箱
   收纳盒, 电钻 钻头: the head of a Chinese noun phrase comes last).
4. The decision, most cautious first: a blocking name or a part word → a person. Catalogue words left: the
   codes another code dominates drop out (a printer-copier over a printer); a code whose exclusion word occurs
   → a person (a part, or a variant the boundary table leaves out); several codes → a person; an outside family
   beside the code → a person, unless it only names the place or use (落地灯 沙发旁); the product not in force
   on the day → a person (a product brought in later is not placed before its date, and nothing is placed
   before the catalogue CertHub holds); else placed. No catalogue word: a generic name → a person; outside
   families → outside, unless a guard word (儿童 beside sports goods) or an electric word elsewhere in the
   title (电热马甲) says it may be a catalogue product; nothing → a person.

Every outcome carries a `rule` naming what decided it ("keyword:电钻", "outside:服装:卫衣", "part:配件",
"several:0201,0718", …); for a placement and for "outside" the text after the last colon is the deciding word,
which the check's reason quotes.

A `Placer` holds the catalogue rows, read in one query, so that a batch of any size is placed with a fixed
number of queries (no N+1 queries: docs/architecture.md, "five things CertHub code never does"); `place()`
is the one-listing form.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from certhub.registry.models import CccProduct

DATA = Path(__file__).with_name("data") / "placement.json"

# Kinds of phrase, and what each says about a listing.
KEYWORD = "keyword"  # names a catalogue product (its code)
GENERIC = "generic"  # a generic name: alone, a person decides; beside a product's own word, nothing
BLOCKING = "ambiguous"  # a product whose catalogue status a title cannot show: always a person
PART = "part"  # a part, accessory, consumable or service, not the product itself
OUTSIDE = "outside"  # names a product family outside the catalogue

_SPACES = re.compile(r"\s+")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")

Span = tuple[int, int]


@dataclass(frozen=True)
class Placed:
    """Where a listing stands in the catalogue in force on the day: `product` set = placed automatically;
    `outside` = sure it is not a catalogue product; neither = a person decides. `rule` says what decided."""

    product: CccProduct | None
    outside: bool
    rule: str

    @property
    def needs_person(self) -> bool:
        return self.product is None and not self.outside


def fold(text: str) -> str:
    """The form titles and phrases are compared in: NFKC (full-width letters and digits, ideographic
    spaces), lower case, one space for any run of white space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@dataclass(frozen=True, eq=False)  # compared by identity: each phrase of the data is one object
class _Phrase:
    kind: str
    key: str  # the catalogue code, or the outside family, or "" for the other kinds
    text: str  # as written in the data
    pieces: tuple[str, ...]  # folded; each must occur

    @cached_property
    def length(self) -> int:
        return sum(len(piece) for piece in self.pieces)


@dataclass(frozen=True, eq=False)
class _Hit:
    phrase: _Phrase
    occurrences: tuple[tuple[Span, ...], ...]  # per piece, every place it occurs

    @cached_property
    def spans(self) -> tuple[Span, ...]:
        return tuple(span for piece in self.occurrences for span in piece)

    @cached_property
    def first(self) -> int:
        return min(start for start, _ in self.spans)


def _same_class(a: str, b: str) -> bool:
    return (a.isascii() and a.isalpha() and b.isalpha()) or (a.isascii() and a.isdigit() and b.isdigit())


def _bounded(text: str, start: int, end: int, piece: str) -> bool:
    """A piece beginning or ending with a Latin letter or digit must not run on into one ("bv" is not in
    "bvlgari", "18650" is not in "186500"), so model codes and standard letters match as whole tokens."""
    if _ASCII_ALNUM.match(piece[0]) and start > 0 and _same_class(text[start - 1], piece[0]):
        return False
    return not (_ASCII_ALNUM.match(piece[-1]) and end < len(text) and _same_class(text[end], piece[-1]))


def _find(text: str, piece: str) -> tuple[Span, ...]:
    """Every bounded occurrence of `piece` in `text`."""
    spans = []
    start = text.find(piece)
    while start != -1:
        end = start + len(piece)
        if _bounded(text, start, end, piece):
            spans.append((start, end))
        start = text.find(piece, start + 1)
    return tuple(spans)


def _blank(text: str, spans: Iterable[Span]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


class Rules:
    """The placement data, compiled once. Phrases are indexed by the first two characters of their first
    piece (one for a one-character piece), so a title of n characters is compared with the few phrases that
    can start in it, whatever the size of the data."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        phrases: list[_Phrase] = []
        self.exclusions: dict[str, tuple[_Phrase, ...]] = {}
        for code, entry in data["products"].items():
            phrases += [_phrase(KEYWORD, code, word) for word in entry["keywords"]]
            self.exclusions[code] = tuple(_phrase("exclude", code, word) for word in entry.get("exclude", ()))
        phrases += [_phrase(GENERIC, "", word) for word in data["ambiguous"]["generic"]]
        phrases += [_phrase(BLOCKING, "", word) for word in data["ambiguous"]["blocking"]]
        phrases += [_phrase(PART, "", word) for word in data["parts"]["words"]]
        self.context_families: set[str] = set()
        self.accessory_families: set[str] = set()
        self.unless: dict[str, tuple[str, ...]] = {}
        for family in data["outside"]:
            phrases += [_phrase(OUTSIDE, family["family"], word) for word in family["words"]]
            if family.get("context"):
                self.context_families.add(family["family"])
            if family.get("accessory"):
                self.accessory_families.add(family["family"])
            self.unless[family["family"]] = tuple(fold(word) for word in family.get("unless", ()))
        self.dominates: dict[str, frozenset[str]] = {
            entry["code"]: frozenset(entry["over"]) for entry in data.get("dominates", ())
        }
        self.after = tuple(fold(word) for word in data["mentions"]["after"])
        self.before = tuple(fold(word) for word in data["mentions"]["before"])
        self.electric = tuple(fold(word) for word in data["electric_markers"]["words"])
        self.not_electric = tuple(fold(word) for word in data["electric_markers"]["not_markers"])
        self.codes = frozenset(data["products"])
        self._index: dict[str, list[_Phrase]] = {}
        for phrase in phrases:
            self._index.setdefault(phrase.pieces[0][:2], []).append(phrase)

    def hits(self, text: str) -> list[_Hit]:
        """Every phrase found in the folded `text`, less those lying inside a longer one that was found
        (for a phrase of several pieces: one of its pieces lies only inside longer phrases), in the order
        they first occur."""
        found: dict[_Phrase, _Hit] = {}
        keys = {text[i : i + 2] for i in range(len(text) - 1)} | set(text)
        for key in keys:
            for phrase in self._index.get(key, ()):
                if phrase in found:
                    continue
                occurrences = tuple(_find(text, piece) for piece in phrase.pieces)
                if all(occurrences):
                    found[phrase] = _Hit(phrase, occurrences)
        hits = sorted(found.values(), key=lambda hit: (hit.first, -hit.phrase.length))
        return [hit for hit in hits if not _covered(hit, hits)]

    def mentions(self, text: str, hits: list[_Hit]) -> set[Span]:
        """The occurrences of catalogue words and generic names that only say what the listing fits, comes
        with or is an accessory of: followed by an "after" marker (燃气灶适用), by another such mention
        (电饭煲电脑主机通用) or by an accessory (冰箱 收纳盒: the head of a Chinese noun phrase comes last), or
        preceded by a "before" marker (送充电器)."""
        accessories = {
            start
            for hit in hits
            if hit.phrase.kind == OUTSIDE and hit.phrase.key in self.accessory_families
            for start, _ in hit.spans
        }
        named = (KEYWORD, GENERIC)
        spans = sorted({span for hit in hits if hit.phrase.kind in named for span in hit.spans}, reverse=True)
        outside_starts = {start for hit in hits if hit.phrase.kind == OUTSIDE for start, _ in hit.spans}
        found: set[Span] = set()
        for start, end in spans:
            gap = len(text[end:]) - len(text[end:].lstrip(" "))
            if (
                self._fits(text, end, outside_starts)
                or end + gap in accessories
                or any(other[0] == end for other in found)
                or text[:start].rstrip(" ").endswith(self.before)
            ):
                found.add((start, end))
        return found

    def _fits(self, text: str, end: int, outside_starts: set[int]) -> bool:
        """An "after" marker right behind the word that ends the token or leads into an outside phrase
        (燃气灶适用, 微波炉专用饭盒); "手机电池适用华为" names the battery, not a phone."""
        marker = next((word for word in self.after if text.startswith(word, end)), None)
        if marker is None:
            return False
        behind = end + len(marker)
        return behind == len(text) or text[behind] == " " or behind in outside_starts

    def excluded_by(self, code: str, text: str, own: Iterable[Span] = ()) -> str | None:
        """The first exclusion word of `code` in `text`, not counting an occurrence lying inside a longer one of
        the product's `own` words (头灯 excludes 灯具, but not inside 床头灯; 陀螺仪 still excludes 陀螺)."""
        own = tuple(own)
        for phrase in self.exclusions.get(code, ()):
            if all(any(not _within_longer(span, own) for span in _find(text, piece)) for piece in phrase.pieces):
                return phrase.text
        return None

    def electric_word(self, text: str, masked: Iterable[Span]) -> str | None:
        """The first electric marker in `text` outside the `masked` spans and outside the words that merely
        contain a marker (登机, 有机, 灯芯绒)."""
        rest = _blank(text, masked)
        for word in self.not_electric:
            rest = rest.replace(word, " " * len(word))
        return next((word for word in self.electric if word in rest), None)


def _phrase(kind: str, key: str, word: str) -> _Phrase:
    pieces = tuple(piece for piece in fold(word).split(" ") if piece)
    if not pieces:
        raise ValueError(f"empty phrase in placement data ({kind} {key})")
    return _Phrase(kind, key, word, pieces)


def _within_longer(span: Span, spans: Iterable[Span]) -> bool:
    """`span` lies inside one of `spans` that is longer than it."""
    start, end = span
    return any(o_start <= start and end <= o_end and o_end - o_start > end - start for o_start, o_end in spans)


def _covered(hit: _Hit, hits: list[_Hit]) -> bool:
    """Some piece of `hit` occurs only inside longer occurrences of other phrases that were found."""
    others = [span for other in hits if other is not hit for span in other.spans]
    return any(all(_within_longer(span, others) for span in piece) for piece in hit.occurrences)


@cache
def rules() -> Rules:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return Rules(loaded)


class Placer:
    """Places titles against the catalogue rows it was given (read once, in one query, by `load()`)."""

    def __init__(self, products: Iterable[CccProduct], rules_: Rules | None = None) -> None:
        self.rules = rules_ or rules()
        self.products = {product.code: product for product in products}

    @classmethod
    def load(cls) -> Placer:
        return cls(CccProduct.objects.select_related("category", "version"))

    def place(self, text: str, *, day: datetime.date) -> Placed:
        folded = fold(text)
        hits = self.rules.hits(folded)
        blocking = next((hit for hit in hits if hit.phrase.kind in (BLOCKING, PART)), None)
        if blocking is not None:
            return Placed(None, False, f"{blocking.phrase.kind}:{blocking.phrase.text}")
        mentioned = self.rules.mentions(folded, hits)
        named = [hit for hit in hits if not all(span in mentioned for span in hit.spans)]
        keywords = [hit for hit in named if hit.phrase.kind == KEYWORD]
        outside = [hit for hit in hits if hit.phrase.kind == OUTSIDE]
        unmentioned = _blank(folded, mentioned)
        if keywords:
            return self._product(unmentioned, keywords, outside, day)
        generic = next((hit for hit in named if hit.phrase.kind == GENERIC), None)
        if generic is not None:
            return Placed(None, False, f"{GENERIC}:{generic.phrase.text}")
        if outside:
            first = outside[0].phrase
            for hit in outside:
                guard = next((word for word in self.rules.unless[hit.phrase.key] if word in folded), None)
                if guard is not None:
                    return Placed(None, False, f"unless:{hit.phrase.key}:{hit.phrase.text}:{guard}")
            marker = self.rules.electric_word(unmentioned, [span for hit in outside for span in hit.spans])
            if marker is not None:
                return Placed(None, False, f"electric:{first.key}:{first.text}:{marker}")
            return Placed(None, True, f"outside:{first.key}:{first.text}")
        return Placed(None, False, "no_keyword")

    def _product(self, text: str, keywords: list[_Hit], outside: list[_Hit], day: datetime.date) -> Placed:
        codes = {hit.phrase.key for hit in keywords}
        codes -= {code for over in codes for code in self.rules.dominates.get(over, ())}
        for code in sorted(codes):
            # The product's own words do not exclude it (头灯 is an exclusion of 灯具, 床头灯 one of its words).
            own = [span for hit in keywords if hit.phrase.key == code for span in hit.spans]
            word = self.rules.excluded_by(code, text, own)
            if word is not None:
                return Placed(None, False, f"excluded:{code}:{word}")
        if len(codes) > 1:
            return Placed(None, False, "several:" + ",".join(sorted(codes)))
        (code,) = codes
        named = [hit for hit in keywords if hit.phrase.key == code]
        if outside and not self._only_context(text, named, outside):
            return Placed(None, False, f"conflict:{code}:{outside[0].phrase.key}")
        product = self.products.get(code)
        if product is None:
            return Placed(None, False, f"unknown_code:{code}")
        if not product.in_force_on(day):
            return Placed(None, False, f"not_in_force:{code}")
        # The longest of the product's one-piece words that occur names it best in the reason.
        best = max(named, key=lambda hit: (len(hit.phrase.pieces) == 1, hit.phrase.length))
        return Placed(product, False, f"keyword:{best.phrase.text}")

    def _only_context(self, text: str, named: list[_Hit], outside: list[_Hit]) -> bool:
        """The outside words only say where or with what the product is used (落地灯 沙发旁, 榨汁机 水果):
        all of context families, after the product's first word, and the rest of the title is electric."""
        first = min(hit.first for hit in named)
        return (
            all(hit.phrase.key in self.rules.context_families and hit.first > first for hit in outside)
            and self.rules.electric_word(text, [span for hit in outside for span in hit.spans]) is not None
        )


def place(text: str, *, day: datetime.date) -> Placed:
    """Place one listing title in the catalogue in force on `day` (one query). For a batch, load a `Placer`
    once and call its `place()` for each listing."""
    return Placer.load().place(text, day=day)
