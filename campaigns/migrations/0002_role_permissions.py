"""Grant the role groups (DESIGN §8) the permissions of this app's models.

Managers and admins draft, preview, approve (others' campaigns) and launch; every member of staff
at the counter records the outcome of an offer they pitched.
"""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

CAMPAIGN_STAFF = [
    "add_campaign", "change_campaign", "view_campaign", "approve_campaign", "launch_campaign",
    "record_offer_outcome", "view_campaignrecipient", "view_campaignresult", "view_outboxmessage",
]
GRANTS = {
    "teller": ["record_offer_outcome"],
    "manager": CAMPAIGN_STAFF,
    "admin": CAMPAIGN_STAFF,
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "campaigns", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "campaigns", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0002_role_groups"),
        ("campaigns", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
