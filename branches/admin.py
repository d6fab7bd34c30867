from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Branch, StaffProfile

User = get_user_model()


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "city", "address"]
    search_fields = ["code", "name", "city"]
    list_filter = ["city"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "branch", "role"]
    list_filter = ["role", "branch"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "branch"]
    autocomplete_fields = ["branch"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = _("staff profile")


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "staff_branch", "staff_role", "is_active", "last_login"]
    list_filter = ["is_active", "groups", "staff_profile__branch"]
    list_select_related = ["staff_profile__branch"]

    @admin.display(description=_("branch"), ordering="staff_profile__branch__code")
    def staff_branch(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.branch.name if profile else "—"

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def staff_role(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"
