"""Grant the role groups (DESIGN §8) the permissions of this app's models."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "teller": [
        "view_customer", "change_customer_contact", "reveal_customer_pii",
        "view_consentrecord", "add_consentrecord", "view_interaction", "add_interaction",
    ],
    "manager": [
        "view_customer", "change_customer_contact", "reveal_customer_pii",
        "view_consentrecord", "add_consentrecord", "view_interaction", "add_interaction",
        "view_customeraccesslog", "view_historicalcustomer",
    ],
    "admin": [
        "view_customer", "add_customer", "change_customer", "change_customer_contact",
        "change_customer_identity", "merge_customers", "reveal_customer_pii",
        "view_consentrecord", "add_consentrecord", "view_interaction", "add_interaction",
        "view_customeraccesslog", "view_historicalcustomer",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "customers", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "customers", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0002_role_groups"),
        ("customers", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
