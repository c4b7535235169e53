"""The registry's pages (namespace `registry`): the public records of certificates, certification bodies and labs,
the procurement check, certified products, and in the back office one list and one history page per registry
(generated from registry.tables.REGISTRIES) and a certification body's own certificates."""

from django.urls import path

from certhub.registry import ban_views, body_views, product_views, views
from certhub.registry.tables import REGISTRIES

app_name = "registry"
urlpatterns = [
    path("certificates/<identifier:number>/", views.certificate, name="certificate"),
    path("certification-bodies/", views.certification_body_list, name="certification_body_list"),
    path("certification-bodies/<identifier:approval_number>/", views.certification_body, name="certification_body"),
    path("labs/", views.lab_list, name="lab_list"),
    path("labs/<identifier:cma_number>/", views.lab, name="lab"),
    path("procurement/", views.procurement, name="procurement"),
    path("office/my-certificates/", views.my_certificates, name="office_my_certificates"),
    path("office/my-certificates/<int:pk>/status/", views.certificate_status, name="office_certificate_status"),
    path("office/organizations/<int:pk>/people/", views.organization_people, name="office_organization_people"),
    path("office/people/<int:pk>/affiliations/", views.person_affiliations, name="office_person_affiliations"),
    path("office/affiliations/<int:pk>/end/", views.end_affiliation, name="office_affiliation_end"),
    path("office/organizations/<int:pk>/edit/", views.organization_edit, name="office_organization_edit"),
    path("my-organization/", views.my_organization, name="my_organization"),
    path("office/certification-bodies/<int:pk>/edit/", body_views.body_edit, name="office_certification_body_edit"),
    path(
        "office/certification-bodies/<int:pk>/status/", body_views.body_status, name="office_certification_body_status"
    ),
    path("office/certificates/<int:pk>/transfer/", body_views.certificate_transfer, name="office_certificate_transfer"),
    # Bans (C9)
    path("office/bans/", ban_views.ban_list, name="office_bans"),
    path("office/bans/new/", ban_views.ban_impose, name="office_ban_new"),
    path("office/bans/<int:pk>/", ban_views.ban_detail, name="office_ban"),
    path("office/bans/<int:pk>/lift/", ban_views.ban_lift, name="office_ban_lift"),
    # issue 17: products — certified products by name, model, trademark, GTIN or factory (C7, C13)
    path("products/", product_views.products, name="products"),
    path("products/scan/", product_views.product_scan, name="product_scan"),
]
for registry in REGISTRIES:
    urlpatterns += [
        path(
            f"office/{registry.key}/",
            views.registry_list,
            {"registry_key": registry.key},
            name=f"office_{registry.name}_list",
        ),
        path(
            f"office/{registry.key}/<int:pk>/history/",
            views.registry_history,
            {"registry_key": registry.key},
            name=f"office_{registry.name}_history",
        ),
    ]
