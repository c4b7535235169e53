from django.urls import path

from certhub.market import onsite_views

app_name = "market"

urlpatterns: list = []

# issue 17: field
urlpatterns += [
    path("check/", onsite_views.onsite_check, name="onsite"),
]
