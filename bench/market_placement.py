"""Placing market listings in the CCC catalogue from their titles (`--parts market-placement`; C7).

On the labelled set of market titles (src/certhub/market/tests/data/labelled_listings.csv: each title with
the catalogue code it is, OUTSIDE, or UNSURE where only a person can tell), in the same run:

1. CertHub's placement (`certhub.market.placement.Placer`);
2. a baseline: naive matching of the catalogue's own product names — a title containing a product's name
   (or the part of it before a bracket) is that product, the first such in catalogue order; a title
   containing none is outside the catalogue.

For each: precision of the automatic decisions (a product or "outside"; a decision on a title labelled
UNSURE counts as wrong, since it is a guess), the share of titles sent to a person, the wrong decisions
split by kind, and titles per second. Every figure is computed on the catalogue in force on the check day,
built from registry/data/ccc_catalogue.json without a database.

Run on its own: `python -m bench --parts market-placement` or `python -m bench.market_placement`."""

from __future__ import annotations

import csv
import datetime
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "src" / "certhub" / "market" / "tests" / "data" / "labelled_listings.csv"
CATALOGUE = ROOT / "src" / "certhub" / "registry" / "data" / "ccc_catalogue.json"
DAY = datetime.date(2026, 3, 2)
TARGET_PRECISION = 0.98
OUTSIDE = "OUTSIDE"
UNSURE = "UNSURE"


def _django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certhub.settings")
    import django

    django.setup()


def labelled() -> list[tuple[str, str, str]]:
    """(title, expected, batch): the batch tells the titles the rules were tuned on ("tuning") from those
    written afterwards and first placed blind ("held-out", "held-out-2")."""
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return [(row["title"], row["expected"], row["set"]) for row in csv.DictReader(handle)]


def catalogue() -> list[Any]:
    """The catalogue's products as unsaved rows (code, name, dates): placement needs no database."""
    from certhub.registry.models import CccProduct

    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return [
        CccProduct(
            code=entry["code"],
            name=entry["name"],
            mode=entry["mode"],
            effective_from=datetime.date.fromisoformat(entry["effective_from"]),
            effective_to=datetime.date.fromisoformat(entry["effective_to"]) if entry.get("effective_to") else None,
        )
        for entry in data["products"]
    ]


def score(decide: Callable[[str], str], rows: list[tuple[str, str]]) -> dict[str, Any]:
    """Precision of the automatic decisions and the share left to a person. `decide` answers a code,
    OUTSIDE, or UNSURE (a person decides)."""
    started = time.perf_counter()
    answers = [decide(title) for title, _ in rows]
    seconds = time.perf_counter() - started
    decided = [(answer, expected) for answer, (_, expected) in zip(answers, rows, strict=True) if answer != UNSURE]
    right = sum(answer == expected for answer, expected in decided)
    wrong = Counter(
        "guess on an UNSURE title"
        if expected == UNSURE
        else "outside called a product"
        if expected == OUTSIDE
        else "product called outside"
        if answer == OUTSIDE
        else "wrong product"
        for answer, expected in decided
        if answer != expected
    )
    mistakes = [
        {"title": title, "expected": expected, "answer": answer}
        for answer, (title, expected) in zip(answers, rows, strict=True)
        if answer not in (UNSURE, expected)
    ]
    return {
        "titles": len(rows),
        "decided": len(decided),
        "right": right,
        "precision": right / len(decided) if decided else 1.0,
        "to_person": (len(rows) - len(decided)) / len(rows),
        "wrong": dict(wrong),
        "mistakes": mistakes,
        "titles_per_s": len(rows) / seconds if seconds else float("inf"),
    }


def certhub_decider(products: list[Any], day: datetime.date) -> Callable[[str], str]:
    from certhub.market.placement import Placer

    placer = Placer(products)

    def decide(title: str) -> str:
        placed = placer.place(title, day=day)
        return placed.product.code if placed.product else OUTSIDE if placed.outside else UNSURE

    return decide


def baseline_decider(products: list[Any], day: datetime.date) -> Callable[[str], str]:
    """Naive: the first catalogue product whose name (or its part before a bracket) the title contains;
    none: outside."""
    names = []
    for product in products:
        if product.in_force_on(day):
            for name in {product.name, product.name.split("（")[0].split("(")[0]}:
                names.append((name.casefold(), product.code))

    def decide(title: str) -> str:
        folded = title.casefold()
        return next((code for name, code in names if name and name in folded), OUTSIDE)

    return decide


def measure(day: datetime.date = DAY) -> dict[str, Any]:
    _django()
    batches = labelled()
    rows = [(title, expected) for title, expected, _ in batches]
    products = catalogue()
    print(f"\n== market-placement: {len(rows)} labelled market titles, catalogue in force on {day}", flush=True)
    expected = Counter("outside" if e == OUTSIDE else "unsure" if e == UNSURE else "product" for _, e in rows)
    return {
        "day": day.isoformat(),
        "labelled": dict(expected),
        "codes_covered": len({e for _, e in rows if e not in (OUTSIDE, UNSURE)}),
        "certhub": score(certhub_decider(products, day), rows),
        "certhub_by_batch": {
            batch: score(certhub_decider(products, day), [(t, e) for t, e, b in batches if b == batch])
            for batch in dict.fromkeys(b for _, _, b in batches)
        },
        "baseline": score(baseline_decider(products, day), rows),
        "target_precision": TARGET_PRECISION,
    }


def print_report(report: dict[str, Any]) -> None:
    labelled_ = report["labelled"]
    print(
        f"\nplacing market titles in the CCC catalogue (C7; {sum(labelled_.values())} labelled titles: "
        f"{labelled_.get('product', 0)} catalogue products over {report['codes_covered']} codes, "
        f"{labelled_.get('outside', 0)} outside, {labelled_.get('unsure', 0)} for a person)"
    )
    print(f"  {'':<34} {'precision':>9} {'decided':>8} {'to a person':>12} {'titles/s':>10}  wrong decisions")
    for key, label in (("certhub", "CertHub placement"), ("baseline", "baseline: catalogue-name substring")):
        r = report[key]
        wrong = ", ".join(f"{n} {kind}" for kind, n in sorted(r["wrong"].items())) or "none"
        print(
            f"  {label:<34} {r['precision']:>9.3f} {r['decided']:>8} {r['to_person']:>12.1%} "
            f"{r['titles_per_s']:>10,.0f}  {wrong}"
        )
    for batch, r in report["certhub_by_batch"].items():
        print(
            f"    {batch:<32} {r['precision']:>9.3f} {r['decided']:>8} {r['to_person']:>12.1%}   ({r['titles']} titles)"
        )
    met = report["certhub"]["precision"] >= report["target_precision"]
    print(f"  target: precision ≥ {report['target_precision']} — {'met' if met else 'NOT MET'}")
    for mistake in report["certhub"]["mistakes"]:
        print(f"    wrong: {mistake['title']} → {mistake['answer']} (labelled {mistake['expected']})")


if __name__ == "__main__":
    print_report(measure())
