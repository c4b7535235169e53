"""Every change in CCC market control (C7): self-declarations, market checks, sample reports, campaigns."""
