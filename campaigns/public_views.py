"""The one public page of the app: the unsubscribe link in campaign messages (no login).

GET shows a confirmation in the customer's language and changes nothing: mail scanners and link
previews open links, and must not unsubscribe anyone. POST unsubscribes — from the page's button,
or straight from a mail client honouring RFC 8058 (`List-Unsubscribe-Post: List-Unsubscribe=One-Click`),
which posts without our CSRF token: the signed token is the authentication, so CSRF is exempt here.
A tampered link answers 400; a used one answers "already unsubscribed".
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .models import CampaignChannel, RecipientStatus
from .services.unsubscribe import InvalidToken, unsubscribe_apply, unsubscribe_resolve


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        recipient, channel = unsubscribe_resolve(token)
    except InvalidToken:
        return render(request, "campaigns/unsubscribe_invalid.html", status=400)
    language = recipient.customer.preferred_language or "zh-hans"
    with translation.override(language):
        context = {"channel_label": str(CampaignChannel(channel).label), "language": language,
                   "bank": recipient.customer.home_branch.name if recipient.customer.home_branch_id else ""}
        if request.method == "POST":
            result = unsubscribe_apply(token=token)
            template = "campaigns/unsubscribe_already.html" if result.already else "campaigns/unsubscribe_done.html"
            return render(request, template, context)
        if recipient.status == RecipientStatus.OPTED_OUT:
            return render(request, "campaigns/unsubscribe_already.html", context)
        return render(request, "campaigns/unsubscribe.html", context)
