"""URLs of 双随机、一公开 (C5): four public tabs, a batch's page and draw file, and the office pages."""

from django.urls import path

from certhub.inspections import office_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("plans/", views.plan_list, name="plan_list"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<str:number>/", views.batch_detail, name="batch_detail"),
    path("batches/<str:number>/draw.json", views.batch_draw_file, name="batch_draw_file"),
    path("results/", views.result_list, name="result_list"),
    path("office/", office_views.office_home, name="office_home"),
    path("office/plans/", office_views.plan_list, name="office_plan_list"),
    path("office/plans/<str:number>/", office_views.plan_detail, name="office_plan_detail"),
    path("office/plans/<str:number>/publish/", office_views.plan_publish, name="office_plan_publish"),
    path("office/plans/<str:number>/batches/new/", office_views.batch_create, name="office_batch_create"),
    path("office/plans/<str:number>/pools/new/", office_views.pool_create, name="office_pool_create"),
    path("office/batches/<str:number>/", office_views.batch_detail, name="office_batch_detail"),
    path("office/batches/<str:number>/commit/", office_views.batch_commit, name="office_batch_commit"),
    path("office/batches/<str:number>/draw/", office_views.batch_draw, name="office_batch_draw"),
    path("office/inspectors/", office_views.inspector_list, name="office_inspector_list"),
    path("office/tasks/", office_views.my_tasks, name="office_my_tasks"),
    path("office/tasks/<int:pk>/result/", office_views.task_record, name="office_task_record"),
    path("office/reviews/", office_views.review_queue, name="office_review_queue"),
    path("office/reviews/<int:pk>/", office_views.task_review, name="office_task_review"),
    path("office/reviews/<int:pk>/publish/", office_views.task_publish, name="office_task_publish"),
    path("office/reviews/<int:pk>/return/", office_views.task_return, name="office_task_return"),
]
