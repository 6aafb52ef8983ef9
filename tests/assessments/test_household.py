"""Households and relationships: members and relationships added by social care through a
case, siblings always listed (WT2018 1.53) with the cases of theirs the person may see."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard.core.services import Invalid, NotAllowed
from safeguard.people.household_selectors import household_of
from safeguard.people.household_services import (
    household_member_add,
    household_member_leave,
    relationship_add,
)
from safeguard.people.models import HouseholdMember, Person, Relationship

from .conftest import refer

pytestmark = [pytest.mark.django_db, pytest.mark.db]

MOTHER = {"given_name": "Jo", "family_name": "Turner", "is_child": False,
          "date_of_birth": date(1990, 2, 3), "sex": "F"}
BROTHER = {"given_name": "Sam", "family_name": "Turner", "date_of_birth": date(2018, 7, 1)}


def test_members_relationships_and_siblings(north, south, referral) -> None:
    sw = north["social_worker"].user
    case = referral.case
    mother = household_member_add(actor=sw, case_id=case.pk, person=MOTHER,
                                  relationship="mother", parental_responsibility=True,
                                  since=date(2015, 3, 14)).person
    # Sam, Ava's brother, was referred too (his own case, by the school).
    sam_referral = refer(north, child=BROTHER, outcome=None)
    household_member_add(actor=sw, case_id=case.pk, person_id=sam_referral.case.child_id,
                         relationship="sibling")
    # Ava's father lives elsewhere; he is also the father of Lily (a half-sister).
    father = relationship_add(actor=sw, case_id=case.pk, relationship="father",
                              person={"given_name": "Dan", "family_name": "Turner",
                                      "is_child": False},
                              parental_responsibility=True).person
    lily = Person.objects.create(given_name="Lily", family_name="Cole",
                                 date_of_birth=date(2021, 1, 5))
    Relationship.objects.create(child=lily, person=father, kind="father")

    view = household_of(sw, case)
    assert [m.person for m in view.living_with_child] == [mother, sam_referral.case.child]
    assert view.living_with_child[0].relationships == ["Mother"]
    assert view.living_with_child[0].parental_responsibility
    assert [m.person for m in view.living_elsewhere] == [father]
    siblings = {s.person.given_name: s for s in view.siblings}
    assert set(siblings) == {"Sam", "Lily"}
    assert siblings["Sam"].reasons == ["Sibling"] and siblings["Sam"].lives_with_child
    assert [c.reference for c in siblings["Sam"].cases] == [sam_referral.case.reference]
    assert siblings["Lily"].reasons == ["Same father"] and siblings["Lily"].cases == []
    # Recorded both ways round: Sam's household page lists Ava.
    sam_view = household_of(sw, sam_referral.case)
    assert [s.person.given_name for s in sam_view.siblings] == ["Ava"]

    # The school referred both children, so it sees Sam's case listed too.
    dsl_view = household_of(north["school_dsl"].user, case)
    assert [c.reference for c in {s.person.given_name: s for s in dsl_view.siblings}["Sam"]
            .cases] == [sam_referral.case.reference]
    with pytest.raises(NotAllowed):
        household_of(south["social_worker"].user, case)


def test_sibling_cases_are_listed_only_where_visible(north, referral) -> None:
    sw = north["social_worker"].user
    sam_referral = refer(north, child=BROTHER, outcome=None)
    sam_case = sam_referral.case
    sam_case.restricted = True  # seen only by the people named on it: its allocated worker
    sam_case.allocated_worker = north["social_worker"]
    sam_case.save()
    relationship_add(actor=sw, case_id=referral.case_id, person_id=sam_case.child_id,
                     relationship="sibling")
    [sibling] = household_of(sw, referral.case).siblings
    assert [c.reference for c in sibling.cases] == [sam_case.reference]
    [sibling] = household_of(north["social_worker_2"].user, referral.case).siblings
    assert sibling.person.given_name == "Sam" and sibling.cases == []


def test_only_social_care_edits_and_bad_input_changes_nothing(north, south, referral) -> None:
    case = referral.case
    for actor in (north["school_dsl"].user, north["police"].user):
        with pytest.raises(NotAllowed):
            household_member_add(actor=actor, case_id=case.pk, person=MOTHER)
    with pytest.raises(NotAllowed):
        household_member_add(actor=south["social_worker"].user, case_id=case.pk, person=MOTHER)
    sw = north["social_worker"].user
    with pytest.raises(Invalid) as caught:
        household_member_add(actor=sw, case_id=case.pk,
                             person={"given_name": "X", "family_name": "", "is_child": None},
                             relationship="aunt", since=date(2027, 1, 1))
    assert set(caught.value.errors) == {"person.family_name", "person.is_child",
                                        "relationship", "since"}
    with pytest.raises(Invalid) as caught:
        relationship_add(actor=sw, case_id=case.pk, relationship="sibling",
                         parental_responsibility=True, person=BROTHER | {"is_child": True})
    assert set(caught.value.errors) == {"parental_responsibility"}
    with pytest.raises(Invalid) as caught:  # a person the worker may not see
        south_child = refer(south, child=BROTHER, outcome=None).case.child_id
        household_member_add(actor=sw, case_id=case.pk, person_id=south_child)
    assert set(caught.value.errors) == {"person"}
    assert not HouseholdMember.objects.exists()
    assert Person.objects.count() == 2 and not Relationship.objects.exists()


def test_someone_moves_out(north, referral) -> None:
    sw = north["social_worker"].user
    member = household_member_add(actor=sw, case_id=referral.case_id,
                                  person=MOTHER | {"family_name": "Grey"},
                                  relationship="partner_of_parent")
    with pytest.raises(Invalid):
        household_member_leave(actor=sw, case_id=referral.case_id, member_id=member.pk,
                               until=date(2030, 1, 1))
    household_member_leave(actor=sw, case_id=referral.case_id, member_id=member.pk,
                           until=date(2026, 11, 20))
    view = household_of(sw, referral.case)
    assert view.living_with_child == []
    assert [m.relationships for m in view.living_elsewhere] == [["Parent's partner"]]


def test_the_people_offered_are_only_those_the_person_may_see(north, referral) -> None:
    """``family_network`` (the "someone already recorded" choices) reaches the relatives of
    the child's relatives; of those it offers only the people the acting person may see
    (``people_visible_to``), on SQLite as row-level security makes it on PostgreSQL."""
    from safeguard.people.household_selectors import family_network, people_visible_to

    sw = north["social_worker"].user
    case = referral.case
    # Sam, Ava's brother, with no case of his own; and Sam's father, not Ava's.
    sam = relationship_add(actor=sw, case_id=case.pk, relationship="sibling",
                           person={**BROTHER, "is_child": True}).person
    other_father = Person.objects.create(given_name="Lee", family_name="Grant", is_child=False)
    Relationship.objects.create(child=sam, person=other_father, kind="father")

    offered = list(family_network(sw, case.child))
    assert sam in offered
    assert other_father not in offered
    assert not people_visible_to(sw).filter(pk=other_father.pk).exists()
    # And the service refuses him by id, as the list does not offer him.
    with pytest.raises(Invalid):
        relationship_add(actor=sw, case_id=case.pk, relationship="other",
                         person_id=other_father.pk)
    assert not Relationship.objects.filter(child=case.child, person=other_father).exists()
