"""The people part of the REST API (/api/v1): search, through the same selector as the page.

``GET /people/search`` finds people on the cases the caller may see, by name (typos
allowed), date of birth, NHS number or unique pupil number; the search is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from safeguard.api.auth import signed_in
from safeguard.api.openapi import error_responses
from safeguard.cases.api import actor_of, api_context
from safeguard.core.services import Invalid
from safeguard.people.identifiers import validate_nhs_number, validate_upn
from safeguard.people.selectors import people_search

router = Router(auth=signed_in, tags=["people"])


class PersonCaseLinkOut(Schema):
    case_id: int
    case_reference: str
    relationship: str = Field(description="Empty for the case's own child, else e.g. "
                              "'Mother of Ava Turner'")


class PersonFoundOut(Schema):
    id: int
    given_name: str
    family_name: str
    is_child: bool
    date_of_birth: date | None
    expected_date_of_birth: date | None
    nhs_number: str
    upn: str
    score: float = Field(description="How well the name matched, 0 to 100")
    cases: list[PersonCaseLinkOut]


@router.get("/search", response=list[PersonFoundOut], operation_id="people_search",
            summary="Find people on the cases the caller may see",
            description="Give one or more of `name`, `date_of_birth`, `nhs_number`, `upn`; "
            "people must match all of them. Names match despite typos. Best match first.",
            openapi_extra=error_responses(400, 401))
def search(request: HttpRequest, name: str = "", date_of_birth: date | None = None,
           nhs_number: str = "", upn: str = "") -> list[dict[str, Any]]:
    errors = {}
    for field, value, check in (("nhs_number", nhs_number, validate_nhs_number),
                                ("upn", upn, validate_upn)):
        if value.strip():
            try:
                check(value)
            except ValidationError as exc:
                errors[field] = exc.messages[0]
    if errors:
        raise Invalid(errors)
    found = people_search(actor_of(request), name=name, date_of_birth=date_of_birth,
                          nhs_number=nhs_number, upn=upn, context=api_context(request))
    return [{
        "id": f.person.pk, "given_name": f.person.given_name,
        "family_name": f.person.family_name, "is_child": f.person.is_child,
        "date_of_birth": f.person.date_of_birth,
        "expected_date_of_birth": f.person.expected_date_of_birth,
        "nhs_number": f.person.nhs_number, "upn": f.person.upn, "score": round(f.score, 1),
        "cases": [{"case_id": link.case.pk, "case_reference": link.case.reference,
                   "relationship": link.relationship} for link in f.links],
    } for f in found]
