"""`{% ledger_entries_of record as entries %}`: a record's ledger entries for its page (C4: every
certificate page shows the entries behind it, so anyone can fetch and prove them)."""

from __future__ import annotations

from django import template
from django.db import models

from certhub.ledger.queries import PublishedEntry, entries_of

register = template.Library()


@register.simple_tag
def ledger_entries_of(record: models.Model) -> list[PublishedEntry]:
    return entries_of(record._meta.label_lower, str(record.pk))
