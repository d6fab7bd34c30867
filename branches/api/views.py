"""The API token of the caller: rotate it (the old key stops working at once)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from branches.tokens import api_token_expires_at, api_token_rotate

from . import serializers


class ApiTokenRotateView(APIView):
    @extend_schema(
        operation_id="auth_token_rotate", tags=["auth"], request=None, summary="Rotate your API token",
        description="Replaces the caller's API token (a channel system's, or a staff member's) with a new one and "
                    "answers the new key; the old key is refused from this moment. A token also expires "
                    "API_TOKEN_MAX_AGE_DAYS after it was made (401): rotate it before then.",
        responses={200: serializers.ApiTokenSerializer,
                   401: OpenApiResponse(description="No credentials, or a wrong or expired token.")},
    )
    def post(self, request: Request) -> Response:
        token = api_token_rotate(user=request.user)
        return Response(serializers.ApiTokenSerializer(
            {"token": token.key, "created": token.created, "expires_at": api_token_expires_at(token)}).data)
