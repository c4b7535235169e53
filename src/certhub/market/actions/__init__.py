"""Every change in CCC market control (C7): self-declarations, market checks, sample reports, campaigns."""

# issue 17: engine
from certhub.market.actions.checks import (  # noqa: E402
    do_check_listing_chunk,
    do_check_listings,
    do_finish_check_batch,
    do_link_sample_report,
    do_open_check_batch,
)

# issue 17: declarations
from certhub.market.actions.declarations import do_register_declaration as do_register_declaration
from certhub.market.actions.declarations import do_withdraw_declaration as do_withdraw_declaration
