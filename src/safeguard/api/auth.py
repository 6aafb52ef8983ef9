"""Who is calling the API: a signed-in browser session (with its CSRF token for writes) or a
personal API token sent as ``Authorization: Bearer <token>``."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from safeguard.core.models import ApiToken

TOKEN_PREFIX = "sg_"  # noqa: S105 - a marker, not a secret


def issue_token(*, user: Any, name: str) -> str:
    """Make a new token for ``user``; the secret is shown once and only its hash kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=secret[:10],
                            secret_hash=ApiToken.hash_secret(secret))
    return secret


class BearerToken(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(secret_hash=ApiToken.hash_secret(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or (found.expires_at and found.expires_at <= now):
            return None
        user = found.user
        if not user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = user
        return user


class Session(APIKeyCookie):
    """The browser's signed-in session; ninja checks the CSRF token on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


#: Pass as ``auth=signed_in`` on every router that serves case data.
signed_in = [BearerToken(), Session()]
