"""Branches, staff and logins in the admin.

A role is set in one place, `staff_set_role`: the staff profile's role (on the user's page or the profile's)
goes through it, so the role's group and the admin access follow, and nothing else grants permissions here:
"superuser", groups and user permissions are not editable in the admin for anyone (only `createsuperuser`
makes superusers; groups and their permissions come from the data migrations).
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import TokenProxy

from crm_site.admin_tools import AllRowsAdminMixin, ReadOnlyAdminMixin
from crm_site.exceptions import NotAllowed

from . import mfa, services
from .admin_scope import BankAdminsOnlyMixin, bank_admins_only
from .models import Branch, StaffProfile

User = get_user_model()


@admin.register(Branch)
class BranchAdmin(AllRowsAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "city", "address"]
    search_fields = ["code", "name", "city"]
    list_filter = ["city"]


class RoleThroughServiceMixin:
    """Saving a staff profile in the admin: the branch as typed, the role through staff_set_role."""

    @staticmethod
    def profile_save(profile: StaffProfile) -> None:
        role = profile.role
        if profile.pk is None:
            profile.save()
        else:
            profile.save(update_fields=["branch"])
        services.staff_set_role(user=profile.user, role=role)


@admin.register(StaffProfile)
class StaffProfileAdmin(RoleThroughServiceMixin, BankAdminsOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "branch", "role"]
    list_filter = ["role", "branch"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "branch"]
    autocomplete_fields = ["branch"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        self.profile_save(obj)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = _("staff profile")


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(RoleThroughServiceMixin, BankAdminsOnlyMixin, UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "staff_branch", "staff_role", "is_active", "last_login",
                    "two_factor"]
    list_filter = ["is_active", "staff_profile__role", "staff_profile__branch"]
    list_select_related = ["staff_profile__branch"]
    # superuser, groups and permissions: not here (createsuperuser and the role); admin access follows the role
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "role_groups", "two_factor"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["is_staff", "is_superuser", "role_groups", "two_factor", "last_login", "date_joined"]
    actions = ["reset_two_factor"]

    @admin.display(description=_("branch"), ordering="staff_profile__branch__code")
    def staff_branch(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.branch.name if profile else "—"

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def staff_role(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("groups (from the role)"))
    def role_groups(self, obj):
        return ", ".join(obj.groups.order_by("name").values_list("name", flat=True)) or "—"

    @admin.display(description=_("two-factor sign-in"), boolean=True)
    def two_factor(self, obj):
        enrolled = getattr(obj, "has_two_factor", None)
        return mfa.mfa_enrolled(obj) if enrolled is None else enrolled

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_two_factor=Exists(
            TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))

    def has_change_permission(self, request, obj=None):
        # a superuser's login (password included) is changed only by a superuser
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffProfile:
            return super().save_formset(request, form, formset, change)
        for profile in formset.save(commit=False):
            self.profile_save(profile)
        return None

    @admin.action(description=_("Reset the two-factor device (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                mfa.mfa_reset(user=user, reset_by=request.user)
            except NotAllowed:
                self.message_user(request, _("Another admin must reset your own two-factor device."),
                                  messages.ERROR)
                continue
            self.log_change(request, user, [{"changed": {"fields": ["two-factor device reset"]}}])
            done += 1
        if done:
            self.message_user(request, ngettext(
                "The two-factor device of %(count)d user was reset; they enrol again at their next sign-in.",
                "The two-factor devices of %(count)d users were reset; they enrol again at their next sign-in.",
                done) % {"count": done}, messages.SUCCESS)


class ReadOnlyGroupMixin(ReadOnlyAdminMixin):
    """The role groups and their permissions come from the data migrations; here they are only read."""


bank_admins_only(Group, ReadOnlyGroupMixin)
bank_admins_only(TokenProxy)
bank_admins_only(AccessAttempt)
bank_admins_only(AccessLog)
bank_admins_only(AccessFailureLog)
# two-factor devices are enrolled on the staff member's own page and reset by the action above, never edited
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)
