"""Exchange rates over the API, for integrators: read-only; rates are loaded as files (import_records fx_rates)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors
from crm_site.permissions import HasRequiredPermissions

from . import serializers

FORBIDDEN = OpenApiResponse(description="Not signed in, or the role may not read exchange rates (DESIGN §8).")
BAD_REQUEST = OpenApiResponse(description="A filter is not valid (unknown currency, bad date); the answer says why.")


class FxRateListView(GenericAPIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("accounts.view_fxrate",)
    serializer_class = serializers.FxRateSerializer
    filter_backends: list = []  # the filters are checked by FxRateFilterSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "base_currency": settings.BASE_CURRENCY}

    @extend_schema(
        operation_id="fx_rates_list", tags=["accounts"], summary="Exchange rates",
        description="The rates money converts at into the base currency (BASE_CURRENCY): one per currency and "
                    "day, by currency and newest day first. A rate holds until the next one: money converts at "
                    "the latest rate on or before its date. Managers, admins and channel systems; read-only.",
        parameters=[serializers.FxRateFilterSerializer],
        responses={200: serializers.FxRateSerializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        params = serializers.FxRateFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rates = selectors.fx_rates_list(user=request.user, **params.validated_data)
        page = self.paginate_queryset(rates)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
