"""Signing in with an organisation's account (OpenID Connect, Microsoft Entra ID shaped),
against a real provider served over HTTP on a loopback port
(:mod:`safeguard.testing.oidc_provider`): PKCE, state and nonce, the ID token's signature,
issuer, audience and expiry, identities mapped (never made) within the agency's tenant, the
audit, and the identity provider's MFA standing in for the second factor."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from safeguard.agencies.models import Staff
from safeguard.core.models import AuditEntry
from safeguard.demo.areas import build_area
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
PROBLEM = "/sign-in/organisation/problem"


@pytest.fixture(scope="module")
def served() -> Iterator[Provider]:
    with running_provider() as provider:
        provider.redirect_uris.add(CALLBACK)
        yield provider


@pytest.fixture
def provider(served: Provider, settings) -> Iterator[Provider]:
    settings.SAFEGUARD_OIDC = {"authority": served.base_url, "tenant_id": TENANT_ID,
                               "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    oidc.forget_discovery()
    served.account, served.tamper = None, ""
    served.requests.clear()
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
