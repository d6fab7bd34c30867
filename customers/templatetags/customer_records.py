"""The admin home's panel for profile care: unusual access, and links to duplicates and the access record."""

from django import template
from django.conf import settings

from crm_site.exceptions import NotAllowed
from customers import access

register = template.Library()


@register.inclusion_tag("admin/customers/_profile_care.html", takes_context=True)
def profile_care_panel(context):
    user = context["request"].user
    try:
        unusual = access.unusual_access(user=user)
        reads_access = True
    except NotAllowed:
        unusual, reads_access = [], False
    return {"unusual": unusual, "reads_access": reads_access, "unusual_threshold":
            settings.ACCESS_UNUSUAL_OTHER_BRANCH_PER_DAY, "merges": user.has_perm("customers.merge_customers")}
