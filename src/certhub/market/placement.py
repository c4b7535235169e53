"""Placing a market listing in the CCC catalogue from its title (C7), without guessing.

A listing that claims no certificate or declaration, gives no catalogue code and carries no known barcode is
judged by what it is: a catalogue product sold without a claim (NO_CLAIM), a product outside the catalogue
(NOT_IN_CATALOGUE), or something a person has to look at (NEEDS_PERSON). `place()` decides which from the
title alone, with the words of the catalogue's description and boundary table (强制性产品认证目录描述与界定表,
SAMR 2023 No. 36, and SAMR 2024 No. 26) and the names the market sells the products under, all kept as data in
market/data/placement.json beside this module.

How a title is read:

1. The title is folded (NFKC, lower case, runs of white space made one space).
2. Every phrase of the data is looked for: catalogue keywords (per code), ambiguous names, part/accessory
   words and the words of product families outside the catalogue. A phrase written with a space ("拼图 儿童")
   matches when each of its pieces occurs. A phrase lying wholly inside a longer phrase that also matched is
   dropped, so "手机壳" (outside) beats "手机" (1606) and "电动车充电器" (1122) beats "充电器" (0807).
3. The decision, most cautious first: an ambiguous name or a part word sends the listing to a person; a
   catalogue product whose exclusion words occur sends it to a person (a part, or a product the boundary table
   leaves out); codes named together go to a person unless one is the more specific product of the other
   (`dominates`); a catalogue product and an outside family together go to a person. One code left: placed,
   when that product is in force on the day (a product brought into the catalogue later is not placed before
   its date, and no product is placed on a day before the catalogue CertHub holds). Only outside families,
   and nothing in the rest of the title that could make it an electric appliance: outside the catalogue.
   Nothing matched: a person.

Every outcome carries a `rule` naming what decided it ("keyword:电钻", "outside:服装:卫衣", "part:配件",
"several:0201,0202", …) so that the check's reason can say why.

A `Placer` holds the catalogue rows, read in one query, so that a batch of any size is placed with a fixed
number of queries (docs/architecture.md: set-based checks); `place()` is the one-listing form.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from certhub.registry.models import CccProduct

DATA = Path(__file__).with_name("data") / "placement.json"

# Kinds of phrase, and what each says about a listing.
KEYWORD = "keyword"  # names a catalogue product (its code)
AMBIGUOUS = "ambiguous"  # names products inside and outside the catalogue alike
PART = "part"  # a part, accessory, consumable or service, not the product itself
OUTSIDE = "outside"  # names a product family outside the catalogue

_SPACES = re.compile(r"\s+")
_ASCII_ALNUM = re.compile(r"[a-z0-9]")


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


@dataclass(frozen=True)
class _Phrase:
    kind: str
    key: str  # the catalogue code, or the outside family, or "" for ambiguous and part words
    text: str  # as written in the data
    pieces: tuple[str, ...]  # folded, each must occur

    @property
    def length(self) -> int:
        return sum(len(piece) for piece in self.pieces)


@dataclass(frozen=True)
class _Hit:
    phrase: _Phrase
    spans: tuple[tuple[int, int], ...]  # every occurrence of every piece


def _bounded(text: str, start: int, end: int, piece: str) -> bool:
    """A piece beginning or ending with a Latin letter or digit must not run on into one ("bv" is not in
    "bvlgari", "18650" is not in "186500"), so model codes and standard letters match as whole tokens."""
    if _ASCII_ALNUM.match(piece[0]) and start > 0 and _same_class(text[start - 1], piece[0]):
        return False
    return not (_ASCII_ALNUM.match(piece[-1]) and end < len(text) and _same_class(text[end], piece[-1]))


def _same_class(a: str, b: str) -> bool:
    return (a.isascii() and a.isalpha() and b.isalpha()) or (a.isascii() and a.isdigit() and b.isdigit())


def _find(text: str, piece: str) -> list[tuple[int, int]]:
    """Every bounded occurrence of `piece` in `text`."""
    spans = []
    start = text.find(piece)
    while start != -1:
        end = start + len(piece)
        if _bounded(text, start, end, piece):
            spans.append((start, end))
        start = text.find(piece, start + 1)
    return spans


class Rules:
    """The placement data, compiled once: every phrase indexed by the first character of its first piece,
    so a title is scanned once whatever the number of phrases."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        phrases: list[_Phrase] = []
        self.exclusions: dict[str, tuple[_Phrase, ...]] = {}
        for code, entry in data["products"].items():
            phrases += [_phrase(KEYWORD, code, word) for word in entry["keywords"]]
            self.exclusions[code] = tuple(_phrase("exclude", code, word) for word in entry.get("exclude", ()))
        phrases += [_phrase(AMBIGUOUS, "", word) for word in data["ambiguous"]["words"]]
        phrases += [_phrase(PART, "", word) for word in data["parts"]["words"]]
        for family in data["outside"]:
            phrases += [_phrase(OUTSIDE, family["family"], word) for word in family["words"]]
        self.dominates: dict[str, frozenset[str]] = {
            entry["code"]: frozenset(entry["over"]) for entry in data.get("dominates", ())
        }
        self.electric = tuple(fold(word) for word in data["electric_markers"]["words"])
        self.codes = frozenset(data["products"])
        self._by_first: dict[str, list[_Phrase]] = {}
        for phrase in phrases:
            self._by_first.setdefault(phrase.pieces[0][0], []).append(phrase)

    def hits(self, text: str) -> list[_Hit]:
        """Every phrase found in the folded `text`, less those lying inside a longer one that was found."""
        found: dict[_Phrase, _Hit] = {}
        for char in dict.fromkeys(text):
            for phrase in self._by_first.get(char, ()):
                if phrase in found:
                    continue
                spans = [_find(text, piece) for piece in phrase.pieces]
                if all(spans):
                    found[phrase] = _Hit(phrase, tuple(span for piece_spans in spans for span in piece_spans))
        hits = sorted(found.values(), key=lambda hit: (min(hit.spans), -hit.phrase.length))
        return [hit for hit in hits if not _covered(hit, hits)]

    def excluded_by(self, code: str, text: str) -> str | None:
        for phrase in self.exclusions.get(code, ()):
            if all(_find(text, piece) for piece in phrase.pieces):
                return phrase.text
        return None

    def electric_word(self, text: str, masked: Iterable[tuple[int, int]]) -> str | None:
        """The first electric marker in `text` outside the `masked` spans (the outside family's own words)."""
        chars = list(text)
        for start, end in masked:
            chars[start:end] = " " * (end - start)
        rest = "".join(chars)
        return next((word for word in self.electric if word in rest), None)


