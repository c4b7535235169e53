"""URLs of the KPI dashboard (C11): the page and its two exports, each taking ?region=CODE."""

from django.urls import path

from certhub.stats import transition_views, views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    # issue 17: consequences
    path("campaigns/<int:pk>.xlsx", views.campaign_xlsx, name="campaign_xlsx"),
    # issue 18: standard-revision transitions
    path("transitions/", transition_views.old_holders, name="transitions"),
    path("transitions.csv", transition_views.old_holders_csv, name="transitions_csv"),
]
