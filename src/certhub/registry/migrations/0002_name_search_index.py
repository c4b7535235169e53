"""Substring search on organization names (holder-name search, C3) at national scale: on PostgreSQL a
pg_trgm GIN index lets `name LIKE '%…%'` avoid a full scan. SQLite scans the (smaller) organization
table instead of certificates; see registry.queries.search_certificates."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS organization_name_trgm ON registry_organization USING gin (name gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS organization_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
