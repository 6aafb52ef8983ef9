"""Signing in with an organisation's own account: OpenID Connect, Microsoft Entra ID first
(ADR-006), through mozilla-django-oidc.

- :func:`provider`: the deployment's provider from ``settings.SAFEGUARD_OIDC`` (tenant ID,
  client ID and secret; the authority defaults to ``https://login.microsoftonline.com``),
  or None when it is not configured. The issuer is ``<authority>/<tenant>/v2.0``; the
  endpoints and the signing keys come from its discovery document (:func:`discovery`).
- :class:`OrganisationBackend`: the library's backend (the code exchanged at the token
  endpoint with the PKCE verifier, the key found in the provider's JWKS, the nonce checked),
  with the ID token's signature (RS256 only), ``aud`` (and ``azp``), ``exp``, ``iat``,
  ``nbf`` and ``iss`` all verified, and the identity mapped, never made:
  :meth:`OrganisationBackend.identify` finds the Safeguard account the ``tid``/``oid``
  pair is recorded on (:class:`~safeguard.web.models.OrganisationAccount`) and refuses
  (:class:`Refused`) an unknown identity, an inactive account, or a tenant that is not the
  one configured for the person's agency.

- The second factor: ``amr`` containing ``mfa``, or — when the deployment names a
  Conditional Access authentication context (``SAFEGUARD_OIDC_MFA_AUTH_CONTEXT``, e.g.
  ``c1``, whose policy in Entra requires MFA) — ``acrs`` containing it. The authorization
  request then asks for it with the ``claims`` parameter
  (``{"id_token":{"acrs":{"essential":true,"value":"c1"}}}``; :class:`OrganisationSignInStart`).
- Signing out (:class:`SignOut`, mozilla-django-oidc's logout view, and
  :func:`provider_logout_url`, its ``OIDC_OP_LOGOUT_URL_METHOD``): a session that signed in
  this way is sent on to the provider's ``end_session_endpoint`` with ``id_token_hint`` (the
  ID token, kept only in the server-side session: ``OIDC_STORE_ID_TOKEN``) and
  ``post_logout_redirect_uri`` (``signed-out``), so the provider's session ends too. A
  session signed in with a password signs out as before.

Why ``oid`` and ``tid`` and not the e-mail address: Microsoft documents the pair as the one
stable, unique key of an account; ``email`` and ``preferred_username`` can be changed by the
person or a tenant's administrator, and ``email`` is not verified by Entra. An address
typed into someone's Safeguard account by mistake would otherwise open it.
"""

from __future__ import annotations

import ipaddress
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import absolutify, import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView, OIDCLogoutView

from safeguard.agencies.models import Staff

from .models import AgencyTenant, OrganisationAccount

#: The backend path kept in the session of a person signed in this way.
BACKEND = "safeguard.web.oidc.OrganisationBackend"
#: Multi-tenant Entra registrations: the token's issuer names the person's own tenant.
MULTI_TENANT = frozenset({"organizations", "common"})
#: Clock skew allowed on ``exp``/``iat``/``nbf``, in seconds.
LEEWAY = 60
DISCOVERY_SECONDS = 3600
#: Entra's Conditional Access authentication context IDs: c1 to c99.
AUTH_CONTEXT = re.compile(r"c[1-9][0-9]?")
#: Where the ID token is kept for signing out at the provider (mozilla-django-oidc's key).
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105 - a session key, not a secret


@dataclass(frozen=True)
class Provider:
    authority: str
    tenant_id: str
    client_id: str
    client_secret: str
    #: The authentication context whose ``acrs`` counts as the second factor ("" for none).
    mfa_auth_context: str = ""

    @property
    def multi_tenant(self) -> bool:
        return self.tenant_id.lower() in MULTI_TENANT

    @property
    def discovery_url(self) -> str:
        return f"{self.authority}/{self.tenant_id}/v2.0/.well-known/openid-configuration"

    def issuer_for(self, tenant_id: str) -> str:
        return f"{self.authority}/{tenant_id}/v2.0"


def provider() -> Provider | None:
    config = getattr(settings, "SAFEGUARD_OIDC", None)
    if not config or not config.get("tenant_id") or not config.get("client_id"):
        return None
    authority = str(config.get("authority") or "https://login.microsoftonline.com").rstrip("/")
    parts = urlsplit(authority)
    loopback = False
    try:
        loopback = ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        loopback = parts.hostname == "localhost"
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ImproperlyConfigured("SAFEGUARD_OIDC's authority must be an https:// address")
    context = str(getattr(settings, "SAFEGUARD_OIDC_MFA_AUTH_CONTEXT", "") or "").strip()
    if context and not AUTH_CONTEXT.fullmatch(context):
        raise ImproperlyConfigured("SAFEGUARD_OIDC_MFA_AUTH_CONTEXT must be an Entra "
                                   "authentication context ID, c1 to c99")
    return Provider(authority, str(config["tenant_id"]), str(config["client_id"]),
                    str(config.get("client_secret", "")), context)


