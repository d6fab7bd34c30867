"""Role groups and their permissions, granted by each app's own data migration.

Each app grants the permissions of its own models (so no migration reaches up a floor):
`grant_permissions(apps, "customers", {"teller": ["view_customer", ...]})`.
"""

from __future__ import annotations

ROLE_GROUPS = ("teller", "manager", "admin", "channel_system", "kiosk")


def ensure_groups(apps) -> None:
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def grant_permissions(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Give each group the named permissions of app_label's models (creating them if needed)."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True  # create_permissions skips apps it thinks have no models
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ensure_groups(apps)
    for group_name, codenames in grants.items():
        group = Group.objects.get(name=group_name)
        perms = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise LookupError(f"unknown permissions in {app_label}: {sorted(missing)}")
        group.permissions.add(*perms)


def revoke_permissions(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in grants.items():
        group = Group.objects.filter(name=group_name).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
