"""Managers and admins load campaign history (the upload page and import_records) and read it."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "manager": ["add_contactresponse", "change_contactresponse", "view_contactresponse"],
    "admin": ["add_contactresponse", "change_contactresponse", "view_contactresponse"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "campaigns", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "campaigns", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_contact_responses"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
