"""The customer 360 over the API: the page's facts (teller.selectors.customer_360) as masked JSON."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm_site.http import client_ip
from crm_site.permissions import HasRequiredPermissions
from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.api.views import FORBIDDEN, NOT_FOUND
from customers.models import AccessVia
from teller.selectors import customer_360

from . import serializers


class Customer360View(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("customers.view_customer",)

    @extend_schema(
        operation_id="customer_360", tags=["customers"], summary="The customer 360",
        description="Profile and service preferences, holdings, the newest transactions, chart data, consent, "
                    "interactions, scores, alerts and offers: the facts of the teller's page. Identifiers are "
                    "masked; each call is recorded in the profile access log (via \"api\").",
        responses={200: serializers.Customer360Serializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, customer_no: str) -> Response:
        customer = customer_selectors.customer_get(customer_no=customer_no, user=request.user)
        customer_services.customer_access_record(customer=customer, user=request.user, via=AccessVia.API,
                                                 ip_address=client_ip(request))
        return Response(serializers.Customer360Serializer(customer_360(customer=customer)).data)
