"""The counter service's pages: the teller's counter bar, the lobby board, the public display, the statistics.

The bar is a fragment every page of a teller loads (base.html); its buttons answer with the bar again, or,
when the called ticket is a known customer's, send the browser to that customer's 360 page (HX-Redirect).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from crm_site.exceptions import DomainError
from crm_site.http import client_ip

from . import forms, selectors, services
from .exceptions import CounterNotFound
from .models import SelfServiceChannel


def _bar_context(request, error: str | None = None, notice: str | None = None) -> dict:
    counter = selectors.counter_of_teller(user=request.user)
    branch_id = selectors.staff_branch_id(user=request.user)
    return {"counter": counter, "ticket": selectors.ticket_at_counter(counter=counter) if counter else None,
            "free_counters": [] if counter else [c for c in selectors.counters_for_branch(branch_id=branch_id)
                                                 if not c.is_open],
            "has_branch": branch_id is not None, "error": error, "notice": notice}


def _teller_post(view):
    """A button of the counter bar: a signed-in member of staff who may call tickets, by POST."""
    return login_required(permission_required("counter.call_ticket", raise_exception=True)(require_POST(view)))


def _bar(request, status: int = 200, *, error: str | None = None, notice: str | None = None) -> HttpResponse:
    """The bar again (htmx); without htmx, back to the counter page with the message."""
    if request.htmx:
        return render(request, "counter/_bar.html", _bar_context(request, error=error, notice=notice), status=status)
    if error:
        messages.error(request, error)
    elif notice:
        messages.info(request, notice)
    return redirect("counter:home")


def _bar_after(request, change, **arguments) -> HttpResponse:
    """Run a service that changes the teller's counter or ticket, then answer the bar (a refusal's message in it)."""
    try:
        change(**arguments, user=request.user)
    except DomainError as exc:
        return _bar(request, exc.status_code, error=exc.message)
    return _bar(request)


@login_required
@permission_required("counter.call_ticket", raise_exception=True)
@require_GET
def home(request):
    return render(request, "counter/home.html", _bar_context(request))


@login_required
@permission_required("counter.call_ticket", raise_exception=True)
@require_GET
@never_cache
def bar(request):
    return render(request, "counter/_bar.html", _bar_context(request))


@_teller_post
def bar_open(request):
    form = forms.CounterChoiceForm(request.POST)
    if not form.is_valid():
        return _bar(request, 400, error=_("Choose a counter."))
    return _bar_after(request, services.counter_open, counter_id=form.cleaned_data["counter"])


@_teller_post
def bar_close(request):
    counter = selectors.counter_of_teller(user=request.user)
    if counter is None:
        return _bar(request)
    return _bar_after(request, services.counter_close, counter_id=counter.pk)


@_teller_post
def bar_call_next(request):
    counter = selectors.counter_of_teller(user=request.user)
    if counter is None:
        return _bar(request, 409, error=_("Open a counter before calling."))
    try:
        ticket = services.ticket_call_next(counter_id=counter.pk, user=request.user, ip_address=client_ip(request))
    except DomainError as exc:
        return _bar(request, exc.status_code, error=exc.message)
    if ticket is None:
        return _bar(request, notice=_("Nobody is waiting."))
    url = selectors.profile_url(ticket=ticket)
    if url is None:
        return _bar(request)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@_teller_post
def bar_ticket_action(request, number: str, action: str):
    if action not in services.ACTIONS:
        raise Http404
    return _bar_after(request, services.ticket_act, number=number, action=action)


# --- the lobby board ---------------------------------------------------------------------------------------------


def _lobby(request):
    form = forms.BranchDayForm(request.GET)
    if not form.is_valid():
        raise CounterNotFound(_("That is not a branch code."))
    branch = selectors.lobby_branch(user=request.user, branch_code=form.cleaned_data["branch"] or None)
    board = selectors.lobby_board(branch=branch)
    services.lobby_views_record(user=request.user, customer_ids=board["recognised_ids"],
                                ip_address=client_ip(request))
    return board


@login_required
@permission_required("counter.view_lobby", raise_exception=True)
@require_GET
def lobby(request):
    return render(request, "counter/lobby.html", {"board": _lobby(request)})


@login_required
@permission_required("counter.view_lobby", raise_exception=True)
@require_GET
@never_cache
def lobby_board(request):
    return render(request, "counter/_lobby_board.html", {"board": _lobby(request)})


# --- the public display (no login: the branch's display token) -------------------------------------------------


def _display_branch(branch_code: str, token: str):
    branch = selectors.display_branch(branch_code=branch_code, token=token)
    if branch is None:
        raise Http404
    return branch


@require_GET
def display(request, branch_code: str, token: str):
    branch = _display_branch(branch_code, token)
    return render(request, "counter/display.html", {"display": selectors.display_board(branch=branch),
                                                    "branch_code": branch.code, "token": token})


@require_GET
@never_cache
def display_board(request, branch_code: str, token: str):
    branch = _display_branch(branch_code, token)
    return render(request, "counter/_display_board.html", {"display": selectors.display_board(branch=branch)})


# --- statistics (the branch dashboard's counter section) --------------------------------------------------------


@login_required
@permission_required("counter.view_counter_stats", raise_exception=True)
@require_GET
def stats(request):
    form = forms.BranchDayForm(request.GET)
    if not form.is_valid():
        return render(request, "_error_fragment.html",
                      {"message": " ".join(e for errors in form.errors.values() for e in errors)}, status=400)
    branch = selectors.stats_branch(user=request.user, branch_code=form.cleaned_data["branch"] or None)
    day = form.cleaned_data["day"] or selectors.today()
    figures = selectors.counter_stats(branch=branch, day=day)
    chart = {"services": {"labels": [s["label"] for s in figures["services"]],
                          "tickets": [s["tickets"] for s in figures["services"]]},
             "queues": {"labels": [q["label"] for q in figures["queues"]],
                        "wait_p50": [str(q["wait_p50"] or 0) for q in figures["queues"]],
                        "wait_p90": [str(q["wait_p90"] or 0) for q in figures["queues"]]},
             "text": {"tickets": _("Tickets"), "wait_p50": _("Wait p50 (min)"), "wait_p90": _("Wait p90 (min)")}}
    return render(request, "counter/_stats.html", {"stats": figures, "chart": chart,
                                                   "self_service": SelfServiceChannel.choices})
