"""Managers and admins read the model cards (and retrain from the command line); tellers see offers on the
360 page, which reads the scores through the teller floor without a permission of its own."""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "manager": ["view_propensitymodel", "view_campaignprediction"],
    "admin": ["view_propensitymodel", "view_campaignprediction", "view_propensityscore"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "propensity", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "propensity", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0002_role_groups"),
        ("propensity", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
