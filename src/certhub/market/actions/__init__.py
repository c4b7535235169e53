"""Every change in CCC market control (C7): self-declarations, market checks, sample reports, campaigns."""

# issue 17: declarations
from certhub.market.actions.declarations import do_register_declaration as do_register_declaration
from certhub.market.actions.declarations import do_withdraw_declaration as do_withdraw_declaration
