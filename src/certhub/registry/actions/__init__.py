"""Registry actions: the only code that changes registry rows (docs/architecture.md, "the flow"), one module
per noun: reference data, organizations, certification bodies, labs, people, certificates, test reports and
risk signals, and the administrator's data migration of labs.

Each action runs in one transaction: permission check → domain rules → rows → audit row.
Bad input raises ValidationFailed with field-level messages before anything is written. Only the actions
are exported here; the certificate rules and writer they share with the importer are
registry.certificate_rules and registry.certificate_writer."""

from __future__ import annotations

from certhub.registry.actions.bans import do_impose_ban, do_lift_ban
from certhub.registry.actions.bodies import (
    do_close_certification_body,
    do_create_certification_body,
    do_reinstate_certification_body,
    do_revoke_certification_body,
    do_suspend_certification_body,
    do_transfer_certificate,
    do_update_certification_body,
)
from certhub.registry.actions.certificates import (
    do_bulk_create_certificates,
    do_change_certificate_status,
    do_create_certificate,
    do_record_surveillance,
    do_update_certificate,
)
from certhub.registry.actions.labs import do_add_lab_scope, do_authorize_signatory, do_create_lab
from certhub.registry.actions.migration import do_migrate_labs
from certhub.registry.actions.organizations import (
    do_bulk_create_organizations,
    do_create_organization,
    do_declare_product,
    do_import_organizations,
    do_update_organization,
    do_update_organization_contact,
    do_withdraw_declared_product,
)
from certhub.registry.actions.people import (
    do_add_affiliation,
    do_create_person,
    do_end_affiliation,
    do_identify_person,
    do_rehash_person_ids,
    do_start_affiliation,
)
from certhub.registry.actions.reference import do_load_reference_data, do_load_regions
from certhub.registry.actions.reports import do_bulk_create_test_reports, do_create_test_report
from certhub.registry.actions.signals import do_record_certification_audits, do_record_manufactured_products

__all__ = [
    "do_add_affiliation",
    "do_add_lab_scope",
    "do_authorize_signatory",
    "do_bulk_create_certificates",
    "do_bulk_create_organizations",
    "do_bulk_create_test_reports",
    "do_change_certificate_status",
    "do_close_certification_body",
    "do_create_certificate",
    "do_create_certification_body",
    "do_create_lab",
    "do_create_organization",
    "do_create_person",
    "do_create_test_report",
    "do_declare_product",
    "do_end_affiliation",
    "do_identify_person",
    "do_import_organizations",
    "do_impose_ban",
    "do_lift_ban",
    "do_load_reference_data",
    "do_load_regions",
    "do_migrate_labs",
    "do_record_certification_audits",
    "do_record_manufactured_products",
    "do_record_surveillance",
    "do_rehash_person_ids",
    "do_reinstate_certification_body",
    "do_revoke_certification_body",
    "do_start_affiliation",
    "do_suspend_certification_body",
    "do_transfer_certificate",
    "do_update_certificate",
    "do_update_certification_body",
    "do_update_organization",
    "do_update_organization_contact",
    "do_withdraw_declared_product",
]
