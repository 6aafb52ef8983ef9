"""Break-glass: opening a case outside one's rights by saying why — recorded, read-only,
time-limited, and the case's managers alerted."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from safeguard.cases.models import BreakGlass, CaseAlert
from safeguard.cases.policy import cases_visible_to, may, may_break_glass
from safeguard.cases.selectors import case_for, my_case_alerts
from safeguard.cases.services import (
    CANNOT_BREAK_GLASS,
    break_glass,
    case_alert_seen,
    case_allocate,
)
from safeguard.core.models import AuditEntry
from safeguard.core.services import Invalid, NotAllowed
from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create

pytestmark = [pytest.mark.django_db, pytest.mark.db]

REASON = "The child is in A&E out of hours and I need to know if they are on a plan"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


@pytest.fixture
def case(north):
    case = referral_create(
        actor=north["front_door"].user, received_on=date(2026, 11, 23), source="2A",
        concerns="Bruises", child={"given_name": "Ava", "family_name": "Turner",
                                   "date_of_birth": date(2015, 3, 14)}).case
    case_allocate(actor=north["manager"].user, case_id=case.pk,
                  worker_id=north["social_worker"].pk)
    return case


def test_the_police_open_a_case_they_are_not_involved_in(north, case) -> None:
    police = north["police"].user
    assert not cases_visible_to(police).filter(pk=case.pk).exists()
    assert may_break_glass(police, case)
    with pytest.raises(NotAllowed):
        case_for(police, case.pk)

    access = break_glass(actor=police, case_id=case.pk, reason=f"  {REASON}  ")
    assert access.reason == REASON
    assert (access.until - access.opened_at).total_seconds() == 8 * 3600

    # They may read it now, through every read, and the read records why …
    assert cases_visible_to(police).filter(pk=case.pk).exists()
    assert case_for(police, case.pk).pk == case.pk
    read = AuditEntry.objects.filter(action="view", case_id=case.pk).latest("id")
    assert read.reason == REASON and read.detail == {"break_glass": access.pk}
    opened = AuditEntry.objects.get(action="break_glass")
    assert opened.reason == REASON and opened.case_id == case.pk
    # … but never change it.
    assert not may(police, "request_conference", case)
    assert not may(police, "record_core_group", case)

    # The case's manager is alerted, once, until they mark it seen.
    manager = north["manager"].user
    alerts = my_case_alerts(manager)
    assert [(a.case_id, a.break_glass_id) for a in alerts] == [(case.pk, access.pk)]
    assert my_case_alerts(north["social_worker"].user) == []
    with pytest.raises(NotAllowed):
        case_alert_seen(actor=north["social_worker"].user, alert_id=alerts[0].pk)
    case_alert_seen(actor=manager, alert_id=alerts[0].pk)
    assert my_case_alerts(manager) == []


def test_the_access_ends_after_eight_hours(north, case, clock) -> None:
    police = north["police"].user
    break_glass(actor=police, case_id=case.pk, reason=REASON)
    clock.shift(8 * 3600 - 60)
    assert case_for(police, case.pk).pk == case.pk
    clock.shift(120)
    with pytest.raises(NotAllowed):
        case_for(police, case.pk)
    assert not cases_visible_to(police).filter(pk=case.pk).exists()


def test_social_care_open_a_restricted_case_and_still_cannot_change_it(north, case) -> None:
    case.restricted = True
    case.save(update_fields=["restricted"])
    chair = north["chair"].user
    with pytest.raises(NotAllowed):
        case_for(chair, case.pk)
    break_glass(actor=chair, case_id=case.pk, reason=REASON)
    assert case_for(chair, case.pk).pk == case.pk
    assert not may(chair, "record_conference", case)


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Enter why you need to see this case"),
    ("   ", "Enter why you need to see this case"),
    ("need it", "Say more about why you need to see this case"),
    ("x" * 2001, "Why you need to see this case must be 2,000 characters or fewer"),
])
def test_a_reason_is_needed_and_nothing_is_recorded_without_one(north, case, reason,
                                                                 message) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(Invalid) as raised:
        break_glass(actor=north["police"].user, case_id=case.pk, reason=reason)
    assert raised.value.errors == {"reason": message}
    assert not BreakGlass.objects.exists() and not CaseAlert.objects.exists()
    assert AuditEntry.objects.count() == before


def test_no_break_glass_outside_the_area_or_into_a_case_that_does_not_exist(
        north, south, case) -> None:
    for actor, case_id in ((south["police"].user, case.pk), (south["manager"].user, case.pk),
                           (north["police"].user, case.pk + 1000)):
        with pytest.raises(NotAllowed) as raised:
            break_glass(actor=actor, case_id=case_id, reason=REASON)
        assert str(raised.value) == CANNOT_BREAK_GLASS  # the same answer for both
    # Nor where one's own rights already reach.
    assert not may_break_glass(north["social_worker"].user, case)
    with pytest.raises(NotAllowed):
        break_glass(actor=north["social_worker"].user, case_id=case.pk, reason=REASON)
    assert not BreakGlass.objects.exists()


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_the_pages(north, south, case) -> None:
    police = _client(north["police"])
    page = police.get(f"/cases/{case.pk}/")
    assert page.status_code == 404
    assert b"Case not found" in page.content and b"Open the case" in page.content
    assert b"Turner" not in page.content

    missing = police.post(f"/cases/{case.pk}/break-glass/", {"reason": ""})
    assert missing.status_code == 404
    assert b"Enter why you need to see this case" in missing.content
    assert "Error: Case not found" in missing.content.decode()

    elsewhere = _client(south["police"]).post(f"/cases/{case.pk}/break-glass/",
                                              {"reason": REASON})
    assert elsewhere.status_code == 404
    assert CANNOT_BREAK_GLASS.encode() in elsewhere.content.replace(b"&#x27;", b"'")

    opened = police.post(f"/cases/{case.pk}/break-glass/", {"reason": REASON})
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.pk}/"
    page = police.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert b"You opened this case by break-glass" in page.content
    assert page["Cache-Control"] == "no-store"

    home = _client(north["manager"]).get("/")
    assert b"opened by break-glass" in home.content
    alert = CaseAlert.objects.get()
    seen = _client(north["manager"]).post(f"/cases/alerts/{alert.pk}/seen/")
    assert seen.status_code == 302
    assert b"opened by break-glass" not in _client(north["manager"]).get("/").content
    assert _client(north["social_worker"]).post(
        f"/cases/alerts/{alert.pk}/seen/").status_code == 404


def test_the_api(north, south, case) -> None:
    import json

    def post(staff, body):
        return _client(staff).post(f"/api/v1/cases/{case.pk}/break-glass", json.dumps(body),
                                   content_type="application/json")

    bad = post(north["police"], {"reason": "why"})
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"reason": "Say more about why you need to see this case"}
    assert _client(north["police"]).get(f"/api/v1/cases/{case.pk}").status_code == 404
    outside = post(south["police"], {"reason": REASON})
    assert outside.status_code == 404 and outside["Content-Type"] == "application/problem+json"
    ok = post(north["police"], {"reason": REASON})
    assert ok.status_code == 200, ok.content
    assert ok.json()["case_id"] == case.pk
    read = _client(north["police"]).get(f"/api/v1/cases/{case.pk}")
    assert read.status_code == 200 and read.json()["reference"] == case.reference
    assert CaseAlert.objects.filter(recipient=north["manager"]).count() == 1
