from django.urls import path

from certhub.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.submission_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/report.<str:file_format>", views.report_download, name="report"),
    path("templates/<str:kind>.<str:file_format>", views.template_download, name="template"),
    path("labs-migration/", views.lab_migration, name="lab_migration"),
]
