"""Grant the role groups (DESIGN §8) the permissions of the counter service.

The kiosk issues tickets and nothing else; tellers take counters, call tickets and watch the lobby;
managers also keep their branch's counters and routing rules and read the statistics; admins every branch's.
"""

from django.db import migrations

from branches.roles import grant_permissions, revoke_permissions

GRANTS = {
    "kiosk": ["add_ticket"],
    "teller": ["call_ticket", "view_lobby", "view_counter"],
    "manager": ["call_ticket", "view_lobby", "view_counter_stats", "view_counter", "add_counter", "change_counter",
                "view_countersettings", "add_countersettings", "change_countersettings", "view_ticket"],
    "admin": ["call_ticket", "view_lobby", "view_counter_stats", "view_counter", "add_counter", "change_counter",
              "delete_counter", "view_countersettings", "add_countersettings", "change_countersettings",
              "view_ticket"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, "counter", GRANTS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, "counter", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0003_kiosk_role"),
        ("counter", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
