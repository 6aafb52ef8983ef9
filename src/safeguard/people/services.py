"""Writes to people: finding or adding a child, keeping identifiers clean."""

from __future__ import annotations

from datetime import date
from typing import Any

import jellyfish
from django.core.exceptions import ValidationError

from safeguard.cases import rls
from safeguard.core.services import Invalid
from safeguard.people.identifiers import (
    normalise_nhs_number,
    normalise_upn,
    validate_nhs_number,
    validate_upn,
)
from safeguard.people.models import Person, Sex


def name_key(family_name: str) -> str:
    """A phonetic key of a family name, so search finds Smyth for Smith."""
    letters = "".join(ch for ch in family_name if ch.isalpha())
    return jellyfish.metaphone(letters)[:20] if letters else ""


def clean_identifiers(*, nhs_number: str = "", upn: str = "") -> dict[str, str]:
    """Normalised identifiers, or :class:`Invalid` naming the bad one."""
    errors: dict[str, str] = {}
    out = {"nhs_number": "", "upn": ""}
    if nhs_number.strip():
        try:
            validate_nhs_number(nhs_number)
            out["nhs_number"] = normalise_nhs_number(nhs_number)
        except ValidationError as exc:
            errors["nhs_number"] = exc.messages[0]
    if upn.strip():
        try:
            validate_upn(upn)
            out["upn"] = normalise_upn(upn)
        except ValidationError as exc:
            errors["upn"] = exc.messages[0]
    if errors:
        raise Invalid(errors)
    return out


def find_or_add_child(
    *, given_name: str, family_name: str, date_of_birth: date | None,
    expected_date_of_birth: date | None = None, sex: str = Sex.UNKNOWN, nhs_number: str = "",
    upn: str = "", address: str = "", postcode: str = "", created_by: Any = None,
) -> tuple[Person, bool]:
    """The child already known by NHS number, UPN, or name and date of birth; else a new
    record. (person, created)."""
    errors: dict[str, str] = {}
    if not family_name.strip():
        errors["family_name"] = "Enter the child's last name"
    if date_of_birth is None and expected_date_of_birth is None:
        errors["date_of_birth"] = "Enter the child's date of birth, or the expected date if unborn"
    try:
        ids = clean_identifiers(nhs_number=nhs_number, upn=upn)
    except Invalid as exc:
        errors.update(exc.errors)
        ids = {}
    if errors:
        raise Invalid(errors)
    existing = None
    # The child may be known already on a case or record the acting person does not see (a
    # school referring a child the police know of): the match looks past row-level security
    # (safeguard.cases.rls), so the child keeps one record and one case; a new child is
    # seen by nobody until the caller links it to its case or record. The callers
    # (referrals, early help) have asked the policy, and tell nobody what else is known.
    with rls.system_scope():
        if ids["nhs_number"]:
            existing = Person.objects.filter(nhs_number=ids["nhs_number"]).first()
        if existing is None and ids["upn"]:
            existing = Person.objects.filter(upn=ids["upn"]).first()
        if existing is None and date_of_birth is not None:
            existing = Person.objects.filter(
                is_child=True, family_name__iexact=family_name.strip(),
                given_name__iexact=given_name.strip(), date_of_birth=date_of_birth,
            ).first()
        if existing is not None:
            return existing, False
        person = Person.objects.create(
            is_child=True, given_name=given_name.strip(), family_name=family_name.strip(),
            date_of_birth=date_of_birth, expected_date_of_birth=expected_date_of_birth,
            sex=sex, nhs_number=ids["nhs_number"], upn=ids["upn"], address=address,
            postcode=postcode, family_name_key=name_key(family_name), created_by=created_by,
        )
    return person, True
