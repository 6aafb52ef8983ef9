"""PostgreSQL's row-level security on people (``safeguard.cases.rls``: PERSON_RULE,
HOUSEHOLD_RULE): a person's names and identifiers, and a household's address, are seen
only by whoever the application lets see them.

Run on PostgreSQL only (``scripts/test.sh postgres``, as an ordinary role):

- for every member of staff, the people the database shows are exactly those the
  selectors that read people give them (``people_visible_to``, ``visible_people``,
  ``household_of``, ``family_of``, ``children_visible_to``), and the households those with a
  member among them;
- a view that forgot the policy, in a real request, gets only those;
- the services that find or add a person still do, under the person's scope: a child known
  on a case the referrer does not see is found, not made again.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from safeguard.agencies.models import Staff
from safeguard.cases import rls
from safeguard.cases.models import BreakGlass, Case, Involvement, InvolvementKind
from safeguard.cases.policy import cases_visible_to
from safeguard.cases.selectors import family_of
from safeguard.demo.areas import build_area
from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.earlyhelp.selectors import children_visible_to
from safeguard.earlyhelp.services import early_help_start
from safeguard.people.household_selectors import household_of, people_visible_to
from safeguard.people.household_services import household_member_add, relationship_add
from safeguard.people.models import (
    Household,
    HouseholdMember,
    Person,
    Relationship,
    RelationshipKind,
)
from safeguard.people.selectors import visible_people
from safeguard.referrals.services import referral_create
from safeguard.testing.pytest_plugin import database_under_test

pytestmark = [
    pytest.mark.django_db, pytest.mark.db,
    pytest.mark.skipif(database_under_test() != "postgres",
                       reason="row-level security is PostgreSQL's (scripts/test.sh postgres)"),
]

BORN = date(2015, 3, 14)


def _visible(scope: str, table: str = "people_person") -> set[int]:
    rls.set_scope(scope)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table}")
            return {row[0] for row in cursor.fetchall()}
    finally:
        rls.reset()


def _person(given: str, family: str, *, child: bool = True) -> Person:
    return Person.objects.create(given_name=given, family_name=family, is_child=child,
                                 date_of_birth=BORN if child else date(1990, 1, 1))


def _case(area, child: Person, reference: str, **fields) -> Case:
    return Case.objects.create(reference=reference, child=child, local_authority=area.la,
                               opened_on=date(2026, 11, 2), **fields)


def _involve(case: Case, agency, staff=None, until=None) -> None:
    Involvement.objects.create(case=case, agency=agency, staff=staff, until=until,
                               kind=InvolvementKind.OTHER, since=date(2026, 11, 2))


def _relate(child: Person, person: Person, kind: str) -> None:
    Relationship.objects.create(child=child, person=person, kind=kind)


def _household(*people: Person, until: date | None = None) -> Household:
    household = Household.objects.create(address="1 High Street", postcode="NS1 1AA")
    for person in people:
        HouseholdMember.objects.create(household=household, person=person, until=until)
    return household


@pytest.fixture
def world():
    """Two areas; families around cases of every kind, early help without a case, and
    people linked to nothing anyone sees."""
    north = build_area("Northshire", "901", "north")
    south = build_area("Southshire", "902", "south")
    n = north.people
    ava, mother, father = _person("Ava", "Turner"), _person("Jo", "Turner", child=False), \
        _person("Sam", "Turner", child=False)
    ben = _person("Ben", "Turner")          # a sibling recorded both ways
    cara = _person("Cara", "Lee")           # another child of Ava's mother
    cara_father = _person("Lee", "Lee", child=False)  # two steps away: Cara's father
    partner = _person("Max", "Moore", child=False)    # lives with Ava
    dan = _person("Dan", "Moore")           # a child in Ava's household
    gran = _person("Ruth", "Turner", child=False)     # a household Ava lived in before
    aunt = _person("Kim", "Turner", child=False)      # related to Ava's father, not to Ava
    case = _case(north, ava, "901-T1")
    _involve(case, north.schools[0])
    _involve(case, north.police, until=date(2026, 11, 20))  # ended: not the police's
    _relate(ava, mother, RelationshipKind.MOTHER)
    _relate(ava, father, RelationshipKind.FATHER)
    _relate(ava, ben, RelationshipKind.SIBLING)
    _relate(ben, ava, RelationshipKind.SIBLING)
    _relate(cara, mother, RelationshipKind.MOTHER)
    _relate(cara, cara_father, RelationshipKind.FATHER)
    _relate(father, aunt, RelationshipKind.SIBLING)
    _household(ava, mother, partner, dan)
    _household(ava, gran, until=date(2025, 1, 1))

    # A restricted case, named to the health practitioner only; its child's mother.
    rex, rex_mother = _person("Rex", "Hill"), _person("Ann", "Hill", child=False)
    restricted = _case(north, rex, "901-T2", restricted=True)
    _involve(restricted, north.trust, n["health"])
    _involve(restricted, north.police)
    _relate(rex, rex_mother, RelationshipKind.MOTHER)
    # A case opened to the LADO by break-glass, and one whose access has ended.
    glass, glass_father = _person("Gil", "Glass"), _person("Guy", "Glass", child=False)
    glassed = _case(north, glass, "901-T3", restricted=True)
    _relate(glass, glass_father, RelationshipKind.FATHER)
    now = timezone.now()
    BreakGlass.objects.create(case=glassed, staff=n["lado"], reason="in force",
                              opened_at=now, until=now + timedelta(hours=8))
    BreakGlass.objects.create(case=glassed, staff=n["police"], reason="over",
                              opened_at=now - timedelta(hours=9), until=now - timedelta(hours=1))
    # A partnership officer named on a case.
    pat = _person("Pat", "Quinn")
    named = _case(north, pat, "901-T4")
    _involve(named, north.la, n["partnership"])

    # Early help without a case: led by the family hub, the school contributing; and one in
    # the other area.
    evan, evan_mother = _person("Evan", "Wood"), _person("Eve", "Wood", child=False)
    _relate(evan, evan_mother, RelationshipKind.MOTHER)
    record = EarlyHelpAssessment.objects.create(
        child=evan, local_authority=north.la, agency=north.early_years,
        lead_practitioner=n["early_help"], started_on=date(2026, 11, 2), consent_given=True,
        needs="Support with routines")
    record.contributing_agencies.set([north.schools[1]])
    sue = _person("Sue", "South")
    EarlyHelpAssessment.objects.create(
        child=sue, local_authority=south.la, agency=south.early_years,
        lead_practitioner=south["early_help"], started_on=date(2026, 11, 2),
        consent_given=True, needs="Support")

    # The other area's case, which the north police are involved in.
    tom, tom_mother = _person("Tom", "Across"), _person("Tia", "Across", child=False)
    across = _case(south, tom, "902-T1")
    _involve(across, north.police)
    _relate(tom, tom_mother, RelationshipKind.MOTHER)
    _case(south, _person("Sol", "South"), "902-T2")
    nobody = _person("Zed", "Alone", child=False)
    _household(nobody)

    Staff.objects.filter(pk=south["social_worker_2"].pk).update(active=False)
    return {"north": north, "south": south, "ava": ava, "mother": mother, "cara": cara,
            "cara_father": cara_father, "aunt": aunt, "evan": evan, "evan_mother": evan_mother,
            "rex": rex, "nobody": nobody, "case": case, "restricted": restricted}


def _expected_people(user) -> set[int]:
    """The people the application's selectors show ``user``: the rule the database keeps."""
    found = set(people_visible_to(user).values_list("pk", flat=True))
    found |= set(visible_people(user).values_list("pk", flat=True))
    found |= set(children_visible_to(user).values_list("pk", flat=True))
    for case in cases_visible_to(user).select_related("child"):
        view = household_of(user, case)
        found |= {view.child.pk} | {m.person.pk for m in view.members}
        found |= {r.person_id for r in view.relationships}
        found |= {s.person.pk for s in view.siblings}
        found |= {m.person.pk for m in family_of(user, case)}
    return found


