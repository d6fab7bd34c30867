"""The customer 360: the facts of every floor below, composed for the person at the counter."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from accounts.selectors import holdings_for_customer
from campaigns.selectors import campaigns_awaiting_approval, offers_for_customer
from customers import selectors as customer_selectors
from customers.access import unusual_access
from customers.models import Customer
from propensity.selectors import next_best_offers, top_offers
from scoring import explain as score_explain
from scoring import selectors as score_selectors
from transactions import selectors as transaction_selectors
from transactions.models import BatchStatus, Category, Channel

TRANSACTIONS_PER_PAGE = 20


def transactions_page(*, customer: Customer, channel: str | None = None, date_from=None, date_to=None,
                      page: int = 1):
    qs = transaction_selectors.transactions_for_customer(customer_id=customer.pk, channel=channel,
                                                         date_from=date_from, date_to=date_to)
    paginator = Paginator(qs, TRANSACTIONS_PER_PAGE)
    page_obj = paginator.get_page(page)
    categories = transaction_selectors.categories_for_mccs({t.mcc for t in page_obj.object_list if t.mcc})
    for txn in page_obj.object_list:
        txn.category = categories.get(txn.mcc, "")
        txn.category_label = Category(txn.category).label if txn.category else ""
    return page_obj


def charts(*, customer: Customer) -> dict:
    """The three charts' data as plain JSON-ready values (Decimal as strings)."""
    monthly = transaction_selectors.monthly_in_out(customer_id=customer.pk)
    return {
        "channel_mix": transaction_selectors.channel_mix(customer_id=customer.pk),
        "monthly": [{"month": row["month"].strftime("%Y-%m"), "in": str(row["money_in"]),
                     "out": str(row["money_out"])} for row in monthly],
        "categories": {k: str(v) for k, v in transaction_selectors.spend_by_category(customer_id=customer.pk).items()},
    }


def chart_labels() -> dict:
    """Translated names for the chart keys (channel and category codes)."""
    return {
        "channels": {code: str(label) for code, label in Channel.choices},
        "categories": {code: str(label) for code, label in Category.choices},
        "money_in": str(_("Money in")),
        "money_out": str(_("Money out")),
    }


def chart_tables(*, chart_data: dict) -> dict:
    """The charts' figures as rows with translated labels, for the table next to each chart."""
    mix = chart_data["channel_mix"]
    total = sum(mix.values())
    return {
        "channel_mix": [{"label": Channel(code).label if code in Channel.values else code,
                         "share": Decimal(count) / total} for code, count in mix.items()] if total else [],
        "categories": [{"label": Category(code).label if code in Category.values else code, "amount": amount}
                       for code, amount in chart_data["categories"].items()],
    }


def tiers_attach(*, customers: list[Customer]) -> None:
    """Each customer's value tier as `customer.tier` (None until scored), for a page of search results: one query."""
    tiers = score_selectors.tiers_for_customers(customer_ids=[c.pk for c in customers])
    for customer in customers:
        customer.tier = tiers.get(customer.pk)


def top_offers_attach(*, customers: list[Customer]) -> None:
    """Each customer's top next-best offer as `customer.top_offer` (the one the 360 page shows first; None when
    there is none), for a page of search results: one query."""
    offers = top_offers(customer_ids=[c.pk for c in customers]) if customers else {}
    for customer in customers:
        customer.top_offer = offers.get(customer.pk)


def customer_360(*, customer: Customer) -> dict:
    holdings = holdings_for_customer(customer_id=customer.pk)
    chart_data = charts(customer=customer)
    score = score_selectors.score_for_customer(customer_id=customer.pk)
    customer.tier = score.tier if score else None  # the API's profile reads it, as search results do
    return {
        "customer": customer,
        "holdings": holdings,
        "aum_total": holdings.aum_base,  # in the base currency; holdings.aum has it per currency
        "consents": customer_selectors.consents_current(customer=customer),
        "consent_history": customer_selectors.consent_history(customer=customer, limit=20),
        "interactions": customer_selectors.interactions_for_customer(customer=customer),
        "transactions": transactions_page(customer=customer),
        "charts": chart_data,
        "chart_tables": chart_tables(chart_data=chart_data),
        "chart_labels": chart_labels(),
        "scores": score_explain.score_card(score) if score else None,
        "alerts": score_explain.alerts_display(score.alerts) if score else [],
        "offers": offers_for_customer(customer=customer),  # open COUNTER pitches, rendered for this customer
        "next_best_offers": next_best_offers(customer=customer),  # the propensity models' top products not held
    }


WORK_QUEUE_ROWS = 10


def work_queue(*, user) -> dict | None:
    """What a manager or an admin acts on first: campaigns waiting for their approval, failed feed batches,
    customers with alerts (their branch, or every branch for an admin) and unusual access to profiles.

    None for staff who approve, load and supervise nothing (tellers): their home is the search box.
    """
    may = {
        "approve": user.has_perm("campaigns.approve_campaign"),
        "batches": user.has_perm("transactions.view_rejectedrow"),
        "alerts": user.has_perm("scoring.view_branch_dashboard"),
        "access": user.has_perm("customers.view_customeraccesslog"),
    }
    if not any(may.values()):
        return None
    queue = {"may": may}
    if may["approve"]:
        queue["awaiting"] = list(campaigns_awaiting_approval(user=user).select_related("product", "created_by")
                                 .order_by("created_at")[:WORK_QUEUE_ROWS])
    if may["batches"]:
        queue["failed_batches"] = list(transaction_selectors.batches_for_user(user=user)
                                       .filter(status=BatchStatus.FAILED)[:WORK_QUEUE_ROWS])
    if may["alerts"]:
        dashboard = score_selectors.branch_dashboard(user=user)
        queue["alerts"] = [row for row in dashboard["alerts"] if row["customers"]]
        queue["alerts_branch"] = dashboard["branch"]
    if may["access"]:
        queue["unusual"] = unusual_access(user=user)[:WORK_QUEUE_ROWS]
    return queue
