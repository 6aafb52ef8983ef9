"""The cases part of the REST API (/api/v1), calling the same selectors and services as the
pages.

- ``GET /cases``: the cases the caller may see, a page at a time.
- ``GET /cases/{id}``: the case's summary, its obligations in the timeline contract's output
  form (as stored, current today) and its chronology. The read is audited.
- ``GET /cases/{id}/timeline``: the case's timeline in the contract's input form, ready for
  ``safeguard obligations`` or ``POST /obligations``.
- ``POST /cases/{id}/allocation``: a team manager allocates the case (versioned).
- ``POST /cases/{id}/break-glass``: open a case outside one's rights by saying why.
- ``GET /work?scope=mine|team``: duties overdue or due in the next 7 days.

A case the caller may not see is a 404, whether or not it exists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema

from safeguard.api.auth import signed_in
from safeguard.api.openapi import error_responses
from safeguard.api.problems import service_problem
from safeguard.api.schemas import ref
from safeguard.cases.policy import cases_visible_to
from safeguard.cases.selectors import (
    case_for,
    case_obligations,
    chronology,
    local_authority_teams,
    work_items,
)
from safeguard.cases.services import break_glass, case_allocate
from safeguard.cases.timeline import case_timeline
from safeguard.core.services import Context, Invalid, NotAllowed, request_context

router = Router(auth=signed_in, tags=["cases"])
work_router = Router(auth=signed_in, tags=["work"])


def actor_of(request: HttpRequest) -> Any:
    """The signed-in caller (ninja's ``request.auth``, set by ``signed_in``)."""
    return request.auth  # type: ignore[attr-defined]


def api_context(request: HttpRequest) -> Context:
    return request_context(request, source="api")


class CaseChildOut(Schema):
    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None = Field(description="Set for an unborn child")
    sex: str = Field(description="F, M or U (not known)")
    nhs_number: str = Field(description="10 digits, or empty")
    upn: str = Field(description="The unique pupil number, or empty")


class CaseStaffOut(Schema):
    id: int
    name: str


class CaseSummaryOut(Schema):
    id: int
    reference: str
    child: CaseChildOut
    local_authority: str
    team: str | None
    allocated_worker: CaseStaffOut | None
    opened_on: date
    closed_on: date | None
    restricted: bool
    version: int = Field(description="Give it back when changing the case (allocation)")


class CasePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseSummaryOut]


class CaseObligationOut(Schema):
    """One obligation, in the timeline contract's output form."""

    duty: str
    arose: date
    due: date | None
    status: Literal["met", "late", "due", "overdue", "withdrawn", "missed"]
    met_on: date | None
    working_days_late: int = Field(ge=0)
    source: str


class CaseChronologyItemOut(Schema):
    date: date
    event: str
    detail: str
    agency: str
    kind: str


class CaseOut(CaseSummaryOut):
    obligations_as_of: date | None = Field(description="The day the statuses are judged on")
    obligations: list[CaseObligationOut]
    chronology: list[CaseChronologyItemOut]


def _summary(case: Any) -> dict[str, Any]:
    child = case.child
    worker = case.allocated_worker
    return {
        "id": case.pk, "reference": case.reference,
        "child": {"id": child.pk, "given_name": child.given_name,
                  "family_name": child.family_name, "date_of_birth": child.date_of_birth,
                  "expected_date_of_birth": child.expected_date_of_birth, "sex": child.sex,
                  "nhs_number": child.nhs_number, "upn": child.upn},
        "local_authority": case.local_authority.name,
        "team": case.team.name if case.team else None,
        "allocated_worker": {"id": worker.pk, "name": worker.name} if worker else None,
        "opened_on": case.opened_on, "closed_on": case.closed_on,
        "restricted": case.restricted, "version": case.version,
    }


def case_document(case: Any) -> dict[str, Any]:
    return {
        **_summary(case),
        "obligations_as_of": case.obligations_computed_on,
        "obligations": [o.as_contract() for o in case_obligations(case)],
        "chronology": [{"date": i.day, "event": i.title, "detail": i.detail,
                        "agency": i.agency, "kind": i.kind} for i in chronology(case)],
    }


@router.get("", response=CasePageOut, operation_id="cases_list",
            summary="The cases the caller may see", openapi_extra=error_responses(400, 401))
def cases_list(
    request: HttpRequest,
    # Bounded so that the offset it gives fits the database's integers.
    page: int = Query(1, ge=1, le=1_000_000),  # type: ignore[type-arg]
    page_size: int = Query(50, ge=1, le=200),  # type: ignore[type-arg]
) -> dict[str, Any]:
    cases = cases_visible_to(actor_of(request)).select_related(
        "child", "local_authority", "team", "allocated_worker__user").order_by(
        "-opened_on", "-id")
    start = (page - 1) * page_size
    return {"count": cases.count(), "page": page, "page_size": page_size,
            "results": [_summary(c) for c in cases[start:start + page_size]]}


