"""Licensing records (C8). Rows change only through licensing.actions."""
