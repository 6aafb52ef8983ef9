"""Signing in with an organisation's account (OpenID Connect, Microsoft Entra ID shaped),
against a real provider served over HTTP on a loopback port
(:mod:`safeguard.testing.oidc_provider`): PKCE, state and nonce, the ID token's signature,
issuer, audience and expiry, identities mapped (never made) within the agency's tenant, the
audit, the identity provider's MFA (``amr``, or an Entra authentication context in ``acrs``)
standing in for the second factor, and signing out at the provider too."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from safeguard.agencies.models import Staff
from safeguard.core.models import AuditEntry
from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.testing.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    MULTI_TENANT,
    OTHER_TENANT_ID,
    TENANT_ID,
    Account,
    Provider,
    running_provider,
)
from safeguard.testing.two_factor import code_for
from safeguard.web import oidc
from safeguard.web.models import AgencyTenant, OrganisationAccount

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/sign-in/organisation/callback"
SIGNED_OUT = "http://testserver/signed-out"
PROBLEM = "/sign-in/organisation/problem"


@pytest.fixture(scope="module")
def served() -> Iterator[Provider]:
    with running_provider() as provider:
        provider.redirect_uris.update({CALLBACK, SIGNED_OUT})
        yield provider


@pytest.fixture
def provider(served: Provider, settings) -> Iterator[Provider]:
    settings.SAFEGUARD_OIDC = {"authority": served.base_url, "tenant_id": TENANT_ID,
                               "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    oidc.forget_discovery()
    served.account, served.tamper = None, ""
    served.requests.clear()
    served.claims_requested.clear()
    served.ended.clear()
    served.sessions.clear()
    yield served
    served.account, served.tamper = None, ""
    oidc.forget_discovery()


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


def link(staff: Staff, oid: str, tid: str = TENANT_ID) -> Account:
    OrganisationAccount.objects.create(user=staff.user, tenant_id=tid, object_id=oid)
    return Account(oid=oid, tid=tid, preferred_username=f"{oid[:6]}@example.org")


def sign_in(client: Client, provider: Provider, account: Account, next_url: str = ""):
    """Our sign-in page → the provider's authorization endpoint (a plain HTTP client plays
    the browser there) → back to our callback, whose answer is returned."""
    provider.account = account
    start = client.get("/sign-in/organisation" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.base_url}/{provider_tenant(client)}/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    url = urlsplit(back.headers["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == CALLBACK
    return client.get(f"{url.path}?{url.query}")


def provider_tenant(client: Client) -> str:
    from django.conf import settings

    return settings.SAFEGUARD_OIDC["tenant_id"]


def refusal() -> AuditEntry:
    return AuditEntry.objects.get(action="sign_in_refused")


def test_offered_only_when_configured(client: Client, settings, served: Provider) -> None:
    settings.SAFEGUARD_OIDC = None
    assert "Sign in with your organisation" not in client.get("/sign-in").content.decode()
    assert client.get("/sign-in/organisation").status_code == 404
    assert client.get("/sign-in/organisation/callback?code=x&state=y").status_code == 404
    settings.SAFEGUARD_OIDC = {"authority": served.base_url, "tenant_id": TENANT_ID,
                               "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    html = client.get("/sign-in?next=/cases/").content.decode()
    assert "Sign in with your organisation’s account" in html
    assert 'href="/sign-in/organisation?next=%2Fcases%2F"' in html


def test_a_mapped_person_signs_in(client: Client, provider: Provider, north) -> None:
    worker = north["social_worker"]
    account = link(worker, "7d3e0f4c-1111-4a2b-9c3d-000000000001")
    provider.account = account
    start = client.get("/sign-in/organisation?next=/cases/")
    query = parse_qs(urlsplit(start["Location"]).query)
    # The authorization code flow with PKCE (S256), state and nonce, our registered client.
    assert query["response_type"] == ["code"] and query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [CALLBACK] and "openid" in query["scope"][0].split()
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    url = urlsplit(back.headers["Location"])
    response = client.get(f"{url.path}?{url.query}")
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert int(client.session["_auth_user_id"]) == worker.user_id
    assert client.session["_auth_user_backend"] == oidc.BACKEND
    assert "safeguard_signed_in_at" in client.session  # the same session time-outs
    assert client.get("/cases/").status_code == 200
    # Over real HTTP: the discovery document, the token endpoint, the keys.
    assert f"GET /{TENANT_ID}/v2.0/.well-known/openid-configuration" in provider.requests
    assert f"POST /{TENANT_ID}/oauth2/v2.0/token" in provider.requests
    assert f"GET /{TENANT_ID}/discovery/v2.0/keys" in provider.requests
    entry = AuditEntry.objects.get(action="sign_in")
    assert entry.detail == {"method": "organisation", "second_factor": "not_required"}
    assert entry.actor_id == worker.user_id
    # The state works once: the same answer again is refused.
    client.post("/sign-out")
    again = client.get(f"{url.path}?{url.query}")
    assert again["Location"] == PROBLEM
    assert refusal().detail == {"method": "organisation", "reason": "state_mismatch"}


def test_an_unknown_identity_is_refused_and_no_account_is_made(client: Client,
                                                               provider: Provider,
                                                               north) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    account = Account(oid="7d3e0f4c-1111-4a2b-9c3d-0000000000ff",
                      preferred_username="jo.bloggs@northshire.example", name="Jo Bloggs")
    response = sign_in(client, provider, account)
    assert response["Location"] == PROBLEM  # nothing personal in the address
    assert "_auth_user_id" not in client.session
    page = client.get(PROBLEM)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your organisation’s account is not set up for Safeguard" in html
    for personal in ("jo.bloggs", "Jo Bloggs", account.oid):
        assert personal not in html
    assert get_user_model().objects.count() == users
    entry = refusal()
    assert entry.detail == {"method": "organisation", "reason": "unknown_identity"}
    assert account.oid not in str(entry.detail) and entry.object_id == ""


def test_another_tenant_is_refused(client: Client, provider: Provider, north) -> None:
    # The identity is recorded on the account, but it comes from a tenant that is not the
    # deployment's (and so not the agency's).
    account = link(north["social_worker"], "7d3e0f4c-1111-4a2b-9c3d-000000000002",
                   tid=OTHER_TENANT_ID)
    assert sign_in(client, provider, account)["Location"] == PROBLEM
    assert "_auth_user_id" not in client.session
    assert "You cannot use that organisation’s account" in client.get(PROBLEM).content.decode()
    assert refusal().detail == {"method": "organisation", "reason": "wrong_tenant"}


def test_each_agency_signs_in_from_its_own_tenant(client: Client, provider: Provider, settings,
                                                  north) -> None:
    """A multi-tenant registration: the council's staff from the council's tenant, the
    police's from the police's; an account of the council's from the police's is refused."""
    settings.SAFEGUARD_OIDC = {**settings.SAFEGUARD_OIDC, "tenant_id": MULTI_TENANT}
    AgencyTenant.objects.create(agency=north.la, tenant_id=TENANT_ID)
    AgencyTenant.objects.create(agency=north.police, tenant_id=OTHER_TENANT_ID)
    officer = link(north["police"], "5a5a5a5a-2222-4a2b-9c3d-000000000003",
                   tid=OTHER_TENANT_ID)
    assert sign_in(client, provider, officer)["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == north["police"].user_id
    client.post("/sign-out")
    misplaced = link(north["social_worker"], "5a5a5a5a-2222-4a2b-9c3d-000000000004",
                     tid=OTHER_TENANT_ID)
    assert sign_in(Client(), provider, misplaced)["Location"] == PROBLEM
    entry = refusal()
    assert entry.detail == {"method": "organisation", "reason": "wrong_tenant"}
    assert entry.object_id == str(north["social_worker"].user_id)


@pytest.mark.parametrize("tamper", ["signature", "expired", "audience", "nonce", "issuer"])
def test_a_bad_id_token_is_refused(client: Client, provider: Provider, north, tamper) -> None:
    account = link(north["social_worker"], "7d3e0f4c-1111-4a2b-9c3d-000000000005")
    provider.tamper = tamper
    assert sign_in(client, provider, account)["Location"] == PROBLEM
    assert "_auth_user_id" not in client.session
    assert refusal().detail == {"method": "organisation", "reason": "invalid_token"}
    assert "Sorry, there is a problem" in client.get(PROBLEM).content.decode()


def test_an_inactive_account_is_refused(client: Client, provider: Provider, north) -> None:
    worker = north["social_worker"]
    account = link(worker, "7d3e0f4c-1111-4a2b-9c3d-000000000006")
    Staff.objects.filter(pk=worker.pk).update(active=False)
    assert sign_in(client, provider, account)["Location"] == PROBLEM
    assert refusal().detail == {"method": "organisation", "reason": "inactive"}


def test_a_privileged_role_without_the_providers_mfa_gives_the_code(
        client: Client, provider: Provider, north) -> None:
    account = link(north["manager"], "7d3e0f4c-1111-4a2b-9c3d-000000000007")
    response = sign_in(client, provider, account, next_url="/cases/team/")
    assert response["Location"] == "/sign-in/two-factor?next=%2Fcases%2Fteam%2F"
    assert client.get("/cases/team/").status_code == 302  # held at the two-factor step
    assert client.get("/api/v1/cases").status_code == 403
    assert AuditEntry.objects.get(action="sign_in").detail == {
        "method": "organisation", "second_factor": "due"}
    done = client.post("/sign-in/two-factor", {"code": code_for("north-manager"),
                                               "next": "/cases/team/"})
    assert done["Location"] == "/cases/team/"
    assert client.get("/cases/team/").status_code == 200


def test_a_privileged_role_with_the_providers_mfa_is_signed_straight_in(
        client: Client, provider: Provider, north) -> None:
    account = link(north["chair"], "7d3e0f4c-1111-4a2b-9c3d-000000000008")
    account.amr = ("pwd", "mfa")
    response = sign_in(client, provider, account, next_url="/cases/")
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/cases").status_code == 200
    assert AuditEntry.objects.get(action="sign_in").detail == {
        "method": "organisation", "second_factor": "identity_provider"}
    assert not AuditEntry.objects.filter(action="two_factor_verified").exists()


def test_the_provider_out_of_reach(client: Client, settings, north) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.SAFEGUARD_OIDC = {"authority": f"http://127.0.0.1:{port}", "tenant_id": TENANT_ID,
                               "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    oidc.forget_discovery()
    assert client.get("/sign-in/organisation")["Location"] == PROBLEM
    assert refusal().detail == {"method": "organisation", "reason": "provider_unavailable"}


def test_an_authority_must_be_https(settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.SAFEGUARD_OIDC = {"authority": "http://login.example", "tenant_id": TENANT_ID,
                               "client_id": CLIENT_ID, "client_secret": "x"}
    with pytest.raises(ImproperlyConfigured):
        oidc.provider()
    settings.SAFEGUARD_OIDC = {"tenant_id": TENANT_ID, "client_id": CLIENT_ID}
    config = oidc.provider()
    assert config is not None
    assert config.issuer_for(TENANT_ID) == (
        f"https://login.microsoftonline.com/{TENANT_ID}/v2.0")


# ---- Entra's authentication context (acrs) as the second factor ----------------------------

CLAIMS_C1 = '{"id_token":{"acrs":{"essential":true,"value":"c1"}}}'


def test_the_sign_in_asks_for_the_authentication_context_when_one_is_set(
        client: Client, provider: Provider, settings, north) -> None:
    account = link(north["social_worker"], "7d3e0f4c-1111-4a2b-9c3d-000000000010")
    provider.account = account
    start = client.get("/sign-in/organisation")
    assert "claims" not in parse_qs(urlsplit(start["Location"]).query)  # not set: not asked
    settings.SAFEGUARD_OIDC_MFA_AUTH_CONTEXT = "c1"
    start = client.get("/sign-in/organisation")
    assert parse_qs(urlsplit(start["Location"]).query)["claims"] == [CLAIMS_C1]
    requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert provider.claims_requested[-1] == {
        "id_token": {"acrs": {"essential": True, "value": "c1"}}}


def test_a_privileged_role_whose_token_has_the_context_is_signed_straight_in(
        client: Client, provider: Provider, settings, north) -> None:
    settings.SAFEGUARD_OIDC_MFA_AUTH_CONTEXT = "c1"
    account = link(north["manager"], "7d3e0f4c-1111-4a2b-9c3d-000000000011")
    account.acrs = ("c1",)  # Conditional Access's policy for c1 (MFA) was satisfied
    response = sign_in(client, provider, account, next_url="/cases/team/")
    assert response["Location"] == "/cases/team/"
    assert client.get("/cases/team/").status_code == 200
    assert client.get("/api/v1/cases").status_code == 200
    assert AuditEntry.objects.get(action="sign_in").detail == {
        "method": "organisation", "second_factor": "identity_provider"}


@pytest.mark.parametrize("context, acrs", [
    ("c1", ()),  # asked for, not satisfied: Entra leaves it out
    ("c1", ("c2",)),  # another context satisfied
    ("", ("c1",)),  # the deployment names no context: acrs is not asked for, nor counted
])
def test_without_the_context_a_privileged_role_gives_the_code(
        client: Client, provider: Provider, settings, north, context, acrs) -> None:
    settings.SAFEGUARD_OIDC_MFA_AUTH_CONTEXT = context
    account = link(north["lado"], "7d3e0f4c-1111-4a2b-9c3d-000000000012")
    account.acrs = acrs
    response = sign_in(client, provider, account, next_url="/cases/")
    assert response["Location"] == "/sign-in/two-factor?next=%2Fcases%2F"
    assert client.get("/cases/").status_code == 302
    assert client.get("/api/v1/cases").status_code == 403
    assert AuditEntry.objects.get(action="sign_in").detail == {
        "method": "organisation", "second_factor": "due"}


def test_what_counts_as_the_providers_second_factor(settings) -> None:
    config = oidc.Provider("https://login.example", TENANT_ID, CLIENT_ID, "s", "c1")
    assert oidc.second_factor_given({"amr": ["pwd", "mfa"]}, config)
    assert oidc.second_factor_given({"amr": ["pwd"], "acrs": ["c2", "c1"]}, config)
    for claims in ({"amr": ["pwd"]}, {"acrs": ["c2"]}, {"acrs": "c1"}, {"amr": "mfa"}, {}):
        assert not oidc.second_factor_given(claims, config), claims
    unset = oidc.Provider("https://login.example", TENANT_ID, CLIENT_ID, "s")
    assert not oidc.second_factor_given({"acrs": ["c1"]}, unset)
    assert oidc.claims_request(unset) == ""
    settings.SAFEGUARD_OIDC = {"tenant_id": TENANT_ID, "client_id": CLIENT_ID}
    for wrong in ("C1", "c0", "c100", "mfa", "c1 c2"):
        settings.SAFEGUARD_OIDC_MFA_AUTH_CONTEXT = wrong
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured):
            oidc.provider()


# ---- signing out: at the identity provider too ---------------------------------------------


def test_signing_out_ends_the_providers_session_too(client: Client, provider: Provider,
                                                    north) -> None:
    account = link(north["social_worker"], "7d3e0f4c-1111-4a2b-9c3d-000000000020")
    assert sign_in(client, provider, account)["Location"] == "/"
    (sid,) = provider.sessions.keys()
    id_token = client.session[oidc.ID_TOKEN_SESSION_KEY]
    # Kept in the server-side session only: not in a cookie, not in the audit trail.
    assert all(id_token not in morsel.value for morsel in client.cookies.values())
    assert not any(id_token in str(e.detail) for e in AuditEntry.objects.all())
    response = client.post("/sign-out")
    location = urlsplit(response["Location"])
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{provider.base_url}/{TENANT_ID}/oauth2/v2.0/logout")
    query = parse_qs(location.query)
    assert query == {"id_token_hint": [id_token], "post_logout_redirect_uri": [SIGNED_OUT]}
    assert "_auth_user_id" not in client.session  # signed out here already
    assert oidc.ID_TOKEN_SESSION_KEY not in client.session
    # The browser at the provider (over real HTTP): the session ended, and back to us.
    back = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302 and back.headers["Location"] == SIGNED_OUT
    assert provider.ended == [sid] and sid not in provider.sessions
    landing = client.get(urlsplit(SIGNED_OUT).path)
    assert landing["Location"] == "/sign-in?signed-out=1"
    assert "You have signed out" in client.get(landing["Location"]).content.decode()


def test_a_password_sign_in_signs_out_here_only(client: Client, provider: Provider,
                                                north) -> None:
    client.post("/sign-in", {"username": "north-social_worker", "password": DEMO_PASSWORD})
    assert "_auth_user_id" in client.session
    response = client.post("/sign-out")
    assert response["Location"] == "/sign-in?signed-out=1"
    assert "_auth_user_id" not in client.session
    assert not [r for r in provider.requests if "/logout" in r]


def test_signing_out_when_the_provider_is_out_of_reach(client: Client, provider: Provider,
                                                       settings, north) -> None:
    account = link(north["social_worker"], "7d3e0f4c-1111-4a2b-9c3d-000000000021")
    sign_in(client, provider, account)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.SAFEGUARD_OIDC = {**settings.SAFEGUARD_OIDC, "authority": f"http://127.0.0.1:{port}"}
    oidc.forget_discovery()
    response = client.post("/sign-out")
    assert response["Location"] == "/sign-in?signed-out=1"  # signed out here all the same
    assert "_auth_user_id" not in client.session


def test_the_providers_end_session_endpoint_checks_what_it_is_sent(
        client: Client, provider: Provider, north) -> None:
    account = link(north["social_worker"], "7d3e0f4c-1111-4a2b-9c3d-000000000022")
    sign_in(client, provider, account)
    id_token = client.session[oidc.ID_TOKEN_SESSION_KEY]
    logout = f"{provider.base_url}/{TENANT_ID}/oauth2/v2.0/logout"
    evil = requests.get(logout, params={"id_token_hint": id_token,
                                        "post_logout_redirect_uri": "https://evil.example/"},
                        allow_redirects=False, timeout=5)
    assert evil.status_code == 400
    head, payload, _signature = id_token.split(".")
    forged = requests.get(logout, params={"id_token_hint": f"{head}.{payload}.AAAA",
                                          "post_logout_redirect_uri": SIGNED_OUT},
                          allow_redirects=False, timeout=5)
    assert forged.status_code == 400
    assert provider.ended == [] and len(provider.sessions) == 1
    posted = requests.post(logout, data={"id_token_hint": id_token,
                                         "post_logout_redirect_uri": SIGNED_OUT},
                           allow_redirects=False, timeout=5)
    assert posted.status_code == 302 and len(provider.ended) == 1


def test_the_content_security_policy_lets_the_sign_out_form_go_on_to_the_provider(
        tmp_path) -> None:
    """Chromium applies form-action to the redirects after a form is sent: the sign-out
    form's answer goes on to the provider, so its origin must be allowed (only when it is
    configured)."""
    import json
    import os
    import subprocess
    import sys

    script = ("import json, django; django.setup(); from django.conf import settings; "
              "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "safeguard.config.settings",
           "SAFEGUARD_VAR": str(tmp_path), "SAFEGUARD_SECRET_KEY": "x" * 50}
    for name in ("SAFEGUARD_OIDC_TENANT_ID", "SAFEGUARD_OIDC_CLIENT_ID",
                 "SAFEGUARD_OIDC_AUTHORITY"):
        env.pop(name, None)

    def form_action(**extra: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", script], env={**env, **extra},
                              capture_output=True, text=True, timeout=60, check=True)
        return list(json.loads(done.stdout.strip().splitlines()[-1]))

    assert form_action() == ["'self'"]
    assert form_action(SAFEGUARD_OIDC_TENANT_ID=TENANT_ID, SAFEGUARD_OIDC_CLIENT_ID=CLIENT_ID
                       ) == ["'self'", "https://login.microsoftonline.com"]
