"""The open-data pages under /open-data/ (C2): the latest export, its files, and the administrators' button."""

from django.urls import path

from certhub.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("files/<str:filename>", views.download, name="download"),
    path("export/", views.start, name="start"),
    path("progress/", views.progress, name="progress"),
]
