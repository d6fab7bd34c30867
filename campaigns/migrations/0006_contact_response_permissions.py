"""Admins load campaign history (the upload page, like the other master data); managers read it."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "manager": ["view_contactresponse"],
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
