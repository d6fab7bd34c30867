"""The teller floor of the API: the one-box search (with each result's tier and top next-best offer) and the
customer 360 (the page's facts, teller.selectors.customer_360) as masked JSON."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branches.selectors import staff_profile_get
from crm_site.http import no_store
from crm_site.parsers import StrictJSONParser
from crm_site.permissions import HasRequiredPermissions
from customers import search
from customers.api import serializers as customer_serializers
from customers.api.views import BAD_REQUEST, FORBIDDEN, NOT_FOUND, TAGS
from customers.exceptions import CustomerMerged
from customers.models import AccessVia
from customers.reading import customer_open
from teller.selectors import customer_360, tiers_attach, top_offers_attach

from . import serializers

SEARCH_DESCRIPTION = ("Whatever the teller has: a name in characters or pinyin (with or without spaces, or the "
                      "initials), a mobile in any common format, a resident ID number, an account, card or customer "
                      "number. At most 20 results, exact identifier matches first, then exact names, then the "
                      "teller's own branch. Identifiers are masked. Each result carries its value tier and its top "
                      "next-best offer (the first of the 360's next_best_offers; null when none).")


def _search(request: Request, data) -> Response:
    params = customer_serializers.SearchQuerySerializer(data=data)
    params.is_valid(raise_exception=True)
    profile = staff_profile_get(user=request.user)
    result = search.customers_search(query=params.validated_data["q"], branch_id=profile.branch_id if profile else None)
    tiers_attach(customers=result.customers)
    top_offers_attach(customers=result.customers)
    return no_store(Response(serializers.CustomerSearchSerializer(result).data))


class CustomerSearchView(APIView):
    """GET ?q= for names; an identifier in a query string would be kept by every access log on the way."""

    permission_classes = [HasRequiredPermissions]
    required_permissions = ("customers.view_customer",)

    @extend_schema(
        operation_id="customers_search", tags=TAGS, parameters=[customer_serializers.SearchQuerySerializer],
        summary="Customer search by name (query string)",
        description=SEARCH_DESCRIPTION + " A query that looks like an ID, mobile, card or account number is "
                    "refused with 400: post it to /api/v1/customers/search/ instead, so it stays out of URLs and logs.",
        responses={200: serializers.CustomerSearchSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        if search.looks_like_identifier(request.query_params.get("q", "")):
            raise ValidationError({"q": [_(
                "This looks like an ID, mobile, card or account number: it must not travel in a URL. "
                "Search for it with POST /api/v1/customers/search/ and {\"q\": \"...\"} in the body.")]})
        return _search(request, request.query_params)


class CustomerSearchPostView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("customers.view_customer",)
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="customers_search_post", tags=TAGS, request=customer_serializers.SearchQuerySerializer,
        summary="One-box customer search (the query in the body)",
        description=SEARCH_DESCRIPTION + " The query travels in the JSON body, so an identifier never reaches a "
                    "URL, an access log or a Referer header (DESIGN §5).",
        responses={200: serializers.CustomerSearchSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": [_("The body must be a JSON object.")]})
        return _search(request, request.data)


MERGED = OpenApiResponse(description="This profile was merged into another: Location names the survivor's 360.")


class Customer360View(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("customers.view_customer",)

    @extend_schema(
        operation_id="customer_360", tags=["customers"], summary="The customer 360",
        description="Profile and service preferences, holdings, the newest transactions, chart data, consent, "
                    "interactions, scores, alerts and offers: the facts of the teller's page. Identifiers are "
                    "masked; each call is recorded in the profile access log (via \"api\"). The number of a "
                    "profile merged into another answers 301 with the survivor's URL in Location and "
                    "{\"detail\", \"merged_into\": survivor's customer number} in the body.",
        responses={200: serializers.Customer360Serializer, 301: MERGED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, customer_no: str) -> Response:
        try:
            customer = customer_open(request, customer_no=customer_no, via=AccessVia.API)
        except CustomerMerged as merged:
            # a merge is for good: 301 to the surviving profile, and the pointer in the body for clients
            # that do not follow redirects
            response = Response({"detail": merged.message, "merged_into": merged.survivor_no},
                                status=status.HTTP_301_MOVED_PERMANENTLY)
            response["Location"] = reverse("teller-api:customer-360", kwargs={"customer_no": merged.survivor_no})
            return response
        return Response(serializers.Customer360Serializer(customer_360(customer=customer)).data)
