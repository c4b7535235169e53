"""Statistical process control for the toolbox (C12): Shewhart, EWMA and CUSUM control charts, Nelson and
Western Electric run rules, and the control-chart constants, computed as R's qcc package computes them."""

from certhub.toolbox.spc.charts import CHARTS, Series, SpcResult, control_chart, sigma_within
from certhub.toolbox.spc.rules import RULE_TEXT, RULESETS, Violation, rule_text, run_rules

__all__ = [
    "CHARTS",
    "RULESETS",
    "RULE_TEXT",
    "Series",
    "SpcResult",
    "Violation",
    "control_chart",
    "rule_text",
    "run_rules",
    "sigma_within",
]
