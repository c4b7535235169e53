"""Actions of 双随机、一公开 (C5): the item list, the pools, plans, batches announced and drawn,
and each task's result recorded, reviewed and published (谁检查、谁录入、谁公示). One module per noun;
the package names every action so that callers keep writing `inspections.actions.do_…`."""

from certhub.inspections.actions.batches import MAX_SOURCES, do_commit_batch, do_create_batch, pool_definition
from certhub.inspections.actions.draws import compute_draw, do_draw_batch, load_snapshot
from certhub.inspections.actions.inspectors import do_create_inspector, do_link_inspector_user
from certhub.inspections.actions.items import do_create_inspection_item
from certhub.inspections.actions.plans import do_create_plan, do_publish_plan
from certhub.inspections.actions.results import (
    PUBLICATION_WORKING_DAYS,
    do_publish_result,
    do_record_result,
    do_return_result,
)
from certhub.inspections.actions.target_pools import do_create_target_pool

__all__ = [
    "MAX_SOURCES",
    "PUBLICATION_WORKING_DAYS",
    "compute_draw",
    "do_commit_batch",
    "do_create_batch",
    "do_create_inspection_item",
    "do_create_inspector",
    "do_create_plan",
    "do_create_target_pool",
    "do_draw_batch",
    "do_link_inspector_user",
    "do_publish_plan",
    "do_publish_result",
    "do_record_result",
    "do_return_result",
    "load_snapshot",
    "pool_definition",
]
