from django.urls import path  # noqa: F401  (the pages add their paths below)

app_name = "toolbox"

urlpatterns: list = []
