"""Writes to a child's household and relationships, through a case the acting person may see
and by children's social care of the case's local authority.

- :func:`household_member_add`: someone (already known, or new) lives with the child, with
  their relationship to the child if they have one.
- :func:`relationship_add`: a relationship to the child of someone who may live elsewhere
  (a father who lives apart, a sibling in care).
- :func:`household_member_leave`: someone no longer lives with the child.

Siblings are recorded both ways round, so each child's household page lists the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction

from safeguard.cases import rls
from safeguard.cases.models import Case
from safeguard.cases.policy import require, require_view
from safeguard.cases.services import recompute_obligations
from safeguard.core.dates import today
from safeguard.core.services import Context, Invalid, NotAllowed, audit, check_version
from safeguard.people.household_selectors import (
    SIBLING_KINDS,
    current_household,
    people_visible_to,
)
from safeguard.people.models import (
    Household,
    HouseholdMember,
    Person,
    Relationship,
    RelationshipKind,
    Sex,
)
from safeguard.people.services import name_key

#: Relationships that may carry parental responsibility.
PR_KINDS = frozenset({RelationshipKind.MOTHER, RelationshipKind.FATHER,
                      RelationshipKind.STEP_PARENT, RelationshipKind.CARER,
                      RelationshipKind.GRANDPARENT, RelationshipKind.OTHER_RELATIVE,
                      RelationshipKind.OTHER, RelationshipKind.PARTNER_OF_PARENT})


def _case_for_edit(actor: Any, case_id: int) -> Case:
    case = require_view(actor, case_id)
    require(actor, "record_casework", case)
    return case


def _person(actor: Any, case: Case, person_id: int | None, person: Mapping[str, Any] | None,
            errors: dict[str, str]) -> Person | None:
    """The existing person the acting person may see, or a new one (made only when there are
    no errors; the caller's transaction undoes it otherwise)."""
    if person_id is not None:
        found = people_visible_to(actor).filter(pk=person_id).first()
        if found is None:
            errors["person"] = "Choose a person you have access to"
        elif found.pk == case.child_id:
            errors["person"] = "Choose someone other than the child"
        return found
    if person is None:
        errors["person"] = "Choose a person already recorded, or enter a new person’s details"
        return None
    family_name = str(person.get("family_name") or "").strip()
    given_name = str(person.get("given_name") or "").strip()
    is_child = person.get("is_child")
    born = person.get("date_of_birth")
    sex = person.get("sex") or Sex.UNKNOWN
    if not family_name:
        errors["person.family_name"] = "Enter the person’s last name"
    if is_child is None:
        errors["person.is_child"] = "Select yes if the person is a child (under 18)"
    if born is not None and born > today():
        errors["person.date_of_birth"] = "Date of birth must be today or in the past"
    if sex not in Sex.values:
        errors["person.sex"] = "Select the person’s sex"
    if is_child and born is not None and (Person(date_of_birth=born).age_on(today()) or 0) >= 18:
        errors["person.is_child"] = "The date of birth is of an adult: select no, or check it"
    if errors:
        return None
    # Seen by nobody (row-level security, safeguard.cases.rls) until the caller links them to
    # the child, at once.
    with rls.system_scope():
        return Person.objects.create(
            is_child=bool(is_child), given_name=given_name, family_name=family_name,
            date_of_birth=born, sex=sex, family_name_key=name_key(family_name),
            created_by=actor,
        )


def _check_relationship(kind: str, parental_responsibility: bool, errors: dict[str, str],
                        *, required: bool) -> None:
    if not kind:
        if required:
            errors["relationship"] = "Select the person’s relationship to the child"
        elif parental_responsibility:
            errors["relationship"] = ("Select the relationship to the child of a person with "
                                      "parental responsibility")
        return
    if kind not in RelationshipKind.values:
        errors["relationship"] = "Select the person’s relationship to the child"
    elif parental_responsibility and kind not in PR_KINDS:
        errors["parental_responsibility"] = "A sibling cannot hold parental responsibility " \
                                            "for the child"


def _relate(child: Person, person: Person, kind: str, parental_responsibility: bool) -> bool:
    """Record the relationship (siblings both ways round); False if it was already there."""
    rel, created = Relationship.objects.get_or_create(
        child=child, person=person, kind=kind,
        defaults={"has_parental_responsibility": parental_responsibility})
    if not created and rel.has_parental_responsibility != parental_responsibility:
        rel.has_parental_responsibility = parental_responsibility
        rel.save(update_fields=["has_parental_responsibility"])
        created = True
    if kind in SIBLING_KINDS:
        Relationship.objects.get_or_create(child=person, person=child, kind=kind)
    return created


@transaction.atomic
def household_member_add(
    *, actor: Any, case_id: int, person_id: int | None = None,
    person: Mapping[str, Any] | None = None, relationship: str = "",
    parental_responsibility: bool = False, since: date | None = None,
    context: Context | None = None,
) -> HouseholdMember:
    """Someone lives with the child: an existing person (``person_id``) or a new one
    (``person``: ``given_name``, ``family_name``, ``is_child``, optional ``date_of_birth``,
    ``sex``), with their relationship to the child if any (``relationship``, a
    :class:`RelationshipKind`) and whether they hold parental responsibility. The child's
    household is made if there is none yet."""
    case = _case_for_edit(actor, case_id)
    child = case.child
    errors: dict[str, str] = {}
    _check_relationship(relationship, parental_responsibility, errors, required=False)
    if since is not None and since > today():
        errors["since"] = "Date they moved in must be today or in the past"
    found = _person(actor, case, person_id, person, errors)
    household = current_household(child)
    if found is not None and household is not None and HouseholdMember.objects.filter(
            household=household, person=found, until__isnull=True).exists():
        errors["person"] = "This person is already recorded as living with the child"
    if errors:
        raise Invalid(errors)
    assert found is not None
    if household is None:
        # The household is seen with its members (row-level security): the child, at once.
        with rls.system_scope():
            household = Household.objects.create(address=child.address,
                                                 postcode=child.postcode, created_by=actor)
            HouseholdMember.objects.create(household=household, person=child)
    member, created = HouseholdMember.objects.get_or_create(
        household=household, person=found, defaults={"since": since})
    if not created:
        member.since, member.until = since, None
        member.save(update_fields=["since", "until"])
    fields = ["members"]
    if relationship:
        _relate(child, found, relationship, parental_responsibility)
        fields.append("relationships")
    household.version += 1
    household.save(update_fields=["version", "updated_at"])
    audit(actor=actor, action="add_member", obj=household, case_id=case.pk, context=context,
          detail={"fields": fields, "new_person": person_id is None})
    recompute_obligations(case)
    return member


@transaction.atomic
def relationship_add(
    *, actor: Any, case_id: int, relationship: str, person_id: int | None = None,
    person: Mapping[str, Any] | None = None, parental_responsibility: bool = False,
    context: Context | None = None,
) -> Relationship:
    """Record someone's relationship to the child (an existing person, or a new one as for
    :func:`household_member_add`), whether or not they live with the child."""
    case = _case_for_edit(actor, case_id)
    child = case.child
    errors: dict[str, str] = {}
    _check_relationship(relationship, parental_responsibility, errors, required=True)
    found = _person(actor, case, person_id, person, errors)
    if found is not None and not errors and Relationship.objects.filter(
            child=child, person=found, kind=relationship,
            has_parental_responsibility=parental_responsibility).exists():
        errors["relationship"] = "This relationship is already recorded"
    if errors:
        raise Invalid(errors)
    assert found is not None
    _relate(child, found, relationship, parental_responsibility)
    rel = Relationship.objects.get(child=child, person=found, kind=relationship)
    audit(actor=actor, action="add_relationship", obj=rel, case_id=case.pk, context=context,
          detail={"fields": ["kind", "has_parental_responsibility"],
                  "new_person": person_id is None})
    recompute_obligations(case)
    return rel


@transaction.atomic
def household_member_leave(
    *, actor: Any, case_id: int, member_id: int, until: date, version: int | None = None,
    context: Context | None = None,
) -> HouseholdMember:
    """Someone no longer lives with the child (from ``until``). ``version`` is the
    household's."""
    case = _case_for_edit(actor, case_id)
    household = current_household(case.child)
    member = HouseholdMember.objects.filter(pk=member_id, household=household,
                                            until__isnull=True).exclude(person=case.child)\
        .first() if household is not None else None
    if member is None or household is None:
        raise NotAllowed("This person is not recorded as living with the child.")
    household = Household.objects.select_for_update().get(pk=household.pk)
    check_version(household, version)
    errors: dict[str, str] = {}
    if until > today():
        errors["until"] = "Date they moved out must be today or in the past"
    elif member.since is not None and until < member.since:
        errors["until"] = "Date they moved out must be on or after they moved in"
    if errors:
        raise Invalid(errors)
    member.until = until
    member.save(update_fields=["until"])
    household.version += 1
    household.save(update_fields=["version", "updated_at"])
    audit(actor=actor, action="remove_member", obj=household, case_id=case.pk, context=context,
          detail={"fields": ["members"]})
    recompute_obligations(case)
    return member
