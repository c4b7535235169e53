"""CertHub: one authoritative record of who is certified, tested and licensed for what."""
