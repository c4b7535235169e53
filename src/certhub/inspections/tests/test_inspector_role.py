"""Least privilege for enforcement inspectors (C14, issue 14 finding 8): a user with the INSPECTOR role sees
their own inspection tasks and records results for them, and nothing else of the back office — no risk
grades, cases, statistics, registry history or other tasks. And separated duties: whoever reviews and
publishes a result is neither the inspector who recorded it nor another inspector on the task."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from certhub.accounts.users.actions import do_change_user
from certhub.core.actors import Actor
from certhub.core.errors import NotPermitted
from certhub.core.models import AuditEvent, User
from certhub.core.testing import signed_in, table_rows
from certhub.inspections import actions
from certhub.inspections.tests.test_pages import draw, first_task, record, snapshot

pytestmark = pytest.mark.django_db

BACK_OFFICE = [
    "/inspections/office/",
    "/inspections/office/plans/",
    "/inspections/office/reviews/",
    "/inspections/office/inspectors/",
    "/risk/",
    "/cases/",
    "/cases/warnings/",
    "/statistics/",
    "/office/organizations/",
    "/office/certificates/",
    "/account/users/",
]


def as_inspector(world, username: str) -> User:
    """An administrator makes an inspector's sign-in an enforcement inspector's (role INSPECTOR)."""
    user = User.objects.get(username=username)
    return do_change_user(
        user=user, role="INSPECTOR", region=user.region_id, department=user.department, organization=None,
        actor=world.actor("admin"),
    )  # fmt: skip


def test_an_inspector_sees_only_their_own_tasks(client, world, inspection, started):
    batch = draw(inspection, started)
    task = first_task(batch)  # XZ4304050005 and XZ4301020001
    as_inspector(world, "xz4304050005")
    inspector = signed_in(client, world, "xz4304050005")
    landing = inspector.get("/office/")
    assert landing.status_code == 302 and landing["Location"] == reverse("inspections:office_my_tasks")
    mine = inspector.get(reverse("inspections:office_my_tasks"))
    assert [row[0] for row in table_rows(mine)] == ["永州潇湘有机农场 9143110200000006X9"]
    # The navigation offers their tasks and no way into the back office.
    assert '<a href="/inspections/office/tasks/" aria-current="page">我的检查任务</a>' in mine.content.decode()
    assert 'href="/office/"' not in mine.content.decode()
    for path in BACK_OFFICE:
        response = inspector.get(path)
        assert response.status_code == 403, path
    # Another task of the same batch answers as a missing one; their own opens and takes the result.
    other = batch.tasks.get(sequence=2)
    url = reverse("inspections:office_task_record", args=[other.pk])
    assert inspector.get(url).status_code == 404
    assert inspector.get(reverse("inspections:office_task_review", args=[task.pk])).status_code == 403
    drawn_on = timezone.localdate(batch.drawn_at)
    data = {"result": "NORMAL", "follow_up": "NONE", "findings": "", "inspected_from": drawn_on}
    response = inspector.post(
        reverse("inspections:office_task_record", args=[task.pk]), {**data, "inspected_until": timezone.localdate()}
    )
    assert response.status_code == 302
    assert snapshot(task)[0] == "SUBMITTED"
    assert AuditEvent.objects.filter(event_type="TASK_RESULT_RECORDED", actor_role="INSPECTOR").count() == 1


def test_an_inspector_account_is_linked_to_its_pool_entry(world, inspection):
    """do_create_inspector takes an enforcement inspector's sign-in, and do_link_inspector_user links one later."""
    admin = world.actor("admin")
    user = User.objects.create(username="xz4301029999", role="INSPECTOR", region_id="430102")
    created = actions.do_create_inspector(
        code="XZ4301029999", name="检查员新", department="市场监管", region="430102",
        qualifications=["ENTERPRISE"], username="xz4301029999", actor=admin,
    )  # fmt: skip
    assert created.user_id == user.pk
    later = User.objects.create(username="xz4301029998", role="INSPECTOR", region_id="430102")
    pool_entry = actions.do_create_inspector(
        code="XZ4301029998", name="检查员后", department="市场监管", region="430102",
        qualifications=["ENTERPRISE"], actor=admin,
    )  # fmt: skip
    linked = actions.do_link_inspector_user(inspector=pool_entry, user=later, actor=admin)
    assert linked.user_id == later.pk
    event = AuditEvent.objects.get(event_type="INSPECTOR_LINKED")
    assert (event.before, event.after) == ({"user": None}, {"user": later.pk})
    # A 衡阳 officer may not link 长沙's pool.
    with pytest.raises(NotPermitted):
        actions.do_link_inspector_user(inspector=pool_entry, user=later, actor=world.actor("officer_hengyang"))


def test_a_reviewer_who_inspected_the_task_may_not_publish_or_return_it(world, inspection, started):
    """谁检查、谁录入 and 谁公示 are different people: an officer on the task (even one covering the plan's
    region) may neither publish nor return its result; another officer of the region may."""
    task = first_task(draw(inspection, started))
    recorded = record(task, inspection)
    # The task's second inspector is posted to the province, so the reviewing permission alone would allow it.
    second = recorded.assignments.order_by("slot")[1].inspector.user
    User.objects.filter(pk=second.pk).update(region_id="430000")
    second.refresh_from_db()
    recorder = recorded.recorded_by.user
    User.objects.filter(pk=recorder.pk).update(region_id="430000")
    recorder.refresh_from_db()
    before = snapshot(recorded)
    for person in (recorder, second):
        actor = Actor.from_user(person)
        with pytest.raises(NotPermitted) as refusal:
            actions.do_publish_result(task=recorded, note="", actor=actor)
        assert refusal.value.message == "检查人员不能审核自己参与检查的结果"
        with pytest.raises(NotPermitted) as refusal:
            actions.do_return_result(task=recorded, note="补充", actor=actor)
        assert refusal.value.message == "检查人员不能审核自己参与检查的结果"
        assert snapshot(recorded) == before
    published = actions.do_publish_result(
        task=recorded, note="", late_reason="补录", actor=world.actor("officer_province")
    )
    assert published.status == "PUBLISHED"
