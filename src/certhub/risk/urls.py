from django.urls import path

from certhub.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:subject_type>/<int:subject_id>/", views.subject, name="subject"),
]
