from django.urls import path

app_name = "toolbox"

urlpatterns: list = []

# issue 18: web — the calculators, the enterprise's datasets and studies, shared studies
from certhub.toolbox import views  # noqa: E402

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
