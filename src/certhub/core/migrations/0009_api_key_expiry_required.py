# Every key has an expiry once 0008 gave the existing ones theirs (a migration of its own: on PostgreSQL the
# column becomes NOT NULL in a transaction of its own, after the rows were filled).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_users_inspector_role_api_key_scopes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apikey",
            name="expires_at",
            field=models.DateTimeField(verbose_name="到期时间"),
        ),
    ]
