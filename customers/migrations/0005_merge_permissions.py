"""Admins read the merge records and the dismissed duplicate pairs (and may undo a dismissal)."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {"admin": ["view_customermerge", "view_duplicatedismissal", "delete_duplicatedismissal"]}


def forwards(apps, schema_editor):
    grant_permissions(apps, "customers", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "customers", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_customer_merged_at_customer_merged_into_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
