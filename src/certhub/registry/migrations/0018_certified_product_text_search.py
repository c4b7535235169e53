"""Finding certified products by part of their name, trademark or factory, or the start of their model
(registry.queries.search_certified_products, C7) at national scale: on PostgreSQL pg_trgm GIN indexes let
`LIKE '%…%'` and `LIKE '…%'` avoid a full scan (as organization names do, 0002). SQLite scans."""

from django.db import migrations

COLUMNS = ("name", "trademark", "factory", "model_key")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS certified_product_{column}_trgm "
                f"ON registry_certifiedproduct USING gin ({column} gin_trgm_ops)"
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS certified_product_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0017_certified_products_backfill")]
    operations = [migrations.RunPython(forward, backward)]