@router.get("/{int:case_id}", response=CaseOut, operation_id="case_read",
            summary="A case: summary, obligations and chronology",
            openapi_extra=error_responses(401, 404))
def case_read(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = case_for(actor_of(request), case_id, context=api_context(request))
    return case_document(case)


@router.get("/{int:case_id}/timeline", operation_id="case_timeline",
            summary="The case's timeline, in the contract's format",
            description="What `safeguard export-timelines` writes for the case: send it to "
            "`POST /obligations` (or `safeguard obligations`) to check the stored "
            "obligations.",
            openapi_extra={"responses": {
                200: {"description": "The case's timeline.",
                      "content": {"application/json": {"schema": ref("Timeline")}}},
                **error_responses(401, 404)["responses"]}})
def case_timeline_read(request: HttpRequest, case_id: int) -> JsonResponse:
    case = case_for(actor_of(request), case_id, context=api_context(request),
                    purpose="export_timeline")
    response = JsonResponse(case_timeline(case), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


class AllocationIn(Schema):
    worker_id: int = Field(description="The member of staff to allocate")
    team_id: int | None = Field(None, description="Leave out to use the worker's team")
    version: int = Field(description="The case's version the change is made against")


@router.post("/{int:case_id}/allocation", response=CaseSummaryOut,
             operation_id="case_allocate", summary="Allocate the case (team managers)",
             openapi_extra=error_responses(400, 401, 404, 409))
def allocation(request: HttpRequest, case_id: int, payload: AllocationIn) -> dict[str, Any]:
    if payload.team_id is not None:
        # The service falls back to the worker's own team for a team it does not know; a
        # client that names one must be told it is not one of the authority's.
        case = case_for(actor_of(request), case_id, context=api_context(request))
        if payload.team_id not in {t.pk for t in local_authority_teams(case)}:
            raise Invalid({"team_id": "Choose a team of this local authority"})
    case = case_allocate(actor=actor_of(request), case_id=case_id, worker_id=payload.worker_id,
                         team_id=payload.team_id, version=payload.version,
                         context=api_context(request))
    return _summary(case_for(actor_of(request), case.pk, context=api_context(request)))


class BreakGlassIn(Schema):
    reason: str = Field(description="Why the caller needs to see the case now (at least "
                        "10 characters); recorded, and the case's managers are told")


class BreakGlassOut(Schema):
    case_id: int
    opened_at: datetime
    until: datetime = Field(description="The case may be read, not changed, until then")


@router.post("/{int:case_id}/break-glass", response=BreakGlassOut,
             operation_id="case_break_glass",
             summary="Open a case outside one's rights by saying why (break-glass)",
             description="For staff of an agency in the case's local authority area who "
             "cannot otherwise see it. The reason is audited and the case's managers are "
             "alerted. A case outside the caller's area and one that does not exist give "
             "the same 404.", openapi_extra=error_responses(400, 401, 404))
def case_break_glass(request: HttpRequest, case_id: int, payload: BreakGlassIn
                     ) -> dict[str, Any]:
    access = break_glass(actor=actor_of(request), case_id=case_id, reason=payload.reason,
                         context=api_context(request))
    return {"case_id": access.case_id, "opened_at": access.opened_at, "until": access.until}


class WorkItemOut(Schema):
    case_id: int
    case_reference: str
    child_name: str
    allocated_worker: CaseStaffOut | None
    duty: str
    title: str
    due: date | None
    status: Literal["due", "overdue"]
    working_days_late: int = Field(ge=0)


class WorkOut(Schema):
    scope: Literal["mine", "team"]
    items: list[WorkItemOut]


@work_router.get("", response=WorkOut, operation_id="work",
                 summary="Duties overdue or due in the next 7 days",
                 description="On the caller's own cases (`mine`) or their team's (`team`), "
                 "most urgent first. `mine` is for children's social care staff and `team` "
                 "for team managers; anyone else is refused (403), as the pages are.",
                 openapi_extra=error_responses(400, 401, 403))
def work(request: HttpRequest, scope: Literal["mine", "team"] = "mine") -> dict[str, Any]:
    try:
        items = work_items(actor_of(request), scope=scope)
    except NotAllowed as exc:
        raise service_problem(exc, forbidden=True) from exc
    return {"scope": scope, "items": [
        {"case_id": i.case_id, "case_reference": i.case_reference,
         "child_name": i.child_name,
         "allocated_worker": {"id": i.worker_id, "name": i.worker_name}
         if i.worker_id is not None else None,
         "duty": i.duty, "title": i.title, "due": i.due,
         "status": i.status, "working_days_late": i.working_days_late}
        for i in items]}
