"""A small, standards-following OpenID Connect provider shaped like Microsoft Entra ID, served
over real HTTP on a loopback port, for the tests of signing in with an organisation's account
(:mod:`safeguard.web.oidc`). Tests cannot reach Entra, and a mock would test nothing of the
HTTP, the signatures or the PKCE exchange.

It serves, per tenant, Entra's paths: the discovery document
(``/<tenant>/v2.0/.well-known/openid-configuration``), the JSON Web Key Set
(``/<tenant>/discovery/v2.0/keys``), the authorization endpoint
(``/<tenant>/oauth2/v2.0/authorize``: the authorization code flow with PKCE S256 required) and
the token endpoint (``/<tenant>/oauth2/v2.0/token``: the client secret, the code's redirect
URI and the PKCE verifier checked; a code works once) and the end-session endpoint
(``/<tenant>/oauth2/v2.0/logout``, GET or POST: OpenID Connect RP-Initiated Logout, as
Entra's: ``id_token_hint`` verified as one of its own ID tokens for this client,
``post_logout_redirect_uri`` refused unless it is one of the client's registered redirect
URIs; the session named by the token's ``sid`` is recorded as ended, in
:attr:`Provider.ended`, and the browser sent back to ``post_logout_redirect_uri``). ID tokens
are RS256-signed JWTs (joserfc) with Entra's claims: ``iss`` of the account's tenant,
``aud``, ``exp``/``iat``/``nbf``, ``nonce``, ``tid``, ``oid``, ``sub``, ``sid``,
``preferred_username``, ``name``, ``amr``, ``ver``; and ``acrs``, the authentication
contexts the account satisfied (:attr:`Account.acrs`), when the authorization request's
``claims`` parameter asks for ``acrs`` in the ID token, as Entra issues it when asked
explicitly. ``organizations`` is the multi-tenant path, whose discovery document names the
issuer ``…/{tenantid}/v2.0`` as Entra's does.

The person who "signs in" at the authorization endpoint is :attr:`Provider.account`, set by
the test; :attr:`Provider.tamper` spoils the next ID tokens ("signature": signed with another
key under the same key ID; "expired"; "audience"; "nonce"; "issuer"). Each authorization
request's ``claims`` parameter, decoded, is kept in :attr:`Provider.claims_requested`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from safeguard.testing.loopback import serving

CLIENT_ID = "5f0f6c7e-2a41-4c8e-9d35-0c6a0b1f4a11"
CLIENT_SECRET = "local-test-provider-secret"  # noqa: S105 - a test provider's, on loopback
TENANT_ID = "0e7a6f55-8a53-4f43-9b55-7b9c1d2e3f40"
OTHER_TENANT_ID = "c4d1a7e2-5b2f-4d0e-8f6a-1a2b3c4d5e6f"
MULTI_TENANT = "organizations"


@dataclass
class Account:
    """The organisation account that signs in at the provider."""

    oid: str
    tid: str = TENANT_ID
    preferred_username: str = "someone@example.org"
    name: str = "Some One"
    amr: tuple[str, ...] = ("pwd",)
    #: The Conditional Access authentication contexts the sign-in satisfies (e.g. "c1").
    acrs: tuple[str, ...] = ()


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    account: Account
    issued: float
    sid: str
    claims: dict[str, Any] | None = None


@dataclass
class Provider:
    base_url: str
    account: Account | None = None
    tamper: str = ""
    redirect_uris: set[str] = field(default_factory=set)
    key: RSAKey = field(default_factory=lambda: _new_key("test-key-1"))
    requests: list[str] = field(default_factory=list)  # "METHOD path", for the tests
    #: The decoded ``claims`` parameter of each authorization request (None: none sent).
    claims_requested: list[dict[str, Any] | None] = field(default_factory=list)
    #: The provider's sessions still open (``sid`` → the account's ``oid``), and those
    #: ended at the end-session endpoint, in order.
    sessions: dict[str, str] = field(default_factory=dict)
    ended: list[str] = field(default_factory=list)
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issuer(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}/v2.0"

    def discovery(self, tenant: str) -> dict[str, Any]:
        root = f"{self.base_url}/{tenant}"
        issuer = self.issuer("{tenantid}" if tenant == MULTI_TENANT else tenant)
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post",
                                                      "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_parameter_supported": True,
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "nonce", "tid",
                                 "oid", "sid", "preferred_username", "name", "amr", "acrs",
                                 "ver"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    # ---- the authorization code flow -----------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, JSON body): a redirect back to the client with a code, or an
        error (to the client when its redirect URI is known, else a 400)."""
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID or redirect_uri not in self.redirect_uris:
            return 400, {}, {"error": "invalid_request",
                             "error_description": "unknown client or redirect URI"}
        state = query.get("state", "")

        def back(params: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
            if state:
                params["state"] = state
            return 302, {"Location": f"{redirect_uri}?{urlencode(params)}"}, {}

        if query.get("response_type") != "code" or "openid" not in query.get(
                "scope", "").split():
            return back({"error": "invalid_request"})
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return back({"error": "invalid_request",
                         "error_description": "PKCE with S256 is required"})
        claims: dict[str, Any] | None = None
        if "claims" in query:
            try:
                claims = json.loads(query["claims"])
            except ValueError:
                claims = None
            if not isinstance(claims, dict):
                return back({"error": "invalid_request",
                             "error_description": "claims is not a JSON object"})
        self.claims_requested.append(claims)
        if self.account is None:
            return back({"error": "access_denied"})
        code, sid = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
        with self._lock:
            self._grants[code] = _Grant(CLIENT_ID, redirect_uri, query["code_challenge"],
                                        query.get("nonce", ""), self.account, time.time(),
                                        sid, claims)
            self.sessions[sid] = self.account.oid
        return back({"code": code})

    def token(self, form: dict[str, str], authorization: str
              ) -> tuple[int, dict[str, str], dict[str, Any]]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != CLIENT_ID or not secrets.compare_digest(secret, CLIENT_SECRET):
            return 401, {}, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {}, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or time.time() - grant.issued > 600:
            return 400, {}, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {}, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")
        if not verifier or not secrets.compare_digest(challenge, grant.code_challenge):
            return 400, {}, {"error": "invalid_grant", "error_description": "PKCE"}
        return 200, {"Cache-Control": "no-store"}, {
            "token_type": "Bearer", "expires_in": 3600, "scope": "openid profile email",
            "access_token": secrets.token_urlsafe(32), "id_token": self.id_token(grant)}

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        account = grant.account
        claims: dict[str, Any] = {
            "iss": self.issuer(account.tid), "aud": CLIENT_ID, "iat": now, "nbf": now,
            "exp": now + 3600, "nonce": grant.nonce, "tid": account.tid, "oid": account.oid,
            "sub": hashlib.sha256(f"{account.oid}:{CLIENT_ID}".encode()).hexdigest()[:43],
            "preferred_username": account.preferred_username, "name": account.name,
            "amr": list(account.amr), "ver": "2.0", "sid": grant.sid,
        }
        asked = (grant.claims or {}).get("id_token")
        if isinstance(asked, dict) and "acrs" in asked:
            claims["acrs"] = list(account.acrs)
        key = self.key
        if self.tamper == "signature":
            key = _new_key(str(self.key.kid))
        elif self.tamper == "expired":
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        elif self.tamper == "audience":
            claims["aud"] = "another-application"
        elif self.tamper == "nonce":
            claims["nonce"] = "not-the-nonce-sent"
        elif self.tamper == "issuer":
            claims["iss"] = f"{self.base_url}/{account.tid}/v1.0"
        return jwt.encode({"alg": "RS256", "kid": str(self.key.kid), "typ": "JWT"}, claims,
                          key)

    # ---- signing out ---------------------------------------------------------------------

    def end_session(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """RP-Initiated Logout: the session the ID token names ended, then back to the
        client's ``post_logout_redirect_uri`` (a registered redirect URI only)."""
        hint, back_to = query.get("id_token_hint", ""), query.get("post_logout_redirect_uri", "")
        claims: dict[str, Any] | None = None
        if hint:
            try:  # one of ours (its signature), issued to the client; expired is fine
                claims = dict(jwt.decode(hint, self.key, algorithms=["RS256"]).claims)
            except (JoseError, ValueError):
                return 400, {}, {"error": "invalid_request",
                                 "error_description": "id_token_hint is not valid"}
            if claims.get("aud") != CLIENT_ID or not str(claims.get("iss", "")).startswith(
                    self.base_url + "/"):
                return 400, {}, {"error": "invalid_request",
                                 "error_description": "id_token_hint is not for this client"}
        if back_to and (back_to not in self.redirect_uris or (
                claims is None and query.get("client_id") != CLIENT_ID)):
            return 400, {}, {"error": "invalid_request",
                             "error_description": "unknown post_logout_redirect_uri"}
        sid = str((claims or {}).get("sid", ""))
        with self._lock:
            if sid and self.sessions.pop(sid, None) is not None:
                self.ended.append(sid)
        if not back_to:
            return 200, {}, {"signed_out": True}
        params = {"state": query["state"]} if query.get("state") else {}
        return 302, {"Location": back_to + (f"?{urlencode(params)}" if params else "")}, {}


def _new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the signature
            return  # quiet: the tests read provider.requests

        def _send(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
            data = json.dumps(body).encode() if body or status != 302 else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self) -> tuple[str, str, dict[str, str]]:
            parts = urlsplit(self.path)
            provider.requests.append(f"{self.command} {parts.path}")
            tenant, _, rest = parts.path.lstrip("/").partition("/")
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            return tenant, rest, query

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            tenant, rest, query = self._route()
            if rest == "v2.0/.well-known/openid-configuration":
                self._send(200, {}, provider.discovery(tenant))
            elif rest == "discovery/v2.0/keys":
                self._send(200, {}, provider.jwks())
            elif rest == "oauth2/v2.0/authorize":
                self._send(*provider.authorize(query))
            elif rest == "oauth2/v2.0/logout":
                self._send(*provider.end_session(query))
            else:
                self._send(404, {}, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            tenant, rest, _ = self._route()
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if rest == "oauth2/v2.0/token":
                self._send(*provider.token(form, self.headers.get("Authorization", "")))
            elif rest == "oauth2/v2.0/logout":
                self._send(*provider.end_session(form))
            else:
                self._send(404, {}, {"error": "not_found"})

    return Handler


@contextmanager
def running_provider() -> Iterator[Provider]:
    """A provider served on a free loopback port for the duration of the block."""
    with serving(lambda url: Provider(base_url=url), _handler, name="oidc-provider") as it:
        yield it
