"""The case page, allocation, the case list and the work lists; who sees what."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.test import Client

from safeguard.cases.models import Case, Obligation
from safeguard.cases.policy import cases_visible_to
from safeguard.cases.selectors import case_list, family_of, work_groups
from safeguard.cases.services import case_allocate
from safeguard.core.models import AuditEntry
from safeguard.core.services import EditConflict, NotAllowed
from safeguard.demo.areas import build_area
from safeguard.people.models import Household, HouseholdMember, Person, Relationship
from safeguard.referrals.services import referral_create, referral_decide

pytestmark = [pytest.mark.django_db, pytest.mark.db]

CHILD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14),
         "nhs_number": "9434765919"}


@pytest.fixture(autouse=True)
def clock():
    # Tuesday 24 November 2026.
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


def as_(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def referral(north, received_on=date(2026, 11, 23), by="school_dsl", **child):
    return referral_create(actor=north[by].user, received_on=received_on, source="2A",
                           concerns="Bruises", child={**CHILD, **child})


# ---- access ------------------------------------------------------------------------------


def test_who_sees_a_case(north, south) -> None:
    case = referral(north).case
    seeing = {key for key, staff in north.people.items()
              if cases_visible_to(staff.user).filter(pk=case.pk).exists()}
    # Social care of the area, and the school that referred; not the uninvolved partners.
    assert seeing == {"manager", "front_door", "social_worker", "social_worker_2", "chair",
                      "lado", "school_dsl"}
    assert not any(cases_visible_to(s.user).exists() for s in south.people.values())
    assert case_list(north["police"].user) == []


def test_a_restricted_case_is_seen_only_by_those_named(north) -> None:
    """The allocated worker, their manager, and staff named on it (the referring DSL)."""
    case = referral(north).case
    case_allocate(actor=north["manager"].user, case_id=case.pk,
                  worker_id=north["social_worker"].pk)
    Case.objects.filter(pk=case.pk).update(restricted=True)
    for key, sees in (("social_worker", True), ("manager", True), ("social_worker_2", False),
                      ("front_door", False), ("school_dsl", True), ("police", False)):
        assert cases_visible_to(north[key].user).filter(pk=case.pk).exists() is sees, key
        status = as_(north[key]).get(f"/cases/{case.pk}/").status_code
        assert status == (200 if sees else 404), key


def test_the_case_page_for_others_is_not_found(north, south) -> None:
    case = referral(north).case
    for staff in (south["social_worker"], north["police"], north["health"]):
        assert as_(staff).get(f"/cases/{case.pk}/").status_code == 404
    assert as_(north["social_worker"]).get("/cases/999999/").status_code == 404
    assert not AuditEntry.objects.filter(action="view", object_type="cases.case").exists()


# ---- the case page -------------------------------------------------------------------------


def test_the_case_page(north) -> None:
    r = referral(north)
    referral_decide(actor=north["social_worker"].user, referral_id=r.pk,
                    decided_on=date(2026, 11, 24), outcome="assessment", reasons="x",
                    feedback_to_referrer="y", family_informed=True)
    response = as_(north["social_worker"]).get(f"/cases/{r.case_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "<title>Ava Turner, case 901-000001 – Safeguard</title>" in html
    assert "14 March 2015" in html and "11 years" in html and "943 476 5919" in html
    # The duties as stored, overdue first; the chronology with its agencies.
    duties = re.findall(r'<tr class="govuk-table__row" data-duty="([^"]+)">', html)
    assert duties == [o.duty for o in Obligation.objects.filter(case=r.case)] == [
        "referral.decision", "assessment.complete"]
    assert "WT2018 1.71" in html
    chronology = html.split('id="chronology-table"')[1]
    assert chronology.index("Referral received") < chronology.index("Referral decision")
    assert "Northshire Primary School" in chronology and "Northshire Council" in chronology
    assert "Mark Evans" in html.split('id="involvements"')[1]  # the referrer, by name
    # The read is audited.
    assert AuditEntry.objects.filter(action="view", object_type="cases.case",
                                     case_id=r.case_id, actor=north["social_worker"].user
                                     ).count() == 1


def test_overdue_duties_come_first(north) -> None:
    r = referral(north, received_on=date(2026, 11, 2))  # decision overdue
    referral(north, received_on=date(2026, 11, 23))  # a second referral, due
    html = as_(north["social_worker"]).get(f"/cases/{r.case_id}/").content.decode()
    statuses = re.findall(r'<strong class="govuk-tag[^"]*">\s*(\w+)\s*</strong>',
                          html.split('id="obligations"')[1].split("</table>")[0])
    assert statuses == ["Overdue", "Due"]


def test_obligations_are_recomputed_on_a_new_day(north) -> None:
    r = referral(north, received_on=date(2026, 11, 24))
    assert Obligation.objects.get(case=r.case).status == "due"
    with time_machine.travel("2026-11-26 10:00:00+00:00", tick=False):
        client = as_(north["social_worker"])
        html = client.get(f"/cases/{r.case_id}/").content.decode()
    ob = Obligation.objects.get(case=r.case)
    assert (ob.status, ob.working_days_late) == ("overdue", 1)
    assert "Overdue" in html


def test_siblings_are_highlighted(north) -> None:
    r = referral(north)
    child = r.case.child
    household = Household.objects.create()
    brother = Person.objects.create(given_name="Leo", family_name="Turner",
                                    date_of_birth=date(2018, 1, 2))
    mother = Person.objects.create(given_name="Jade", family_name="Turner", is_child=False,
                                   date_of_birth=date(1990, 5, 5))
    for person in (child, brother, mother):
        HouseholdMember.objects.create(household=household, person=person)
    Relationship.objects.create(child=child, person=mother, kind="mother",
                                has_parental_responsibility=True)
    brother_case = referral(north, given_name="Leo", date_of_birth=date(2018, 1, 2),
                            nhs_number="").case
    Relationship.objects.create(child=brother, person=child, kind="sibling")
    assert brother_case.child == brother
    family = family_of(north["social_worker"].user, r.case)
    assert [(m.person.given_name, m.relationship, m.sibling, m.in_household, m.case_id)
            for m in family] == [("Leo", "Sibling", True, True, brother_case.pk),
                                 ("Jade", "Mother", False, True, None)]
    html = as_(north["social_worker"]).get(f"/cases/{r.case_id}/").content.decode()
    assert "Siblings should always be considered" in html and "1.53" in html
    assert "app-row--highlight" in html
    assert f'href="/cases/{brother_case.pk}/">Leo Turner' in html


def test_links_to_actions_appear_only_when_their_pages_exist(north) -> None:
    from safeguard.web.navigation import optional_url

    case = referral(north).case
    html = as_(north["social_worker"]).get(f"/cases/{case.pk}/").content.decode()
    for name, text in (("protection:strategy-new", "Record a strategy discussion"),
                       ("assessments:assessment-new", "Start an assessment")):
        assert (text in html) is (optional_url(name, case.pk) is not None)
    assert optional_url("no-such:page", 1) is None
    # A partner sees no recording actions.
    html = as_(north["school_dsl"]).get(f"/cases/{case.pk}/").content.decode()
    assert "Record a strategy discussion" not in html


# ---- allocation ----------------------------------------------------------------------------


def test_a_manager_allocates(north) -> None:
    case = referral(north).case
    client = as_(north["manager"])
    page = client.get(f"/cases/{case.pk}/allocate/").content.decode()
    assert f'name="version" value="{case.version}"' in page
    response = client.post(f"/cases/{case.pk}/allocate/", {
        "worker": str(north["social_worker"].pk), "version": str(case.version)})
    assert response["Location"] == f"/cases/{case.pk}/?allocated=1"
    case.refresh_from_db()
    assert case.allocated_worker == north["social_worker"]
    assert case.team == north.teams["assessment"]


def test_allocation_bad_input_and_conflicts(north) -> None:
    case = referral(north).case
    client = as_(north["manager"])
    response = client.post(f"/cases/{case.pk}/allocate/", {"worker": "", "version": "1"})
    assert "Choose the worker to allocate" in response.content.decode()
    assert "<title>Error: Allocate the case" in response.content.decode()
    # Someone else allocates first: the second is told, with the allocation as it is now.
    case_allocate(actor=north["manager"].user, case_id=case.pk,
                  worker_id=north["social_worker_2"].pk, version=1)
    response = client.post(f"/cases/{case.pk}/allocate/", {
        "worker": str(north["social_worker"].pk), "version": "1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record" in html
    assert 'id="current-allocation"' in html and "Ben Walsh" in html
    assert 'name="version" value="2"' in html
    case.refresh_from_db()
    assert case.allocated_worker == north["social_worker_2"]
    with pytest.raises(EditConflict):
        case_allocate(actor=north["manager"].user, case_id=case.pk,
                      worker_id=north["social_worker"].pk, version=1)


def test_only_managers_allocate(north, south) -> None:
    case = referral(north).case
    for staff in (north["social_worker"], north["school_dsl"], south["manager"]):
        assert as_(staff).get(f"/cases/{case.pk}/allocate/").status_code == 404
        assert as_(staff).post(f"/cases/{case.pk}/allocate/", {
            "worker": str(north["social_worker"].pk)}).status_code == 404
    with pytest.raises(NotAllowed):
        case_allocate(actor=south["manager"].user, case_id=case.pk,
                      worker_id=north["social_worker"].pk)
    case.refresh_from_db()
    assert case.allocated_worker is None


# ---- lists ---------------------------------------------------------------------------------


def test_the_case_list(north, south) -> None:
    cases = [referral(north, given_name=n, nhs_number="").case for n in ("Ava", "Ben", "Cy")]
    html = as_(north["social_worker"]).get("/cases/").content.decode()
    assert "3 cases you can see" in html
    for case in cases:
        assert f'href="/cases/{case.pk}/"' in html
    assert "There are no cases you can see" in as_(south["social_worker"]).get(
        "/cases/").content.decode()


def test_my_work_and_my_team(north) -> None:
    overdue = referral(north, received_on=date(2026, 11, 19)).case  # due 20 Nov: overdue
    today_ = referral(north, received_on=date(2026, 11, 23), given_name="Ben",
                      nhs_number="").case  # due today
    later = referral(north, received_on=date(2026, 11, 24), given_name="Cy",
                     nhs_number="").case  # due tomorrow
    for case, worker in ((overdue, "social_worker"), (today_, "social_worker"),
                         (later, "social_worker_2")):
        case_allocate(actor=north["manager"].user, case_id=case.pk, worker_id=north[worker].pk)
    groups = work_groups(north["social_worker"].user, scope="mine")
    assert [i.case_id for i in groups.overdue] == [overdue.pk]
    assert groups.overdue[0].working_days_late == 2
    assert [i.case_id for i in groups.due_today] == [today_.pk]
    assert groups.due_this_week == []
    html = as_(north["social_worker"]).get("/cases/work/").content.decode()
    assert 'id="overdue"' in html and 'id="due-today"' in html
    assert f'href="/cases/{overdue.pk}/"' in html and f'href="/cases/{later.pk}/"' not in html

    team = work_groups(north["manager"].user, scope="team")
    assert team.count == 3
    assert team.by_worker() == [("Amara Okafor", 2, 1), ("Ben Walsh", 1, 0)]
    html = as_(north["manager"]).get("/cases/team/").content.decode()
    amara, ben = north["social_worker"].pk, north["social_worker_2"].pk
    assert "Due in the next 7 days" in html
    assert f'?worker={ben}">Ben Walsh</a>: 1 duty' in html
    assert f'?worker={amara}">Amara Okafor</a>: 2 duties, 1 overdue' in html
    # The most urgent of each group, with the counts of all; one worker's, all of theirs.
    top = work_groups(north["manager"].user, scope="team", limit=1)
    assert (len(top.overdue), len(top.due_today), len(top.due_this_week)) == (1, 1, 1)
    assert top.totals == {"overdue": 1, "today": 1, "week": 1} and not top.truncated
    ben_only = as_(north["manager"]).get(f"/cases/team/?worker={ben}").content.decode()
    assert "My team: Ben Walsh" in ben_only and 'id="whole-team"' in ben_only
    assert f'href="/cases/{later.pk}/"' in ben_only
    assert f'href="/cases/{overdue.pk}/"' not in ben_only
    # Anything else in ?worker= shows the whole team.
    for junk in ("x", "-1", "9" * 30, str(north["police"].pk)):
        page = as_(north["manager"]).get("/cases/team/", {"worker": junk})
        assert page.status_code == 200 and 'id="whole-team"' not in page.content.decode()
    # My team is for managers; My work for social care.
    assert as_(north["social_worker"]).get("/cases/team/").status_code == 404
    assert as_(north["school_dsl"]).get("/cases/work/").status_code == 404
