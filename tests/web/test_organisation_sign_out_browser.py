"""Signing in with an organisation's account and signing out again, in Chromium (Debian's,
through Playwright) against the live server and the local provider, both over real HTTP:
the sign-out form's answer goes on to the provider's end-session endpoint and back to
"You have signed out". Chromium applies the Content-Security-Policy's form-action to the
redirects after a form is sent, so this also shows why the deployment's policy allows the
provider's origin there (``config/settings.py``; test_organisation_sign_in checks it does)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeguard.demo.areas import build_area
from safeguard.testing.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT_ID,
    Account,
    Provider,
    running_provider,
)
from safeguard.web import oidc
from safeguard.web.models import OrganisationAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, as tests/system
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def chromium(browser) -> object:
    """The run's Chromium (tests/conftest.py: one Playwright for the whole run)."""
    return browser


@pytest.fixture
def provider(live_server, settings) -> Iterator[Provider]:
    with running_provider() as served:
        served.redirect_uris.update({f"{live_server.url}/sign-in/organisation/callback",
                                     f"{live_server.url}/signed-out"})
        settings.SAFEGUARD_OIDC = {"authority": served.base_url, "tenant_id": TENANT_ID,
                                   "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        oidc.forget_discovery()
        yield served
    oidc.forget_discovery()


def allow_provider_in_form_action(settings, provider: Provider, allowed: bool) -> None:
    """The policy as config/settings.py makes it when the provider is configured (or not)."""
    policy = {**settings.CONTENT_SECURITY_POLICY}
    directives = {**policy["DIRECTIVES"]}
    directives["form-action"] = ["'self'"] + ([provider.base_url] if allowed else [])
    policy["DIRECTIVES"] = directives
    settings.CONTENT_SECURITY_POLICY = policy


def signed_in(chromium, live_server, provider: Provider):
    north = build_area("Northshire", "901", "north")
    oid = "7d3e0f4c-1111-4a2b-9c3d-0000000000b1"
    OrganisationAccount.objects.create(user=north["social_worker"].user, tenant_id=TENANT_ID,
                                       object_id=oid)
    provider.account = Account(oid=oid)
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    page.goto("/sign-in")
    with page.expect_navigation():
        page.click("text=Sign in with your organisation’s account")
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/", page.url
    assert "Amara Okafor" in page.content()
    (sid,) = provider.sessions
    return page, sid, refused, context


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click("button:has-text('Sign out')")
    page.wait_for_load_state()


def test_signing_out_in_the_browser_signs_out_at_the_provider_too(chromium, live_server,
                                                                  provider, settings) -> None:
    allow_provider_in_form_action(settings, provider, allowed=True)
    page, sid, refused, context = signed_in(chromium, live_server, provider)
    try:
        sign_out(page)
        assert page.url == f"{live_server.url}/sign-in?signed-out=1", page.url
        assert "You have signed out" in page.content()
        assert provider.ended == [sid]
        assert not refused, refused
    finally:
        context.close()


def test_without_the_providers_origin_in_form_action_chromium_stops_at_safeguard(
        chromium, live_server, provider, settings) -> None:
    from playwright.sync_api import Error

    allow_provider_in_form_action(settings, provider, allowed=False)
    page, sid, refused, context = signed_in(chromium, live_server, provider)
    try:
        with pytest.raises(Error, match="ERR_ABORTED"):
            sign_out(page)
        page.wait_for_timeout(200)
        assert any("form-action" in message for message in refused), refused
        assert provider.ended == [] and sid in provider.sessions
    finally:
        context.close()
