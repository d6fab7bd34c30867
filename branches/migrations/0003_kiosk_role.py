

"""The kiosk role (issue 15): a StaffProfile role and its group; the counter app grants its permissions."""

from django.db import migrations, models

from branches.roles import ensure_groups


def forwards(apps, schema_editor):
    ensure_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_role_groups'),
    ]

    operations = [
        migrations.AlterField(
            model_name='staffprofile',
            name='role',
            field=models.CharField(choices=[('teller', 'Teller'), ('manager', 'Branch manager'), ('admin', 'Administrator'), ('kiosk', 'Ticket kiosk')], max_length=16, verbose_name='role'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
