"""Who may change the registries (C14): officers keep them inside their region, a certification body
writes its own certificates, a lab its own test reports, an enterprise its own contact and products;
reference data is loaded by administrators."""

from certhub.core.choices import Role
from certhub.core.permissions import Permission, Rule, administrator, officer_in_region, own_organization

RULES: dict[Permission, Rule] = {
    Permission.MANAGE_REGISTRY: officer_in_region,
    Permission.WRITE_CERTIFICATE: own_organization(Role.CERTIFICATION_BODY),
    Permission.WRITE_TEST_REPORT: own_organization(Role.LAB),
    Permission.LOAD_REFERENCE_DATA: administrator,
    # The labs' data migration bypasses licensing (C1, C8): administrators only.
    Permission.MIGRATE_LAB_DATA: administrator,
    # An enterprise keeps its own contact and declares what it makes (C1, C8).
    Permission.KEEP_OWN_ORGANIZATION: own_organization(Role.ENTERPRISE),
}
