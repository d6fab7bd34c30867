from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        permissions = [("view_branch_dashboard", _("Can see the branch dashboard"))]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Role(models.TextChoices):
    """Each role is a Django group of the same name, with permissions (data migrations).

    A new role is one line here, its group's permissions in a data migration of the app that owns them,
    and, if it opens the admin, a place in ADMIN_SITE_ROLES.
    """

    TELLER = "teller", _("Teller")
    MANAGER = "manager", _("Branch manager")
    ADMIN = "admin", _("Administrator")
    KIOSK = "kiosk", _("Ticket kiosk")  # a lobby device: API token only, issues tickets at its branch


# Roles whose staff open the Django admin (is_staff follows the role): managers read there, admins edit.
ADMIN_SITE_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile", verbose_name=_("user")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="staff", verbose_name=_("branch"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.branch.code})"
