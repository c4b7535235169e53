"""URLs of the integrity pages (C9, C3): the public disclosure list and archives, then the officers' pages."""

from django.urls import path

from certhub.integrity import views

app_name = "integrity"
urlpatterns = [
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/disclosure.<str:file_format>", views.disclosure_download, name="disclosure_download"),
    path("integrity/person/<int:pk>/", views.person_archive, name="person"),
    path("integrity/<str:uscc>/", views.organization_archive, name="archive"),
    path("office/integrity/<str:uscc>/repair/", views.credit_repair, name="credit_repair"),
    path("office/joint-punishment/", views.joint_query, name="joint_query"),
    path("office/disclosure/export/", views.disclosure_export, name="disclosure_export"),
]
