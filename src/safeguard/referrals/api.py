"""The referrals part of the REST API (/api/v1), calling the same services as the pages.

- ``GET /referrals/queue``: referrals awaiting a decision (children's social care).
- ``POST /referrals``: make (or record) a referral.
- ``GET /referrals/{id}``: a referral with its decision (the referrer sees the decision and
  the feedback to them).
- ``POST /referrals/{id}/decision``: the decision on next steps. ``version`` is the decision's
  version the change is made against; leave it out (or send 0) for the first decision, so
  two people deciding at once never silently overwrite each other (409).
- ``POST /referrals/{id}/authorisation``: a manager authorises the decision.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from safeguard.api.auth import signed_in
from safeguard.api.openapi import error_responses
from safeguard.api.problems import service_problem
from safeguard.cases.api import actor_of, api_context
from safeguard.cases.policy import staff_of
from safeguard.core.services import NotAllowed
from safeguard.referrals.models import REFERRAL_SOURCES, Outcome
from safeguard.referrals.selectors import decision_obligation, front_door_queue, referral_for
from safeguard.referrals.services import decision_authorise, referral_create, referral_decide

router = Router(auth=signed_in, tags=["referrals"])

SourceCode = Literal[("", *(code for code, _ in REFERRAL_SOURCES))]  # type: ignore[valid-type]
OutcomeCode = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]


class FrontDoorQueueItemOut(Schema):
    referral_id: int
    case_id: int
    case_reference: str
    child_name: str
    received_on: date
    referrer: str
    source: str
    due: date | None = Field(description="The 1 working day decision's due date")
    status: Literal["due", "overdue"]
    working_days_late: int = Field(ge=0)


@router.get("/queue", response=list[FrontDoorQueueItemOut], operation_id="referrals_queue",
            summary="Referrals awaiting a decision, most urgent first",
            description="For children's social care staff of the local authority; anyone "
            "else is refused (403), as the front door page is.",
            openapi_extra=error_responses(401, 403))
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    try:
        items = front_door_queue(actor_of(request))
    except NotAllowed as exc:
        raise service_problem(exc, forbidden=True) from exc
    return [{
        "referral_id": i.referral.pk, "case_id": i.referral.case_id,
        "case_reference": i.referral.case.reference,
        "child_name": i.referral.case.child.full_name, "received_on": i.referral.received_on,
        "referrer": i.referral.referrer_agency.name if i.referral.referrer_agency
        else i.referral.referrer_name,
        "source": i.referral.source, "due": i.due, "status": i.status,
        "working_days_late": i.working_days_late,
    } for i in items]


class ReferralChildIn(Schema):
    given_name: str = ""
    family_name: str
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = Field(None, description="For an unborn child")
    sex: Literal["F", "M", "U"] = "U"
    nhs_number: str = Field("", description="10 digits with a valid check digit")
    upn: str = Field("", description="13 characters with a valid check letter")
    address: str = ""
    postcode: str = ""


class ReferralIn(Schema):
    concerns: str
    child: ReferralChildIn
    received_on: date | None = Field(
        None, description="Front door staff: the day it was received. Partner agencies: "
        "leave out (today)")
    source: SourceCode = Field(  # type: ignore[valid-type]
        "", description="The DfE CIN census referral source code; partner agencies may leave "
        "it out (their agency's)")
    referrer_agency_id: int | None = Field(
        None, description="Front door staff: the partner agency that referred")
    referrer_name: str = ""
    referrer_contact: str = ""


class ReferralDecisionOut(Schema):
    decided_on: date
    outcome: OutcomeCode  # type: ignore[valid-type]
    outcome_label: str
    reasons: str | None = Field(description="Children's social care only; null for others")
    feedback_to_referrer: str
    feedback_given_on: date | None
    family_informed: bool | None = Field(description="Children's social care only")
    family_not_informed_reason: str | None
    recorded_by: str
    authorised_by: str | None
    authorised_on: date | None
    version: int = Field(description="Give it back when changing or authorising the decision")


class FrontDoorReferralOut(Schema):
    id: int
    case_id: int
    case_reference: str
    child_name: str
    received_on: date
    source: str
    referrer_agency: str | None
    referrer_name: str
    concerns: str
    decision_due: date | None
    decision_status: str | None = Field(description="Of the decision duty: due, overdue, met, "
                                        "late …")
    decision: ReferralDecisionOut | None


def referral_document(actor: Any, referral: Any) -> dict[str, Any]:
    staff = staff_of(actor)
    social_care = staff is not None and staff.in_social_care
    obligation = decision_obligation(referral)
    d = referral.decision_or_none
    decision = None
    if d is not None:
        decision = {
            "decided_on": d.decided_on, "outcome": d.outcome,
            "outcome_label": d.get_outcome_display(),
            "reasons": d.reasons if social_care else None,
            "feedback_to_referrer": d.feedback_to_referrer,
            "feedback_given_on": d.feedback_given_on,
            "family_informed": d.family_informed if social_care else None,
            "family_not_informed_reason": d.family_not_informed_reason if social_care else None,
            "recorded_by": d.recorded_by.name,
            "authorised_by": d.authorised_by.name if d.authorised_by else None,
            "authorised_on": d.authorised_on, "version": d.version,
        }
    return {
        "id": referral.pk, "case_id": referral.case_id,
        "case_reference": referral.case.reference,
        "child_name": referral.case.child.full_name, "received_on": referral.received_on,
        "source": referral.source,
        "referrer_agency": referral.referrer_agency.name if referral.referrer_agency else None,
        "referrer_name": referral.referrer_name, "concerns": referral.concerns,
        "decision_due": obligation.due if obligation else None,
        "decision_status": obligation.status if obligation else None,
        "decision": decision,
    }


@router.post("", response={201: FrontDoorReferralOut}, operation_id="referral_create",
             summary="Make a referral to children's social care",
             openapi_extra=error_responses(400, 401, 403))
def create(request: HttpRequest, payload: ReferralIn) -> Status[Any]:
    try:
        referral = referral_create(
            actor=actor_of(request), received_on=payload.received_on, source=payload.source,
            concerns=payload.concerns, child=payload.child.dict(),
            referrer_agency_id=payload.referrer_agency_id, referrer_name=payload.referrer_name,
            referrer_contact=payload.referrer_contact, context=api_context(request))
    except NotAllowed as exc:
        raise service_problem(exc, forbidden=True) from exc
    actor = actor_of(request)
    return Status(201, referral_document(actor, referral_for(actor, referral.pk)))


@router.get("/{int:referral_id}", response=FrontDoorReferralOut, operation_id="referral_read",
            summary="A referral and its decision", openapi_extra=error_responses(401, 404))
def read(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    referral = referral_for(actor_of(request), referral_id, context=api_context(request))
    return referral_document(actor_of(request), referral)


class ReferralDecisionIn(Schema):
    decided_on: date
    outcome: OutcomeCode  # type: ignore[valid-type]
    reasons: str
    feedback_to_referrer: str = ""
    feedback_given_on: date | None = None
    family_informed: bool
    family_not_informed_reason: str = ""
    version: int = Field(0, ge=0, description="The decision's version the change is made "
                         "against; 0 (or left out) for the first decision")


@router.post("/{int:referral_id}/decision", response=FrontDoorReferralOut,
             operation_id="referral_decide", summary="Record the decision on next steps",
             openapi_extra=error_responses(400, 401, 404, 409))
def decide(request: HttpRequest, referral_id: int, payload: ReferralDecisionIn) -> dict[str, Any]:
    referral_decide(actor=actor_of(request), referral_id=referral_id, context=api_context(request),
                    **payload.dict())
    return referral_document(actor_of(request), referral_for(actor_of(request), referral_id))


class DecisionAuthorisationIn(Schema):
    version: int = Field(ge=1, description="The decision's version being authorised")


@router.post("/{int:referral_id}/authorisation", response=FrontDoorReferralOut,
             operation_id="decision_authorise", summary="Authorise the decision (managers)",
             openapi_extra=error_responses(400, 401, 404, 409))
def authorise(request: HttpRequest, referral_id: int, payload: DecisionAuthorisationIn
              ) -> dict[str, Any]:
    decision_authorise(actor=actor_of(request), referral_id=referral_id, version=payload.version,
                       context=api_context(request))
    return referral_document(actor_of(request), referral_for(actor_of(request), referral_id))
