from django.urls import path

from certhub.market import declaration_views, office_views, onsite_views

app_name = "market"

urlpatterns: list = [
    # issue 17: consequences
    path("office/checks/", office_views.check_list, name="check_list"),
    path("office/checks/<int:pk>/", office_views.check_detail, name="check_detail"),
    path("office/forged-numbers/", office_views.forged_numbers, name="forged_numbers"),
    path("office/campaigns/", office_views.campaign_list, name="campaign_list"),
    path("office/campaigns/new/", office_views.campaign_create, name="campaign_create"),
    path("office/campaigns/<int:pk>/", office_views.campaign_detail, name="campaign_detail"),
]

# issue 17: declarations (the producer's pages before the numbered ones: "mine" and "new" are not numbers)
urlpatterns += [
    path("declarations/", declaration_views.declaration_list, name="declarations"),
    path("declarations/mine/", declaration_views.my_declarations, name="my_declarations"),
    path("declarations/new/", declaration_views.register, name="declaration_new"),
    path("declarations/<identifier:number>/withdraw/", declaration_views.withdraw, name="declaration_withdraw"),
    path("declarations/<identifier:number>/", declaration_views.declaration_detail, name="declaration"),
]

# issue 17: field
urlpatterns += [
    path("check/", onsite_views.onsite_check, name="onsite"),
]
