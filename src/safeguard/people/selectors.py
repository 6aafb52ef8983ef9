"""Finding people: by name (typos allowed), date of birth, NHS number or UPN.

Only people on cases the acting person may see are searched (the children of those cases,
and the people related to them or living with them): every search starts from
``cases_visible_to``. Names are matched without any database extension, so the same code
runs on SQLite and PostgreSQL: candidates are narrowed in the database by the phonetic key
of the family name (``Person.family_name_key``, Metaphone) or the first letter of a name,
then scored with rapidfuzz, so "Tunrer" finds Turner and "Smyth" finds Smith. Searches are
recorded in the audit trail (the fields used and the number of results, never the terms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from rapidfuzz import fuzz, utils

from safeguard.cases.models import Case
from safeguard.cases.policy import cases_visible_to, staff_of
from safeguard.core.services import Context, Invalid, audit
from safeguard.people.identifiers import (
    normalise_nhs_number,
    normalise_upn,
)
from safeguard.people.models import HouseholdMember, Person, Relationship, RelationshipKind
from safeguard.people.services import name_key

#: The lowest rapidfuzz score (0-100) that counts as a match of a name.
MATCH_FROM = 75
#: At most this many candidates are scored, and this many results shown.
MAX_CANDIDATES = 5000
MAX_RESULTS = 50


@dataclass
class Link:
    """How a person found is linked to a case the acting person may see."""

    case: Case
    relationship: str  # "" for the case's own child, else e.g. "Mother of Ava Turner"


@dataclass
class Found:
    person: Person
    score: float
    links: list[Link] = field(default_factory=list)


def visible_people(actor: Any) -> Any:
    """Everyone on a case the acting person may see: the cases' children, the people
    related to them, and the people living with them."""
    cases = cases_visible_to(actor)
    children = cases.values("child_id")
    related = Relationship.objects.filter(child_id__in=children).values("person_id")
    households = HouseholdMember.objects.filter(person_id__in=children).values("household_id")
    members = HouseholdMember.objects.filter(household_id__in=households).values("person_id")
    return Person.objects.filter(Q(pk__in=children) | Q(pk__in=related) | Q(pk__in=members))


def name_score(query: str, person: Person) -> float:
    """How well ``query`` matches the person's names, 0 to 100."""
    full = f"{person.given_name} {person.family_name}"
    score = fuzz.token_sort_ratio(query, full, processor=utils.default_process)
    words = utils.default_process(query).split()
    if len(words) == 1:
        parts = [p for p in (person.given_name, person.family_name, person.other_names) if p]
        score = max([score, *(fuzz.ratio(words[0], p, processor=utils.default_process)
                              for p in parts)])
    elif len(words) > 1:
        # Each word against its best name, so "Turner Ava" and "Ava Tunrer" both match.
        parts = utils.default_process(f"{full} {person.other_names}").split()
        if parts:
            per_word = [max(fuzz.ratio(w, p) for p in parts) for w in words]
            score = max(score, sum(per_word) / len(per_word))
    if person.family_name_key and person.family_name_key in {name_key(w) for w in words}:
        score = max(score, 85.0)
    return float(score)


def people_search(
    actor: Any, *, name: str = "", date_of_birth: date | None = None, nhs_number: str = "",
    upn: str = "", context: Context | None = None,
) -> list[Found]:
    """People on the acting person's visible cases matching every criterion given, best
    first. :class:`Invalid` when no criterion is given."""
    name = " ".join(name.split())[:200]
    if not (name or date_of_birth or nhs_number.strip() or upn.strip()):
        raise Invalid({"name": "Enter a name, date of birth, NHS number or unique pupil number"})
    people = visible_people(actor) if staff_of(actor) is not None else Person.objects.none()
    if nhs_number.strip():
        people = people.filter(nhs_number=normalise_nhs_number(nhs_number))
    if upn.strip():
        people = people.filter(upn=normalise_upn(upn))
    if date_of_birth is not None:
        people = people.filter(Q(date_of_birth=date_of_birth)
                               | Q(expected_date_of_birth=date_of_birth))
    if name:
        words = [w for w in name.split() if w]
        narrow = Q(family_name_key__in=[k for k in (name_key(w) for w in words) if k])
        for w in words:
            narrow |= Q(family_name__istartswith=w[0]) | Q(given_name__istartswith=w[0])
        people = people.filter(narrow)
    candidates = list(people.only("id", "given_name", "family_name", "other_names",
                                  "family_name_key", "date_of_birth",
                                  "expected_date_of_birth", "nhs_number", "upn", "is_child",
                                  "sex")[:MAX_CANDIDATES])
    found = []
    for person in candidates:
        score = name_score(name, person) if name else 100.0
        if score >= MATCH_FROM:
            found.append(Found(person, score))
    found.sort(key=lambda f: (-f.score, f.person.family_name, f.person.given_name, f.person.pk))
    found = found[:MAX_RESULTS]
    _link_cases(actor, found)
    used = [k for k, v in (("name", name), ("date_of_birth", date_of_birth),
                           ("nhs_number", nhs_number.strip()), ("upn", upn.strip())) if v]
    audit(actor=actor, action="search", object_type="people.person",
          detail={"fields": used, "results": len(found)}, context=context)
    return found


def _link_cases(actor: Any, found: list[Found]) -> None:
    """Each person's visible cases: their own, and those of the children they are related
    to or live with."""
    if not found:
        return
    ids = [f.person.pk for f in found]
    cases = cases_visible_to(actor).select_related("child")
    by_person: dict[int, list[Link]] = {pk: [] for pk in ids}
    for case in cases.filter(child_id__in=ids):
        by_person[case.child_id].append(Link(case, ""))
    labels = dict(RelationshipKind.choices)
    relations = Relationship.objects.filter(person_id__in=ids).values_list(
        "person_id", "child_id", "kind")
    child_cases: dict[int, list[Case]] = {}
    for case in cases.filter(child_id__in=[c for _p, c, _k in relations]):
        child_cases.setdefault(case.child_id, []).append(case)
    for person_id, child_id, kind in relations:
        for case in child_cases.get(child_id, []):
            by_person[person_id].append(
                Link(case, f"{labels.get(kind, 'Related to')} of {case.child.full_name}"))
    for f in found:
        f.links = by_person.get(f.person.pk, [])
