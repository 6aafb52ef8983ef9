"""Reads of sharing decisions and of what is shared, through the cases the acting person may
see: the conference report as it is sent, the agencies it may go to, the reports sent, and
the case record as it is exported (built only from the selectors of each part of the case,
so an export never holds more than the person exporting it may see)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from safeguard.agencies.models import Agency
from safeguard.cases.models import Case, Involvement
from safeguard.cases.policy import case_parts, staff_of
from safeguard.core.dates import today
from safeguard.protection.models import Conference, ConferenceKind
from safeguard.sharing.models import (
    ConferenceReportRecipient,
    ConferenceReportSent,
    SharingDecision,
)


def sharing_decisions(actor: Any, case: Case) -> QuerySet[SharingDecision]:
    """The case's sharing decisions the acting person may see (call with a case from
    ``cases.selectors.case_for``): all of them for the responsible authority's children's
    social care; for a partner (``case_parts``), those their agency made or was told — a
    partnership officer, those they made themselves."""
    from django.db.models import Q

    decisions = SharingDecision.objects.filter(case=case)
    parts = case_parts(actor, case)
    if not parts.whole:
        mine = Q(decided_by_id=parts.staff_id)
        if parts.action_agency_id is not None:
            mine |= (Q(decided_by_agency_id=parts.action_agency_id)
                     | Q(with_agency_id=parts.action_agency_id))
        decisions = decisions.filter(mine)
    return decisions.select_related("decided_by__user", "decided_by_agency", "with_agency")


def agencies_to_share_with(case: Case) -> QuerySet[Agency]:
    """The local authority and the partner agencies of its area."""
    la = case.local_authority
    return Agency.objects.filter(pk=la.pk) | Agency.objects.filter(area=la)


def export_recipients(case: Case) -> list[Agency]:
    """The agencies a case record may be exported to: those of the case's area, and every
    other local authority (the one a child moves to), still in being; the area's first."""
    from django.db.models import Q

    from safeguard.agencies.models import AgencyKind

    la = case.local_authority_id
    agencies = Agency.objects.filter(
        Q(pk=la) | Q(area_id=la) | Q(kind=AgencyKind.LOCAL_AUTHORITY)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today()))
    return sorted(agencies, key=lambda a: (a.pk != la and a.area_id != la, a.name))


def shareable_items(case: Case) -> list[tuple[str, str]]:
    """The case's records a person may choose to share: (``type:id``, label)."""
    from safeguard.cases.selectors import chronology

    return [(f"{item.kind}:{item.day.isoformat()}:{i}", f"{item.title} ({item.day:%d %B %Y})")
            for i, item in enumerate(chronology(case))]


def decision_for(actor: Any, case: Case, decision_id: int) -> Any:
    """The decision, if it is one of :func:`sharing_decisions`; else None."""
    return sharing_decisions(actor, case).filter(pk=decision_id).first()


# ---- a conference's report -----------------------------------------------------------------

#: The duties whose due date is the plan's next review conference (the engine's ids).
REVIEW_DUTIES = ("cpp.first-review", "cpp.later-reviews")


def conference_decision(conference: Conference) -> str:
    """The conference's decision in words (as its page says it)."""
    if conference.kind == ConferenceKind.REVIEW:
        return "The plan continues" if conference.plan_decision else "The plan ends"
    return ("The child is to be the subject of a child protection plan"
            if conference.plan_decision else "No child protection plan")


def conference_report(conference: Conference) -> dict[str, Any]:
    """The conference's report as it would be sent now: its decision, the category of abuse,
    the outcome for the plan, the summary, the date the next review is due (the statutory
    engine's, as the case stores it) and the plan's core group. Call with a conference from
    ``protection.selectors.conference_for``. Plain values only: it is stored as sent."""
    from safeguard.protection.selectors import protection_obligations

    c = conference
    plan = getattr(c, "plan_started", None) or c.plan
    in_force = plan is not None and plan.is_active
    next_review = None
    core_group: list[dict[str, str]] = []
    if in_force:
        assert plan is not None
        dues = [o.due for o in protection_obligations(c.case)
                if o.duty in REVIEW_DUTIES and o.open and o.due is not None]
        next_review = min(dues) if dues else None
        core_group = [{"agency": m.agency.name, "name": m.name, "role": m.role}
                      for m in plan.core_group.all()]
    return {
        "conference_id": c.pk,
        "kind": c.get_kind_display(),
        "held_on": c.held_on.isoformat(),
        "chair": c.chair.name,
        "decision": conference_decision(c),
        "category": c.get_category_display() if c.category else "",
        "plan": ("In force" if in_force else "Ended" if plan is not None else "No plan"),
        "plan_id": plan.pk if plan is not None else None,
        "lead_social_worker": c.lead_social_worker.name if c.lead_social_worker else "",
        "summary": c.summary,
        "next_review_due": next_review.isoformat() if next_review else None,
        "core_group": core_group,
    }


