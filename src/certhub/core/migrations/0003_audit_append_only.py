"""On PostgreSQL the audit log is append-only in the database itself (docs/architecture.md convention 9): a trigger refuses
UPDATE and DELETE on core_auditevent, whoever connects."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION certhub_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'certhub: % on % is not allowed (append-only log)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION certhub_refuse_change();
"""
BACKWARD = "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
