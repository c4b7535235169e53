"""The registries of C1: organizations, certification bodies, labs, people, schemes, certificates,
test reports and the CCC catalogue. Rows change only through registry.actions.

One module per noun (docs/architecture.md, "the shape of an app"); every model is re-exported here, where Django
and the other apps look for them."""

from certhub.registry.models.bans import (
    Ban,
    ban_in_force,
)
from certhub.registry.models.bodies import (
    CertificationBody,
    CertificationBodyStatusEvent,
)
from certhub.registry.models.certificates import (
    Certificate,
    CertificateEvent,
    CertificatePublicRecord,
    CertificationAudit,
    CertifiedProduct,
    certificate_public_id,
)
from certhub.registry.models.labs import (
    Affiliation,
    Lab,
    LabScope,
    Person,
    Signatory,
)
from certhub.registry.models.organizations import (
    ManufacturedProduct,
    Organization,
    OrganizationName,
)
from certhub.registry.models.reference import (
    CccCatalogueVersion,
    CccCategory,
    CccProduct,
    Scheme,
)
from certhub.registry.models.reports import (
    TestReport,
    TestReportItem,
)

__all__ = [
    "Affiliation",
    "Ban",
    "CccCatalogueVersion",
    "CccCategory",
    "CccProduct",
    "Certificate",
    "CertificateEvent",
    "CertificatePublicRecord",
    "CertificationAudit",
    "CertificationBody",
    "CertificationBodyStatusEvent",
    "CertifiedProduct",
    "Lab",
    "LabScope",
    "ManufacturedProduct",
    "Organization",
    "OrganizationName",
    "Person",
    "Scheme",
    "Signatory",
    "TestReport",
    "TestReportItem",
    "ban_in_force",
    "certificate_public_id",
]
