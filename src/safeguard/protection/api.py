"""The protection part of the REST API (/api/v1/protection), calling the same services as
the pages.

Errors are problem documents (``safeguard.api.problems``): a rule of the record broken is a
400 naming each field at fault (``errors``), a record the caller may not see — or that does
not exist — a 404, a change made against an older ``version`` a 409.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from safeguard.api.auth import signed_in
from safeguard.api.openapi import problem_response
from safeguard.core.services import Context
from safeguard.protection import selectors, services
from safeguard.protection.models import (
    ChildProtectionPlan,
    Conference,
    Section47Enquiry,
    StrategyDiscussion,
)

router = Router(auth=signed_in, tags=["protection"])

_ERRORS = {"responses": {
    400: problem_response("A value breaks a rule of the record (`errors` names each field), "
                          "or the request cannot be read. Nothing was changed."),
    404: problem_response("The case or record does not exist, or the caller may not see it."),
}}
_EDIT_ERRORS = {"responses": {
    **_ERRORS["responses"],
    409: problem_response("Someone else changed the record since `version`. Nothing was "
                          "changed."),
}}


def _context(request: HttpRequest) -> Context:
    return Context(source="api", remote_addr=request.META.get("REMOTE_ADDR", ""))


# ---- schemas -------------------------------------------------------------------------------


class PersonIn(Schema):
    """Someone from one of the area's agencies. The local authority's own staff are named
    by ``staff_id``; others by ``name`` (and ``staff_id`` if they have an account)."""

    agency_id: int
    staff_id: int | None = None
    name: str = ""
    role: str = ""


class InviteeIn(PersonIn):
    attended: bool = False
    report_submitted: bool = False


class StrategyActionIn(Schema):
    action: str
    owner_agency_id: int
    owner: str = ""
    due_on: date


class ImmediateProtectionIn(Schema):
    kind: Literal["epo", "police_protection", "other"]
    taken_on: date
    acting_agency_id: int
    acted_by: str
    details: str


class StrategyDiscussionIn(Schema):
    held_on: date
    attendees: list[PersonIn]
    s47_initiated: bool
    criminal_investigation: bool
    decisions: str
    actions: list[StrategyActionIn] = []
    immediate_protection_id: int | None = None


class S47OutcomeIn(Schema):
    outcome_on: date
    substantiated: bool
    conference: bool
    notes: str = ""
    version: int | None = None


class ConferenceRequestIn(Schema):
    reasons: str
    version: int | None = None


class ConferenceIn(Schema):
    kind: Literal["initial", "review", "transfer_in"]
    held_on: date
    chair_id: int
    invitees: list[InviteeIn]
    plan_decision: bool
    category: Literal["", "NEG", "PHY", "EMO", "SAB", "MUL"] = ""
    lead_social_worker_id: int | None = None
    core_group: list[PersonIn] = []
    summary: str = ""
    end_reason: Literal["", "no_longer_at_risk", "moved", "eighteen", "died", "left_uk"] = ""
    receiving_conference_on: date | None = None


class CoreGroupMeetingIn(Schema):
    held_on: date
    notes: str = ""


class PlanOutcomesIn(Schema):
    outcomes: str
    version: int | None = None


class PlanActionIn(Schema):
    action: str
    owner_agency_id: int
    owner: str = ""
    due_on: date | None = None
    version: int | None = None


class PlanActionDoneIn(Schema):
    done_on: date
    version: int | None = None


class PlanEndIn(Schema):
    reason: Literal["no_longer_at_risk", "moved", "eighteen", "died", "left_uk"]
    ended_on: date
    receiving_conference_on: date | None = None
    version: int | None = None


class MovedInIn(Schema):
    notified_on: date
    from_local_authority: str
    moved_on: date | None = None
    plan_started_on: date | None = None
    category: Literal["", "NEG", "PHY", "EMO", "SAB", "MUL"] = ""
    notes: str = ""


class ReturnHomeIn(Schema):
    returned_on: date
    planned: bool
    immediate_concerns: bool | None = None
    assessment: str
    support_plan: str


class RecordOut(Schema):
    id: int
    case_id: int
    version: int


class AttendeeOut(Schema):
    agency_id: int
    agency: str
    staff_id: int | None
    name: str
    role: str


class InviteeOut(AttendeeOut):
    attended: bool
    report_submitted: bool


class ActionOut(Schema):
    id: int
    action: str
    owner_agency_id: int
    owner: str
    due_on: date | None
    done_on: date | None


class EnquiryOut(Schema):
    id: int
    case_id: int
    strategy_discussion_id: int
    started_on: date
    outcome_on: date | None
    substantiated: bool | None
    conference_decision: bool | None
    conference_requested_by_id: int | None
    conference_requested_on: date | None
    conference_request_reason: str
    version: int


class StrategyDiscussionOut(Schema):
    id: int
    case_id: int
    held_on: date
    s47_initiated: bool
    criminal_investigation: bool
    decisions: str
    immediate_protection_id: int | None
    attendees: list[AttendeeOut]
    actions: list[ActionOut]
    enquiry: EnquiryOut | None
    version: int


class ConferenceOut(Schema):
    id: int
    case_id: int
    kind: str
    held_on: date
    chair_id: int
    plan_decision: bool
    category: str
    lead_social_worker_id: int | None
    summary: str
    invitees: list[InviteeOut]
    plan_id: int | None
    version: int


class MeetingOut(Schema):
    id: int
    held_on: date
    notes: str


class NotificationOut(Schema):
    agency_id: int
    agency: str
    notified_on: date


class PlanOut(Schema):
    id: int
    case_id: int
    started_on: date
    started_by_id: int
    category: str
    lead_social_worker_id: int | None
    outcomes: str
    active: bool
    ended_on: date | None
    end_reason: str
    ended_by_id: int | None
    receiving_conference_on: date | None
    actions: list[ActionOut]
    core_group: list[AttendeeOut]
    core_group_meetings: list[MeetingOut]
    end_notifications: list[NotificationOut]
    version: int


class ObligationOut(Schema):
    duty: str
    title: str
    arose: date
    due: date | None
    status: str
    met_on: date | None
    working_days_late: int
    source: str


class ProtectionOut(Schema):
    case_id: int
    strategy_discussions: list[StrategyDiscussionOut]
    conferences: list[ConferenceOut]
    open_plan: PlanOut | None
    obligations: list[ObligationOut]


# ---- presenting records --------------------------------------------------------------------


def _person(p: Any) -> dict[str, Any]:
    return {"agency_id": p.agency_id, "agency": p.agency.name, "staff_id": p.staff_id,
            "name": p.name, "role": p.role}


def _action(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "action": a.action, "owner_agency_id": a.owner_agency_id,
            "owner": a.owner, "due_on": a.due_on, "done_on": a.done_on}


def _enquiry(e: Section47Enquiry) -> dict[str, Any]:
    return {name: getattr(e, name) for name in EnquiryOut.model_fields if name != "id"} | {
        "id": e.pk}


def _discussion(d: StrategyDiscussion) -> dict[str, Any]:
    enquiry = getattr(d, "enquiry", None) if d.s47_initiated else None
    return {
        "id": d.pk, "case_id": d.case_id, "held_on": d.held_on, "s47_initiated": d.s47_initiated,
        "criminal_investigation": d.criminal_investigation, "decisions": d.decisions,
        "immediate_protection_id": d.immediate_protection_id, "version": d.version,
        "attendees": [_person(a) for a in d.attendees.all()],
        "actions": [_action(a) for a in d.actions.all()],
        "enquiry": _enquiry(enquiry) if enquiry is not None else None,
    }


def _conference(c: Conference) -> dict[str, Any]:
    started = getattr(c, "plan_started", None)
    return {
        "id": c.pk, "case_id": c.case_id, "kind": c.kind, "held_on": c.held_on,
        "chair_id": c.chair_id, "plan_decision": c.plan_decision, "category": c.category,
        "lead_social_worker_id": c.lead_social_worker_id, "summary": c.summary,
        "version": c.version, "plan_id": started.pk if started is not None else c.plan_id,
        "invitees": [_person(i) | {"attended": i.attended,
                                   "report_submitted": i.report_submitted}
                     for i in c.invitees.all()],
    }


def _plan(p: ChildProtectionPlan) -> dict[str, Any]:
    return {
        "id": p.pk, "case_id": p.case_id, "started_on": p.started_on,
        "started_by_id": p.started_by_id, "category": p.category,
        "lead_social_worker_id": p.lead_social_worker_id, "outcomes": p.outcomes,
        "active": p.is_active, "ended_on": p.ended_on, "end_reason": p.end_reason,
        "ended_by_id": p.ended_by_id, "receiving_conference_on": p.receiving_conference_on,
        "version": p.version,
        "actions": [_action(a) for a in p.actions.all()],
        "core_group": [_person(m) for m in p.core_group.all()],
        "core_group_meetings": [{"id": m.pk, "held_on": m.held_on, "notes": m.notes}
                                for m in p.core_group_meetings.all()],
        "end_notifications": [{"agency_id": n.agency_id, "agency": n.agency.name,
                               "notified_on": n.notified_on} for n in p.end_notifications.all()],
    }


def _record(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "case_id": r.case_id, "version": r.version}


def _plan_out(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _plan(selectors.plan_for(request.user, plan_id, context=_context(request)))


# ---- operations ----------------------------------------------------------------------------


@router.get("/cases/{case_id}", response=ProtectionOut, openapi_extra=_ERRORS,
            summary="A case's child protection: discussions, conferences, plan and duties")
def case_protection(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = selectors.protection_case(request.user, case_id, context=_context(request))
    summary = selectors.protection_summary(case, selectors.case_parts(request.user, case))
    return {
        "case_id": case.pk,
        "strategy_discussions": [_discussion(d) for d in summary.strategy_discussions],
        "conferences": [_conference(c) for c in summary.conferences],
        "open_plan": _plan(summary.open_plan) if summary.open_plan else None,
        "obligations": [{name: getattr(o, name) for name in ObligationOut.model_fields}
                        for o in summary.obligations],
    }


@router.post("/cases/{case_id}/immediate-protection", response={201: RecordOut},
             openapi_extra=_ERRORS, summary="Record immediate protection")
def immediate_protection(request: HttpRequest, case_id: int, payload: ImmediateProtectionIn
                         ) -> Status[dict[str, Any]]:
    record = services.immediate_protection_record(
        actor=request.user, case_id=case_id, context=_context(request), **payload.dict())
    return Status(201, _record(record))


@router.post("/cases/{case_id}/strategy-discussions", response={201: StrategyDiscussionOut},
             openapi_extra=_ERRORS, summary="Record a strategy discussion",
             description="Refused (400) unless the attendees include a social worker or team "
                         "manager of the local authority, the police and health.")
def strategy_discussion(request: HttpRequest, case_id: int, payload: StrategyDiscussionIn
                        ) -> Status[dict[str, Any]]:
    discussion = services.strategy_discussion_record(
        actor=request.user, case_id=case_id, context=_context(request), **payload.dict())
    return Status(201, _discussion(selectors.strategy_discussion_for(request.user, discussion.pk)))


@router.get("/strategy-discussions/{discussion_id}", response=StrategyDiscussionOut,
            openapi_extra=_ERRORS, summary="A strategy discussion and its section 47 enquiry")
def strategy_discussion_detail(request: HttpRequest, discussion_id: int) -> dict[str, Any]:
    return _discussion(selectors.strategy_discussion_for(request.user, discussion_id,
                                                         context=_context(request)))


@router.post("/enquiries/{enquiry_id}/outcome", response=EnquiryOut,
             openapi_extra=_EDIT_ERRORS, summary="Record the outcome of section 47 enquiries")
def s47_outcome(request: HttpRequest, enquiry_id: int, payload: S47OutcomeIn
                ) -> dict[str, Any]:
    return _enquiry(services.s47_outcome_record(
        actor=request.user, enquiry_id=enquiry_id, context=_context(request), **payload.dict()))


@router.post("/enquiries/{enquiry_id}/conference-request", response=EnquiryOut,
             openapi_extra=_EDIT_ERRORS,
             summary="A partner agency asks for a conference the local authority decided against")
def conference_request(request: HttpRequest, enquiry_id: int, payload: ConferenceRequestIn
                       ) -> dict[str, Any]:
    return _enquiry(services.conference_request_record(
        actor=request.user, enquiry_id=enquiry_id, context=_context(request), **payload.dict()))


@router.post("/cases/{case_id}/conferences", response={201: ConferenceOut},
             openapi_extra=_ERRORS, summary="Record an initial, review or transfer-in conference",
             description="The chair must be a conference chair independent of the case's line "
                         "management. An initial or transfer-in conference with `plan_decision` "
                         "starts a child protection plan; a review without it ends the plan.")
def conference(request: HttpRequest, case_id: int, payload: ConferenceIn
               ) -> Status[dict[str, Any]]:
    record = services.conference_record(
        actor=request.user, case_id=case_id, context=_context(request), **payload.dict())
    return Status(201, _conference(selectors.conference_for(request.user, record.pk)))


@router.get("/conferences/{conference_id}", response=ConferenceOut, openapi_extra=_ERRORS,
            summary="A child protection conference")
def conference_detail(request: HttpRequest, conference_id: int) -> dict[str, Any]:
    return _conference(selectors.conference_for(request.user, conference_id,
                                                context=_context(request)))


@router.get("/plans/{plan_id}", response=PlanOut, openapi_extra=_ERRORS,
            summary="A child protection plan with its actions, core group and meetings")
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _plan_out(request, plan_id)


@router.put("/plans/{plan_id}/outcomes", response=PlanOut, openapi_extra=_EDIT_ERRORS,
            summary="Set the plan's outcomes")
def plan_outcomes(request: HttpRequest, plan_id: int, payload: PlanOutcomesIn
                  ) -> dict[str, Any]:
    services.plan_outcomes_update(actor=request.user, plan_id=plan_id,
                                  context=_context(request), **payload.dict())
    return _plan_out(request, plan_id)


@router.post("/plans/{plan_id}/actions", response={201: PlanOut}, openapi_extra=_EDIT_ERRORS,
             summary="Add an action to the plan")
def plan_action(request: HttpRequest, plan_id: int, payload: PlanActionIn
                ) -> Status[dict[str, Any]]:
    services.plan_action_add(actor=request.user, plan_id=plan_id, context=_context(request),
                             **payload.dict())
    return Status(201, _plan_out(request, plan_id))


@router.post("/plans/{plan_id}/actions/{action_id}/done", response=PlanOut,
             openapi_extra=_EDIT_ERRORS, summary="Mark an action of the plan done")
def plan_action_done(request: HttpRequest, plan_id: int, action_id: int,
                     payload: PlanActionDoneIn) -> dict[str, Any]:
    services.plan_action_complete(actor=request.user, plan_id=plan_id, action_id=action_id,
                                  context=_context(request), **payload.dict())
    return _plan_out(request, plan_id)


@router.post("/plans/{plan_id}/core-group-meetings", response={201: PlanOut},
             openapi_extra=_ERRORS, summary="Record a core group meeting",
             description="By the local authority's social workers or a member of the plan's "
                         "core group, while the plan lasts.")
def core_group_meeting(request: HttpRequest, plan_id: int, payload: CoreGroupMeetingIn
                       ) -> Status[dict[str, Any]]:
    services.core_group_meeting_record(actor=request.user, plan_id=plan_id,
                                       context=_context(request), **payload.dict())
    return Status(201, _plan_out(request, plan_id))


@router.post("/plans/{plan_id}/end", response=PlanOut, openapi_extra=_EDIT_ERRORS,
             summary="End the plan other than at a review conference",
             description="For a move (`moved`), only on or after the receiving local "
                         "authority's conference (`receiving_conference_on`). Every agency "
                         "invited to the initial conference is notified.")
def plan_end(request: HttpRequest, plan_id: int, payload: PlanEndIn) -> dict[str, Any]:
    services.plan_end(actor=request.user, plan_id=plan_id, context=_context(request),
                      **payload.dict())
    return _plan_out(request, plan_id)


@router.post("/cases/{case_id}/moved-in-notices", response={201: RecordOut},
             openapi_extra=_ERRORS,
             summary="Record that a child on another authority's plan moved in")
def moved_in(request: HttpRequest, case_id: int, payload: MovedInIn
             ) -> Status[dict[str, Any]]:
    record = services.moved_in_notice_record(
        actor=request.user, case_id=case_id, context=_context(request), **payload.dict())
    return Status(201, _record(record))


@router.post("/cases/{case_id}/returns-home", response={201: RecordOut}, openapi_extra=_ERRORS,
             summary="Record a child returning home from care")
def return_home(request: HttpRequest, case_id: int, payload: ReturnHomeIn
                ) -> Status[dict[str, Any]]:
    record = services.return_home_record(
        actor=request.user, case_id=case_id, context=_context(request), **payload.dict())
    return Status(201, _record(record))
