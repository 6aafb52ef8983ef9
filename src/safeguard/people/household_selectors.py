"""Reads of a child's household and relationships, through a case the acting person may see.

:func:`household_of` is what the case page shows: the people the child lives with, their
relationships to the child (with parental responsibility), and the child's siblings — always
listed (WT2018 1.53: "siblings within the family should always be considered"), with the
cases of theirs the acting person may see.

Siblings are the children recorded as the child's brothers or sisters (either way round),
the other children of the child's mother or father, and the other children the child lives
with; each says why it is listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from safeguard.cases.models import Case
from safeguard.cases.policy import cases_visible_to, require_view
from safeguard.core.dates import today
from safeguard.people.models import (
    Household,
    HouseholdMember,
    Person,
    Relationship,
    RelationshipKind,
)

SIBLING_KINDS = frozenset({RelationshipKind.SIBLING, RelationshipKind.HALF_SIBLING})
PARENT_KINDS = frozenset({RelationshipKind.MOTHER, RelationshipKind.FATHER})


@dataclass(frozen=True)
class CaseLink:
    case_id: int
    reference: str
    is_open: bool


@dataclass
class Member:
    """A person in the child's household or family, as the case page lists them."""

    person: Person
    relationships: list[str] = field(default_factory=list)
    parental_responsibility: bool = False
    lives_with_child: bool = False
    since: date | None = None
    member_id: int | None = None

    @property
    def age(self) -> int | None:
        return self.person.age_on(today())


@dataclass
class Sibling:
    person: Person
    reasons: list[str] = field(default_factory=list)
    lives_with_child: bool = False
    cases: list[CaseLink] = field(default_factory=list)

    @property
    def age(self) -> int | None:
        return self.person.age_on(today())


@dataclass
class HouseholdView:
    case: Case
    child: Person
    household: Household | None
    #: Everyone the child lives with now (the child excluded), then relatives living elsewhere.
    members: list[Member]
    #: The relationships recorded to the child.
    relationships: list[Relationship]
    siblings: list[Sibling]

    @property
    def living_elsewhere(self) -> list[Member]:
        return [m for m in self.members if not m.lives_with_child]

    @property
    def living_with_child(self) -> list[Member]:
        return [m for m in self.members if m.lives_with_child]


def current_household(child: Person) -> Household | None:
    """The household the child lives in now (the latest joined, if several)."""
    member = (
        HouseholdMember.objects.filter(person=child, until__isnull=True)
        .select_related("household").order_by("-since", "-id").first()
    )
    return member.household if member is not None else None


def _sibling_ids(child: Person) -> dict[int, list[str]]:
    """Sibling person ids with why each is a sibling."""
    found: dict[int, list[str]] = {}

    def add(pk: int, reason: str) -> None:
        if pk != child.pk and reason not in found.setdefault(pk, []):
            found[pk].append(reason)

    for pk, kind in Relationship.objects.filter(child=child, kind__in=SIBLING_KINDS)\
            .values_list("person_id", "kind"):
        add(pk, RelationshipKind(kind).label)
    for pk, kind in Relationship.objects.filter(person=child, kind__in=SIBLING_KINDS)\
            .values_list("child_id", "kind"):
        add(pk, RelationshipKind(kind).label)
    parents = Relationship.objects.filter(child=child, kind__in=PARENT_KINDS)\
        .values_list("person_id", "kind")
    for parent_id, kind in parents:
        label = "Same mother" if kind == RelationshipKind.MOTHER else "Same father"
        for other in Relationship.objects.filter(person_id=parent_id, kind=kind)\
                .exclude(child=child).values_list("child_id", flat=True):
            add(other, label)
    return found


