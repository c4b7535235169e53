"""Reads of CCC market control (C7), one module per noun: market checks, their batches and campaigns
(`checks`), self-declarations (`declarations`). Every name the pages, the API and the apps above use is
re-exported here."""

from certhub.market.queries.checks import (
    CheckFilter,
    access_campaign,
    access_check_batch,
    access_market_check,
    batch_checks,
    batch_verdicts,
    campaign_tally,
    campaigns_visible_to,
    check_batches_visible_to,
    checks_of_organization,
    checks_visible_to,
    filtered_checks,
    forged_numbers,
    market_checks_visible_to,
)
from certhub.market.queries.declarations import (
    access_declaration,
    declaration_covers,
    declarations_of,
    declarations_visible_to,
    may_withdraw,
    search_declarations,
)

__all__ = [
    "CheckFilter",
    "access_campaign",
    "access_check_batch",
    "access_declaration",
    "access_market_check",
    "batch_checks",
    "batch_verdicts",
    "campaign_tally",
    "campaigns_visible_to",
    "check_batches_visible_to",
    "checks_of_organization",
    "checks_visible_to",
    "declaration_covers",
    "declarations_of",
    "declarations_visible_to",
    "filtered_checks",
    "forged_numbers",
    "market_checks_visible_to",
    "may_withdraw",
    "search_declarations",
]
