"""The transactions floor of the API: ingest batches (DESIGN §5). HTTP and shape checking only."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from crm_site.permissions import HasRequiredPermissions
from transactions import selectors
from transactions.services import batch_create_from_rows

from . import serializers

TAGS = ["transactions"]
BAD_REQUEST = OpenApiResponse(description="The body is not the shape this endpoint takes; the answer says why.")
FORBIDDEN = OpenApiResponse(description="Not signed in, or the role may not do this (DESIGN §8).")
NOT_FOUND = OpenApiResponse(description="No such batch, or not one of yours.")


class BatchListCreateView(GenericAPIView):
    permission_classes = [HasRequiredPermissions]
    parser_classes = [serializers.FeedJSONParser]
    serializer_class = serializers.BatchSerializer

    max_body_setting = "INGEST_API_MAX_BODY_BYTES"  # 10,000 rows (DESIGN §5) don't fit Django's 2.5 MB

    @property
    def required_permissions(self) -> tuple[str, ...]:
        if self.request.method == "POST":
            return ("transactions.add_ingestbatch",)
        return ("transactions.view_ingestbatch",)

    def get_queryset(self):
        return selectors.batches_for_user(user=self.request.user)

    @extend_schema(
        operation_id="transaction_batches_list", tags=TAGS, summary="Ingest batches, newest first",
        description="Managers and admins see every batch; a channel system sees its own.",
        responses={200: serializers.BatchSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="transaction_batches_create", tags=TAGS, summary="Send up to 10,000 transactions",
        description="Records a batch and queues it; answers 202 at once, with the batch and its URL in "
                    "Location: poll it until status is done or failed. The body's shape is checked here (400); a "
                    "bad row is not a 400 but a rejected row of the batch, with its reasons. A row whose channel "
                    "and external_id were seen before is counted as a duplicate and not loaded again.",
        request=serializers.BatchCreateSerializer,
        responses={202: serializers.BatchSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        rows, channel = serializers.rows_from_body(request.data)
        batch = batch_create_from_rows(rows=rows, channel_hint=channel, created_by=request.user)
        data = self.get_serializer(batch).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class BatchDetailView(GenericAPIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("transactions.view_ingestbatch",)
    serializer_class = serializers.BatchSerializer

    @extend_schema(
        operation_id="transaction_batch_get", tags=TAGS, summary="One batch's status and counts",
        responses={200: serializers.BatchSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, batch_id: int) -> Response:
        batch = selectors.batch_get(batch_id=batch_id, user=request.user)
        return Response(self.get_serializer(batch).data)