def test_the_database_shows_everyone_the_people_the_application_shows_them(world) -> None:
    everyone = set(Person.objects.values_list("pk", flat=True))
    assert _visible(rls.SYSTEM) == everyone
    assert _visible(rls.NOBODY) == set()
    assert _visible(rls.NOBODY, "people_household") == set()
    seen_some = 0
    for staff in Staff.objects.select_related("user").order_by("pk"):
        expected = _expected_people(staff.user)
        assert _visible(str(staff.pk)) == expected, staff.user.username
        households = set(HouseholdMember.objects.filter(person_id__in=expected)
                         .values_list("household_id", flat=True))
        assert _visible(str(staff.pk), "people_household") == households, staff.user.username
        seen_some += bool(expected)
        assert world["nobody"].pk not in expected
    assert seen_some >= 10
    assert rls.current_scope() == rls.SYSTEM


def test_who_sees_whom(world) -> None:
    n, s = world["north"].people, world["south"].people

    def sees(staff: Staff, *names: str) -> set[str]:
        return {name for name in names if world[name].pk in _visible(str(staff.pk))}

    family = ("ava", "mother", "cara", "cara_father", "aunt")
    # Children's social care of the area, and the school on the case: the child, her
    # parents, the other children of her mother; not the people beyond.
    assert sees(n["social_worker"], *family) == {"ava", "mother", "cara"}
    assert sees(n["school_dsl"], *family) == {"ava", "mother", "cara"}
    # The police's involvement has ended; the other area sees none of it.
    assert sees(n["police"], *family) == set()
    assert sees(s["social_worker"], *family) == set()
    # A restricted case: named staff only (and its own people only).
    assert sees(n["health"], "rex", "ava") == {"rex"}
    assert sees(n["social_worker"], "rex") == set()
    assert sees(n["police"], "rex") == set()  # involved, not named
    # Early help: its lead agency, contributing agencies and the area's social care see the
    # child (not the family, which the early help pages never show).
    for staff in (n["early_help"], n["manager"], n["front_door"]):
        assert sees(staff, "evan", "evan_mother") == {"evan"}, staff
    assert sees(n["school_dsl"], "evan") == set()  # another school contributes
    assert sees(n["police"], "evan") == set() and sees(s["manager"], "evan") == set()
    # An inactive member of staff sees nobody.
    assert _visible(str(s["social_worker_2"].pk)) == set()


