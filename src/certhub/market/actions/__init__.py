"""Every change in CCC market control (C7): self-declarations, market checks, sample reports, campaigns."""

# issue 17: consequences
from certhub.market.actions.campaigns import do_create_campaign as do_create_campaign

# issue 17: engine (re-exported by name: `as` keeps each line the module's own)
from certhub.market.actions.checks import do_check_listing_chunk as do_check_listing_chunk
from certhub.market.actions.checks import do_check_listings as do_check_listings
from certhub.market.actions.checks import do_finish_check_batch as do_finish_check_batch
from certhub.market.actions.checks import do_link_sample_report as do_link_sample_report
from certhub.market.actions.checks import do_open_check_batch as do_open_check_batch

# issue 17: declarations
from certhub.market.actions.declarations import do_register_declaration as do_register_declaration
from certhub.market.actions.declarations import do_withdraw_declaration as do_withdraw_declaration
