"""On PostgreSQL the ledger is append-only in the database itself (C4): the trigger function of
core's audit log refuses UPDATE and DELETE on entries, stored subtree hashes and checkpoints, whoever
connects. Only the head row, which every append moves forward, is updated."""

from django.db import migrations

TABLES = ["ledger_entry", "ledger_node", "ledger_checkpoint"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION certhub_refuse_change();",
                params=None,
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("core", "0003_audit_append_only")]
    operations = [migrations.RunPython(forward, backward)]
