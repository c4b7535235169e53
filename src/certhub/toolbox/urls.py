from django.urls import path

app_name = "toolbox"

urlpatterns: list = []

# issue 18: excellence self-assessment
from certhub.toolbox import excellence_views  # noqa: E402

urlpatterns += [
    path("excellence/", excellence_views.assessment_list, name="excellence_list"),
    path("excellence/<int:pk>/", excellence_views.assessment_detail, name="excellence_detail"),
    path("excellence/<int:pk>/score/<str:category>/", excellence_views.score_category, name="excellence_score"),
    path("excellence/<int:pk>/report.pdf", excellence_views.assessment_pdf, name="excellence_pdf"),
    path("excellence/<int:pk>/delete/", excellence_views.assessment_delete, name="excellence_delete"),
]
