"""Scores and score runs in the admin: read-only facts of the refresh, with a button to start one."""

from __future__ import annotations

import logging
from functools import partial
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crm_site.admin_tools import AllRowsAdminMixin, ReadOnlyAdminMixin
from crm_site.retry import BROKER_ERRORS
from customers.admin import CustomerScopedAdminMixin

from . import services
from .models import CustomerScore, RunKind, ScoreRun
from .tasks import process_run

logger = logging.getLogger(__name__)


def _dashboard_url(branch_code: str) -> str:
    return reverse("scoring:branch-dashboard") + "?" + urlencode({"branch": branch_code})


@admin.register(CustomerScore)
class CustomerScoreAdmin(CustomerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["customer", "tier", "value_score", "top_percent", "aum", "preferred_channel", "computed_at",
                    "page_360", "branch_dashboard"]
    list_filter = ["tier", "preferred_channel", "usual_time_of_day", "customer__home_branch"]
    search_fields = ["=customer__customer_no", "customer__full_name"]
    list_select_related = ["customer__home_branch"]
    raw_id_fields = ["customer", "run"]
    readonly_fields = ["page_360", "branch_dashboard"]
    show_full_result_count = False

    def view_on_site(self, score: CustomerScore) -> str:
        return reverse("teller:customer", kwargs={"customer_no": score.customer.customer_no})

    @admin.display(description=_("customer 360"))
    def page_360(self, score: CustomerScore) -> str:
        return format_html('<a href="{}">{}</a>', self.view_on_site(score), _("Open the 360 page"))

    @admin.display(description=_("branch dashboard"))
    def branch_dashboard(self, score: CustomerScore) -> str:
        branch = score.customer.home_branch
        return format_html('<a href="{}">{}</a>', _dashboard_url(branch.code), branch.code)


@admin.register(ScoreRun)
class ScoreRunAdmin(AllRowsAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bank-wide refreshes, no branch's data: every reader with the permission, as the app's API."""

    list_display = ["id", "kind", "status", "as_of", "customers_scored", "attempts", "created_at", "finished_at",
                    "duration", "base_currency", "money_left_out", "requested_by"]
    list_filter = ["kind", "status"]
    # every customer of the bank, and 6,000 quantiles: too much to show; the money facts are shown readably
    exclude = ["customer_ids", "cutoffs", "fx_rates", "unconverted"]
    readonly_fields = ["customers_requested", "tier_cutoffs", "rates_used", "money_left_out"]
    list_select_related = ["requested_by"]
    change_list_template = "admin/scoring/scorerun/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).defer("customer_ids", "cutoffs")

    @admin.display(description=_("customers to score"))
    def customers_requested(self, run: ScoreRun) -> str:
        return str(len(run.customer_ids)) if run.kind == RunKind.INCREMENTAL else _("all")

    @admin.display(description=_("tier cut-offs (value score)"))
    def tier_cutoffs(self, run: ScoreRun) -> str:
        cutoffs = (run.cutoffs or {}).get("tier_cutoffs", [])
        return ", ".join(f"{c['tier']} ≥ {c['score']}" for c in cutoffs if c.get("score") is not None) or "—"

    @admin.display(description=_("exchange rates used"))
    def rates_used(self, run: ScoreRun) -> str:
        rates = run.fx_rates or {}
        return ", ".join(f"{code} {rate['rate']} ({rate['rate_date']})" for code, rate in rates.items()) or "—"

    @admin.display(description=_("money left out (no exchange rate)"))
    def money_left_out(self, run: ScoreRun) -> str:
        return unconverted_text(run.unconverted) or "—"

    def get_urls(self):
        refresh = path("refresh/", self.admin_site.admin_view(self.refresh_view), name="scoring_scorerun_refresh")
        return [refresh, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_refresh": request.user.has_perm("scoring.add_scorerun")}
        return super().changelist_view(request, extra_context=extra_context)

    @staticmethod
    @require_POST
    def refresh_view(request):
        """Record a full refresh and queue it (the row is the work: a lost message only delays it)."""
        if not request.user.has_perm("scoring.add_scorerun"):
            raise PermissionDenied
        run = services.score_run_create(kind=RunKind.FULL, requested_by=request.user)
        transaction.on_commit(partial(_send_run, run.pk))
        messages.success(request, _("Full refresh #%(id)s is queued; this list shows its status.") % {"id": run.pk})
        return redirect("admin:scoring_scorerun_changelist")


def unconverted_text(unconverted: dict) -> str:
    """"USD: 3 accounts (1,200.00), 10 transactions (530.00); 4 customers" in the reader's language."""
    parts = []
    for code, left in (unconverted or {}).get("currencies", {}).items():
        facts = []
        if left.get("accounts"):
            facts.append(ngettext("%(count)d account (%(amount)s)", "%(count)d accounts (%(amount)s)",
                                  left["accounts"]) % {"count": left["accounts"], "amount": left["balance"]})
        if left.get("transactions"):
            facts.append(ngettext("%(count)d transaction (%(amount)s)", "%(count)d transactions (%(amount)s)",
                                  left["transactions"]) % {"count": left["transactions"], "amount": left["amount"]})
        parts.append(f"{code}: " + ", ".join(facts))
    if not parts:
        return ""
    customers = unconverted.get("customers", 0)
    return "; ".join(parts) + "; " + ngettext("%(count)d customer", "%(count)d customers", customers) % {
        "count": customers}


def _send_run(run_id: int) -> None:
    """The nudge to a worker. With the broker down the run stays queued and the beat sweeper sends it again."""
    try:
        process_run.delay(run_id)
    except BROKER_ERRORS:
        logger.warning("score run %s recorded but not sent: the broker is unreachable", run_id)