def household_of(actor: Any, case: Case) -> HouseholdView:
    """The child's household, relationships and siblings, for a case the acting person may
    see (else :class:`~safeguard.core.services.NotAllowed`). Sibling cases are listed only
    where the acting person may see them."""
    case = require_view(actor, case.pk)
    child = case.child
    household = current_household(child)
    relationships = list(
        Relationship.objects.filter(child=child).select_related("person")
        .order_by("kind", "person__family_name", "person__given_name")
    )
    members: dict[int, Member] = {}
    if household is not None:
        for hm in HouseholdMember.objects.filter(household=household, until__isnull=True)\
                .exclude(person=child).select_related("person").order_by("since", "id"):
            members[hm.person_id] = Member(person=hm.person, lives_with_child=True,
                                           since=hm.since, member_id=hm.pk)
    for rel in relationships:
        if rel.kind in SIBLING_KINDS:
            continue
        member = members.setdefault(rel.person_id, Member(person=rel.person))
        member.relationships.append(rel.get_kind_display())
        member.parental_responsibility |= rel.has_parental_responsibility
    reasons = _sibling_ids(child)
    for pk, member in members.items():
        if member.lives_with_child and member.person.is_child and pk not in reasons:
            reasons[pk] = ["Lives in the same household"]
    people = {p.pk: p for p in Person.objects.filter(pk__in=reasons)}
    visible = cases_visible_to(actor).filter(child_id__in=reasons).order_by("-opened_on")
    cases_of: dict[int, list[CaseLink]] = {}
    for other in visible.values("pk", "reference", "closed_on", "child_id"):
        cases_of.setdefault(other["child_id"], []).append(
            CaseLink(other["pk"], other["reference"], other["closed_on"] is None))
    siblings = [
        Sibling(person=people[pk], reasons=why,
                lives_with_child=pk in members and members[pk].lives_with_child,
                cases=cases_of.get(pk, []))
        for pk, why in reasons.items() if pk in people
    ]
    siblings.sort(key=lambda s: (s.person.date_of_birth or s.person.expected_date_of_birth
                                 or date.max, s.person.pk))
    for pk, why in reasons.items():
        member = members.get(pk)
        if member is not None and not member.relationships:
            member.relationships.extend(why)
    ordered = sorted(members.values(), key=lambda m: (not m.lives_with_child,
                                                      m.person.is_child, m.person.family_name,
                                                      m.person.given_name))
    return HouseholdView(case=case, child=child, household=household, members=ordered,
                         relationships=relationships, siblings=siblings)


def family_network(actor: Any, child: Person) -> QuerySet[Person]:
    """People already recorded around the child's family whom the acting person may see
    (``people_visible_to``): the members of the child's households, the people related to
    the child, and those related to or living with the child's siblings and relatives. The
    choices for adding an existing person."""
    rel_ids = set(Relationship.objects.filter(child=child).values_list("person_id", flat=True))
    rel_ids |= set(Relationship.objects.filter(person=child).values_list("child_id", flat=True))
    households = HouseholdMember.objects.filter(person_id__in=rel_ids | {child.pk})\
        .values("household_id")
    ids = rel_ids | set(HouseholdMember.objects.filter(household_id__in=households)
                        .values_list("person_id", flat=True))
    ids |= set(Relationship.objects.filter(child_id__in=ids).values_list("person_id", flat=True))
    ids |= set(Relationship.objects.filter(person_id__in=ids).values_list("child_id", flat=True))
    ids.discard(child.pk)
    return (people_visible_to(actor).filter(pk__in=ids)
            .order_by("family_name", "given_name"))


def people_visible_to(actor: Any) -> QuerySet[Person]:
    """People the acting person may already see: the children of the cases they may see,
    and the people recorded in those children's households and relationships."""
    children = cases_visible_to(actor).values("child_id")
    households = HouseholdMember.objects.filter(person_id__in=children).values("household_id")
    return Person.objects.filter(
        Q(pk__in=children)
        | Q(pk__in=Relationship.objects.filter(child_id__in=children).values("person_id"))
        | Q(pk__in=Relationship.objects.filter(person_id__in=children).values("child_id"))
        | Q(pk__in=HouseholdMember.objects.filter(household_id__in=households)
            .values("person_id"))
    )
