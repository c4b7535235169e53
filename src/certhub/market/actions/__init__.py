"""Every change in CCC market control (C7): self-declarations, market checks, sample reports, campaigns."""

# issue 17: consequences
from certhub.market.actions.campaigns import do_create_campaign as do_create_campaign
