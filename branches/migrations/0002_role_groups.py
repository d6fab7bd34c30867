"""Grant the role groups (DESIGN §8) the permissions of this app's models."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "teller": ["view_branch"],
    "manager": ["view_branch", "view_branch_dashboard", "view_staffprofile"],
    "admin": [
        "view_branch", "add_branch", "change_branch", "view_branch_dashboard",
        "view_staffprofile", "add_staffprofile", "change_staffprofile", "delete_staffprofile",
    ],
}
AUTH_GRANTS = {"admin": ["view_user", "add_user", "change_user", "view_group"]}


def forwards(apps, schema_editor):
    grant_permissions(apps, "branches", GRANTS)
    grant_permissions(apps, "auth", AUTH_GRANTS)  # admins manage the staff logins


def backwards(apps, schema_editor):
    revoke_permissions(apps, "branches", GRANTS)
    revoke_permissions(apps, "auth", AUTH_GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("branches", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
