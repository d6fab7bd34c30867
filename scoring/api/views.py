"""The scores floor of the API: the branch dashboard, the per-branch summary and the score runs.

HTTP and shape checking only; the narrowing to what the user may see lives in scoring.selectors.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crm_site.permissions import HasRequiredPermissions
from customers.models import AccessVia
from customers.reading import customers_read_record
from scoring import selectors

from . import serializers

TAGS = ["scores"]
FORBIDDEN = OpenApiResponse(description="Not signed in, or the role may not do this (DESIGN §8).")
NOT_FOUND = OpenApiResponse(description="No such branch, or not one the user may see (a manager: another branch).")
BAD_REQUEST = OpenApiResponse(description="A query parameter is not one this endpoint takes; the answer says why.")


class BranchSummaryListView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("scoring.view_branch_dashboard",)

    @extend_schema(
        operation_id="score_branches_list", tags=TAGS, summary="Scores per branch",
        description="One line per branch: customers (merge tombstones left out), how many are scored, their AUM, "
                    "mean value score and customers per tier. Admins see every branch, a manager their own.",
        responses={200: serializers.BranchSummarySerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        branches = selectors.branch_summaries(user=request.user)
        return Response(serializers.BranchSummarySerializer(branches, many=True).data)


class BranchDashboardView(APIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("scoring.view_branch_dashboard",)

    @extend_schema(
        operation_id="score_branch_dashboard", tags=TAGS, summary="A branch's dashboard of scores",
        description="The figures of the branch dashboard page for the customers whose home branch this is: "
                    "customers per tier and their AUM, the mean channel mix of customers with activity, "
                    "self-service adoption, the top spending categories, customers per alert, and the newest "
                    "finished score run. A manager may ask for their own branch only (another is a 404).",
        responses={200: serializers.BranchDashboardSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        dashboard = selectors.branch_dashboard(user=request.user, branch_code=code)
        return Response(serializers.BranchDashboardSerializer(dashboard).data)


class BranchAlertCustomersView(GenericAPIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("scoring.view_branch_dashboard",)
    serializer_class = serializers.AlertCustomerSerializer
    filter_backends: list = []

    @extend_schema(
        operation_id="score_branch_alert_customers", tags=TAGS, summary="A branch's customers with one alert",
        description="The customers behind one bar of the dashboard's alert chart: those of the branch on whom an "
                    "alert of this kind (funds_leaving, id_expiring, kyc_due, dormant, activity_falling, birthday) "
                    "fires, most valuable first, with masked names, tier and the alert's reason. Every customer "
                    "listed is written to the access log. An unknown kind, or a branch the user may not see, is "
                    "a 404.",
        responses={200: serializers.AlertCustomerSerializer(many=True), 403: FORBIDDEN,
                   404: OpenApiResponse(description="No such alert kind, or no such branch among the user's.")},
    )
    def get(self, request: Request, code: str, kind: str) -> Response:
        _branch, scores = selectors.customers_with_alert(user=request.user, code=kind, branch_code=code)
        rows = selectors.alert_rows(scores=self.paginate_queryset(scores), code=kind)
        customers_read_record(request, customer_ids=[row["customer"].pk for row in rows], via=AccessVia.API)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class ScoreRunListView(GenericAPIView):
    permission_classes = [HasRequiredPermissions]
    required_permissions = ("scoring.view_scorerun",)
    serializer_class = serializers.ScoreRunSerializer
    filter_backends: list = []  # the two filters are checked by ScoreRunFilterSerializer

    @extend_schema(
        operation_id="score_runs_list", tags=TAGS, summary="Score refreshes, newest first",
        description="Full and incremental refreshes with their status, counts and timings. Read-only.",
        parameters=[serializers.ScoreRunFilterSerializer],
        responses={200: serializers.ScoreRunSerializer(many=True), 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        params = serializers.ScoreRunFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        runs = selectors.score_runs_recent(user=request.user, **params.validated_data)
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