# ---- a view with a bug, in a real request -------------------------------------------------


@login_not_required
def _forgot_the_policy(request: HttpRequest) -> JsonResponse:
    """A view that reads people straight from the models: the bug the database stops."""
    return JsonResponse({
        "people": sorted(Person.objects.values_list("family_name", flat=True)),
        "households": Household.objects.count(),
        "by_nhs_number": Person.objects.filter(nhs_number="9434765919").count(),
    })


@pytest.fixture
def buggy_urls(settings):
    from types import ModuleType

    from safeguard.config import urls

    module = ModuleType("buggy_people_urls")
    module.urlpatterns = [path("bug/", _forgot_the_policy), path("", include(urls))]
    settings.ROOT_URLCONF = module


def test_a_view_that_forgot_the_policy_gets_only_the_persons_people(world, buggy_urls) -> None:
    n = world["north"].people
    Person.objects.filter(pk=world["rex"].pk).update(nhs_number="9434765919")
    health = Client()
    health.force_login(n["health"].user)
    assert health.get("/bug/").json() == {
        "people": ["Hill", "Hill"], "households": 0, "by_nhs_number": 1}
    police = Client()
    police.force_login(n["police"].user)
    # The police see the other area's case they are involved in, and nothing of the north's.
    assert police.get("/bug/").json() == {
        "people": ["Across", "Across"], "households": 0, "by_nhs_number": 0}
    assert Client().get("/bug/").json() == {"people": [], "households": 0, "by_nhs_number": 0}
    assert rls.current_scope() == rls.SYSTEM


