"""The information sharing part of the REST API (/api/v1/sharing), calling the same
selectors and services as the pages.

- ``GET|POST /sharing/cases/{case_id}/decisions``: a case's sharing decisions; record one.
- ``GET /sharing/cases/{case_id}/decisions/{decision_id}``: one decision.
- ``GET|POST /sharing/conferences/{conference_id}/reports``: the conference's reports sent
  (a partner sees those sent to their own agency); send it to agencies invited to it, with
  a complete sharing decision for each.
- ``POST /sharing/cases/{case_id}/exports``: export the case record for a named recipient;
  the answer is the export, made with its sharing decision.

Errors are problem documents: a rule of the record broken is a 400 whose ``errors`` names
each field at fault (nothing changed); a case or record the caller may not see — or that
does not exist — a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.responses import Status

from safeguard.api.auth import signed_in
from safeguard.api.openapi import error_responses
from safeguard.cases.selectors import case_for
from safeguard.core.services import Context, request_context
from safeguard.protection.selectors import conference_for
from safeguard.sharing import selectors, services
from safeguard.sharing.models import ConferenceReportSent, SharingDecision

router = Router(auth=signed_in, tags=["sharing"])

Article6 = Literal["", "6(1)(a)", "6(1)(c)", "6(1)(d)", "6(1)(e)", "6(1)(f)"]
Paragraph18 = Literal["", "cannot_give", "cannot_reasonably_obtain", "would_prejudice"]
Section = Literal["chronology", "family", "child_protection", "assessments", "obligations"]


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _context(request: HttpRequest) -> Context:
    return request_context(request, source="api")


# ---- schemas -------------------------------------------------------------------------------


class BasisIn(Schema):
    """What every sharing record needs: the purpose, consent, the lawful basis where it is
    shared without consent (`article_6_basis`, and `paragraph_18_reason`: DPA 2018
    Schedule 1 paragraph 18), and whether the child or family was told."""

    purpose: str
    consent_sought: bool
    consent_given: bool | None = None
    consent_not_sought_reason: str = ""
    article_6_basis: Article6 = ""
    paragraph_18_reason: Paragraph18 = ""
    person_told: bool
    person_not_told_reason: str = ""


class ItemIn(Schema):
    type: str
    id: int


class DecisionIn(BasisIn):
    decision: Literal["share", "withhold"]
    what: str
    with_agency_id: int | None = None
    with_whom: str = ""
    decided_on: date | None = None
    items: list[ItemIn] = []


class ReportIn(BasisIn):
    agency_ids: list[int]


class ExportIn(BasisIn):
    sections: list[Section]
    with_agency_id: int | None = None
    with_whom: str = ""


class DecisionOut(Schema):
    id: int
    case_id: int
    decision: str
    decided_on: date
    decided_by_id: int
    decided_by_role: str
    decided_by_agency_id: int
    what: str
    items: list[dict[str, Any]]
    with_agency_id: int | None
    with_whom: str
    purpose: str
    consent_sought: bool
    consent_given: bool | None
    consent_not_sought_reason: str
    article_6_basis: str
    paragraph_18_reason: str
    without_consent: bool
    person_told: bool
    person_not_told_reason: str
    action: str


class RecipientOut(Schema):
    agency_id: int
    agency: str
    sharing_decision: DecisionOut


class ReportSentOut(Schema):
    id: int
    conference_id: int
    sent_at: datetime
    sent_by_id: int
    sent_by_role: str
    report: dict[str, Any]
    recipients: list[RecipientOut]


def _decision(d: SharingDecision) -> dict[str, Any]:
    return {name: getattr(d, name) for name in DecisionOut.model_fields}


def _sent(s: ConferenceReportSent, recipients: list[Any]) -> dict[str, Any]:
    return {
        "id": s.pk, "conference_id": s.conference_id, "sent_at": s.sent_at,
        "sent_by_id": s.sent_by_id, "sent_by_role": s.sent_by_role, "report": s.report,
        "recipients": [{"agency_id": r.agency_id, "agency": r.agency.name,
                        "sharing_decision": _decision(r.sharing_decision)}
                       for r in recipients],
    }


# ---- operations ----------------------------------------------------------------------------


@router.get("/cases/{case_id}/decisions", response=list[DecisionOut],
            operation_id="sharing_decisions", openapi_extra=error_responses(401, 404),
            summary="A case's decisions to share information, or not to")
def decisions(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = case_for(_actor(request), case_id, context=_context(request), purpose="view_sharing")
    return [_decision(d) for d in selectors.sharing_decisions(_actor(request), case)]


@router.post("/cases/{case_id}/decisions", response={201: DecisionOut},
             operation_id="sharing_decision_record", openapi_extra=error_responses(400, 401, 404),
             summary="Record a decision to share information, or not to",
             description="Shared without consent (`consent_sought` false, or consent not "
                         "given), it needs `article_6_basis` (not consent) and "
                         "`paragraph_18_reason`; not told, `person_not_told_reason`.")
def decision_record(request: HttpRequest, case_id: int, payload: DecisionIn
                    ) -> Status[dict[str, Any]]:
    record = services.sharing_record(actor=_actor(request), case_id=case_id,
                                     context=_context(request), **payload.dict())
    return Status(201, _decision(record))


@router.get("/cases/{case_id}/decisions/{decision_id}", response=DecisionOut,
            operation_id="sharing_decision", openapi_extra=error_responses(401, 404),
            summary="A decision to share information, or not to")
def decision(request: HttpRequest, case_id: int, decision_id: int) -> dict[str, Any]:
    case = case_for(_actor(request), case_id, context=_context(request), purpose="view_sharing")
    record = selectors.decision_for(_actor(request), case, decision_id)
    if record is None:
        raise Http404("No such decision")
    return _decision(record)


@router.get("/conferences/{conference_id}/reports", response=list[ReportSentOut],
            operation_id="conference_reports_sent", openapi_extra=error_responses(401, 404),
            summary="The conference's report as sent, to whom and when",
            description="Children's social care see every report sent; a partner agency "
                        "sees those sent to it.")
def reports(request: HttpRequest, conference_id: int) -> list[dict[str, Any]]:
    conference = conference_for(_actor(request), conference_id, context=_context(request))
    return [_sent(s, s.recipients_shown)  # type: ignore[attr-defined]
            for s in selectors.reports_sent(_actor(request), conference)]


@router.post("/conferences/{conference_id}/reports", response={201: ReportSentOut},
             operation_id="conference_report_send", openapi_extra=error_responses(400, 401, 404),
             summary="Send the conference's report to agencies invited to it",
             description="By a conference chair or the case's social workers and team "
                         "managers, to agencies invited to the conference that are still "
                         "involved in the case (`agency_ids`). Each gets a complete sharing "
                         "decision.")
def report_send(request: HttpRequest, conference_id: int, payload: ReportIn
                ) -> Status[dict[str, Any]]:
    sent = services.conference_report_send(actor=_actor(request), conference_id=conference_id,
                                           context=_context(request), **payload.dict())
    return Status(201, _sent(sent, list(sent.recipients.select_related(
        "agency", "sharing_decision"))))


@router.post("/cases/{case_id}/exports", operation_id="case_export",
             summary="Export the case record for a named recipient",
             description="By the case's social workers and team managers. The answer (201) is "
                         "the export: what the caller may see of the case in `sections`, with "
                         "`sharing_decision_id`, the decision to share recorded with it.",
             openapi_extra={"responses": {
                 201: {"description": "The export.",
                       "content": {"application/json": {"schema": {"type": "object"}}}},
                 **error_responses(400, 401, 404)["responses"]}})
def export(request: HttpRequest, case_id: int, payload: ExportIn) -> JsonResponse:
    result = services.case_export(actor=_actor(request), case_id=case_id,
                                  context=_context(request), **payload.dict())
    response = JsonResponse(result.document, status=201, encoder=DjangoJSONEncoder,
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
