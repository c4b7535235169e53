"""The portal's URLs: public pages, sign-in, and the back office (one list and one history page per
registry, generated from portal.tables.REGISTRIES)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from certhub.portal import office_views, trace_views, views
from certhub.portal.tables import REGISTRIES

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("certificates/", views.search, name="search"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("certification-bodies/", views.certification_body_list, name="certification_body_list"),
    path("certification-bodies/<str:approval_number>/", views.certification_body, name="certification_body"),
    path("labs/", views.lab_list, name="lab_list"),
    path("labs/<str:cma_number>/", views.lab, name="lab"),
    path("procurement/", views.procurement, name="procurement"),
    path("trace/certificate/<str:number>/", trace_views.trace_certificate, name="trace_certificate"),
    path("trace/report/<str:number>/", trace_views.trace_report, name="trace_report"),
    path("trace/organization/<str:uscc>/", trace_views.trace_organization, name="trace_organization"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="portal/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("office/", office_views.office_home, name="office_home"),
    path("office/my-certificates/", office_views.my_certificates, name="office_my_certificates"),
    path(
        "office/my-certificates/<int:pk>/status/",
        office_views.certificate_status,
        name="office_certificate_status",
    ),
]
for registry in REGISTRIES:
    urlpatterns += [
        path(
            f"office/{registry.key}/",
            office_views.registry_list,
            {"registry_key": registry.key},
            name=f"office_{registry.name}_list",
        ),
        path(
            f"office/{registry.key}/<int:pk>/history/",
            office_views.registry_history,
            {"registry_key": registry.key},
            name=f"office_{registry.name}_history",
        ),
    ]
