"""Token authentication that refuses expired tokens (API_TOKEN_MAX_AGE_DAYS): 401, as for a wrong key."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .tokens import api_token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if api_token_expired(token):
            raise exceptions.AuthenticationFailed(_("The API token has expired: rotate it for a new one."))
        return user, token
