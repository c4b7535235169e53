"""The bars on new applications become registry bans (C9: bans are first-class records, enforced wherever
they matter, registry.Ban of kind APPLICATION_BAR). Each bar is copied with the decision it came from (the
decision number the lab's revocation named: the application's, else the licence's), the licensing
authority of the province, and the revoked licence as its source. The audit rows of the bars stay as they
were written; the copy changes where the bar is kept, not what was decided."""

from django.db import migrations

SOURCE_PREFIX = "licensing."


def _province(apps):
    Region = apps.get_model("core", "Region")
    return Region.objects.filter(level="province").order_by("code").first()


def copy_bars_into_bans(apps, schema_editor):
    ApplicationBar = apps.get_model("licensing", "ApplicationBar")
    Ban = apps.get_model("registry", "Ban")
    province = _province(apps)
    for bar in ApplicationBar.objects.select_related("licence", "application").order_by("id").iterator():
        licence, application = bar.licence, bar.application
        decision = (application.decision_number if application else "") or (licence.decision_number if licence else "")
        if licence is not None:
            source = f"licensing.Licence:{licence.number}"
        elif application is not None:
            source = f"licensing.Application:{application.number}"
        else:
            source = f"licensing.ApplicationBar:{bar.pk}"
        region_code = province.code if province else (licence.region_code if licence else "")
        Ban.objects.create(
            kind="APPLICATION_BAR",
            organization_id=bar.organization_id,
            licence_type=bar.licence_type,
            decision_number=decision or source,
            decided_on=bar.starts,
            authority=f"{province.name}市场监督管理局" if province else "",
            region_code=region_code,
            starts=bar.starts,
            ends=bar.ends,
            reason=bar.reason,
            legal_basis=bar.source_text,
            source=source,
            legal_representative_digest=bar.legal_representative_digest,
        )


def copy_bans_back(apps, schema_editor):
    ApplicationBar = apps.get_model("licensing", "ApplicationBar")
    Licence = apps.get_model("licensing", "Licence")
    Ban = apps.get_model("registry", "Ban")
    copied = Ban.objects.filter(
        kind="APPLICATION_BAR", source__startswith=SOURCE_PREFIX, ends__isnull=False, lifted_on__isnull=True
    )
    for ban in copied.order_by("id").iterator():
        licence = None
        if ban.source.startswith("licensing.Licence:"):
            licence = Licence.objects.filter(number=ban.source.split(":", 1)[1]).first()
        ApplicationBar.objects.create(
            organization_id=ban.organization_id,
            licence_type=ban.licence_type,
            legal_representative_digest=ban.legal_representative_digest,
            starts=ban.starts,
            ends=ban.ends,
            reason=ban.reason,
            source_text=ban.legal_basis,
            licence=licence,
            application_id=licence.granted_by_id if licence else None,
        )
    copied.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("licensing", "0001_applications_licences_clocks_opinions"),
        ("registry", "0014_bans"),
    ]

    operations = [migrations.RunPython(copy_bars_into_bans, copy_bans_back)]
