"""Read-only admin view of the seal keys (changes go through seal.actions: `certhub seal keys`)."""

from django.contrib import admin

from certhub.core.admin import ReadOnlyAdmin
from certhub.seal.models import SealKey


@admin.register(SealKey)
class SealKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "created_at", "valid_from", "retired_at", "valid_until"]
    exclude = ["public_key"]
