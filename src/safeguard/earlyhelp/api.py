"""The early help part of the REST API (/api/v1/early-help), calling the same selectors and
services as the pages.

- ``GET /early-help``: the early help records the caller may see
- ``POST /early-help``: start an early help assessment — refused without consent recorded
- ``GET /early-help/{id}``
- ``POST /early-help/{id}/plan``, ``POST /early-help/{id}/reviews``,
  ``POST /early-help/{id}/closure``: versioned
- ``POST /early-help/{id}/step-up``: refer the child to children's social care (no consent
  needed, WT2018 1.10); the referral is linked to the record

A step-down from children's social care is ``POST /assessments/cases/{id}/closure`` with RC9.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from safeguard.api.auth import signed_in
from safeguard.api.openapi import error_responses
from safeguard.api.problems import service_problem
from safeguard.cases.api import api_context
from safeguard.core.services import NotAllowed
from safeguard.earlyhelp import selectors, services

router = Router(auth=signed_in, tags=["early help"])

VERSION = "The record's version the change is made against (from the last read)"
ConsentFrom = Literal["child_and_parents", "parents", "child"]


class ChildIn(Schema):
    given_name: str = ""
    family_name: str
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = Field(None, description="For an unborn child")
    sex: Literal["F", "M", "U"] = "U"
    nhs_number: str = ""
    upn: str = ""
    address: str = ""
    postcode: str = ""


class EarlyHelpStartIn(Schema):
    child: ChildIn | None = Field(None, description="A child not yet known to the caller")
    child_id: int | None = Field(None, description="Or a child on a case or early help "
                                                   "record the caller may see")
    started_on: date
    consent_given: bool | None = Field(description="The child and their parents or carers "
                                                   "agreed (WT2018 1.9); refused when not true")
    consent_from: ConsentFrom | Literal[""] = ""
    consent_given_by: str = Field("", description="Who gave consent")
    consent_recorded_on: date | None = Field(None, description="When consent was given")
    lead_practitioner_id: int | None = Field(None, description="Leave out to lead it "
                                                               "yourself")
    agency_ids: list[int] = Field([], description="Other agencies working with the family")
    needs: str
    wishes_and_feelings: str = ""


class PlanIn(Schema):
    version: int = Field(description=VERSION)
    started_on: date
    outcomes: str = Field(description="The outcomes for the child and how they are measured")
    services: str = ""
    next_review_on: date | None


class ReviewIn(Schema):
    version: int = Field(description=VERSION)
    held_on: date
    progress: str
    next_review_on: date | None


class CloseIn(Schema):
    version: int = Field(description=VERSION)
    closed_on: date
    reason: Literal["outcomes_met", "stepped_up", "consent_withdrawn", "moved", "other"]


class StepUpIn(Schema):
    version: int = Field(description=VERSION)
    concerns: str


class EarlyHelpReviewOut(Schema):
    id: int
    held_on: date
    progress: str
    next_review_on: date | None


class EarlyHelpPlanOut(Schema):
    started_on: date
    outcomes: str
    services: str
    next_review_on: date | None
    ended_on: date | None
    reviews: list[EarlyHelpReviewOut]


class LeadOut(Schema):
    id: int
    name: str
    agency: str


class EarlyHelpOut(Schema):
    id: int
    child_id: int
    child_name: str
    local_authority_id: int | None
    agency_id: int = Field(description="The lead practitioner's agency")
    lead_practitioner: LeadOut | None
    contributing_agency_ids: list[int]
    started_on: date
    consent_given: bool
    consent_from: str
    consent_given_by: str
    consent_recorded_on: date | None
    needs: str
    wishes_and_feelings: str
    completed_on: date | None
    plan: EarlyHelpPlanOut | None
    stepped_down_from_case_id: int | None
    stepped_up_to_referral_id: int | None
    closed_on: date | None
    closure_reason: str
    version: int


class ReferralOut(Schema):
    id: int
    case_id: int
    case_reference: str
    received_on: date
    source: str


def document(r: Any) -> dict[str, Any]:
    plan = selectors.plan_of(r)
    lead = r.lead_practitioner
    return {
        "id": r.pk, "child_id": r.child_id, "child_name": r.child.full_name,
        "local_authority_id": r.local_authority_id, "agency_id": r.agency_id,
        "lead_practitioner": {"id": lead.pk, "name": lead.name, "agency": lead.agency.name}
        if lead else None,
        "contributing_agency_ids": [a.pk for a in r.contributing_agencies.all()],
        "started_on": r.started_on, "consent_given": r.consent_given,
        "consent_from": r.consent_from, "consent_given_by": r.consent_given_by,
        "consent_recorded_on": r.consent_recorded_on, "needs": r.needs,
        "wishes_and_feelings": r.wishes_and_feelings, "completed_on": r.completed_on,
        "plan": {"started_on": plan.started_on, "outcomes": plan.outcomes,
                 "services": plan.services, "next_review_on": plan.next_review_on,
                 "ended_on": plan.ended_on,
                 "reviews": [{"id": v.pk, "held_on": v.held_on, "progress": v.progress,
                              "next_review_on": v.next_review_on} for v in plan.reviews.all()]}
        if plan else None,
        # Named only to those who may see the case (early_help_read).
        "stepped_down_from_case_id": getattr(r, "step_down_case_id", None),
        "stepped_up_to_referral_id": r.stepped_up_to_id, "closed_on": r.closed_on,
        "closure_reason": r.closure_reason, "version": r.version,
    }


def _read(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    return document(selectors.early_help_read(request.auth, assessment_id,
                                              context=api_context(request)))


def _visible_or_forbidden(request: HttpRequest, assessment_id: int, exc: NotAllowed) -> Any:
    """A refusal on a record the caller may see is a 403; else a 404."""
    seen = selectors.early_help_visible_to(request.auth).filter(pk=assessment_id).exists()
    return service_problem(exc, forbidden=seen)


@router.get("", response=list[EarlyHelpOut], operation_id="early_help_list",
            summary="The early help records the caller may see",
            openapi_extra=error_responses(401))
def early_help_list(request: HttpRequest) -> list[dict[str, Any]]:
    records = list(selectors.early_help_list(request.auth).select_related("stepped_up_to")[:500])
    selectors.name_linked_cases(request.auth, records)
    return [document(r) for r in records]


@router.post("", response={201: EarlyHelpOut}, operation_id="early_help_start",
             summary="Start an early help assessment (consent recorded)",
             description="Refused unless the child and their parents or carers have agreed: "
             "`consent_given` true, with who gave it and when (WT2018 1.9).",
             openapi_extra=error_responses(400, 401, 403))
def early_help_start(request: HttpRequest, payload: EarlyHelpStartIn) -> Status:
    data = payload.dict()
    try:
        record = services.early_help_start(actor=request.auth, context=api_context(request),
                                           **data)
    except NotAllowed as exc:
        raise service_problem(exc, forbidden=True) from exc
    return Status(201, _read(request, record.pk))


@router.get("/{int:assessment_id}", response=EarlyHelpOut, operation_id="early_help_read",
            summary="An early help record", openapi_extra=error_responses(401, 404))
def early_help_read(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    return _read(request, assessment_id)


def _change(request: HttpRequest, assessment_id: int, service: Any, data: dict[str, Any]
            ) -> dict[str, Any]:
    try:
        service(actor=request.auth, assessment_id=assessment_id, context=api_context(request),
                **data)
    except NotAllowed as exc:
        raise _visible_or_forbidden(request, assessment_id, exc) from exc
    return _read(request, assessment_id)


@router.post("/{int:assessment_id}/plan", response={201: EarlyHelpOut},
             operation_id="early_help_plan", summary="Agree the early help plan",
             openapi_extra=error_responses(400, 401, 403, 404, 409))
def early_help_plan(request: HttpRequest, assessment_id: int, payload: PlanIn
                    ) -> Status:
    return Status(201, _change(request, assessment_id, services.early_help_plan_record,
                               payload.dict()))


@router.post("/{int:assessment_id}/reviews", response={201: EarlyHelpOut},
             operation_id="early_help_review", summary="Review the early help plan",
             openapi_extra=error_responses(400, 401, 403, 404, 409))
def early_help_review(request: HttpRequest, assessment_id: int, payload: ReviewIn
                      ) -> Status:
    return Status(201, _change(request, assessment_id, services.early_help_review,
                               payload.dict()))


@router.post("/{int:assessment_id}/closure", response=EarlyHelpOut,
             operation_id="early_help_close", summary="End early help",
             openapi_extra=error_responses(400, 401, 403, 404, 409))
def early_help_close(request: HttpRequest, assessment_id: int, payload: CloseIn
                     ) -> dict[str, Any]:
    return _change(request, assessment_id, services.early_help_close, payload.dict())


@router.post("/{int:assessment_id}/step-up", response={201: ReferralOut},
             operation_id="early_help_step_up",
             summary="Refer the child to children's social care",
             description="No consent is needed to make a referral (WT2018 1.10). The referral "
             "(source 5D, early help) is linked to the record and the lead practitioner is "
             "involved in the case.", openapi_extra=error_responses(400, 401, 403, 404, 409))
def early_help_step_up(request: HttpRequest, assessment_id: int, payload: StepUpIn
                       ) -> Status:
    try:
        referral = services.early_help_step_up(actor=request.auth, assessment_id=assessment_id,
                                               context=api_context(request), **payload.dict())
    except NotAllowed as exc:
        raise _visible_or_forbidden(request, assessment_id, exc) from exc
    return Status(201, {"id": referral.pk, "case_id": referral.case_id,
                        "case_reference": referral.case.reference,
                        "received_on": referral.received_on, "source": referral.source})
