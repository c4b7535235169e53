"""Seal pages: /verify/ and its frame decoder, and the printable certificate beside the certificate page."""

from django.urls import path

from certhub.seal import views

app_name = "seal"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/scan/", views.scan, name="scan"),
    path("certificates/<identifier:number>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
]
