"""URLs of 双随机、一公开 (C5): four public tabs, a batch's page and draw file, and the office pages."""

from django.urls import path

from certhub.inspections.views import office, public

app_name = "inspections"
urlpatterns = [
    path("", public.item_list, name="item_list"),
    path("plans/", public.plan_list, name="plan_list"),
    path("batches/", public.batch_list, name="batch_list"),
    path("batches/<str:number>/", public.batch_detail, name="batch_detail"),
    path("batches/<str:number>/draw.json", public.batch_draw_file, name="batch_draw_file"),
    path("results/", public.result_list, name="result_list"),
    path("office/", office.office_home, name="office_home"),
    path("office/plans/", office.plan_list, name="office_plan_list"),
    path("office/plans/<str:number>/", office.plan_detail, name="office_plan_detail"),
    path("office/plans/<str:number>/publish/", office.plan_publish, name="office_plan_publish"),
    path("office/plans/<str:number>/batches/new/", office.batch_create, name="office_batch_create"),
    path("office/plans/<str:number>/pools/new/", office.pool_create, name="office_pool_create"),
    path("office/batches/<str:number>/", office.batch_detail, name="office_batch_detail"),
    path("office/batches/<str:number>/commit/", office.batch_commit, name="office_batch_commit"),
    path("office/batches/<str:number>/draw/", office.batch_draw, name="office_batch_draw"),
    path("office/inspectors/", office.inspector_list, name="office_inspector_list"),
    path("office/tasks/", office.my_tasks, name="office_my_tasks"),
    path("office/tasks/<int:pk>/result/", office.task_record, name="office_task_record"),
    path("office/reviews/", office.review_queue, name="office_review_queue"),
    path("office/reviews/<int:pk>/", office.task_review, name="office_task_review"),
    path("office/reviews/<int:pk>/publish/", office.task_publish, name="office_task_publish"),
    path("office/reviews/<int:pk>/return/", office.task_return, name="office_task_return"),
]
