"""The propensity API: model cards (managers), a next-best offer's outcome (tellers), a campaign's prediction."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Product
from campaigns.selectors import campaign_get
from campaigns.services.contacts import counter_offer_record
from crm_site.parsers import StrictJSONParser
from crm_site.permissions import HasRequiredPermissions
from customers.models import AccessVia
from customers.reading import customer_open

from .. import selectors
from . import serializers

TAGS = ["propensity"]
FORBIDDEN = OpenApiResponse(description="Not signed in, or the role may not do this (DESIGN §8).")
NOT_FOUND = OpenApiResponse(description="No such product, customer or campaign.")


class ModelListView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("propensity.view_propensitymodel",)

    @extend_schema(operation_id="propensity_models", tags=TAGS, summary="Every active product and its model",
                   responses={200: serializers.ModelSummarySerializer(many=True), 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        return Response(serializers.ModelSummarySerializer(selectors.products_with_history(), many=True).data)


class ModelCardView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("propensity.view_propensitymodel",)

    @extend_schema(operation_id="propensity_model_card", tags=TAGS, summary="A product's model card",
                   description="Held-out metrics (AUC, Brier, lift and calibration by decile), the strongest "
                               "features, training size and date, and plain warnings (weak model, too little "
                               "history).",
                   responses={200: serializers.ModelCardSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, product_code: str) -> Response:
        product = get_object_or_404(Product, code=product_code)
        return Response(serializers.ModelCardSerializer(selectors.model_card(product=product)).data)


class OfferOutcomeView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("campaigns.record_offer_outcome", "customers.view_customer")
    parser_classes = [StrictJSONParser]

    @extend_schema(operation_id="propensity_offer_outcome", tags=TAGS, summary="Record a next-best offer's answer",
                   request=serializers.OfferOutcomeRequestSerializer,
                   responses={201: serializers.ContactResponseSerializer, 400: OpenApiResponse(
                       description="Unknown outcome."), 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request: Request, customer_no: str, product_code: str) -> Response:
        customer = customer_open(request, customer_no=customer_no, via=AccessVia.API)
        product = get_object_or_404(Product, code=product_code)
        body = serializers.OfferOutcomeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = counter_offer_record(customer=customer, product=product, outcome=body.validated_data["outcome"],
                                       by=request.user)
        return Response(serializers.ContactResponseSerializer(contact).data, status=status.HTTP_201_CREATED)


class CampaignPredictionView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("campaigns.view_campaign",)

    @extend_schema(operation_id="propensity_campaign_prediction", tags=TAGS,
                   summary="A campaign's predicted against actual conversions",
                   responses={200: serializers.CampaignPredictionSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def get(self, request: Request, campaign_id: int) -> Response:
        campaign = campaign_get(campaign_id=campaign_id, user=request.user)
        prediction = selectors.campaign_prediction(campaign_id=campaign.pk)
        if prediction is None:
            return Response({"detail": "No model had scored this campaign's customers when it started."},
                            status=status.HTTP_404_NOT_FOUND)
        return Response(serializers.CampaignPredictionSerializer(prediction).data)
