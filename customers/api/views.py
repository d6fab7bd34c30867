"""The customers floor of the API: the teller's writes on one profile (the search is on the teller floor,
which adds the tier).

HTTP and shape checking only: reads go through search/selectors, writes through services,
whose domain errors become 4xx in crm_site.exceptions.api_exception_handler.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm_site.http import client_ip
from crm_site.parsers import StrictJSONParser
from crm_site.permissions import HasRequiredPermissions
from customers import selectors, services
from customers.models import AccessAction, AccessVia, ConsentSource, Customer
from customers.reading import customer_open

from . import serializers

TAGS = ["customers"]
BAD_REQUEST = OpenApiResponse(description="The input breaks a rule; the body names each field and its problem.")
FORBIDDEN = OpenApiResponse(description="Not signed in, or the role may not do this (DESIGN §8).")
NOT_FOUND = OpenApiResponse(description="No customer with this customer number.")




class CustomerWriteView(APIView):
    """A write on one profile: JSON in, the profile looked up by its customer number (404 if unknown)."""

    permission_classes = [HasRequiredPermissions]
    parser_classes = [StrictJSONParser]

    def customer(self) -> Customer:
        # the answers show the profile's data (timeline, masked contact, the ID): a read on record, never cached
        return customer_open(self.request, customer_no=self.kwargs["customer_no"], via=AccessVia.API)


class InteractionCreateView(CustomerWriteView):
    required_permissions = ("customers.add_interaction",)

    @extend_schema(
        operation_id="customer_interaction_create", tags=TAGS, summary="Add an interaction (note) to the timeline",
        request=serializers.InteractionCreateSerializer,
        responses={201: serializers.InteractionSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, customer_no: str) -> Response:
        customer = self.customer()
        data = serializers.InteractionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interaction = services.interaction_add(customer=customer, staff=request.user, **data.validated_data)
        return Response(serializers.InteractionSerializer(interaction).data, status=status.HTTP_201_CREATED)


class ConsentCreateView(CustomerWriteView):
    required_permissions = ("customers.add_consentrecord",)

    @extend_schema(
        operation_id="customer_consent_create", tags=TAGS, summary="Record marketing consent for one channel",
        description="A new record (source \"api\"); the newest record per channel is the customer's answer.",
        request=serializers.ConsentCreateSerializer,
        responses={201: serializers.ConsentRecordSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, customer_no: str) -> Response:
        customer = self.customer()
        data = serializers.ConsentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.consent_record(customer=customer, recorded_by=request.user, source=ConsentSource.API,
                                         **data.validated_data)
        return Response(serializers.ConsentRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class ContactUpdateView(CustomerWriteView):
    required_permissions = ("customers.change_customer_contact",)

    @extend_schema(
        operation_id="customer_contact_update", tags=TAGS, summary="Update contact details and service preferences",
        description="Give only the fields to change; the profile's history records who changed what. Identity "
                    "fields (full_name, gender, date_of_birth, id_type, id_number, id_expiry) and unknown fields "
                    "are refused with 400 and an error under each such field: identity is an administrator's job, "
                    "in the admin. An invalid mobile is a 400 under \"mobile\". The answer shows the changed field "
                    "names and the contact details, masked.",
        request=serializers.ContactUpdateSerializer,
        responses={200: serializers.ContactUpdateResultSerializer, 400: BAD_REQUEST, 403: FORBIDDEN,
                   404: NOT_FOUND},
    )
    def patch(self, request: Request, customer_no: str) -> Response:
        customer = self.customer()
        data = serializers.ContactUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.customer_update_contact(customer=customer, changed_by=request.user,
                                                   data=data.validated_data, change_reason="API")
        result = {"changed": changed, "customer": customer}
        return Response(serializers.ContactUpdateResultSerializer(result).data)


class RevealIdView(CustomerWriteView):
    required_permissions = ("customers.reveal_customer_pii",)

    @extend_schema(
        operation_id="customer_id_reveal", tags=TAGS, summary="Reveal the full ID number (reason required, logged)",
        description="Writes an access-log row with the reason before answering. Without a reason of at least "
                    "4 characters: 400 and nothing is logged or revealed.",
        request=serializers.RevealRequestSerializer,
        responses={200: serializers.RevealResultSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, customer_no: str) -> Response:
        # its record is the reveal row below, with the reason; a refused reveal shows nothing
        customer = selectors.customer_get(customer_no=customer_no, user=request.user)
        data = serializers.RevealRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.customer_access_record(customer=customer, user=request.user, via=AccessVia.API,
                                        action=AccessAction.REVEAL, field="id_number",
                                        reason=data.validated_data["reason"], ip_address=client_ip(request))
        response = Response(serializers.RevealResultSerializer(customer).data)
        response["Cache-Control"] = "no-store"
        return response
