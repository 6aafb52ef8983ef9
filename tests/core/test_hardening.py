"""Security headers on every page, no-store on case data, and session time-outs."""

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client


def test_security_headers_on_a_page(client: Client) -> None:
    response = client.get("/static/safeguard/safeguard.css")
    page = client.get("/api/v1/openapi.json")
    for r in (page,):
        assert "default-src 'self'" in r["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
        assert r["X-Frame-Options"] == "DENY"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Referrer-Policy"] == "same-origin"
    assert page["Cache-Control"] == "no-store"
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_an_idle_session_ends(client: Client, settings) -> None:
    user = get_user_model().objects.create_user("idle", password="x-very-long-password")
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False) as traveller:
        client.force_login(user)
        client.get("/api/v1/openapi.json")
        assert "_auth_user_id" in client.session
        traveller.shift(settings.SAFEGUARD_SESSION_IDLE_MINUTES * 60 - 60)
        client.get("/api/v1/openapi.json")
        assert "_auth_user_id" in client.session
        traveller.shift(settings.SAFEGUARD_SESSION_IDLE_MINUTES * 60 + 1)
        client.get("/api/v1/openapi.json")
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_busy_session_still_ends_at_the_absolute_limit(client: Client, settings) -> None:
    user = get_user_model().objects.create_user("busy", password="x-very-long-password")
    with time_machine.travel("2026-11-23 09:00:00+00:00", tick=False) as traveller:
        client.force_login(user)
        for _ in range(settings.SAFEGUARD_SESSION_ABSOLUTE_HOURS * 4):
            traveller.shift(15 * 60)
            client.get("/api/v1/openapi.json")
        traveller.shift(15 * 60)
        client.get("/api/v1/openapi.json")
        assert "_auth_user_id" not in client.session
