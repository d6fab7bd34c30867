"""Grant the role groups (DESIGN §8) the permissions of this app's models."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "teller": ["view_transaction", "view_merchantcategory"],
    "manager": [
        "view_transaction", "view_merchantcategory",
        "add_ingestbatch", "view_ingestbatch", "view_rejectedrow", "change_rejectedrow",
    ],
    "admin": [
        "view_transaction", "view_merchantcategory", "change_merchantcategory",
        "add_ingestbatch", "view_ingestbatch", "view_rejectedrow", "change_rejectedrow",
    ],
    "channel_system": ["add_ingestbatch", "view_ingestbatch"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "transactions", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "transactions", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0002_role_groups"),
        ("transactions", "0002_merchant_categories"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
