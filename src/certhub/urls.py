"""URL map: the public portal, the registry's and every app's pages (public and back office), the admin and API v1."""

from django.contrib import admin
from django.urls import include, path

from certhub.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open-data/", include("certhub.opendata.urls")),
    path("submissions/", include("certhub.exchange.urls")),
    path("inspections/", include("certhub.inspections.urls")),
    path("cases/", include("certhub.cases.urls")),
    path("risk/", include("certhub.risk.urls")),
    path("statistics/", include("certhub.stats.urls")),
    path("licensing/", include("certhub.licensing.urls")),
    path("complaints/", include("certhub.complaints.urls")),
    path("market/", include("certhub.market.urls")),
    path("toolbox/", include("certhub.toolbox.urls")),
    path("account/", include("certhub.accounts.urls")),
    path("account/passkeys/", include("certhub.accounts.signin.passkey_urls")),
    # Before the registry: /certificates/<number>/certificate.pdf sits beside the registry's certificate page.
    path("", include("certhub.integrity.urls")),
    path("", include("certhub.seal.urls")),
    path("", include("certhub.registry.urls")),
    path("", include("certhub.trace.urls")),
    path("", include("certhub.portal.urls")),
]
