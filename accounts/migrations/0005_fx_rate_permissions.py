"""Who sees and loads exchange rates: admins load them (import_records fx_rates, the upload page) and see them in
the admin; managers and channel systems read them (GET /api/v1/fx-rates/)."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "manager": ["view_fxrate"],
    "admin": ["view_fxrate", "add_fxrate", "change_fxrate"],
    "channel_system": ["view_fxrate"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "accounts", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "accounts", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_fx_rates"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
