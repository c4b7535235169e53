"""Django admin for administrators. Regulated records are read-only here: changes go through actions
(pages, API, commands), so that each has its permission check and audit row."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certhub.core.models import ApiKey, AuditEvent, Region, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists, filters and shows; never adds, changes or deletes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["time", "event_type", "actor_label", "actor_role", "subject_type", "subject_id"]
    list_filter = ["event_type", "actor_role", "subject_type"]
    search_fields = ["subject_id", "actor_label", "reason"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "organization", "role", "created_at", "revoked_at"]
    list_filter = ["role"]
    exclude = ["digest"]


@admin.register(User)
class CertHubUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("CertHub"), {"fields": ("role", "region", "department", "organization")}),
    )
    list_display = ["username", "first_name", "role", "region", "department", "organization", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["organization"]
