"""Grant the role groups (DESIGN §8) the permissions of this app's models."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "teller": ["view_product", "view_account", "view_card"],
    "manager": ["view_product", "view_account", "view_card"],
    "admin": ["view_product", "add_product", "change_product", "view_account", "view_card"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "accounts", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "accounts", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0002_role_groups"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
