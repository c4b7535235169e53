"""Licensing migration 0002 (C9): the bars licensing used to keep (ApplicationBar) become registry bans of
kind APPLICATION_BAR with the decision they came from, and going back restores them. Run against the real
schema with Django's migration executor."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from certhub.core.errors import ValidationFailed
from certhub.licensing.models import Application, Licence
from certhub.licensing.tests.conftest import on_day
from certhub.licensing.tests.test_bans import cma_on_commitment
from certhub.registry.models import Ban

D = datetime.date
BEFORE = [("licensing", "0001_applications_licences_clocks_opinions")]
AFTER = [("licensing", "0003_delete_application_bar")]
PROVINCE_BUREAU = "湖南省市场监督管理局"
BASIS = "《中华人民共和国行政许可法》 第六十九条、第七十九条"


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_the_bars_kept_by_licensing_become_registry_bans_and_come_back_when_reversed(lic):
    with on_day(D(2026, 5, 12)):
        cma_on_commitment(lic)
    application = Application.objects.get()
    licence = Licence.objects.get()
    digest = application.particulars["legal_representative"]["id_digest"]
    try:
        old = migrate(BEFORE)
        ApplicationBar = old.get_model("licensing", "ApplicationBar")
        ApplicationBar.objects.create(
            organization_id=lic.organizations["newlab"].pk,
            licence_type="CMA",
            legal_representative_digest=digest,
            starts=D(2026, 6, 15),
            ends=D(2029, 6, 15),
            reason="告知承诺内容不实（许可证被撤销）",
            source_text=BASIS,
            licence_id=licence.pk,
            application_id=application.pk,
        )
        ApplicationBar.objects.create(
            organization_id=lic.organizations["producer"].pk,
            licence_type="PRODUCTION",
            starts=D(2025, 1, 2),
            ends=D(2028, 1, 2),
            reason="告知承诺内容不实",
            source_text=BASIS,
        )
        migrate(AFTER)
        bans = list(
            Ban.objects.order_by("id").values_list(
                "kind",
                "organization_id",
                "licence_type",
                "decision_number",
                "decided_on",
                "authority",
                "region_code",
                "starts",
                "ends",
                "reason",
                "legal_basis",
                "source",
                "legal_representative_digest",
            )
        )
        assert bans == [
            (
                "APPLICATION_BAR",
                lic.organizations["newlab"].pk,
                "CMA",
                application.decision_number,  # the decision the lab's revocation named
                D(2026, 6, 15),
                PROVINCE_BUREAU,
                "430000",
                D(2026, 6, 15),
                D(2029, 6, 15),
                "告知承诺内容不实（许可证被撤销）",
                BASIS,
                f"licensing.Licence:{licence.number}",
                digest,
            ),
            (
                "APPLICATION_BAR",
                lic.organizations["producer"].pk,
                "PRODUCTION",
                "licensing.ApplicationBar:2",  # no licence nor application recorded: the bar itself is named
                D(2025, 1, 2),
                PROVINCE_BUREAU,
                "430000",
                D(2025, 1, 2),
                D(2028, 1, 2),
                "告知承诺内容不实",
                BASIS,
                "licensing.ApplicationBar:2",
                "",
            ),
        ]
        # The copied bar refuses the lab's next application like any ban.
        with on_day(D(2027, 1, 4)), pytest.raises(ValidationFailed) as refused:
            cma_on_commitment(lic)
        assert refused.value.errors == {
            "applicant": [
                "长沙麓谷检测技术有限公司已被湖南省市场监督管理局于2026-06-15决定限制申请资质"
                f"（决定文号{application.decision_number}），至2029-06-15届满"
            ]
        }
        old = migrate(BEFORE)
        restored = old.get_model("licensing", "ApplicationBar")
        assert list(
            restored.objects.order_by("organization_id").values_list(
                "organization_id", "licence_type", "starts", "ends", "licence_id", "legal_representative_digest"
            )
        ) == [
            (lic.organizations["newlab"].pk, "CMA", D(2026, 6, 15), D(2029, 6, 15), licence.pk, digest),
            (lic.organizations["producer"].pk, "PRODUCTION", D(2025, 1, 2), D(2028, 1, 2), None, ""),
        ]
        assert Ban.objects.count() == 0
    finally:
        migrate(AFTER)
