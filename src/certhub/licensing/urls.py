"""URLs of the licensing pages (C8, 一网通办): the applicant's pages, then the officers' under office/. A case's
own page comes after its steps' pages: the number's converter takes any text."""

from django.urls import path

from certhub.licensing.views import applicant, office

app_name = "licensing"
urlpatterns = [
    path("", applicant.my_applications, name="my_applications"),
    path("apply/", applicant.apply, name="apply"),
    path("follow/", applicant.follow, name="follow"),
    path("applications/<identifier:number>/materials/", applicant.upload, name="upload"),
    path("applications/<identifier:number>/answer/", applicant.answer, name="answer"),
    # After the routes with a suffix: an identifier may hold "/" (core.identifiers.IdentifierConverter).
    path("applications/<identifier:number>/", applicant.application_detail, name="application"),
    path("materials/<int:pk>/", applicant.material, name="material"),
    path("licences/<identifier:number>/certificate.pdf", applicant.licence_pdf, name="licence_pdf"),
    path("office/", office.due_list, name="office_due"),
    path("office/opinions/", office.opinion_list, name="office_opinions"),
    path("office/applications/<identifier:number>/accept/", office.accept, name="office_accept"),
    path(
        "office/applications/<identifier:number>/refuse-acceptance/",
        office.refuse_acceptance,
        name="office_refuse_acceptance",
    ),
    path("office/applications/<identifier:number>/assign/", office.assign, name="office_assign"),
    path(
        "office/applications/<identifier:number>/request-materials/",
        office.request_materials,
        name="office_request_materials",
    ),
    path(
        "office/applications/<identifier:number>/request-opinions/",
        office.request_opinions,
        name="office_request_opinions",
    ),
    path(
        "office/applications/<identifier:number>/opinions/<int:pk>/",
        office.record_opinion,
        name="office_record_opinion",
    ),
    path(
        "office/applications/<identifier:number>/onsite/schedule/",
        office.schedule_onsite,
        name="office_schedule_onsite",
    ),
    path("office/applications/<identifier:number>/onsite/result/", office.record_onsite, name="office_record_onsite"),
    path(
        "office/applications/<identifier:number>/rectification/",
        office.record_rectification,
        name="office_record_rectification",
    ),
    path(
        "office/applications/<identifier:number>/conclude-review/",
        office.conclude_review,
        name="office_conclude_review",
    ),
    path("office/applications/<identifier:number>/decide/", office.decide, name="office_decide"),
    path("office/applications/<identifier:number>/checks/<int:pk>/", office.post_check, name="office_post_check"),
    path("office/applications/<identifier:number>/revoke/", office.revoke, name="office_revoke"),
    path("office/materials/<int:pk>/", office.material, name="office_material"),
    path("office/applications/<identifier:number>/", office.application_detail, name="office_application"),
]
