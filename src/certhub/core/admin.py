"""Django admin for administrators, read-only throughout (C14): every change goes through actions (pages,
API, commands), so that each has its permission check, audit row and ledger entry. Users are changed in
the user pages (accounts.users), never here: a region widened here once let an officer read another
region without a trace.

Second-factor devices (django-otp's TOTP and static codes, django-otp-webauthn's passkeys) are not in the
admin at all: their rows hold secrets (a TOTP key, recovery codes) that nobody should read, even read-only;
an administrator resets a user's second factors in the user pages. Groups are unused (permissions are
CertHub's own rules, core.permissions) and not shown."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

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
    list_display = ["name", "prefix", "organization", "role", "scopes", "created_at", "expires_at", "revoked_at"]
    list_filter = ["role"]
    exclude = ["digest"]


@admin.register(User)
class CertHubUserAdmin(ReadOnlyAdmin):
    """Who may sign in, shown read-only, without the password hash."""

    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "is_active")}),
        (_("CertHub"), {"fields": ("role", "region", "department", "organization")}),
        (_("登录"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ["username", "first_name", "role", "region", "department", "organization", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = UserAdmin.search_fields


for model in (Group, TOTPDevice, StaticDevice, WebAuthnCredential):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
