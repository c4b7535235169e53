"""Risk scores and grades from detector findings (C6; 国市监信发〔2022〕6号 A–D).

The rule is configuration (risk/data/scoring.json, or the file CERTHUB_RISK_SCORING names), checked
before use so that a bad file is refused with the key at fault rather than grading a province wrongly:

- for each kind of subject, a weight per detector that applies to it, the weights summing to 1;
- per detector, the count at which its severity reaches 100 (severity = 100 × count / saturation, at
  most 100);
- three increasing thresholds within 0–100: a score below `B` is grade A, below `C` is B, below `D` is C,
  else D;
- the score from which a warning is raised (`warning`, within 0–100).

A score is explained by its contributions: each detector's finding, its severity and its weight."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _

from certhub.core.errors import ValidationFailed
from certhub.registry.choices import GradedSubject, RiskGrade
from certhub.risk.detectors import DETECTORS, Finding

DEFAULT_FILE = Path(__file__).parent / "data" / "scoring.json"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rule:
    weights: Mapping[str, Mapping[str, Decimal]]  # subject type → detector → weight
    saturation: Mapping[str, int]
    thresholds: tuple[Decimal, Decimal, Decimal]  # B, C, D
    warning: Decimal = HUNDRED

    def as_json(self) -> dict[str, object]:
        """The rule as stored with a scoring run (numbers as strings, as the file has them)."""
        return {
            "weights": {k: {d: str(w) for d, w in v.items()} for k, v in self.weights.items()},
            "saturation": dict(self.saturation),
            "grades": dict(zip("BCD", map(str, self.thresholds), strict=True)),
            "warning": str(self.warning),
        }

    def grade(self, score: Decimal) -> str:
        b, c, d = self.thresholds
        return RiskGrade.A if score < b else RiskGrade.B if score < c else RiskGrade.C if score < d else RiskGrade.D


@dataclass(frozen=True)
class Contribution:
    detector: str
    severity: Decimal
    weight: Decimal
    points: Decimal
    explanation: str


@dataclass(frozen=True)
class Score:
    subject_type: str
    subject_id: int
    subject_key: str
    score: Decimal
    grade: str
    contributions: tuple[Contribution, ...]

    def basis(self) -> str:
        """The explanation a person reads: the score and each contribution."""
        parts = [f"{c.explanation}（{c.points}分）" for c in self.contributions]
        return _("风险分%(score)s：%(parts)s") % {"score": self.score, "parts": "；".join(parts)}


def _number(value: object, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.setdefault(field, []).append(_("“%(value)s”不是数字") % {"value": value})
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(_("“%(value)s”不是数字") % {"value": value})
        return None
    return number


def parse_rule(data: object) -> Rule:
    """Check a scoring configuration and make it a Rule; ValidationFailed names each key at fault."""
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        raise ValidationFailed({"scoring": _("评分规则应为JSON对象")})
    weights: dict[str, dict[str, Decimal]] = {}
    raw_weights = data.get("weights")
    if not isinstance(raw_weights, dict):
        errors["weights"] = [_("缺少权重（weights）")]
        raw_weights = {}
    for subject, detectors in raw_weights.items():
        if subject not in GradedSubject.values:
            errors.setdefault(f"weights.{subject}", []).append(_("未知的对象类型"))
            continue
        if not isinstance(detectors, dict) or not detectors:
            errors.setdefault(f"weights.{subject}", []).append(_("应为“检测项: 权重”的对象"))
            continue
        parsed: dict[str, Decimal] = {}
        for detector, value in detectors.items():
            field = f"weights.{subject}.{detector}"
            if detector not in DETECTORS:
                errors.setdefault(field, []).append(_("未知的检测项"))
                continue
            number = _number(value, field, errors)
            if number is not None and not Decimal(0) <= number <= 1:
                errors.setdefault(field, []).append(_("权重应在0到1之间"))
            elif number is not None:
                parsed[detector] = number
        if len(parsed) == len(detectors) and sum(parsed.values()) != 1:
            errors.setdefault(f"weights.{subject}", []).append(
                _("权重之和应为1，现为%(sum)s") % {"sum": sum(parsed.values())}
            )
        weights[subject] = parsed
    saturation: dict[str, int] = {}
    raw_saturation = data.get("saturation")
    if not isinstance(raw_saturation, dict):
        raw_saturation = {}
    for detector in {d for detectors in weights.values() for d in detectors}:
        value = raw_saturation.get(detector)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors.setdefault(f"saturation.{detector}", []).append(_("应为不小于1的整数"))
        else:
            saturation[detector] = value
    raw_grades = data.get("grades")
    if not isinstance(raw_grades, dict):
        raw_grades = {}
    thresholds = [_number(raw_grades.get(g, ""), f"grades.{g}", errors) for g in ("B", "C", "D")]
    in_order = all(t is not None for t in thresholds) and (
        Decimal(0) < thresholds[0] < thresholds[1] < thresholds[2] <= HUNDRED  # type: ignore[operator]
    )
    if all(t is not None for t in thresholds) and not in_order:
        errors.setdefault("grades", []).append(_("等级分界应满足 0 < B < C < D ≤ 100"))
    warning = _number(data.get("warning", ""), "warning", errors)
    if warning is not None and not Decimal(0) < warning <= HUNDRED:
        errors.setdefault("warning", []).append(_("预警分值应在0（不含）到100之间"))
    if errors:
        raise ValidationFailed(errors)
    return Rule(weights, saturation, tuple(thresholds), warning)  # type: ignore[arg-type]


def load_rule(path: str | Path | None = None) -> Rule:
    """The rule in force: the file CERTHUB_RISK_SCORING names, else the default."""
    source = Path(path or os.environ.get("CERTHUB_RISK_SCORING") or DEFAULT_FILE)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValidationFailed(
            {"scoring": _("无法读取评分规则%(file)s：%(error)s") % {"file": source.name, "error": error}}
        ) from None
    return parse_rule(data)


def score(findings: Iterable[Finding], rule: Rule) -> list[Score]:
    """One score per subject with findings, by subject (type, id)."""
    by_subject: dict[tuple[str, int], list[Finding]] = {}
    for finding in findings:
        by_subject.setdefault((str(finding.subject_type), finding.subject_id), []).append(finding)
    scores = []
    for (subject_type, subject_id), found in sorted(by_subject.items()):
        weights = rule.weights.get(subject_type, {})
        counts: dict[str, list[Finding]] = {}
        for finding in found:
            counts.setdefault(finding.detector, []).append(finding)
        contributions = []
        for detector, detector_findings in sorted(counts.items()):
            weight = weights.get(detector)
            if weight is None:
                continue
            count = sum(f.count for f in detector_findings)
            severity = min(HUNDRED, HUNDRED * count / rule.saturation[detector]).quantize(Decimal("0.1"))
            points = (severity * weight).quantize(Decimal("0.1"))
            explanation = "；".join(f.explanation for f in detector_findings)
            contributions.append(Contribution(detector, severity, weight, points, explanation))
        total = sum((c.points for c in contributions), Decimal(0))
        scores.append(
            Score(subject_type, subject_id, found[0].subject_key, total, rule.grade(total), tuple(contributions))
        )
    return scores
