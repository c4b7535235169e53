from django.urls import path

from certhub.toolbox import excellence_views, views

app_name = "toolbox"

# issue 18: excellence self-assessment (before the calculators: "excellence" would match <str:tool>)
urlpatterns: list = [
    path("excellence/", excellence_views.assessment_list, name="excellence_list"),
    path("excellence/<int:pk>/", excellence_views.assessment_detail, name="excellence_detail"),
    path("excellence/<int:pk>/score/<str:category>/", excellence_views.score_category, name="excellence_score"),
    path("excellence/<int:pk>/report.pdf", excellence_views.assessment_pdf, name="excellence_pdf"),
    path("excellence/<int:pk>/delete/", excellence_views.assessment_delete, name="excellence_delete"),
]

# issue 18: web — the calculators, the enterprise's datasets and studies, shared studies
urlpatterns += [
    path("", views.index, name="index"),
    path("datasets/", views.datasets, name="datasets"),
    path("datasets/<int:pk>/delete/", views.dataset_delete, name="dataset_delete"),
    path("studies/", views.studies, name="studies"),
    path("studies/save/", views.study_save, name="study_save"),
    path("studies/<int:pk>/", views.study, name="study"),
    path("studies/<int:pk>/delete/", views.study_delete, name="study_delete"),
    path("studies/<int:pk>/share/", views.study_share, name="study_share"),
    path("studies/<int:pk>/unshare/", views.study_unshare, name="study_unshare"),
    path("studies/<int:pk>/download.<str:fmt>", views.study_download, name="study_download"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("shared/<str:token>/download.<str:fmt>", views.shared_download, name="shared_download"),
    path("<str:tool>/", views.calculator, name="calculator"),
    path("<str:tool>/result/", views.result, name="result"),
]
