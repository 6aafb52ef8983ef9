"""The assessments part of the REST API (/api/v1/assessments), calling the same selectors and
services as the pages.

- ``GET /assessments/cases/{case_id}``: the case's assessments and child in need plans
- ``POST /assessments``: start an assessment (from the referral that led to it)
- ``GET /assessments/{id}``: the assessment, with its timescale from the statutory engine
- ``PATCH /assessments/{id}``: record parts of it (child seen, wishes and feelings, the three
  domains, the factors identified); versioned
- ``POST /assessments/{id}/completion``: complete it (the reason is required when later than
  the 45 working days, WT2018 1.75); versioned
- ``POST /assessments/{id}/authorisation``: a team manager authorises it; versioned
- ``POST /assessments/{id}/child-in-need-plan``: start a child in need plan
- ``GET /assessments/child-in-need-plans/{id}``, and ``…/outcomes``, ``…/reviews``, ``…/end``
- ``POST /assessments/cases/{case_id}/closure``: close the case after the assessment (RC8, or
  RC9 with the early help assessment it steps down to)

Errors are problem documents: ``invalid-fields`` (400) with ``errors`` naming each field,
``edit-conflict`` (409), and ``not-found`` (404) for anything the caller may not see or do.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from safeguard.api.auth import signed_in
from safeguard.api.openapi import error_responses
from safeguard.assessments import selectors, services
from safeguard.cases.api import api_context
from safeguard.cases.selectors import case_for

router = Router(auth=signed_in, tags=["assessments"])

Kind = Literal["s17", "s47"]
Outcome = Literal["no_further_action", "early_help", "child_in_need_plan",
                  "strategy_discussion", "child_protection_conference", "looked_after"]
EndReason = Literal["needs_met", "child_protection", "looked_after", "early_help", "moved",
                    "other"]
VERSION = "The record's version the change is made against (from the last read)"


class StaffOut(Schema):
    id: int
    name: str


class TimescaleOut(Schema):
    due: date | None = Field(description="45 working days after the referral, from the "
                                         "statutory engine; null when no referral decision "
                                         "started the timescale")
    status: Literal["due", "overdue", "met", "late", "none"]
    working_days_left: int = Field(ge=0)
    working_days_late: int = Field(ge=0)
    source: str


class AssessmentOut(Schema):
    id: int
    case_id: int
    case_reference: str
    referral_id: int | None
    kind: Kind
    started_on: date
    social_worker: StaffOut | None
    child_seen_on: date | None
    child_seen_alone: bool | None
    wishes_and_feelings: str
    developmental_needs: str
    parenting_capacity: str
    family_and_environment: str
    factors: list[str] = Field(description="Children in need census factor codes")
    completed_on: date | None
    outcome: Outcome | None
    reason_late: str
    authorised_by: StaffOut | None
    authorised_on: date | None
    version: int
    timescale: TimescaleOut


class AssessmentStartIn(Schema):
    case_id: int
    referral_id: int = Field(description="The referral whose decision led to the assessment")
    kind: Kind
    started_on: date
    social_worker_id: int | None = Field(None, description="Leave out for the allocated "
                                                           "worker")


class AssessmentUpdateIn(Schema):
    """Only the members given change."""

    version: int = Field(description=VERSION)
    child_seen_on: date | None = None
    child_seen_alone: bool | None = None
    wishes_and_feelings: str | None = None
    developmental_needs: str | None = None
    parenting_capacity: str | None = None
    family_and_environment: str | None = None
    factors: list[str] | None = Field(None, description="Census codes; '21' (no factors "
                                                        "identified) only on its own")
    social_worker_id: int | None = None


class AssessmentCompleteIn(Schema):
    version: int = Field(description=VERSION)
    completed_on: date
    outcome: Outcome
    reason_late: str = Field("", description="Required when completed later than 45 working "
                                             "days from the referral (WT2018 1.75)")


class VersionIn(Schema):
    version: int = Field(description=VERSION)


class OutcomeIn(Schema):
    outcome: str = Field(description="What will be better for the child")
    measure: str = Field(description="How everyone will know it has been achieved")
    agency_id: int | None = None
    target_on: date | None = None


class OutcomeOut(OutcomeIn):
    id: int
    added_on: date


class ReviewOut(Schema):
    id: int
    held_on: date
    progress: str
    sufficient_progress: bool | None
    next_review_on: date | None
    agency_ids: list[int]


class CinPlanOut(Schema):
    id: int
    case_id: int
    assessment_id: int | None
    started_on: date
    summary: str = Field(description="Services and actions, by whom and for what purpose")
    agency_ids: list[int]
    outcomes: list[OutcomeOut]
    next_review_on: date | None
    ended_on: date | None
    end_reason: EndReason | None
    reviews: list[ReviewOut]
    version: int


class CinPlanIn(Schema):
    started_on: date
    summary: str
    outcomes: list[OutcomeIn] = Field(description="At least one measurable outcome")
    agency_ids: list[int] = []
    next_review_on: date | None = None


class CinOutcomeIn(OutcomeIn):
    version: int = Field(description=VERSION)


class CinReviewIn(Schema):
    version: int = Field(description=VERSION)
    held_on: date
    progress: str
    sufficient_progress: bool | None
    next_review_on: date | None
    agency_ids: list[int] = []


class CinEndIn(Schema):
    version: int = Field(description=VERSION)
    ended_on: date
    end_reason: EndReason


class CaseAssessmentsOut(Schema):
    case_id: int
    assessments: list[AssessmentOut]
    child_in_need_plans: list[CinPlanOut]


class StepDownIn(Schema):
    lead_practitioner_id: int
    started_on: date
    consent_given: bool | None
    consent_from: Literal["child_and_parents", "parents", "child", ""] = ""
    consent_given_by: str = ""
    consent_recorded_on: date | None = None
    needs: str
    wishes_and_feelings: str = ""
    agency_ids: list[int] = []


class CaseCloseIn(Schema):
    version: int = Field(description="The case's version")
    closed_on: date
    reason: Literal["RC8", "RC9"]
    early_help: StepDownIn | None = Field(None, description="Required with RC9: the early "
                                                            "help assessment the child steps "
                                                            "down to (consent recorded)")


class CaseClosedOut(Schema):
    case_id: int
    closed_on: date
    closure_reason: str
    early_help_id: int | None
    version: int


# ---- documents -----------------------------------------------------------------------------


def _staff(staff: Any) -> dict[str, Any] | None:
    return {"id": staff.pk, "name": staff.name} if staff is not None else None


def assessment_document(a: Any) -> dict[str, Any]:
    scale = selectors.timescale(a)
    return {
        "id": a.pk, "case_id": a.case_id, "case_reference": a.case.reference,
        "referral_id": a.referral_id, "kind": a.kind, "started_on": a.started_on,
        "social_worker": _staff(a.social_worker), "child_seen_on": a.child_seen_on,
        "child_seen_alone": a.child_seen_alone, "wishes_and_feelings": a.wishes_and_feelings,
        "developmental_needs": a.developmental_needs,
        "parenting_capacity": a.parenting_capacity,
        "family_and_environment": a.family_and_environment, "factors": list(a.factors),
        "completed_on": a.completed_on, "outcome": a.outcome or None,
        "reason_late": a.reason_late, "authorised_by": _staff(a.authorised_by),
        "authorised_on": a.authorised_on, "version": a.version,
        "timescale": {"due": scale.due, "status": scale.status,
                      "working_days_left": scale.working_days_left,
                      "working_days_late": scale.working_days_late, "source": scale.source},
    }


def plan_document(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk, "case_id": p.case_id, "assessment_id": p.assessment_id,
        "started_on": p.started_on, "summary": p.outcomes,
        "agency_ids": [a.pk for a in p.agencies.all()],
        "outcomes": [{"id": o.pk, "outcome": o.outcome, "measure": o.measure,
                      "agency_id": o.agency_id, "target_on": o.target_on,
                      "added_on": o.added_on} for o in p.outcome_rows.all()],
        "next_review_on": p.next_review_on, "ended_on": p.ended_on,
        "end_reason": p.end_reason or None,
        "reviews": [{"id": r.pk, "held_on": r.held_on, "progress": r.progress,
                     "sufficient_progress": r.sufficient_progress,
                     "next_review_on": r.next_review_on,
                     "agency_ids": [a.pk for a in r.agencies.all()]} for r in p.reviews.all()],
        "version": p.version,
    }


def _read(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    a = selectors.assessment_for(request.auth, assessment_id)
    a.case = case_for(request.auth, a.case_id, context=api_context(request),
                      purpose="view_assessment")
    return assessment_document(a)


def _read_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    p = selectors.cin_plan_for(request.auth, plan_id)
    case_for(request.auth, p.case_id, context=api_context(request), purpose="view_cin_plan")
    return plan_document(p)


# ---- assessments ---------------------------------------------------------------------------


@router.get("/cases/{int:case_id}", response=CaseAssessmentsOut,
            operation_id="case_assessments",
            summary="A case's assessments and child in need plans",
            openapi_extra=error_responses(401, 404))
def case_assessments(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = case_for(request.auth, case_id, context=api_context(request),
                    purpose="view_assessments")
    assessments = []
    for a in selectors.case_assessments(request.auth, case):
        a.case = case
        assessments.append(assessment_document(a))
    plans = selectors.case_cin_plans(request.auth, case).prefetch_related(
        "agencies", "reviews__agencies")
    return {"case_id": case.pk, "assessments": assessments,
            "child_in_need_plans": [plan_document(p) for p in plans]}


@router.post("", response={201: AssessmentOut}, operation_id="assessment_start",
             summary="Start an assessment",
             description="After the decision on the referral that led to it (assessment, "
             "strategy discussion or immediate protection).",
             openapi_extra=error_responses(400, 401, 404))
def assessment_start(request: HttpRequest, payload: AssessmentStartIn) -> Status:
    a = services.assessment_start(actor=request.auth, context=api_context(request),
                                  **payload.dict())
    return Status(201, _read(request, a.pk))


@router.get("/{int:assessment_id}", response=AssessmentOut, operation_id="assessment_read",
            summary="An assessment, with its timescale from the statutory engine",
            openapi_extra=error_responses(401, 404))
def assessment_read(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    return _read(request, assessment_id)


@router.patch("/{int:assessment_id}", response=AssessmentOut, operation_id="assessment_update",
              summary="Record parts of an assessment in progress",
              description="The child seen (date, and whether alone), the child's wishes and "
              "feelings, the three domains of the assessment framework and the factors "
              "identified. Only the members given change.",
              openapi_extra=error_responses(400, 401, 404, 409))
def assessment_update(request: HttpRequest, assessment_id: int,
                      payload: AssessmentUpdateIn) -> dict[str, Any]:
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    services.assessment_update(actor=request.auth, assessment_id=assessment_id,
                               version=version, context=api_context(request), **changes)
    return _read(request, assessment_id)


@router.post("/{int:assessment_id}/completion", response=AssessmentOut,
             operation_id="assessment_complete", summary="Complete an assessment",
             description="Every section must be recorded. Later than 45 working days from "
             "the referral (as the statutory engine counts them), `reason_late` is required "
             "(WT2018 1.75).", openapi_extra=error_responses(400, 401, 404, 409))
def assessment_complete(request: HttpRequest, assessment_id: int,
                        payload: AssessmentCompleteIn) -> dict[str, Any]:
    services.assessment_complete(actor=request.auth, assessment_id=assessment_id,
                                 context=api_context(request), **payload.dict())
    return _read(request, assessment_id)


@router.post("/{int:assessment_id}/authorisation", response=AssessmentOut,
             operation_id="assessment_authorise",
             summary="Authorise a completed assessment (team managers)",
             openapi_extra=error_responses(400, 401, 404, 409))
def assessment_authorise(request: HttpRequest, assessment_id: int,
                         payload: VersionIn) -> dict[str, Any]:
    services.assessment_authorise(actor=request.auth, assessment_id=assessment_id,
                                  version=payload.version, context=api_context(request))
    return _read(request, assessment_id)


# ---- child in need plans -------------------------------------------------------------------


@router.post("/{int:assessment_id}/child-in-need-plan", response={201: CinPlanOut},
             operation_id="cin_plan_start", summary="Start a child in need plan",
             description="After an assessment whose outcome is a child in need plan.",
             openapi_extra=error_responses(400, 401, 404))
def cin_plan_start(request: HttpRequest, assessment_id: int,
                   payload: CinPlanIn) -> Status:
    data = payload.dict()
    plan = services.cin_plan_start(actor=request.auth, assessment_id=assessment_id,
                                   context=api_context(request), **data)
    return Status(201, _read_plan(request, plan.pk))


@router.get("/child-in-need-plans/{int:plan_id}", response=CinPlanOut,
            operation_id="cin_plan_read", summary="A child in need plan",
            openapi_extra=error_responses(401, 404))
def cin_plan_read(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _read_plan(request, plan_id)


@router.post("/child-in-need-plans/{int:plan_id}/outcomes", response={201: CinPlanOut},
             operation_id="cin_plan_add_outcome", summary="Add a measurable outcome",
             openapi_extra=error_responses(400, 401, 404, 409))
def cin_plan_add_outcome(request: HttpRequest, plan_id: int,
                         payload: CinOutcomeIn) -> Status:
    services.cin_plan_add_outcome(actor=request.auth, plan_id=plan_id,
                                  context=api_context(request), **payload.dict())
    return Status(201, _read_plan(request, plan_id))


@router.post("/child-in-need-plans/{int:plan_id}/reviews", response={201: CinPlanOut},
             operation_id="cin_plan_review", summary="Review a child in need plan",
             openapi_extra=error_responses(400, 401, 404, 409))
def cin_plan_review(request: HttpRequest, plan_id: int,
                    payload: CinReviewIn) -> Status:
    services.cin_plan_review(actor=request.auth, plan_id=plan_id,
                             context=api_context(request), **payload.dict())
    return Status(201, _read_plan(request, plan_id))


@router.post("/child-in-need-plans/{int:plan_id}/end", response=CinPlanOut,
             operation_id="cin_plan_end", summary="End a child in need plan",
             openapi_extra=error_responses(400, 401, 404, 409))
def cin_plan_end(request: HttpRequest, plan_id: int, payload: CinEndIn) -> dict[str, Any]:
    services.cin_plan_end(actor=request.auth, plan_id=plan_id, context=api_context(request),
                          **payload.dict())
    return _read_plan(request, plan_id)


# ---- closing the case after the assessment -------------------------------------------------


@router.post("/cases/{int:case_id}/closure", response=CaseClosedOut,
             operation_id="case_close_after_assessment",
             summary="Close the case after the assessment (RC8 or RC9)",
             description="With RC9 the child steps down to early help: `early_help` opens the "
             "early help assessment (consent recorded) in the same change.",
             openapi_extra=error_responses(400, 401, 404, 409))
def case_close(request: HttpRequest, case_id: int, payload: CaseCloseIn) -> dict[str, Any]:
    data = payload.dict()
    early = data.pop("early_help")
    case = services.case_close_after_assessment(
        actor=request.auth, case_id=case_id, early_help=early, context=api_context(request),
        **data)
    stepped = getattr(case, "stepped_down_to", None)
    return {"case_id": case.pk, "closed_on": case.closed_on,
            "closure_reason": case.closure_reason,
            "early_help_id": stepped.pk if stepped is not None else None,
            "version": case.version}
