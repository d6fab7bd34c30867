"""The campaigns floor of the API (DESIGN §7, §8). HTTP and shape only: selectors read, services write.

Errors: a bad body is 400 with messages per field (audience keys as "audience.<key>"); a campaign of
another branch is 404; a role without the permission 403; a wrong state 409.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Product
from crm_site.http import client_ip, no_store
from crm_site.parsers import StrictJSONParser
from crm_site.permissions import HasRequiredPermissions
from customers.models import AccessVia
from customers.reading import customer_read_record, customers_read_record

from .. import selectors, services
from ..exceptions import CampaignInvalid
from ..models import RecipientStatus
from . import serializers

TAGS = ["campaigns"]
BAD_REQUEST = OpenApiResponse(description="The body breaks a rule; the answer names each field and its problem.")
FORBIDDEN = OpenApiResponse(description="Not signed in, or the role may not do this (DESIGN §8).")
NOT_FOUND = OpenApiResponse(description="No such campaign, or not one of your branch's.")
CONFLICT = OpenApiResponse(description="The campaign is not in a state that allows this.")


@contextmanager
def field_errors():
    """CampaignInvalid carries every problem by field: answer them all, not just the first."""
    try:
        yield
    except CampaignInvalid as exc:
        raise ValidationError(exc.errors) from exc


def _body(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": ["The body must be a JSON object."]})
    return dict(request.data)


class CampaignView(GenericAPIView):
    permission_classes = [HasRequiredPermissions]
    parser_classes = [StrictJSONParser]
    serializer_class = serializers.CampaignSerializer

    def get_queryset(self):
        return selectors.campaigns_for_user(user=self.request.user)

    def campaign(self, campaign_id: int):
        return selectors.campaign_get(campaign_id=campaign_id, user=self.request.user)

    def detail(self, campaign, code=status.HTTP_200_OK) -> Response:
        campaign.refresh_from_db()
        data = serializers.CampaignDetailSerializer(campaign, context={"request": self.request}).data
        return Response(data, status=code)


class CampaignListCreateView(CampaignView):
    @property
    def required_permissions(self):
        return ("campaigns.add_campaign",) if self.request.method == "POST" else ("campaigns.view_campaign",)

    @extend_schema(operation_id="campaigns_list", tags=TAGS, summary="Campaigns, newest first",
                   description="A manager sees their branch's campaigns; an admin every campaign.",
                   responses={200: serializers.CampaignSerializer(many=True), 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(operation_id="campaigns_create", tags=TAGS, summary="Draft a campaign",
                   request=serializers.CampaignWriteSerializer,
                   responses={201: serializers.CampaignDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        with field_errors():
            campaign = services.campaign_create(user=request.user, data=_body(request))
        return self.detail(campaign, status.HTTP_201_CREATED)


class CampaignDetailView(CampaignView):
    @property
    def required_permissions(self):
        return ("campaigns.change_campaign",) if self.request.method == "PATCH" else ("campaigns.view_campaign",)

    @extend_schema(operation_id="campaign_get", tags=TAGS, summary="One campaign, with its recipient counts",
                   responses={200: serializers.CampaignDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, campaign_id: int) -> Response:
        return self.detail(self.campaign(campaign_id))

    @extend_schema(operation_id="campaign_update", tags=TAGS, summary="Change a draft (any subset of fields)",
                   request=serializers.CampaignWriteSerializer,
                   responses={200: serializers.CampaignDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN,
                              404: NOT_FOUND, 409: CONFLICT})
    def patch(self, request: Request, campaign_id: int) -> Response:
        campaign = self.campaign(campaign_id)
        with field_errors():
            campaign = services.campaign_update(campaign=campaign, user=request.user, data=_body(request))
        return self.detail(campaign)


def _action_view(name: str, permission: str, service, summary: str, code=status.HTTP_200_OK, description=""):
    class ActionView(CampaignView):
        required_permissions = (permission,)

        @extend_schema(operation_id=f"campaign_{name}", tags=TAGS, summary=summary, description=description,
                       request=None,
                       responses={code: serializers.CampaignDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN,
                                  404: NOT_FOUND, 409: CONFLICT})
        def post(self, request: Request, campaign_id: int) -> Response:
            campaign = self.campaign(campaign_id)
            with field_errors():
                campaign = service(campaign=campaign, user=request.user)
            return self.detail(campaign, code)

    ActionView.__name__ = ActionView.__qualname__ = f"Campaign{name.title()}View"
    return ActionView


CampaignSubmitView = _action_view("submit", "campaigns.change_campaign", services.campaign_submit,
                                  "Ask for approval (draft → pending_approval)")
CampaignReturnView = _action_view("return", "campaigns.approve_campaign", services.campaign_return,
                                  "Send back for changes (pending_approval → draft)")
CampaignApproveView = _action_view("approve", "campaigns.approve_campaign", services.campaign_approve,
                                   "Approve (another manager of the branch, or an admin; never the author)")


class CampaignLaunchView(CampaignView):
    """GET: what a launch now would do, to confirm; POST {"confirm": true}: launch (without it, 400, nothing sent)."""

    required_permissions = ("campaigns.launch_campaign",)

    @extend_schema(operation_id="campaign_launch_counts", tags=TAGS, summary="What a launch now would do",
                   description="Recipients per channel, the holdout, those without a consented channel, the other "
                               "exclusions, and running campaigns that already target customers of the audience.",
                   responses={200: serializers.LaunchCountsSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, campaign_id: int) -> Response:
        return Response(selectors.campaign_launch_counts(campaign=self.campaign(campaign_id)))

    @extend_schema(operation_id="campaign_launch", tags=TAGS, summary="Launch (approved → scheduled or running)",
                   description='Needs {"confirm": true} (the counts of GET …/launch/ were seen; else 400 and '
                               "nothing is sent). Answers 202 at once: the fan-out and the sending run in Celery. "
                               "Poll the campaign for its counts.",
                   request=serializers.LaunchRequestSerializer,
                   responses={202: serializers.CampaignDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN,
                              404: NOT_FOUND, 409: CONFLICT})
    def post(self, request: Request, campaign_id: int) -> Response:
        campaign = self.campaign(campaign_id)
        body = serializers.LaunchRequestSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        if not body.validated_data["confirm"]:
            raise ValidationError({"confirm": ["Must be true: check the counts of GET …/launch/ first."]})
        with field_errors():
            campaign = services.campaign_launch(campaign=campaign, user=request.user)
        return self.detail(campaign, status.HTTP_202_ACCEPTED)

CampaignCancelView = _action_view("cancel", "campaigns.change_campaign", services.campaign_cancel,
                                  "Cancel; recipients not yet sent are skipped")


class PreviewView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("campaigns.add_campaign",)
    parser_classes = [StrictJSONParser]

    @extend_schema(operation_id="campaigns_preview", tags=TAGS, summary="Preview an audience",
                   description="Eligible count, the split by channel, exclusions by first reason (holds_product, "
                               "do_not_contact, no_consent, frequency_cap) and a masked sample of at most 20. The "
                               "launch uses the same query, so its counts are these.",
                   request=serializers.PreviewRequestSerializer,
                   responses={200: serializers.PreviewSerializer, 400: BAD_REQUEST, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        body = _body(request)
        unknown = sorted(set(body) - {"product", "channels", "audience", "frequency_cap"})
        if unknown:
            raise ValidationError({name: ["Unknown key."] for name in unknown})
        code = body.get("product")
        product = Product.objects.filter(code=code).first() if isinstance(code, str) else None
        if product is None:
            raise ValidationError({"product": ["Unknown product code."]})
        with field_errors():
            data = selectors.campaign_preview(user=request.user, product=product, channels=body.get("channels"),
                                              audience=body.get("audience", {}),
                                              frequency_cap=body.get("frequency_cap"))
        return Response(data)


class AudienceCountView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("campaigns.add_campaign",)
    parser_classes = [StrictJSONParser]

    @extend_schema(operation_id="campaigns_audience_count", tags=TAGS, summary="Customers the filters select",
                   description="Before exclusions: the live count of the audience builder.",
                   request=serializers.AudienceCountRequestSerializer,
                   responses={200: serializers.AudienceCountSerializer, 400: BAD_REQUEST, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        with field_errors():
            count = selectors.audience_count(user=request.user, audience=_body(request).get("audience", {}))
        return Response({"count": count})


class RecipientsView(CampaignView):
    required_permissions = ("campaigns.view_campaign",)
    serializer_class = serializers.RecipientSerializer

    @extend_schema(operation_id="campaign_recipients", tags=TAGS, summary="A campaign's recipients (masked)",
                   parameters=[OpenApiParameter("status", str, enum=RecipientStatus.values),
                               OpenApiParameter("channel", str)],
                   responses={200: serializers.RecipientSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, campaign_id: int) -> Response:
        campaign = self.campaign(campaign_id)
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in RecipientStatus.values:
            raise ValidationError({"status": [f"One of {', '.join(RecipientStatus.values)}."]})
        qs = selectors.recipients_for_campaign(campaign=campaign, status=status_filter,
                                               channel=(request.query_params.get("channel") or "").upper() or None)
        page = self.paginate_queryset(qs)
        customers_read_record(request, customer_ids=[recipient.customer_id for recipient in page], via=AccessVia.API)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CallListView(CampaignView):
    """GET: mobiles masked. POST {"reveal": true}: full numbers, a state-changing read (one access-log row per
    customer), so not a GET that a link, a prefetch or a crawler could trigger."""

    required_permissions = ("campaigns.view_campaign",)

    def _csv(self, request: Request, campaign_id: int, *, reveal: bool) -> HttpResponse:
        campaign = self.campaign(campaign_id)
        text = services.call_list_csv(campaign=campaign, user=request.user, reveal=reveal,
                                      ip_address=client_ip(request), via=AccessVia.API)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-call-list.csv"'
        return no_store(response)

    @extend_schema(operation_id="campaign_call_list", tags=TAGS, summary="The PHONE call list as CSV, mobiles masked",
                   description="Logs one access (a view) per customer on the list. Full numbers: POST.",
                   responses={(200, "text/csv"): OpenApiResponse(description="CSV"), 403: FORBIDDEN,
                              404: NOT_FOUND})
    def get(self, request: Request, campaign_id: int) -> HttpResponse:
        if "reveal" in request.query_params:
            raise ValidationError({"reveal": ["Full mobile numbers are revealed by POST with {\"reveal\": true}."]})
        return self._csv(request, campaign_id, reveal=False)

    @extend_schema(operation_id="campaign_call_list_reveal", tags=TAGS,
                   summary="The PHONE call list as CSV, full mobiles (logged per customer)",
                   description="{\"reveal\": true} gives full numbers to staff who may reveal them (else 403), and "
                               "logs one reveal per customer (via \"api\"); {\"reveal\": false} is the masked list.",
                   request=serializers.CallListRevealSerializer,
                   responses={(200, "text/csv"): OpenApiResponse(description="CSV"), 400: BAD_REQUEST,
                              403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request: Request, campaign_id: int) -> HttpResponse:
        body = serializers.CallListRevealSerializer(data=_body(request))
        body.is_valid(raise_exception=True)
        return self._csv(request, campaign_id, reveal=body.validated_data["reveal"])


class ResultsView(CampaignView):
    required_permissions = ("campaigns.view_campaign",)

    @extend_schema(operation_id="campaign_results", tags=TAGS, summary="Funnel, by channel and day, lift",
                   description="The newest snapshot; POST queues a recompute (202).",
                   responses={200: serializers.ResultsSerializer, 403: FORBIDDEN, 404: NOT_FOUND,
                              409: CONFLICT})
    def get(self, request: Request, campaign_id: int) -> Response:
        data = selectors.campaign_results(campaign=self.campaign(campaign_id))
        if data is None:
            return Response({"detail": "No results yet: the campaign has not been launched, or they are being "
                                       "computed."}, status=status.HTTP_409_CONFLICT)
        return Response(data)

    @extend_schema(operation_id="campaign_results_refresh", tags=TAGS, summary="Recompute the results",
                   request=None, responses={202: None, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request: Request, campaign_id: int) -> Response:
        services.campaign_results_refresh(campaign=self.campaign(campaign_id), user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class OutcomeView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("campaigns.record_offer_outcome",)
    parser_classes = [StrictJSONParser]

    @extend_schema(operation_id="campaign_recipient_outcome", tags=TAGS,
                   summary="Record a counter offer's or a call's outcome",
                   request=serializers.OutcomeRequestSerializer,
                   responses={200: serializers.RecipientSerializer, 400: BAD_REQUEST, 403: FORBIDDEN,
                              404: NOT_FOUND, 409: CONFLICT})
    def post(self, request: Request, recipient_id: int) -> Response:
        body = serializers.OutcomeRequestSerializer(data=_body(request))
        body.is_valid(raise_exception=True)
        recipient = selectors.recipient_get_for_outcome(recipient_id=recipient_id, user=request.user)
        with field_errors():
            recipient = services.recipient_outcome_record(recipient=recipient, by=request.user,
                                                          outcome=body.validated_data["outcome"],
                                                          note=body.validated_data.get("note", ""))
        customer_read_record(request, customer=recipient.customer, via=AccessVia.API)
        return Response(serializers.RecipientSerializer(recipient).data)
