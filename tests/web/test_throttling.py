"""Sign-in throttling (django-axes): 5 failures for one username from one address lock that
combination out for 15 minutes, said on the sign-in form in GOV.UK's error pattern.

Axes is off in tests by default (``AXES_ENABLED``, so the suites' many sign-ins never trip
it); the ``axes_on`` fixture turns it on here.
"""

from __future__ import annotations

import logging

import pytest
import time_machine
from django.test import Client

from safeguard.core.models import AuditEntry
from safeguard.demo.areas import DEMO_PASSWORD, build_area
from safeguard.web.accounts import LOCKED, WRONG

pytestmark = pytest.mark.django_db

USER = "north-social_worker"


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def attempt(client: Client, password: str, username: str = USER):
    return client.post("/sign-in", {"username": username, "password": password})


def fail(client: Client, times: int, username: str = USER) -> None:
    for _ in range(times):
        response = attempt(client, "not-the-password", username)
        assert "_auth_user_id" not in client.session
        assert response.status_code in (200, 429)


def test_the_settings_say_five_tries_fifteen_minutes_by_username_and_address(settings) -> None:
    from datetime import timedelta

    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_ENABLED is False  # in tests, unless a test turns it on


def test_four_failures_still_allow_a_sign_in(client: Client, north, axes_on) -> None:
    fail(client, 4)
    response = attempt(client, DEMO_PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_fifth_failure_locks_with_the_gov_uk_error(client: Client, north, axes_on) -> None:
    fail(client, 4)
    response = attempt(client, "not-the-password")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Error: Sign in – Safeguard" in html and "govuk-error-summary" in html
    assert html.count(LOCKED) == 2  # summary and field
    assert WRONG not in html
    # The right password is refused too while the lock lasts.
    response = attempt(client, DEMO_PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_15_minutes(client: Client, north, axes_on) -> None:
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False) as traveller:
        fail(client, 5)
        traveller.shift(14 * 60)
        assert attempt(client, DEMO_PASSWORD).status_code == 429
        # A try during the lock starts its 15 minutes again.
        traveller.shift(15 * 60 + 1)
        response = attempt(client, DEMO_PASSWORD)
        assert response.status_code == 302 and "_auth_user_id" in client.session


def test_the_lock_is_for_that_username_from_that_address(north, axes_on) -> None:
    here = Client(REMOTE_ADDR="192.0.2.10")
    fail(here, 5)
    assert attempt(here, DEMO_PASSWORD).status_code == 429
    # The same person elsewhere is not locked out (nobody can lock a colleague out) …
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert attempt(elsewhere, DEMO_PASSWORD).status_code == 302
    # … nor is someone else at the same address.
    colleague = Client(REMOTE_ADDR="192.0.2.10")
    assert attempt(colleague, DEMO_PASSWORD, "north-front_door").status_code == 302


def test_a_sign_in_clears_the_count(client: Client, north, axes_on) -> None:
    fail(client, 4)
    assert attempt(client, DEMO_PASSWORD).status_code == 302
    client.post("/sign-out")
    fail(client, 4)
    assert attempt(client, DEMO_PASSWORD).status_code == 302


def test_refusals_are_audited_without_what_was_typed(client: Client, north, axes_on) -> None:
    fail(client, 5)
    attempt(client, "x", username="someone-s-password-typed-here")
    entries = list(AuditEntry.objects.filter(action="sign_in_refused").order_by("id"))
    assert [e.detail["reason"] for e in entries] == (
        ["wrong_password"] * 4 + ["locked_out", "unknown_username"])
    user = north["social_worker"].user
    assert {e.object_id for e in entries[:5]} == {str(user.pk)}
    assert entries[-1].object_id == "" and entries[-1].object_type == ""
    for entry in entries:
        text = f"{entry.detail} {entry.reason} {entry.actor_label}"
        assert "not-the-password" not in text and "someone-s-password" not in text


def test_no_username_or_address_in_the_logs(client: Client, north, axes_on, caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        fail(client, 5, username=USER)
        attempt(client, DEMO_PASSWORD)
    axes_lines = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    assert any("Locking out" in line for line in axes_lines)
    for line in (r.getMessage() for r in caplog.records):
        assert USER not in line and "127.0.0.1" not in line and "not-the-password" not in line


def test_the_lock_message_replaces_axes_page_everywhere(rf) -> None:
    from safeguard.web.accounts import lockout_response

    response = lockout_response(rf.post("/elsewhere"), None, {})
    assert response.status_code == 429 and response.content.decode() == LOCKED
