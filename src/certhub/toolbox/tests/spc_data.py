"""Reference data sets for the control-chart tests, read from tests/data/ (the piston rings from toolbox/data/,
where the demo reads them too).

pistonrings.csv, orangejuice.csv, viscosity.csv and circuit.csv are public data from D. C. Montgomery's
*Introduction to Statistical Quality Control* as shipped with R's qcc package (its data/*.txt, GPL-2+),
converted to CSV: the same numbers qcc's documented results were computed from."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


PISTON_RINGS = Path(__file__).resolve().parents[1] / "data" / "pistonrings.csv"


def rows(name: str) -> list[dict[str, str]]:
    path = PISTON_RINGS if name == "pistonrings.csv" else DATA / name
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def pistonrings(drop: tuple[int, ...] = ()) -> tuple[list[float], list[str]]:
    """Diameters and sample labels; `drop` lists 1-based rows to leave out (qcc's unequal-size example)."""
    kept = [r for i, r in enumerate(rows("pistonrings.csv"), start=1) if i not in drop]
    return [float(r["diameter"]) for r in kept], [r["sample"] for r in kept]
