"""The trace pages (namespace `trace`): a certificate, a test report and an organization with everything behind it."""

from django.urls import path

from certhub.trace import views

app_name = "trace"
urlpatterns = [
    path("trace/certificate/<identifier:number>/", views.trace_certificate, name="certificate"),
    path("trace/report/<identifier:number>/", views.trace_report, name="report"),
    path("trace/organization/<str:uscc>/", views.trace_organization, name="organization"),
]
