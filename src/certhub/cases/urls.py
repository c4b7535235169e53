"""URLs of rapid handling (快速处置, C6): warnings, cases and the inbox; all internal (officers)."""

from django.urls import path

from certhub.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("warnings/<int:pk>/open/", views.warning_open_case, name="warning_open_case"),
    path("warnings/<int:pk>/dismiss/", views.warning_dismiss, name="warning_dismiss"),
    path("complaints/<identifier:number>/open/", views.complaint_open_case, name="complaint_open_case"),
    path("complaints/<identifier:number>/join/", views.complaint_join_case, name="complaint_join_case"),
    path("market-checks/<int:pk>/open/", views.market_check_open_case, name="market_check_open_case"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.notice_open, name="notice_open"),
    # Case numbers (AJ-2026-430104-0001) never begin with "warnings", "complaints", "market-checks" or "inbox".
    path("<str:number>/", views.case_detail, name="case_detail"),
    path("<str:number>/measures/", views.case_record_measure, name="case_record_measure"),
    path("<str:number>/assign/", views.case_assign, name="case_assign"),
    path("<str:number>/close/", views.case_close, name="case_close"),
]
