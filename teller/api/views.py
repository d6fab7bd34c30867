"""The customer 360 over the API: the page's facts (teller.selectors.customer_360) as masked JSON."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm_site.permissions import HasRequiredPermissions
from customers.api.views import FORBIDDEN, NOT_FOUND
from customers.exceptions import CustomerMerged
from customers.models import AccessVia
from customers.reading import customer_open
from teller.selectors import customer_360

from . import serializers

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
