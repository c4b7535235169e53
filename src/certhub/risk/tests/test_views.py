"""The risk office pages: the grade mix and a subject's profile, inside the officer's region only, never to
the public."""

from __future__ import annotations

import datetime

import pytest

from certhub.core.actors import SYSTEM
from certhub.core.testing import sign_in_client, table_cells
from certhub.risk.actions import do_record_certificate_uses, do_run_scoring
from certhub.risk.models import Grade

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def scored(world):
    do_record_certificate_uses(
        rows=[{"certificate": world.certificates["withdrawn"].pk, "used_on": "2025-03-01", "channel": "market"}],
        actor=SYSTEM,
    )
    return do_run_scoring(today=DAY, actor=SYSTEM)


def cells(html: str, table: str) -> list[list[str]]:
    """The table's rows under its header row."""
    return table_cells(html, table)[1:]


def test_the_overview_shows_the_grade_mix_of_the_officers_region(client, world, scored):
    sign_in_client(client, world.users["officer_hengyang"])
    html = client.get("/risk/").content.decode()
    # In 衡阳 (4304): one organization (衡阳湘江, grade B after a use of a withdrawn certificate: 100 × 0.2 = 20),
    # no body or lab.
    assert cells(html, "grade-mix") == [
        ["企业", "0", "1", "0", "0", "1"],
        ["认证机构", "0", "0", "0", "0", "0"],
        ["检验检测机构", "0", "0", "0", "0", "0"],
    ]
    hengyang = world.organizations["hengyang"]
    assert f'href="/risk/organization/{hengyang.pk}/"' in html
    # Graded B, it is not among the C and D subjects; its grade change is listed.
    assert 'id="highest"' not in html and "辖区内没有C级或D级对象。" in html
    assert cells(html, "changes") == [["衡阳湘江机械制造有限公司 企业", "— → B", "2026-03-02"]]
    assert f"评分对象{scored.subjects}个" in html


def test_a_profile_shows_grade_basis_history_and_the_trace_link(client, world, scored):
    hengyang = world.organizations["hengyang"]
    sign_in_client(client, world.users["officer_province"])
    html = client.get(f"/risk/organization/{hengyang.pk}/").content.decode()
    assert f'href="/trace/organization/{hengyang.uscc}/"' in html
    assert cells(html, "grade-history") == [
        ["2026-03-02", "— → B", "20.0", Grade.objects.get(subject_type="organization", subject_id=hengyang.pk).basis]
    ]


def test_another_region_and_the_public_cannot_see_a_profile(client, world, scored):
    hengyang = world.organizations["hengyang"]
    sign_in_client(client, world.users["officer_changsha"])
    assert client.get(f"/risk/organization/{hengyang.pk}/").status_code == 404
    assert client.get("/risk/nonsense/1/").status_code == 404
    client.logout()
    response = client.get(f"/risk/organization/{hengyang.pk}/")
    assert (response.status_code, response.headers["Location"].split("?")[0]) == (302, "/login/")
    sign_in_client(client, world.users["maker"])
    assert client.get("/risk/").status_code == 403
