"""Enterprise sign-up and the link between an account and the organization it acts for (C8 一网通办)."""
