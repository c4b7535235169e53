"""Standard-revision transitions in a real browser (Debian's Chromium through Playwright, against a live server):
the officer reads the share on the new edition on the statistics page, opens the list of holders still on the
old edition and downloads its CSV. Every page passes axe-core's WCAG 2.1 AA check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from certhub.core.testing import assert_accessible, fits_the_phone, sign_in
from certhub.registry import actions
from certhub.registry.testing import certificate_data
from certhub.stats import aggregate
from certhub.stats.choices import Metric
from certhub.stats.testing import DAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_follows_a_transition_to_the_holders_on_the_old_edition(live_server, live_stats_world, phone):
    world = live_stats_world
    for number, holder, standards in (
        ("CNCA-EMS-2026-0101", "maker", "GB/T 24001-2016/ISO 14001:2015"),
        ("CNCA-EMS-2026-0102", "hengyang", "ISO 14001:2026"),
    ):
        actions.do_create_certificate(
            body=world.bodies["hunan"],
            data=certificate_data(
                number,
                world.organizations[holder],
                scheme="EMS",
                standards=standards,
                issue_date="2026-05-01",
                expiry_date="2029-04-30",
            ),
            actor=world.actor("cb_hunan"),
        )
    aggregate.run(DAY, metrics=[Metric.TRANSITIONS], redo=True)
    base = live_server.url
    page = phone
    sign_in(page, base, "officer_province", world.PASSWORD)
    page.goto(base + "/statistics/")
    section = page.locator("#transition-iso14001-2026")
    assert section.locator(".rate").inner_text() == "33.3%"  # 1 of 3: the statistics world has one more EMS
    assert page.get_by_role("img", name=re.compile("ISO 14001:2015 → ISO 14001:2026")).count() == 1
    assert fits_the_phone(page)
    assert_accessible(page, context="the statistics page with the transitions")

    section.get_by_role("link", name="查看旧版证书").click()
    page.wait_for_url(re.compile(r"/statistics/transitions/\?region=430000&transition=iso14001-2026$"))
    assert page.locator('#holder-table tbody tr td[data-label="证书编号"]').all_inner_texts() == ["CNCA-EMS-2026-0101"]
    assert_accessible(page, context="the holders on the old edition")
    with page.expect_download() as download:
        page.locator("#transition-csv").click()
    assert download.value.suggested_filename == "certhub-transitions-430000-iso14001-2026.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[5] for line in lines] == ["证书编号", "CNCA-EMS-2026-0101"]
    assert page.console_errors == []