def enabled() -> bool:
    """Is signing in with an organisation's account offered?"""
    return provider() is not None


# ---- the discovery document, kept for an hour ----------------------------------------------

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


def discovery(config: Provider) -> dict[str, Any]:
    """The provider's discovery document (fetched once an hour), checked to name the issuer
    this deployment expects and the endpoints the code flow needs."""
    with _discovery_lock:
        cached = _discovered.get(config.discovery_url)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    response = requests.get(config.discovery_url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    expected = config.issuer_for("{tenantid}" if config.multi_tenant else config.tenant_id)
    if document.get("issuer") != expected:
        raise SuspiciousOperation("The discovery document names another issuer.")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not str(document.get(key, "")).startswith(("https://", config.authority + "/")):
            raise SuspiciousOperation(f"The discovery document has no usable {key}.")
    with _discovery_lock:
        _discovered[config.discovery_url] = (time.monotonic(), document)
    return document


def forget_discovery() -> None:
    """Fetch the discovery document afresh next time (tests; a provider's new endpoints)."""
    with _discovery_lock:
        _discovered.clear()


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, with the provider's endpoints and client filled in
    from :func:`provider` and its discovery document."""
    config = provider()
    if config is not None:
        if attr == "OIDC_RP_CLIENT_ID":
            return config.client_id
        if attr == "OIDC_RP_CLIENT_SECRET":
            return config.client_secret
        endpoint = {"OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
                    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
                    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
                    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint"}.get(attr)
        if endpoint is not None:
            return discovery(config).get(endpoint, default[0] if default else None)
    return import_from_settings(attr, *default)


# ---- the backend -----------------------------------------------------------------------------


class Refused(Exception):  # noqa: N818 - a refusal, not a fault
    """Sign-in with the organisation account refused: ``reason`` is for the audit and the
    page (never shown to anyone else); ``user`` the account, when one was found."""

    def __init__(self, reason: str, user: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user = user


@dataclass(frozen=True)
class Identity:
    user: Any
    #: The identity provider says it checked a second factor (``amr`` has ``mfa``, or
    #: ``acrs`` has the deployment's authentication context).
    mfa: bool
    #: The verified ID token, for signing out at the provider (:func:`remember_id_token`).
    id_token: str = field(default="", repr=False)


def tenants_of(user: Any, config: Provider) -> set[str]:
    """The tenants whose accounts may sign in as ``user``: those recorded on their agency;
    with none recorded, a single-tenant deployment's own tenant."""
    staff = Staff.objects.filter(user=user).select_related("agency").first()
    recorded: set[str] = set()
    if staff is not None:
        recorded = {t.lower() for t in AgencyTenant.objects.filter(agency_id=staff.agency_id)
                    .values_list("tenant_id", flat=True)}
    if recorded:
        return recorded
    return set() if config.multi_tenant else {config.tenant_id.lower()}


class OrganisationBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Signs in through :meth:`identify` only: ``authenticate()`` (the password form's
    path) never answers, so no username or password reaches it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Lazy: Django makes every backend for every password sign-in; the provider's
        # settings (and its discovery document) are read only when identify() runs.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> Any:
        return ModelBackend.get_user(self, user_id)

    def identify(self, request: HttpRequest, *, nonce: str | None,
                 code_verifier: str | None) -> Identity:
        """The callback's code exchanged for tokens, the ID token verified, and the account
        it belongs to; or :class:`Refused`."""
        config = provider()
        if config is None:
            raise Refused("not_configured")
        self.request = request
        self.config = config
        try:
            super().__init__()  # the endpoints, from the discovery document
        except (requests.RequestException, ValueError, SuspiciousOperation) as exc:
            raise Refused("provider_unavailable") from exc
        code = request.GET.get("code", "")
        try:
            tokens = self.get_token({
                "client_id": config.client_id, "client_secret": config.client_secret,
                "grant_type": "authorization_code", "code": code,
                "redirect_uri": absolutify(request, reverse(settings.
                                                             OIDC_AUTHENTICATION_CALLBACK_URL)),
                "code_verifier": code_verifier,
            })
        except (requests.RequestException, ValueError) as exc:
            raise Refused("provider_error") from exc
        id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
        if not isinstance(id_token, str):
            raise Refused("invalid_token")
        try:
            claims = self.verify_token(id_token, nonce=nonce)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, KeyError,
                TypeError, ValueError) as exc:
            raise Refused("invalid_token") from exc
        identity = self.match(claims)
        return Identity(identity.user, identity.mfa, id_token)

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The signature (RS256, the key from the provider's JWKS), the audience, the times
        and the issuer; the library checks the nonce afterwards."""
        if jwt.get_unverified_header(payload).get("alg") != "RS256":
            raise SuspiciousOperation("The ID token is not signed with RS256.")
        claims: dict[str, Any] = jwt.decode(
            payload, key, algorithms=["RS256"], audience=self.config.client_id, leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]})
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and (
                claims.get("azp") != self.config.client_id):
            raise SuspiciousOperation("The ID token was issued to another party.")
        tid, oid = claims.get("tid"), claims.get("oid")
        if not (isinstance(tid, str) and tid and isinstance(oid, str) and oid):
            raise SuspiciousOperation("The ID token names no tenant and object ID.")
        if claims["iss"] != self.config.issuer_for(tid):
            raise SuspiciousOperation("The ID token's issuer is not its tenant's.")
        return claims

    def match(self, claims: dict[str, Any]) -> Identity:
        """The Safeguard account the verified identity is recorded on, within its tenant."""
        config = self.config
        tid, oid = str(claims["tid"]).lower(), str(claims["oid"]).lower()
        if not config.multi_tenant and tid != config.tenant_id.lower():
            raise Refused("wrong_tenant")
        if config.multi_tenant and not AgencyTenant.objects.filter(
                tenant_id__iexact=tid).exists():
            raise Refused("wrong_tenant")
        account = (OrganisationAccount.objects.select_related("user")
                   .filter(tenant_id__iexact=tid, object_id__iexact=oid).first())
        if account is None:
            raise Refused("unknown_identity")
        user = account.user
        staff = Staff.objects.filter(user=user).first()
        if not user.is_active or (staff is not None and not staff.active):
            raise Refused("inactive", user)
        if tid not in tenants_of(user, config):
            raise Refused("wrong_tenant", user)
        return Identity(user, mfa=second_factor_given(claims, config))


def second_factor_given(claims: dict[str, Any], config: Provider) -> bool:
    """Did the identity provider check a second factor? ``amr`` (the methods used) has
    ``mfa``; or the deployment names an authentication context and ``acrs`` (the contexts
    whose Conditional Access policies the sign-in satisfied) has it."""
    amr = claims.get("amr") or []
    if isinstance(amr, list) and "mfa" in amr:
        return True
    acrs = claims.get("acrs") or []
    return bool(config.mfa_auth_context) and isinstance(acrs, list) and (
        config.mfa_auth_context in acrs)


def claims_request(config: Provider) -> str:
    """The authorization request's ``claims`` parameter (OpenID Connect Core 5.5): the
    deployment's authentication context, essential, in the ID token's ``acrs``; or ""."""
    if not config.mfa_auth_context:
        return ""
    return json.dumps({"id_token": {"acrs": {"essential": True,
                                             "value": config.mfa_auth_context}}},
                      separators=(",", ":"))


class OrganisationSignInStart(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """The redirect to the provider's authorization endpoint: state, nonce and the PKCE
    challenge made and kept in the session by the library; and, when the deployment names
    an authentication context, the ``claims`` parameter asking for it."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        params: dict[str, str] = dict(super().get_extra_params(request))
        config = provider()
        if config is not None and (claims := claims_request(config)):
            params["claims"] = claims
        return params


# ---- signing out, at the provider too ------------------------------------------------------


def remember_id_token(request: HttpRequest, identity: Identity) -> None:
    """Keep the ID token in the (server-side) session, as the library does when
    ``OIDC_STORE_ID_TOKEN`` is on, for :func:`provider_logout_url`; never anywhere else."""
    backend = OrganisationBackend()
    backend.request = request
    backend.store_tokens(None, identity.id_token)


def signed_out_url() -> str:
    return reverse("sign-in") + "?signed-out=1"


def provider_logout_url(request: HttpRequest) -> str:
    """mozilla-django-oidc's ``OIDC_OP_LOGOUT_URL_METHOD``, called before the session ends:
    for a session that signed in with an organisation account, the provider's
    ``end_session_endpoint`` (from its discovery document; Entra's is
    ``<authority>/<tenant>/oauth2/v2.0/logout``) with ``id_token_hint`` and
    ``post_logout_redirect_uri`` (our ``signed-out`` page, which must be registered with
    the provider as a redirect URI). Otherwise — a password sign-in, no ID token kept, the
    provider out of reach or without the endpoint — "You have signed out" here."""
    session = request.session
    id_token = session.get(ID_TOKEN_SESSION_KEY)
    config = provider()
    if session.get(BACKEND_SESSION_KEY) != BACKEND or not id_token or config is None:
        return signed_out_url()
    try:
        endpoint = str(discovery(config).get("end_session_endpoint") or "")
    except (requests.RequestException, ValueError, SuspiciousOperation):
        return signed_out_url()
    # The provider's own origin only: the sign-out form may go on there (CSP form-action).
    if not endpoint.startswith(config.authority + "/") or "?" in endpoint:
        return signed_out_url()
    return endpoint + "?" + urlencode({
        "id_token_hint": id_token,
        "post_logout_redirect_uri": absolutify(request, reverse("signed-out")),
    })


class SignOut(OIDCLogoutView):  # type: ignore[misc]
    """mozilla-django-oidc's logout view: the URL from ``OIDC_OP_LOGOUT_URL_METHOD``
    (:func:`provider_logout_url`) worked out, then the session ended, then there."""

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    @property
    def redirect_url(self) -> str:
        return signed_out_url()
