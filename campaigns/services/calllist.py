"""The PHONE call list as CSV, for the branch to work through.

Masked mobiles by default, as every export (DESIGN §8). The caller needs the number: with
`reveal=True` a user holding customers.reveal_customer_pii gets full numbers, and each customer on the
list gets a CustomerAccessLog entry (action reveal, field mobile, the campaign as the reason) —
the same record as revealing a field on the 360 page.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.csv_export import csv_lines
from crm_site.exceptions import NotAllowed
from customers.models import AccessAction, AccessVia
from customers.services import customers_access_record

from ..models import Campaign
from ..selectors import call_list, campaign_in_scope

COLUMNS = ("recipient_id", "customer_no", "name", "salutation", "mobile", "preferred_contact_time", "language",
           "outcome", "responded_at")


@transaction.atomic
def call_list_csv(*, campaign: Campaign, user, reveal: bool = False, ip_address: str | None = None,
                  via: str = AccessVia.PAGE) -> str:
    """The list as CSV text; every customer on it gets an access row through `via` (page or api): a reveal
    one each time, a masked view de-duplicated as every view is."""
    if not user.has_perm("campaigns.view_campaign") or not campaign_in_scope(campaign=campaign, user=user):
        raise NotAllowed(_("You may not download this call list."))
    if reveal and not user.has_perm("customers.reveal_customer_pii"):
        raise NotAllowed(_("You may not see full mobile numbers."))
    rows = list(call_list(campaign=campaign))
    lines = "".join(csv_lines(COLUMNS, (
        [r.pk, r.customer.customer_no, r.customer.display_name, r.customer.salutation,
         r.customer.mobile if reveal else r.customer.masked_mobile, r.customer.preferred_contact_time, r.language,
         r.response, timezone.localtime(r.responded_at).isoformat() if r.responded_at else ""]
        for r in rows)))
    reason = _("Call list of campaign #%(id)s") % {"id": campaign.pk}
    customers_access_record(customer_ids=[r.customer_id for r in rows], user=user, via=via, ip_address=ip_address,
                            **({"action": AccessAction.REVEAL, "field": "mobile", "reason": reason} if reveal else {}))
    return lines  # with a BOM first: Excel opens UTF-8 Chinese names correctly
