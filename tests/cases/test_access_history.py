"""Who has looked at a case (its managers only) and a person's own access history: the
selectors, the policy behind them, and the pages.

The requirement: "Every read of case data and every change is recorded — who, what, when
(UTC), from where, why (for break-glass) … A case's manager can see who looked at it; a
person's own access history is visible to them."
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from safeguard.agencies.models import Role, Staff
from safeguard.cases.access_selectors import case_access_history, my_access_history, uk_time
from safeguard.cases.models import Case
from safeguard.cases.policy import may, require_access_history
from safeguard.cases.selectors import case_for
from safeguard.cases.services import case_allocate
from safeguard.core.models import AuditEntry
from safeguard.core.services import Context, NotAllowed, audit
from safeguard.demo.areas import build_area
from safeguard.referrals.selectors import referral_for
from safeguard.referrals.services import referral_create

pytestmark = [pytest.mark.django_db, pytest.mark.db]

CHILD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14),
         "nhs_number": "9434765919"}
WEB = Context(source="web", remote_addr="192.0.2.10")


@pytest.fixture(autouse=True)
def clock():
    # Tuesday 24 November 2026, 10am GMT (UK time is UTC in winter).
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False) as traveller:
        yield traveller


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


def make_case(north, **child) -> Case:
    return referral_create(actor=north["school_dsl"].user, received_on=date(2026, 11, 23),
                           source="2A", concerns="Bruises", child={**CHILD, **child}).case


def allocated_case(north) -> Case:
    case = make_case(north)
    case_allocate(actor=north["manager"].user, case_id=case.pk,
                  worker_id=north["social_worker"].pk, team_id=north.teams["assessment"].pk)
    return Case.objects.get(pk=case.pk)


def team_manager(north, username: str, team_key: str) -> Staff:
    user = get_user_model().objects.create_user(username, first_name="Rosa",
                                                last_name=username.title())
    return Staff.objects.create(user=user, agency=north.la, role=Role.TEAM_MANAGER,
                                team=north.teams[team_key])


def as_(staff) -> Client:
    """A client signed in as ``staff``, with the second factor given where their role must
    give one (team managers: the two-factor work), so the pages, not the sign-in step,
    answer."""
    client = Client()
    client.force_login(staff.user)
    give_second_factor(client, staff.user)
    return client


def give_second_factor(client: Client, user) -> None:
    """Mark the client's session as having given a second factor (a confirmed TOTP device,
    as django-otp's ``login`` would), when the two-factor app is installed."""
    if not apps.is_installed("django_otp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="Test device", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def allowed(staff, case: Case) -> bool:
    """The selector's answer; the case page's link (``may``) must give the same one."""
    try:
        case_access_history(staff.user, case.pk, page=1)
    except NotAllowed:
        assert not may(staff.user, "view_access_history", case)
        return False
    assert may(staff.user, "view_access_history", case)
    return True


# ---- who may see a case's access history ---------------------------------------------------


def test_only_the_cases_managers_see_who_looked(north, south) -> None:
    case = allocated_case(north)
    other_team = team_manager(north, "north-fd-manager", "front_door")
    same_team = team_manager(north, "north-second-manager", "assessment")
    expected = {
        "manager": True,  # the allocated worker's manager, and a manager of the case's team
        "social_worker": False, "social_worker_2": False, "front_door": False,
        "chair": False, "lado": False, "partnership": False,
        "school_dsl": False, "police": False, "health": False, "early_help": False,
    }
    assert {key: allowed(north[key], case) for key in expected} == expected
    assert allowed(same_team, case) is True  # a team manager of the case's team
    assert allowed(other_team, case) is False  # a team manager of another team
    assert not any(allowed(staff, case) for staff in south.people.values())  # another LA


def test_an_unallocated_case_is_seen_by_the_local_authoritys_team_managers(north, south
                                                                           ) -> None:
    case = make_case(north)  # no worker, no team: still someone must be able to look
    assert case.allocated_worker_id is None and case.team_id is None
    assert allowed(north["manager"], case)
    assert allowed(team_manager(north, "north-fd-manager", "front_door"), case)
    assert not allowed(north["social_worker"], case)
    assert not allowed(south["manager"], case)


def test_a_restricted_case_only_its_named_manager(north) -> None:
    case = allocated_case(north)
    Case.objects.filter(pk=case.pk).update(restricted=True)
    case.refresh_from_db()
    assert allowed(north["manager"], case)  # the allocated worker's manager: named on it
    assert not allowed(team_manager(north, "north-second-manager", "assessment"), case)


def test_refusal_is_the_same_as_for_a_case_that_does_not_exist(north) -> None:
    case = make_case(north)
    with pytest.raises(NotAllowed) as refused:
        require_access_history(north["social_worker"].user, case.pk)
    with pytest.raises(NotAllowed) as missing:
        require_access_history(north["manager"].user, 999999)
    assert str(refused.value) == str(missing.value)
    assert not AuditEntry.objects.filter(action="view_access_history").exists()


def test_an_inactive_manager_sees_nothing(north) -> None:
    case = allocated_case(north)
    Staff.objects.filter(pk=north["manager"].pk).update(active=False)
    north["manager"].user.refresh_from_db()
    with pytest.raises(NotAllowed):
        case_access_history(north["manager"].user, case.pk, page=1)


# ---- what the history holds -----------------------------------------------------------------


def test_every_entry_about_the_case_newest_first_and_complete(north, clock) -> None:
    case = allocated_case(north)
    clock.shift(60)
    case_for(north["social_worker"].user, case.pk, context=WEB)
    clock.shift(60)
    referral = case.referrals.get()
    referral_for(north["school_dsl"].user, referral.pk, context=Context(source="api"))
    clock.shift(60)
    audit(actor=north["police"].user, action="view", obj=case, case_id=case.pk, context=WEB,
          reason="Child in custody overnight, checking for a plan", detail={"break_glass": 1})
    audit(actor=north["police"].user, action="view", object_type="cases.case",
          object_id="999", case_id=case.pk + 1)  # another case: not in this history
    clock.shift(60)

    history = case_access_history(north["manager"].user, case.pk, page=1, context=WEB)
    entries = list(history.page.object_list)
    assert history.case.pk == case.pk
    assert [e.id for e in entries] == list(
        AuditEntry.objects.filter(case_id=case.pk).order_by("-at", "-id")
        .values_list("pk", flat=True))
    assert all(e.case_id == case.pk for e in entries)
    looked, police, school, worker, *older = entries
    # Looking is itself recorded, and heads the list.
    assert (looked.action, looked.who, looked.role, looked.what) == (
        "view_access_history", "Priya Shah", "Team manager", "Viewed who has looked at")
    assert looked.when == "24 November 2026, 10:04am"
    # Who, what, when (stored UTC, shown in UK time), from where.
    assert (worker.who, worker.role, worker.agency) == (
        "Amara Okafor", "Social worker", "Northshire Council")
    assert (worker.what, worker.record, worker.where) == ("Viewed", "case", "Web, 192.0.2.10")
    assert worker.at == datetime(2026, 11, 24, 10, 1, tzinfo=UTC)
    assert worker.when == "24 November 2026, 10:01am" and worker.at_utc.endswith("Z")
    assert (school.who, school.role, school.agency) == (
        "Mark Evans", "Designated safeguarding lead", "Northshire Primary School")
    assert (school.record, school.where) == ("referral", "API")
    # Why, for break-glass.
    assert police.break_glass and police.reason.startswith("Child in custody")
    assert not worker.break_glass and worker.reason == ""
    # The changes are there too: the referral recorded, the allocation.
    assert {(e.action, e.record) for e in older} >= {("create", "referral"),
                                                     ("allocate", "case")}


def test_viewing_the_history_is_audited(north) -> None:
    case = allocated_case(north)
    case_access_history(north["manager"].user, case.pk, page="2", context=WEB)
    entry = AuditEntry.objects.filter(action="view_access_history").get()
    assert (entry.actor, entry.case_id, entry.object_type, entry.object_id) == (
        north["manager"].user, case.pk, "cases.case", str(case.pk))
    assert (entry.detail, entry.source, entry.remote_addr) == ({"page": 2}, "web", "192.0.2.10")


def test_the_history_is_paginated(north, clock) -> None:
    case = allocated_case(north)
    for _ in range(5):
        clock.shift(60)
        case_for(north["social_worker"].user, case.pk)
    total = AuditEntry.objects.filter(case_id=case.pk).count() + 1  # + this look
    first = case_access_history(north["manager"].user, case.pk, page=1, per_page=3).page
    assert (first.paginator.count, first.paginator.num_pages) == (total, -(-total // 3))
    second = case_access_history(north["manager"].user, case.pk, page=2, per_page=3).page
    assert second.number == 2
    newest_first = list(AuditEntry.objects.filter(case_id=case.pk).order_by("-at", "-id")
                        .values_list("pk", flat=True))
    assert [e.id for e in second.object_list] == newest_first[3:6]
    junk = case_access_history(north["manager"].user, case.pk, page="x", per_page=3).page
    assert junk.number == 1


def test_times_are_shown_in_uk_time() -> None:
    assert uk_time(datetime(2026, 7, 1, 11, 30, tzinfo=UTC)) == "1 July 2026, 12:30pm"  # BST
    assert uk_time(datetime(2026, 7, 1, 11, 0, tzinfo=UTC)) == "1 July 2026, midday"
    assert uk_time(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "31 December 2026, 11:59pm"
    assert uk_time(datetime(2026, 3, 29, 0, 0, tzinfo=UTC)) == "29 March 2026, midnight"
    assert uk_time(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)) == "29 March 2026, 2am"


# ---- a person's own access history ---------------------------------------------------------


def test_my_access_history_is_only_mine_newest_first(north, clock) -> None:
    case = allocated_case(north)
    other = make_case(north, given_name="Leo", date_of_birth=date(2017, 6, 1),
                      nhs_number="")
    assert other.pk != case.pk
    worker = north["social_worker"].user
    clock.shift(60)
    case_for(worker, case.pk, context=WEB)
    clock.shift(60)
    case_for(worker, other.pk, context=WEB)
    clock.shift(60)
    audit(actor=worker, action="search", object_type="people.person", context=WEB)
    clock.shift(60)
    case_for(north["social_worker_2"].user, case.pk)  # someone else: not in my history
    Case.objects.filter(pk=other.pk).update(restricted=True)  # I can no longer see it

    page = my_access_history(worker, page=1)
    entries = list(page.object_list)
    assert [e.id for e in entries] == list(
        AuditEntry.objects.filter(actor=worker).order_by("-at", "-id")
        .values_list("pk", flat=True))
    assert all(e.who == "Amara Okafor" for e in entries)
    search, saw_other, saw_case = entries
    assert (search.case_reference, search.what, search.record) == ("", "Searched", "person")
    assert (saw_other.case_reference, saw_other.case_visible) == (other.reference, False)
    assert (saw_case.case_reference, saw_case.case_visible) == (case.reference, True)
    assert saw_case.when == "24 November 2026, 10:01am" and saw_case.where == "Web, 192.0.2.10"


def test_my_access_history_needs_a_signed_in_person(north) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        my_access_history(AnonymousUser(), page=1)
    # A person with no staff record still sees what they did (nothing, here).
    user = get_user_model().objects.create_user("no-staff")
    assert my_access_history(user, page=1).paginator.count == 0


# ---- the pages -----------------------------------------------------------------------------

NO_PERSONAL_DATA = ("Ava", "Turner", "9434765919", "943 476 5919", "2015")


def test_the_case_access_page(north) -> None:
    case = allocated_case(north)
    case_for(north["social_worker"].user, case.pk, context=WEB)
    url = reverse("cases:access-history", args=[case.pk])
    assert re.fullmatch(r"/cases/\d+/access/", url)  # the case's id, nothing personal
    response = as_(north["manager"]).get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert f"<title>Who has looked at case {case.reference} – Safeguard</title>" in html
    assert 'class="govuk-back-link"' in html and f'href="/cases/{case.pk}/"' in html
    table = html.split('id="access-history"')[1].split("</table>")[0]
    assert "Amara Okafor" in table and "Social worker, Northshire Council" in table
    assert "Web, 192.0.2.10" in table and "24 November 2026, 10am" in table
    assert re.findall(r'data-action="([a-z_]+)"', table)[0] == "view_access_history"
    for text in NO_PERSONAL_DATA:  # the page names the case by reference only
        assert text not in html, text


def test_the_case_access_page_is_not_found_for_everyone_else(north, south) -> None:
    case = allocated_case(north)
    url = reverse("cases:access-history", args=[case.pk])
    for staff in (north["social_worker"], north["front_door"], north["school_dsl"],
                  north["police"], south["manager"]):
        assert as_(staff).get(url).status_code == 404, staff.user.username
    assert as_(north["manager"]).get("/cases/999999/access/").status_code == 404
    assert not AuditEntry.objects.filter(action="view_access_history").exists()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in")


def test_the_case_page_links_to_it_only_for_managers(north) -> None:
    case = allocated_case(north)
    link = f'href="/cases/{case.pk}/access/"'
    assert link in as_(north["manager"]).get(f"/cases/{case.pk}/").content.decode()
    assert link not in as_(north["social_worker"]).get(f"/cases/{case.pk}/").content.decode()


def test_the_case_access_page_paginates(north) -> None:
    case = allocated_case(north)
    for _ in range(55):
        audit(actor=north["social_worker"].user, action="view", obj=case, case_id=case.pk)
    client = as_(north["manager"])
    html = client.get(f"/cases/{case.pk}/access/").content.decode()
    assert 'class="govuk-pagination"' in html and 'href="?page=2"' in html
    assert html.count('<tr class="govuk-table__row" data-entry=') == 50
    second = client.get(f"/cases/{case.pk}/access/?page=2").content.decode()
    assert second.count('<tr class="govuk-table__row" data-entry=') > 0


def test_your_access_history_page(north) -> None:
    case = allocated_case(north)
    case_for(north["social_worker"].user, case.pk, context=WEB)
    client = as_(north["social_worker"])
    home = client.get("/").content.decode()
    url = reverse("my-access-history")
    assert url == "/account/access-history/"
    assert f'href="{url}"' in home  # the footer's link, for everyone signed in
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "<title>Your access history – Safeguard</title>" in html
    assert 'class="govuk-back-link"' in html
    table = html.split('id="my-access-history"')[1].split("</table>")[0]
    assert f'<a class="govuk-link" href="/cases/{case.pk}/">{case.reference}</a>' in table
    assert "Viewed case" in table
    for text in NO_PERSONAL_DATA:
        assert text not in html, text
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in")
    assert f'href="{url}"' not in Client().get("/sign-in").content.decode()
