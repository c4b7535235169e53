"""URLs of complaints and tip-offs (C10): the public form, its receipt and the tracking page; the officers'
pages under office/."""

from django.urls import path

from certhub.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.file_complaint, name="file"),
    path("filed/", views.filed, name="filed"),
    path("track/", views.track, name="track"),
    path("office/", views.due_list, name="office_due"),
    path("office/evidence/<int:pk>/", views.evidence_file, name="office_evidence"),
    path("office/<identifier:number>/accept/", views.accept, name="office_accept"),
    path("office/<identifier:number>/refuse/", views.refuse, name="office_refuse"),
    path("office/<identifier:number>/forward/", views.forward, name="office_forward"),
    path("office/<identifier:number>/extend/", views.extend, name="office_extend"),
    path("office/<identifier:number>/conclude/", views.conclude, name="office_conclude"),
    path("office/<identifier:number>/", views.complaint_detail, name="office_complaint"),
]
