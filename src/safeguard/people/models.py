"""Children (including unborn children), parents, carers and other adults; households and
relationships (WT2018 1.53: siblings are always considered)."""

from __future__ import annotations

from datetime import date

from django.db import models

from safeguard.core.models import Record
from safeguard.people.identifiers import validate_nhs_number, validate_upn


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


ETHNICITY_CODES = [
    ("WBRI", "White British"), ("WIRI", "White Irish"), ("WIRT", "Traveller of Irish heritage"),
    ("WOTH", "Any other White background"), ("WROM", "Gypsy/Roma"),
    ("MWBC", "White and Black Caribbean"), ("MWBA", "White and Black African"),
    ("MWAS", "White and Asian"), ("MOTH", "Any other mixed background"), ("AIND", "Indian"),
    ("APKN", "Pakistani"), ("ABAN", "Bangladeshi"), ("AOTH", "Any other Asian background"),
    ("BCRB", "Caribbean"), ("BAFR", "African"), ("BOTH", "Any other Black background"),
    ("CHNE", "Chinese"), ("OOTH", "Any other ethnic group"), ("REFU", "Refused"),
    ("NOBT", "Information not yet obtained"),
]


def full_name_of(given_name: str, family_name: str) -> str:
    """A person's name as Safeguard shows it (:attr:`Person.full_name`), from its parts."""
    return " ".join(p for p in (given_name, family_name) if p) or "Unnamed"


class Person(Record):
    """A child or an adult known to Safeguard.

    A child may be unborn: then ``expected_date_of_birth`` is set and ``date_of_birth`` is not.
    """

    is_child = models.BooleanField(default=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=ETHNICITY_CODES, blank=True)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, db_index=True, validators=[validate_nhs_number]
    )
    upn = models.CharField(
        "unique pupil number", max_length=13, blank=True, db_index=True,
        validators=[validate_upn],
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # For fuzzy search: a phonetic key of the family name, kept by the service.
    family_name_key = models.CharField(max_length=20, blank=True, db_index=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name_of(self.given_name, self.family_name)

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date_of_birth is not None

    def age_on(self, day: date) -> int | None:
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Household(Record):
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"Household {self.pk}"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="households")
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="unique_household_member")
        ]


class RelationshipKind(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    CARER = "carer", "Carer"
    PARTNER_OF_PARENT = "partner_of_parent", "Parent's partner"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Other relative"
    OTHER = "other", "Other"


class Relationship(models.Model):
    """``person`` is the ``kind`` of ``child`` (e.g. the mother of the child)."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=30, choices=RelationshipKind.choices)
    has_parental_responsibility = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "person", "kind"], name="unique_relationship")
        ]