def test_a_change_to_a_person_the_database_hides_changes_nothing(world) -> None:
    rls.set_scope(str(world["north"]["police"].pk))
    try:
        assert Person.objects.filter(pk=world["ava"].pk).update(family_name="Changed") == 0
        assert Household.objects.update(address="Changed") == 0
    finally:
        rls.reset()
    world["ava"].refresh_from_db()
    assert world["ava"].family_name == "Turner"


# ---- the services that find or add people, under the person's scope ----------------------


def _as(staff: Staff):
    class _Scope:
        def __enter__(self) -> None:
            rls.set_scope(str(staff.pk))

        def __exit__(self, *exc: object) -> None:
            rls.reset()

    return _Scope()


def test_a_referral_finds_the_child_known_on_a_case_the_referrer_does_not_see(world) -> None:
    n = world["north"].people
    # The police are not involved (any more) in Ava's case and cannot see her …
    assert world["ava"].pk not in _visible(str(n["police"].pk))
    with _as(n["police"]):
        referral = referral_create(actor=n["police"].user, concerns="Found alone at night",
                                   child={"given_name": "Ava", "family_name": "Turner",
                                          "date_of_birth": BORN})
    # … yet their referral is about the same child, on her case, which they now see.
    assert referral.case_id == world["case"].pk
    assert Person.objects.filter(family_name="Turner", given_name="Ava").count() == 1
    assert world["ava"].pk in _visible(str(n["police"].pk))
    # A new child is made, and seen with the case opened for them.
    with _as(n["school_dsl"]):
        new = referral_create(actor=n["school_dsl"].user, concerns="Bruises",
                              child={"given_name": "Nia", "family_name": "New",
                                     "date_of_birth": BORN})
    assert new.case.child.family_name == "New"
    assert new.case.child_id in _visible(str(n["school_dsl"].pk))


def test_early_help_for_a_new_child_under_the_practitioners_scope(world) -> None:
    n = world["north"].people
    with _as(n["early_help"]):
        record = early_help_start(
            actor=n["early_help"].user, started_on=date(2026, 11, 2), consent_given=True,
            consent_from="parents", consent_given_by="Both parents",
            consent_recorded_on=date(2026, 11, 2), needs="Routines",
            child={"given_name": "Ola", "family_name": "Early", "date_of_birth": BORN})
    assert record.child_id in _visible(str(n["early_help"].pk))
    assert record.child_id not in _visible(str(n["police"].pk))


def test_the_household_services_under_the_social_workers_scope(world) -> None:
    n = world["north"].people
    worker = n["social_worker"]
    ava_case = world["case"]
    # A child with no household yet: one is made with them, and a new person joins it.
    lone = _person("Lou", "Lone")
    lone_case = _case(world["north"], lone, "901-T9")
    with _as(worker):
        member = household_member_add(
            actor=worker.user, case_id=lone_case.pk, relationship=RelationshipKind.MOTHER,
            parental_responsibility=True,
            person={"given_name": "Liz", "family_name": "Lone", "is_child": False})
        relation = relationship_add(
            actor=worker.user, case_id=ava_case.pk, relationship=RelationshipKind.GRANDPARENT,
            person={"given_name": "Bob", "family_name": "Turner", "is_child": False})
        # An existing person seen through the family: Ava's mother's partner, by id.
        relationship_add(actor=worker.user, case_id=ava_case.pk,
                         relationship=RelationshipKind.PARTNER_OF_PARENT,
                         person_id=HouseholdMember.objects.filter(
                             person__given_name="Max").get().person_id)
    seen = _visible(str(worker.pk))
    assert {member.person_id, lone.pk, relation.person_id} <= seen
    assert member.household_id in _visible(str(worker.pk), "people_household")
    assert member.person_id not in _visible(str(n["police"].pk))