def _phrase(kind: str, key: str, word: str) -> _Phrase:
    pieces = tuple(piece for piece in fold(word).split(" ") if piece)
    if not pieces:
        raise ValueError(f"empty phrase in placement data ({kind} {key})")
    return _Phrase(kind, key, word, pieces)


def _covered(hit: _Hit, hits: list[_Hit]) -> bool:
    """Every occurrence of `hit` lies inside an occurrence of a longer phrase that was found."""
    longer = [span for other in hits if other.phrase.length > hit.phrase.length for span in other.spans]
    return all(any(o_start <= start and end <= o_end for o_start, o_end in longer) for start, end in hit.spans)


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
        for kind in (AMBIGUOUS, PART):
            hit = next((hit for hit in hits if hit.phrase.kind == kind), None)
            if hit is not None:
                return Placed(None, False, f"{kind}:{hit.phrase.text}")
        keywords = [hit for hit in hits if hit.phrase.kind == KEYWORD]
        outside = [hit for hit in hits if hit.phrase.kind == OUTSIDE]
        if keywords:
            return self._product(folded, keywords, outside, day)
        if outside:
            first = outside[0].phrase
            spans = [span for hit in outside for span in hit.spans]
            marker = self.rules.electric_word(folded, spans)
            if marker is not None:
                return Placed(None, False, f"electric:{first.key}:{first.text}:{marker}")
            return Placed(None, True, f"outside:{first.key}:{first.text}")
        return Placed(None, False, "no_keyword")

    def _product(self, folded: str, keywords: list[_Hit], outside: list[_Hit], day: datetime.date) -> Placed:
        codes = sorted({hit.phrase.key for hit in keywords})
        for code in codes:
            word = self.rules.excluded_by(code, folded)
            if word is not None:
                return Placed(None, False, f"excluded:{code}:{word}")
        dominated = {code for code in codes for over in codes if code in self.rules.dominates.get(over, ())}
        codes = [code for code in codes if code not in dominated]
        if len(codes) > 1:
            return Placed(None, False, "several:" + ",".join(codes))
        (code,) = codes
        if outside:
            return Placed(None, False, f"conflict:{code}:{outside[0].phrase.key}")
        product = self.products.get(code)
        if product is None:
            return Placed(None, False, f"unknown_code:{code}")
        if not product.in_force_on(day):
            return Placed(None, False, f"not_in_force:{code}")
        # The longest of the product's words that occur names it best in the reason.
        word = max((hit for hit in keywords if hit.phrase.key == code), key=lambda hit: hit.phrase.length).phrase.text
        return Placed(product, False, f"keyword:{word}")


def place(text: str, *, day: datetime.date) -> Placed:
    """Place one listing title in the catalogue in force on `day` (one query). For a batch, load a `Placer`
    once and call its `place()` for each listing."""
    return Placer.load().place(text, day=day)
