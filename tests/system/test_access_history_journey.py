"""Who has looked at a case, and a person's own access history, in a real browser with the
axe check: a social worker opens a case and finds it in "Your access history" (from the
footer); the case's team manager follows "Who has looked at this case" from the case page
and sees the social worker's look."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from safeguard.cases.services import case_allocate
from safeguard.core.models import AuditEntry
from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create

from .test_referral_journeys import rows, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


def session_cookie(user, live_server) -> dict[str, object]:
    """A signed-in session for ``user``, with the second factor given (team managers must
    give one; this test is about the pages behind it, not the sign-in step)."""
    client = Client()
    client.force_login(user)
    if apps.is_installed("django_otp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


def test_who_has_looked_at_a_case(north, page, live_server, assert_accessible) -> None:
    case = referral_create(
        actor=north["school_dsl"].user, received_on=date(2026, 11, 23), source="2A",
        concerns="Bruises seen at school", child={
            "given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)}
    ).case
    case_allocate(actor=north["manager"].user, case_id=case.pk,
                  worker_id=north["social_worker"].pk, team_id=north.teams["assessment"].pk)

    # The social worker opens the case, then looks at their own access history.
    sign_in(page, "north-social_worker")
    page.goto(f"/cases/{case.pk}/")
    assert page.locator("text=Who has looked at this case").count() == 0  # not a manager
    submit(page, "#footer-access-history")
    assert page.title() == "Your access history – Safeguard"
    assert page.url.endswith("/account/access-history/")
    [latest, *_] = rows(page, "#my-access-history")
    assert latest[1:3] == [case.reference, "Viewed case"]
    assert "Turner" not in page.content()
    assert_accessible(page, "your access history")

    # The case's team manager sees who has looked at it.
    page.context.clear_cookies()
    page.context.add_cookies([session_cookie(north["manager"].user, live_server)])
    page.goto(f"/cases/{case.pk}/")
    submit(page, "text=Who has looked at this case")
    assert page.title() == f"Who has looked at case {case.reference} – Safeguard"
    assert page.url.endswith(f"/cases/{case.pk}/access/")
    table = rows(page, "#access-history")
    assert table[0][1].startswith("Priya Shah") and "Viewed who has looked at" in table[0][2]
    worker = next(r for r in table if r[1].startswith("Amara Okafor"))
    assert worker[1] == "Amara Okafor Social worker, Northshire Council"
    assert worker[2] == "Viewed case" and worker[3].startswith("Web, ")
    assert "Turner" not in page.content()
    assert_accessible(page, "who has looked at this case")
    assert AuditEntry.objects.filter(action="view_access_history", case_id=case.pk,
                                     actor=north["manager"].user).count() == 1
