"""The counter floor of the API (DESIGN §7c, §8). HTTP and shape only: selectors read, services write.

The kiosk (role `kiosk`, a token bound to one branch) may only issue tickets there; tellers take counters
of their branch and call; managers and admins read the day's statistics.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm_site.http import client_ip
from crm_site.parsers import StrictJSONParser
from crm_site.permissions import HasRequiredPermissions

from .. import selectors, services
from . import serializers

TAGS = ["counter"]
BAD_REQUEST = OpenApiResponse(description="The body breaks a rule; the answer names the field and its problem.")
FORBIDDEN = OpenApiResponse(description="Not signed in, another branch, or the role may not do this (DESIGN §8).")
NOT_FOUND = OpenApiResponse(description="No such counter or ticket today.")
CONFLICT = OpenApiResponse(description="The counter or ticket is not in a state that allows this.")
ISSUE = ("counter.add_ticket",)
CALL = ("counter.call_ticket",)


def _body(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": ["The body must be a JSON object."]})
    return dict(request.data)


class CounterAPIView(APIView):
    permission_classes = [HasRequiredPermissions]
    parser_classes = [StrictJSONParser]


class TicketIssueView(CounterAPIView):
    required_permissions = ISSUE

    @extend_schema(operation_id="counter_ticket_issue", tags=TAGS, summary="Issue a ticket at the kiosk",
                   description="The identifier (mobile, resident ID, card or account number) is resolved by the "
                               "search's identifier look-up and never stored; unknown means a walk-in.",
                   request=serializers.TicketIssueSerializer,
                   responses={201: serializers.TicketIssuedSerializer, 400: BAD_REQUEST, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        body = serializers.TicketIssueSerializer(data=_body(request))
        body.is_valid(raise_exception=True)
        data = body.validated_data
        issued = services.ticket_issue(kiosk=request.user, branch_code=data["branch"], service=data["service"],
                                       identifier=data.get("identifier") or None)
        return Response(serializers.ticket_issued_data(issued), status=status.HTTP_201_CREATED)


class TicketSelfServiceView(CounterAPIView):
    required_permissions = ISSUE

    @extend_schema(operation_id="counter_ticket_self_service", tags=TAGS, request=None,
                   summary="The customer took the self-service suggestion: the ticket leaves the queue",
                   responses={200: serializers.TicketSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND,
                              409: CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        ticket = services.ticket_take_self_service(kiosk=request.user, number=number)
        return Response(serializers.TicketSerializer(ticket).data)


class CounterListView(CounterAPIView):
    required_permissions = CALL

    @extend_schema(operation_id="counter_list", tags=TAGS, summary="The counters of your branch",
                   responses={200: serializers.CounterSerializer(many=True), 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        counters = selectors.counters_for_branch(branch_id=selectors.staff_branch_id(user=request.user))
        return Response(serializers.CounterSerializer(counters, many=True).data)


# take or leave a counter: `change` is the service, the answer the counter as it now is (a comment, not a
# docstring: drf-spectacular would publish a docstring as both operations' description)
class CounterChangeView(CounterAPIView):
    required_permissions = CALL

    def post(self, request: Request, counter_id: int) -> Response:
        counter = self.change(counter_id=counter_id, user=request.user)
        return Response(serializers.CounterSerializer(counter).data)


COUNTER_CHANGED = {200: serializers.CounterSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}


@extend_schema_view(post=extend_schema(operation_id="counter_open", tags=TAGS, request=None,
                                       summary="Take a counter of your branch", responses=COUNTER_CHANGED))
class CounterOpenView(CounterChangeView):
    change = staticmethod(services.counter_open)


@extend_schema_view(post=extend_schema(operation_id="counter_close", tags=TAGS, request=None,
                                       summary="Leave your counter", responses=COUNTER_CHANGED))
class CounterCloseView(CounterChangeView):
    change = staticmethod(services.counter_close)


class CallNextView(CounterAPIView):
    required_permissions = CALL

    @extend_schema(operation_id="counter_call_next", tags=TAGS, request=None,
                   summary="Call the next ticket to your counter",
                   description="Own queue first come first served, then the longest-waiting ticket of any queue. "
                               "A known customer's call is written to their access log (entry point `counter`).",
                   responses={200: serializers.CalledTicketSerializer,
                              204: OpenApiResponse(description="Nobody is waiting."),
                              403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request: Request, counter_id: int) -> Response:
        ticket = services.ticket_call_next(counter_id=counter_id, user=request.user, ip_address=client_ip(request))
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({"ticket_no": ticket.number, "queue": ticket.queue, "service": ticket.service,
                         "customer_no": ticket.customer.customer_no if ticket.customer_id else None,
                         "profile_url": selectors.profile_url(ticket=ticket)})


class TicketActionView(CounterAPIView):
    required_permissions = CALL
    action = ""

    def post(self, request: Request, number: str) -> Response:
        ticket = services.ticket_act(number=number, action=self.action, user=request.user)
        return Response(serializers.TicketSerializer(ticket).data)


def _action_view(action: str, summary: str):
    """One view class per action, each with its own documented post (they share TicketActionView's body)."""
    @extend_schema(operation_id=f"counter_ticket_{action.replace('-', '_')}", tags=TAGS, request=None,
                   summary=summary,
                   responses={200: serializers.TicketSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request: Request, number: str) -> Response:
        return TicketActionView.post(self, request, number)

    return type(f"Ticket{action.title().replace('-', '')}View", (TicketActionView,), {"action": action, "post": post})


TicketServeView = _action_view("serve", "The called customer is at the counter")
TicketDoneView = _action_view("done", "The ticket is served")
TicketNoShowView = _action_view("no-show", "The called customer did not come")
TicketRecallView = _action_view("recall", "Call the ticket again on the display")


class StatsView(CounterAPIView):
    required_permissions = ("counter.view_counter_stats",)

    @extend_schema(operation_id="counter_stats", tags=TAGS, parameters=[serializers.StatsQuerySerializer],
                   summary="One day of a branch's counter service",
                   responses={200: OpenApiResponse(description="Tickets per queue and service, wait and service "
                                                               "time p50/p90 in minutes, VIP within target, "
                                                               "no-shows, self-service suggestions taken."),
                              400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request) -> Response:
        query = serializers.StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        branch = selectors.stats_branch(user=request.user, branch_code=query.validated_data.get("branch") or None)
        stats = selectors.counter_stats(branch=branch, day=query.validated_data.get("day") or selectors.today())
        stats["branch"] = branch.code
        return Response(stats)