def report_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The report as (heading, text) rows, for the pages."""
    from safeguard.core.dates import format_date

    def day(value: str | None) -> str:
        return format_date(date.fromisoformat(value)) if value else ""

    rows = [("Conference", f"{report['kind']}, {day(report['held_on'])}"),
            ("Chair", report["chair"]), ("Decision", report["decision"])]
    if report["category"]:
        rows.append(("Category of abuse", report["category"]))
    rows.append(("Child protection plan", report["plan"]))
    if report["lead_social_worker"]:
        rows.append(("Lead social worker", report["lead_social_worker"]))
    if report["summary"]:
        rows.append(("Summary", report["summary"]))
    if report["plan"] == "In force":
        rows.append(("Next review conference due",
                     day(report["next_review_due"]) or "Not yet known"))
        rows.append(("Core group", "; ".join(
            f"{m['name']}{', ' + m['role'] if m['role'] else ''} ({m['agency']})"
            for m in report["core_group"]) or "None recorded"))
    return rows


@dataclass(frozen=True)
class InvitedAgency:
    """An agency invited to the conference, with its invitees, and whether the report may be
    sent to it from here (``why_not`` when it may not)."""

    agency: Agency
    names: tuple[str, ...]
    why_not: str = ""

    @property
    def available(self) -> bool:
        return not self.why_not


def invited_agencies(conference: Conference) -> list[InvitedAgency]:
    """The agencies invited to the conference other than the local authority (whose own
    record it is). The report goes only to an agency still involved in the case and still
    in being: one whose involvement has ended cannot see the case in Safeguard, so sending
    it there would be a new decision to share, recorded with its own purpose."""
    case = conference.case
    involved = set(Involvement.objects.filter(case_id=case.pk, until__isnull=True)
                   .values_list("agency_id", flat=True))
    day = today()
    by_agency: dict[int, tuple[Agency, list[str]]] = {}
    for invitee in conference.invitees.all():
        if invitee.agency_id == case.local_authority_id:
            continue
        entry = by_agency.setdefault(invitee.agency_id, (invitee.agency, []))
        name = invitee.name + (f", {invitee.role}" if invitee.role else "")
        if name not in entry[1]:
            entry[1].append(name)
    result = []
    for agency, names in sorted(by_agency.values(), key=lambda e: e[0].name):
        why_not = ""
        if agency.valid_until is not None and agency.valid_until < day:
            why_not = f"{agency.name} no longer exists"
        elif agency.pk not in involved:
            why_not = f"{agency.name} is no longer involved in the case"
        result.append(InvitedAgency(agency, tuple(names), why_not))
    return result


def reports_sent(actor: Any, conference: Conference) -> list[ConferenceReportSent]:
    """The conference's reports sent, newest first. Children's social care of the case's
    authority see every one; a partner sees only those sent to their own agency, and of
    each only their agency's recipient row (``recipients_shown``)."""
    staff = staff_of(actor)
    if staff is None:
        return []
    sent = list(ConferenceReportSent.objects.filter(conference_id=conference.pk)
                .select_related("sent_by__user").prefetch_related(Prefetch(
                    "recipients", ConferenceReportRecipient.objects.select_related(
                        "agency", "sharing_decision"))))
    whole = case_parts(actor, conference.case).whole
    shown = []
    for s in sent:
        rows = [r for r in s.recipients.all() if whole or r.agency_id == staff.agency_id]
        if rows:
            s.recipients_shown = rows  # type: ignore[attr-defined]
            shown.append(s)
    return shown


def report_sent_for(case: Case, sent_id: int) -> ConferenceReportSent:
    return ConferenceReportSent.objects.prefetch_related(Prefetch(
        "recipients", ConferenceReportRecipient.objects.select_related(
            "agency", "sharing_decision"))).select_related("sent_by__user").get(
        pk=sent_id, case=case)


# ---- a case record, exported ---------------------------------------------------------------

#: What an export may hold, besides who the child is: (key, what the page calls it).
EXPORT_SECTIONS: list[tuple[str, str]] = [
    ("chronology", "The chronology: every recorded event, with its date and agency"),
    ("family", "The family and household"),
    ("child_protection", "Child protection: strategy discussions, section 47 enquiries, "
                         "conferences and plans"),
    ("assessments", "Assessments and child in need plans"),
    ("obligations", "The statutory duties and whether they were met"),
]
SECTION_NAMES = dict(EXPORT_SECTIONS)


@dataclass
class CaseExport:
    """What is exported (plain values and dates: the page and the JSON file show the same),
    and the records it names (for the sharing record's ``items``)."""

    document: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)


def _label(record: Any, name: str) -> str:
    value = getattr(record, name)
    return str(getattr(record, f"get_{name}_display")()) if value else ""


