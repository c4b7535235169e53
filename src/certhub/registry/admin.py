"""Read-only admin views of the registries (changes go through registry.actions)."""

from django.contrib import admin

from certhub.core.admin import ReadOnlyAdmin
from certhub.registry import models


@admin.register(models.Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "uscc", "region", "industry_section", "above_designated_size"]
    list_filter = ["industry_section", "above_designated_size"]
    search_fields = ["name", "uscc"]
    show_full_result_count = False


@admin.register(models.Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "mandatory", "validity_years", "surveillance_months"]
    list_filter = ["kind", "mandatory"]


@admin.register(models.CccProduct)
class CccProductAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "category", "mode", "version", "effective_from", "effective_to"]
    list_filter = ["category", "mode", "version"]
    search_fields = ["code", "name"]


@admin.register(models.CertificationBody)
class CertificationBodyAdmin(ReadOnlyAdmin):
    list_display = ["name", "approval_number", "accreditation", "status"]
    search_fields = ["name", "approval_number"]


class LabScopeInline(admin.TabularInline):
    model = models.LabScope
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Lab)
class LabAdmin(ReadOnlyAdmin):
    list_display = ["name", "cma_number", "cma_valid_from", "cma_valid_until", "status"]
    search_fields = ["name", "cma_number"]
    inlines = [LabScopeInline]


@admin.register(models.Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "roles", "created_at"]
    search_fields = ["name"]
    exclude = ["id_digest"]


@admin.register(models.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "certification_body",
        "scheme",
        "holder_name",
        "status",
        "issue_date",
        "expiry_date",
    ]
    list_filter = ["status", "scheme"]
    search_fields = ["=number", "holder_name"]
    raw_id_fields = ["holder", "certification_body"]
    show_full_result_count = False


@admin.register(models.TestReport)
class TestReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "lab", "issue_date", "conclusion"]
    list_filter = ["conclusion"]
    search_fields = ["=number"]
