"""`certhub toolbox …` (C12): the toolbox's computations on a CSV or XLSX file, for an engineer's scripts —
the same functions, the same refusals and the same JSON as the calculators and `POST /api/v1/toolbox/…`:

- `spc FILE --chart xbar-r|xbar-s|imr|p|np|c|u|ewma|cusum --value COL [--subgroup COL] [--size COL]
  [--phase1 N] [--rules nelson|western-electric|none] [--exclude-out-of-control] [--json]`;
- `capability FILE --value COL [--subgroup COL] [--phase1 N] --lsl L --usl U [--target T] [--json]`;
- `pareto FILE --category COL [--count COL] [--json]`;
- `quality-cost FILE --period COL --prevention COL --appraisal COL --internal-failure COL
  --external-failure COL [--sales COL] [--json]`.

FILE `-` reads standard input. Without `--json` a readable table is printed. The command never opens the
database (nothing is stored: the data is the enterprise's own), so it runs anywhere the package is
installed. Bad input prints the InputError's sentence on standard error and exits with status 2."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certhub.toolbox import tables
from certhub.toolbox.capability import INDICES, Capability, capability
from certhub.toolbox.errors import InputError
from certhub.toolbox.pareto import Pareto, pareto
from certhub.toolbox.quality_cost import COST_KINDS, QualityCost, quality_cost_from_table
from certhub.toolbox.spc import CHARTS, RULESETS, SpcResult, control_chart


class Command(BaseCommand):
    help = (
        "Quality toolbox (质量工具箱): control charts, process capability, Pareto, quality cost — on a CSV/XLSX file."
    )
    # Nothing here reads the database or needs the project's checks: the command must run without a database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        spc = commands.add_parser("spc", help="a control chart with its limits and run-rule violations")
        spc.add_argument("file")
        spc.add_argument("--chart", required=True, choices=CHARTS)
        spc.add_argument("--value", required=True, help="the column of measurements, defectives or defects")
        spc.add_argument("--subgroup", default=None, help="the column of subgroup (sample) labels")
        spc.add_argument("--size", default=None, help="the column of sample sizes (p, np, u charts)")
        spc.add_argument("--phase1", type=int, default=None, help="the first N subgroups (points) are phase I")
        spc.add_argument("--rules", default="nelson", choices=tuple(RULESETS))
        spc.add_argument("--exclude-out-of-control", action="store_true", help="re-estimate without them")
        spc.add_argument("--json", action="store_true")

        cap = commands.add_parser("capability", help="Cp, Cpk, Cpm, Pp, Ppk with confidence intervals")
        cap.add_argument("file")
        cap.add_argument("--value", required=True)
        cap.add_argument("--subgroup", default=None)
        cap.add_argument("--phase1", type=int, default=None)
        cap.add_argument("--lsl", type=float, required=True)
        cap.add_argument("--usl", type=float, required=True)
        cap.add_argument("--target", type=float, default=None)
        cap.add_argument("--json", action="store_true")

        par = commands.add_parser("pareto", help="categories by count with cumulative share and the vital few")
        par.add_argument("file")
        par.add_argument("--category", required=True)
        par.add_argument("--count", default=None, help="without it each row counts once")
        par.add_argument("--json", action="store_true")

        qc = commands.add_parser("quality-cost", help="quality cost by period, as shares of sales, with trends")
        qc.add_argument("file")
        qc.add_argument("--period", required=True)
        for kind in COST_KINDS:
            qc.add_argument(f"--{kind.replace('_', '-')}", required=True, dest=kind)
        qc.add_argument("--sales", default=None)
        qc.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            table = _read(options["file"])
            result = getattr(self, f"_{options['command'].replace('-', '_')}")(table, options)
        except InputError as error:
            self.stderr.write(error.text())
            sys.exit(2)
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, allow_nan=False))
        else:
            self.stdout.write(_text(result))

    def _spc(self, table: tables.Table, options: dict[str, Any]) -> SpcResult:
        return control_chart(
            options["chart"],
            tables.numbers(table, options["value"]),
            subgroups=tables.labels(table, options["subgroup"]) if options["subgroup"] else None,
            sizes=list(tables.numbers(table, options["size"])) if options["size"] else None,
            phase1=options["phase1"],
            rules=options["rules"],
            exclude_out_of_control=options["exclude_out_of_control"],
        )

    def _capability(self, table: tables.Table, options: dict[str, Any]) -> Capability:
        return capability(
            tables.numbers(table, options["value"]),
            subgroups=tables.labels(table, options["subgroup"]) if options["subgroup"] else None,
            phase1=options["phase1"],
            lsl=options["lsl"],
            usl=options["usl"],
            target=options["target"],
        )

    def _pareto(self, table: tables.Table, options: dict[str, Any]) -> Pareto:
        counts = list(tables.numbers(table, options["count"])) if options["count"] else None
        return pareto(tables.labels(table, options["category"]), counts)

    def _quality_cost(self, table: tables.Table, options: dict[str, Any]) -> QualityCost:
        return quality_cost_from_table(
            table,
            period=options["period"],
            prevention=options["prevention"],
            appraisal=options["appraisal"],
            internal_failure=options["internal_failure"],
            external_failure=options["external_failure"],
            sales=options["sales"],
        )


def _read(name: str) -> tables.Table:
    if name == "-":
        return tables.read_table(sys.stdin.buffer.read(), "-")
    path = Path(name)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"{name}: {error.strerror}", returncode=2) from None
    return tables.read_table(data, path.name)


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where a Chinese character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 1)


def _number(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return f"{_number(value[0])}…{_number(value[-1])} (varying)"
    return f"{float(value):.6g}"  # type: ignore[arg-type]


def _text(result: SpcResult | Capability | Pareto | QualityCost) -> str:
    """A table a person reads in a terminal; --json gives every number."""
    lines: list[str] = []
    if isinstance(result, SpcResult):
        data = result.to_json()
        lines.append(f"chart {data['chart']}")
        for series in data["charts"]:
            lines.append(
                f"{series['name']:<12} center {_number(series['center'])}  LCL {_number(series['lcl'])}  "
                f"UCL {_number(series['ucl'])}  sigma {_number(series['sigma'])}  points {len(series['points'])}"
            )
            for violation in series["violations"]:
                index = violation["index"]
                label = series["labels"][index] if "labels" in series else str(index + 1)
                lines.append(f"  point {index + 1} ({label}): {violation['rule']}")
    elif isinstance(result, Capability):
        lines.append(
            f"n {result.n}  mean {result.mean:.7g}  LSL {result.lsl:g}  USL {result.usl:g}  target {result.target:g}"
        )
        lines.append(f"sigma within {result.sigma_within:.7g}  sigma overall {result.sigma_overall:.7g}")
        low, high = f"{(1 - result.confidence) / 2:.1%}", f"{1 - (1 - result.confidence) / 2:.1%}"
        lines.append(f"{'index':<6}{'value':>8}{low:>8}{high:>8}")
        for key in INDICES:
            lo, hi = result.ci[key]
            lines.append(f"{key:<6}{getattr(result, key):>8.3f}{lo:>8.3f}{hi:>8.3f}")
        lines.append(f"expected < LSL {result.expected_below:.4%}   observed < LSL {result.observed_below:.4%}")
        lines.append(f"expected > USL {result.expected_above:.4%}   observed > USL {result.observed_above:.4%}")
        normality = result.normality
        lines.append(f"normality {normality.test}: statistic {normality.statistic:.4g}, p {normality.p_value:.4g}")
        if normality.warning:
            lines.append(normality.warning)
        lines.append(result.verdict)
    elif isinstance(result, Pareto):
        lines.append(f"{'category':<20}{'count':>10}{'share':>9}{'cum.':>9}")
        for row in result.rows:
            mark = "  *" if row.vital else ""
            lines.append(f"{_pad(row.category, 20)}{row.count:>10g}{row.share:>9.1%}{row.cumulative:>9.1%}{mark}")
        lines.append(f"total {result.total:g}   * vital few (cumulative to {result.vital_share:.0%})")
    else:
        lines.append(
            f"{'period':<10}" + "".join(f"{kind:>18}" for kind in COST_KINDS) + f"{'total':>12}{'of sales':>10}"
        )
        for period in result.periods:
            share = "—" if period.total_share is None else f"{period.total_share:.2%}"
            lines.append(
                _pad(period.period, 10)
                + "".join(f"{period.costs[kind]:>18,.2f}" for kind in COST_KINDS)
                + f"{period.total:>12,.2f}{share:>10}"
            )
        trend = ", ".join(
            f"{key} {'—' if slope is None else f'{slope * 100:+.3f} pp/period'}" for key, slope in result.trend.items()
        )
        lines.append(f"trend of share of sales (least-squares slope): {trend}")
    return "\n".join(lines)
