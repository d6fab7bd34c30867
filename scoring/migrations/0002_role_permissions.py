"""Grant the role groups (DESIGN §8) the permissions of this app's models."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "teller": ["view_customerscore"],
    "manager": ["view_customerscore", "view_scorerun", "view_branch_dashboard"],
    "admin": ["view_customerscore", "view_scorerun", "add_scorerun", "view_branch_dashboard"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "scoring", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "scoring", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0002_role_groups"),
        ("scoring", "0001_scores"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