def case_export(actor: Any, case: Case, sections: list[str]) -> CaseExport:
    """The case record in ``sections`` as the acting person may see it. Call with a case
    from ``cases.selectors.case_for``; every part is read through its own selector, which
    starts from the access policy (the parts of a case by need to know, the assessments
    and cases visible to the person)."""
    from safeguard.assessments.selectors import assessments_visible_to, cin_plans_visible_to
    from safeguard.cases.selectors import (
        case_obligations,
        chronology,
        family_of,
        involvements_of,
    )
    from safeguard.protection.selectors import protection_summary

    child = case.child
    worker = case.allocated_worker
    document: dict[str, Any] = {
        "case": {
            "id": case.pk, "reference": case.reference,
            "child": {"given_name": child.given_name, "family_name": child.family_name,
                      "date_of_birth": child.date_of_birth, "nhs_number": child.nhs_number,
                      "upn": child.upn},
            "local_authority": case.local_authority.name,
            "allocated_worker": worker.name if worker else None,
            "opened_on": case.opened_on, "closed_on": case.closed_on,
            "agencies_involved": sorted({i.agency.name for i in involvements_of(case)}),
        },
    }
    items: list[dict[str, Any]] = [{"type": "case", "id": case.pk}]
    if "chronology" in sections:
        document["chronology"] = [
            {"date": i.day, "event": i.title, "agency": i.agency, "detail": i.detail}
            for i in chronology(case)]
        items.append({"type": "chronology", "id": case.pk})
    if "family" in sections:
        members = family_of(actor, case)
        document["family"] = [
            {"name": m.person.full_name, "relationship": m.relationship,
             "date_of_birth": m.person.date_of_birth, "in_household": m.in_household,
             "parental_responsibility": m.parental_responsibility} for m in members]
        items += [{"type": "person", "id": m.person.pk} for m in members]
    if "child_protection" in sections:
        summary = protection_summary(case, case_parts(actor, case))
        plans = [p for p in (summary.open_plan, *summary.past_plans) if p is not None]
        document["child_protection"] = {
            "strategy_discussions": [
                {"held_on": d.held_on, "s47_initiated": d.s47_initiated,
                 "criminal_investigation": d.criminal_investigation, "decisions": d.decisions}
                for d in summary.strategy_discussions],
            "enquiries": [
                {"started_on": e.started_on, "outcome_on": e.outcome_on,
                 "substantiated": e.substantiated, "conference": e.conference_decision}
                for e in summary.enquiries],
            "conferences": [
                {"kind": c.get_kind_display(), "held_on": c.held_on,
                 "decision": conference_decision(c), "category": _label(c, "category"),
                 "summary": c.summary} for c in summary.conferences],
            "plans": [
                {"started_on": p.started_on, "category": _label(p, "category"),
                 "outcomes": p.outcomes, "ended_on": p.ended_on,
                 "end_reason": _label(p, "end_reason"),
                 "actions": [{"action": a.action, "agency": a.owner_agency.name,
                              "due_on": a.due_on, "done_on": a.done_on}
                             for a in p.actions.all()]} for p in plans],
        }
        items += [{"type": "strategy_discussion", "id": d.pk}
                  for d in summary.strategy_discussions]
        items += [{"type": "section_47_enquiry", "id": e.pk} for e in summary.enquiries]
        items += [{"type": "conference", "id": c.pk} for c in summary.conferences]
        items += [{"type": "child_protection_plan", "id": p.pk} for p in plans]
    if "assessments" in sections:
        assessments = list(assessments_visible_to(actor).filter(case_id=case.pk)
                           .order_by("started_on", "id"))
        cin_plans = list(cin_plans_visible_to(actor).filter(case_id=case.pk)
                         .order_by("started_on", "id"))
        document["assessments"] = [
            {"kind": a.get_kind_display(), "started_on": a.started_on,
             "child_seen_on": a.child_seen_on, "completed_on": a.completed_on,
             "outcome": _label(a, "outcome"), "wishes_and_feelings": a.wishes_and_feelings,
             "developmental_needs": a.developmental_needs,
             "parenting_capacity": a.parenting_capacity,
             "family_and_environment": a.family_and_environment} for a in assessments]
        document["child_in_need_plans"] = [
            {"started_on": p.started_on, "outcomes": p.outcomes,
             "next_review_on": p.next_review_on, "ended_on": p.ended_on} for p in cin_plans]
        items += [{"type": "assessment", "id": a.pk} for a in assessments]
        items += [{"type": "child_in_need_plan", "id": p.pk} for p in cin_plans]
    if "obligations" in sections:
        document["obligations"] = [
            {"duty": o.title, "due": o.due, "status": o.status, "met_on": o.met_on,
             "source": o.source} for o in case_obligations(case)]
        items.append({"type": "obligations", "id": case.pk})
    return CaseExport(document, items)
