"""Admins load the account feed of the core banking system (import_records accounts, the upload page).

The Django admin still shows accounts read-only (ReadOnlyAdminMixin): these permissions open the import only.
"""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {"admin": ["add_account", "change_account"]}


def forwards(apps, schema_editor):
    grant_permissions(apps, "accounts", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "accounts", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
