"""Who is calling the API: a signed-in browser session (with its CSRF token for writes) or a
personal API token sent as ``Authorization: Bearer <token>``.

A session still owing its second factor (:mod:`safeguard.web.signin`) is refused with a 403
problem document; a token is its own credential and is not affected."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from safeguard.api.problems import FORBIDDEN, Problem
from safeguard.cases import rls
from safeguard.core.models import ApiToken
from safeguard.core.services import Context, Invalid, audit
from safeguard.web.signin import awaiting_second_factor

TOKEN_PREFIX = "sg_"  # noqa: S105 - a marker, not a secret


def issue_token(*, user: Any, name: str, expires_in_days: int | None = None,
                context: Context | None = None) -> str:
    """Make a new token for ``user``; the secret is shown once and only its hash kept.

    ``safeguard manage issue_token USERNAME NAME [--expires-in-days N]`` calls this."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the token, saying what it is for"
    elif len(name) > 100:
        errors["name"] = "Name must be 100 characters or fewer"
    if expires_in_days is not None and expires_in_days < 1:
        errors["expires_in_days"] = "Days until the token expires must be 1 or more"
    if errors:
        raise Invalid(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = (timezone.now() + timedelta(days=expires_in_days)) if expires_in_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10],
                                        secret_hash=ApiToken.hash_secret(secret),
                                        expires_at=expires_at)
        audit(actor=None, action="issue_token", obj=token,
              detail={"user": user.pk}, context=context or Context(source="command"))
    return secret


def revoke_tokens(*, user: Any, name: str, context: Context | None = None) -> int:
    """Revoke ``user``'s tokens called ``name`` at once; how many were revoked."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.filter(user=user, name=name.strip(),
                                              revoked_at__isnull=True))
        for token in tokens:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit(actor=None, action="revoke_token", obj=token, detail={"user": user.pk},
                  context=context or Context(source="command"))
    return len(tokens)


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
        # Row-level security: the middleware saw no one signed in; now the database acts as
        # the token's holder, until the middleware clears it at the end of the request.
        rls.act_as(user, by_token=True)
        return user


class Session(APIKeyCookie):
    """The browser's signed-in session; ninja checks the CSRF token on unsafe methods.

    The CSRF check is made only for a signed-in session: a caller who is not signed in is
    told so (401), not that a CSRF token is missing."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if awaiting_second_factor(user):
                # Signed in part-way (a privileged role that has not given its code yet).
                raise Problem(FORBIDDEN, "Finish signing in: enter the code from your "
                                         "authenticator app, then try again.")
            return user
        return None


#: Pass as ``auth=signed_in`` on every router that serves case data.
signed_in = [BearerToken(), Session()]
