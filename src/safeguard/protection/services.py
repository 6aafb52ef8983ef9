"""Protecting a child from significant harm: the writes (WT2018 chapter 1, flow charts 2-5).

One function per operation, keyword-only, in a transaction: it checks access with the policy
(``cases/policy.py``), validates (raising :class:`Invalid` naming each field, with nothing
changed), checks the version of a record it edits, makes the change, writes the audit entry
and has the case's obligations recomputed by the statutory engine.

Lists (attendees, invitees, actions, core group members) are given as dicts; an error in
one names it ``<list>.<index>.<field>`` (``attendees.2.name``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Min, Q

from safeguard.agencies.models import Agency, AgencyKind, Role, Staff
from safeguard.cases.models import Case, Involvement, InvolvementKind
from safeguard.cases.policy import require, require_view
from safeguard.cases.services import involve, recompute_obligations
from safeguard.core.dates import format_date, today
from safeguard.core.services import Context, Invalid, NotAllowed, audit, check_version
from safeguard.protection.models import (
    AbuseCategory,
    ChildProtectionPlan,
    Conference,
    ConferenceInvitee,
    ConferenceKind,
    CoreGroupMeeting,
    CoreGroupMember,
    ImmediateProtection,
    ImmediateProtectionKind,
    MovedInNotice,
    PlanAction,
    PlanEndNotification,
    PlanEndReason,
    ReturnHome,
    Section47Enquiry,
    StrategyAction,
    StrategyAttendee,
    StrategyDiscussion,
)
from safeguard.statutory.duties import plan_end_at_18_due

#: Health bodies that count as "health" at a strategy discussion (WT2018, Strategy
#: discussion attendees: "health practitioners").
HEALTH_KINDS = frozenset({AgencyKind.ICB, AgencyKind.CCG, AgencyKind.HEALTH_TRUST,
                          AgencyKind.GP_PRACTICE})
#: Local authority roles that count as "a local authority social worker".
SOCIAL_CARE_ATTENDEE_ROLES = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER})
#: Who may be a lead social worker ("a qualified, experienced social worker").
LEAD_SOCIAL_WORKER_ROLES = SOCIAL_CARE_ATTENDEE_ROLES

MISSING_SOCIAL_CARE = ("Add an attendee from the local authority’s children’s social care "
                       "(a social worker or team manager)")
MISSING_POLICE = "Add an attendee from the police"
MISSING_HEALTH = ("Add an attendee from health (the integrated care board, an NHS trust or "
                  "a GP practice)")


# ---- shared checks -------------------------------------------------------------------------


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def case_start(case: Case) -> date:
    """The earliest day a record of the case may carry: its first referral (or, with none,
    the day it was opened)."""
    from safeguard.referrals.models import Referral

    first = Referral.objects.filter(case=case).aggregate(first=Min("received_on"))["first"]
    return min(d for d in (first, case.opened_on) if d is not None)


def _check_day(errors: dict[str, str], field: str, day: date | None, label: str, *,
               case: Case | None = None, after: tuple[date, str] | None = None,
               required: bool = True, future: bool = False) -> None:
    """A date must be given (if required), not in the future (unless ``future``), not before
    the case's referral, and not before ``after`` = (day, what it is)."""
    if day is None:
        if required:
            errors[field] = f"Enter {label}"
        return
    if not future and day > today():
        errors[field] = f"{_capital(label)} must be today or in the past"
        return
    if case is not None:
        start = case_start(case)
        if day < start:
            errors[field] = (f"{_capital(label)} must be on or after the date of the referral, "
                             f"{format_date(start)}")
            return
    if after is not None and day < after[0]:
        errors[field] = f"{_capital(label)} must be on or after {after[1]}, {format_date(after[0])}"


def area_agencies(case: Case) -> dict[int, Agency]:
    """The agencies of the case's local authority area: the authority and its partners."""
    la = case.local_authority_id
    return {a.pk: a for a in Agency.objects.filter(Q(pk=la) | Q(area_id=la))}


@dataclass
class _Person:
    """One attendee, invitee or core group member, checked."""

    agency: Agency
    staff: Staff | None
    name: str
    role: str
    extra: dict[str, Any]


def _people(errors: dict[str, str], prefix: str, rows: Iterable[Mapping[str, Any]],
            agencies: Mapping[int, Agency], *, noun: str, flags: tuple[str, ...] = (),
            seen: list[tuple[Agency, Staff | None]] | None = None) -> list[_Person]:
    """Check a list of people from the area's agencies: ``agency_id`` (required),
    ``staff_id`` (optional; a member of that agency), ``name`` (required unless a member of
    staff is chosen), ``role``, and the boolean ``flags``. ``seen`` collects the agency (and
    member of staff) of every row naming them rightly, even if the row has another fault."""
    result: list[_Person] = []
    for i, row in enumerate(rows):
        where = f"{prefix}.{i}"
        agency = agencies.get(_int(row.get("agency_id")))  # type: ignore[arg-type]
        if agency is None:
            errors[f"{where}.agency"] = f"Choose the {noun}’s agency from this area’s agencies"
            continue
        staff = None
        staff_id = _int(row.get("staff_id"))
        if staff_id is not None:
            staff = Staff.objects.filter(pk=staff_id, agency=agency, active=True).select_related(
                "user", "agency").first()
            if staff is None:
                errors[f"{where}.staff"] = f"Choose a member of staff of {agency.name}"
                continue
        if seen is not None:
            seen.append((agency, staff))
        name = str(row.get("name") or "").strip() or (staff.name if staff else "")
        if not name:
            errors[f"{where}.name"] = f"Enter the {noun}’s name"
            continue
        role = str(row.get("role") or "").strip() or (
            staff.job_title or staff.get_role_display() if staff else "")
        result.append(_Person(agency, staff, name[:200], role[:200],
                              {f: bool(row.get(f)) for f in flags}))
    return result


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _local_staff(case: Case, staff_id: Any, roles: Iterable[str]) -> Staff | None:
    pk = _int(staff_id)
    if pk is None:
        return None
    return Staff.objects.filter(pk=pk, agency_id=case.local_authority_id, active=True,
                                role__in=list(roles)).select_related("user").first()


def _line_management(case: Case) -> list[Staff]:
    """The allocated worker and everyone above them in line management."""
    chain: list[Staff] = []
    person = case.allocated_worker
    while person is not None and person not in chain:
        chain.append(person)
        person = person.manager
    return chain


def active_plan(case: Case, *, lock: bool = False) -> ChildProtectionPlan | None:
    plans = ChildProtectionPlan.objects.filter(case=case, ended_on__isnull=True)
    if lock:
        plans = plans.select_for_update()
    return plans.order_by("-started_on", "-id").first()


def _finish(case: Case, actor: Any, action: str, obj: Any, context: Context | None,
            fields: Iterable[str] = ()) -> None:
    audit(actor=actor, action=action, obj=obj, case_id=case.pk,
          detail={"fields": sorted(fields)} if fields else None, context=context)
    recompute_obligations(case)


# ---- immediate protection ------------------------------------------------------------------


@transaction.atomic
def immediate_protection_record(
    *, actor: Any, case_id: int, kind: str, taken_on: date | None, acting_agency_id: int | None,
    acted_by: str, details: str, context: Context | None = None,
) -> ImmediateProtection:
    """Record immediate protective action (WT2018, Immediate protection): an emergency
    protection order, police protection under section 46, or other action, and who acted.
    A strategy discussion must follow as soon as possible."""
    case = require_view(actor, case_id)
    require(actor, "record_casework", case)
    errors: dict[str, str] = {}
    if kind not in ImmediateProtectionKind.values:
        errors["kind"] = "Select the action taken"
    _check_day(errors, "taken_on", taken_on, "the date the action was taken", case=case)
    agency = area_agencies(case).get(acting_agency_id or 0)
    if agency is None:
        errors["acting_agency"] = "Choose the agency that acted"
    if not acted_by.strip():
        errors["acted_by"] = "Enter who acted"
    if not details.strip():
        errors["details"] = "Enter what was done and why"
    if errors:
        raise Invalid(errors)
    assert agency is not None and taken_on is not None
    record = ImmediateProtection.objects.create(
        case=case, kind=kind, taken_on=taken_on, acting_agency=agency,
        acted_by=acted_by.strip(), details=details.strip(), created_by=actor)
    if agency.pk != case.local_authority_id:
        involve(case=case, agency=agency, kind=InvolvementKind.OTHER, since=taken_on)
    _finish(case, actor, "create", record, context)
    return record


# ---- strategy discussions and section 47 enquiries -----------------------------------------


@transaction.atomic
def strategy_discussion_record(
    *, actor: Any, case_id: int, held_on: date | None, attendees: Iterable[Mapping[str, Any]],
    s47_initiated: bool | None, criminal_investigation: bool | None, decisions: str,
    actions: Iterable[Mapping[str, Any]] = (), immediate_protection_id: int | None = None,
    context: Context | None = None,
) -> StrategyDiscussion:
    """Record a strategy discussion (WT2018, Strategy discussion).

    Refused unless the attendees include, as a minimum, a social worker or team manager of
    the responsible local authority, the police and health. Attending agencies become
    involved in the case. If it initiates section 47 enquiries and none is open, an enquiry
    starts on the discussion's date. ``attendees``: ``agency_id``, ``staff_id`` (needed for
    the local authority's own staff), ``name``, ``role``. ``actions``: ``action``,
    ``owner_agency_id``, ``owner``, ``due_on``.
    """
    case = require_view(actor, case_id)
    staff = require(actor, "record_casework", case)
    errors: dict[str, str] = {}
    _check_day(errors, "held_on", held_on, "the date of the strategy discussion", case=case)
    follows = None
    if immediate_protection_id is not None:
        follows = ImmediateProtection.objects.filter(pk=immediate_protection_id,
                                                     case=case).first()
        if follows is None:
            errors["immediate_protection"] = "Choose immediate protection recorded on this case"
        elif held_on is not None and "held_on" not in errors and held_on < follows.taken_on:
            errors["held_on"] = ("The date of the strategy discussion must be on or after the "
                                 f"immediate protection, {format_date(follows.taken_on)}")
    if s47_initiated is None:
        errors["s47_initiated"] = (
            "Select yes if the discussion decided to start section 47 enquiries")
    if criminal_investigation is None:
        errors["criminal_investigation"] = "Select yes if there will be a criminal investigation"
    if not decisions.strip():
        errors["decisions"] = "Enter what was decided"
    agencies = area_agencies(case)
    seen: list[tuple[Agency, Staff | None]] = []
    people = _people(errors, "attendees", attendees, agencies, noun="attendee", seen=seen)
    # WT2018, Strategy discussion attendees: "a local authority social worker, health
    # practitioners and a police representative should, as a minimum, be involved".
    if not any(agency.pk == case.local_authority_id and staff is not None
               and staff.role in SOCIAL_CARE_ATTENDEE_ROLES for agency, staff in seen):
        errors["attendees.social_care"] = MISSING_SOCIAL_CARE
    if not any(agency.kind == AgencyKind.POLICE for agency, _ in seen):
        errors["attendees.police"] = MISSING_POLICE
    if not any(agency.kind in HEALTH_KINDS for agency, _ in seen):
        errors["attendees.health"] = MISSING_HEALTH
    planned = []
    for i, row in enumerate(actions):
        where = f"actions.{i}"
        text = str(row.get("action") or "").strip()
        owner = agencies.get(_int(row.get("owner_agency_id")) or 0)
        due = row.get("due_on")
        if not text:
            errors[f"{where}.action"] = "Enter the action"
        if owner is None:
            errors[f"{where}.owner_agency"] = "Choose the agency that owns the action"
        if not isinstance(due, date):
            errors[f"{where}.due_on"] = "Enter the date the action is due"
        elif held_on is not None and due < held_on:
            errors[f"{where}.due_on"] = (
                "The date the action is due must be on or after the discussion")
        if text and owner is not None and isinstance(due, date):
            planned.append((text, owner, str(row.get("owner") or "").strip()[:200], due))
    if errors:
        raise Invalid(errors)
    assert held_on is not None
    discussion = StrategyDiscussion.objects.create(
        case=case, held_on=held_on, s47_initiated=bool(s47_initiated),
        criminal_investigation=bool(criminal_investigation), decisions=decisions.strip(),
        convened_by=staff, immediate_protection=follows, created_by=actor)
    StrategyAttendee.objects.bulk_create(
        StrategyAttendee(discussion=discussion, agency=p.agency, staff=p.staff, name=p.name,
                         role=p.role) for p in people)
    StrategyAction.objects.bulk_create(
        StrategyAction(discussion=discussion, action=text, owner_agency=owner, owner=name,
                       due_on=due) for text, owner, name, due in planned)
    for p in people:
        involve(case=case, agency=p.agency, staff=p.staff,
                kind=InvolvementKind.STRATEGY_DISCUSSION, since=held_on)
    audit(actor=actor, action="create", obj=discussion, case_id=case.pk, context=context,
          detail={"attendees": len(people), "actions": len(planned)})
    if discussion.s47_initiated and not Section47Enquiry.objects.filter(
            case=case, outcome_on__isnull=True).exists():
        enquiry = Section47Enquiry.objects.create(
            case=case, strategy_discussion=discussion, started_on=held_on, created_by=actor)
        audit(actor=actor, action="create", obj=enquiry, case_id=case.pk, context=context)
    recompute_obligations(case)
    return discussion


def _enquiry_for(actor: Any, enquiry_id: int) -> Section47Enquiry:
    enquiry = (Section47Enquiry.objects.select_for_update().filter(pk=enquiry_id)
               .select_related("case").first())
    if enquiry is None:
        raise NotAllowed("You do not have access to this enquiry, or it does not exist.")
    enquiry.case = require_view(actor, enquiry.case_id)
    return enquiry


@transaction.atomic
def s47_outcome_record(
    *, actor: Any, enquiry_id: int, outcome_on: date | None, substantiated: bool | None,
    conference: bool | None, notes: str = "", version: int | None = None,
    context: Context | None = None,
) -> Section47Enquiry:
    """Record the outcome of section 47 enquiries (WT2018, Outcome of section 47
    enquiries): whether the concerns were substantiated, and whether the local authority
    will convene an initial child protection conference."""
    enquiry = _enquiry_for(actor, enquiry_id)
    case = enquiry.case
    staff = require(actor, "record_casework", case)
    check_version(enquiry, version)
    errors: dict[str, str] = {}
    _check_day(errors, "outcome_on", outcome_on, "the date of the outcome", case=case,
               after=(enquiry.started_on, "the start of the enquiries"))
    if substantiated is None:
        errors["substantiated"] = "Select yes if the concerns were substantiated"
    if conference is None:
        errors["conference"] = (
            "Select yes if the local authority will convene an initial conference")
    elif not conference and enquiry.conferences.filter(kind=ConferenceKind.INITIAL).exists():
        errors["conference"] = "An initial conference has already been held for these enquiries"
    if errors:
        raise Invalid(errors)
    action = "record_outcome" if enquiry.outcome_on is None else "update"
    enquiry.outcome_on = outcome_on
    enquiry.substantiated = substantiated
    enquiry.conference_decision = conference
    enquiry.outcome_notes = notes.strip()
    enquiry.outcome_recorded_by = staff
    enquiry.version += 1
    enquiry.save()
    _finish(case, actor, action, enquiry, context,
            ["outcome_on", "substantiated", "conference_decision", "outcome_notes"])
    return enquiry


@transaction.atomic
def conference_request_record(
    *, actor: Any, enquiry_id: int, reasons: str, version: int | None = None,
    context: Context | None = None,
) -> Section47Enquiry:
    """Another agency involved with the child asks the local authority to convene a
    conference it decided against (WT2018, Outcome of section 47 enquiries). Shown to the
    authority's managers."""
    enquiry = _enquiry_for(actor, enquiry_id)
    case = enquiry.case
    staff = require(actor, "request_conference", case)
    check_version(enquiry, version)
    errors: dict[str, str] = {}
    if enquiry.outcome_on is None:
        errors["enquiry"] = ("You can ask for a conference once the local authority has "
                             "recorded the outcome of the enquiries")
    elif enquiry.conference_decision:
        errors["enquiry"] = "The local authority has already decided to convene a conference"
    if not reasons.strip():
        errors["reasons"] = "Enter why you are asking for a conference"
    if errors:
        raise Invalid(errors)
    enquiry.conference_requested_by = staff.agency
    enquiry.conference_requested_by_staff = staff
    enquiry.conference_requested_on = today()
    enquiry.conference_request_reason = reasons.strip()
    enquiry.version += 1
    enquiry.save()
    _finish(case, actor, "request_conference", enquiry, context,
            ["conference_requested_by", "conference_request_reason"])
    return enquiry


# ---- conferences and plans -----------------------------------------------------------------


@transaction.atomic
def conference_record(
    *, actor: Any, case_id: int, kind: str, held_on: date | None, chair_id: int | None,
    invitees: Iterable[Mapping[str, Any]], plan_decision: bool | None, category: str = "",
    lead_social_worker_id: int | None = None, core_group: Iterable[Mapping[str, Any]] = (),
    summary: str = "", end_reason: str = "", receiving_conference_on: date | None = None,
    context: Context | None = None,
) -> Conference:
    """Record a child protection conference: initial, review or transfer-in.

    The chair must be a conference chair of the local authority, independent of the case's
    line management (neither the allocated worker nor anyone managing them). ``invitees``:
    ``agency_id``, ``staff_id``, ``name``, ``role``, ``attended``, ``report_submitted``;
    ``core_group``: ``agency_id``, ``staff_id``, ``name``, ``role``.

    - initial / transfer-in, ``plan_decision`` true: the child becomes the subject of a child
      protection plan, with its category of abuse and lead social worker;
    - review, ``plan_decision`` false: the plan ends (``end_reason``, by default no longer at
      risk), and every agency invited to the conference that started it is notified.
    """
    case = require_view(actor, case_id)
    require(actor, "record_conference", case)
    errors: dict[str, str] = {}
    if kind not in ConferenceKind.values:
        raise Invalid({"kind": "Choose the kind of conference"})
    _check_day(errors, "held_on", held_on, "the date of the conference", case=case)
    chair = _local_staff(case, chair_id, [Role.CONFERENCE_CHAIR])
    if chair is None:
        errors["chair"] = "Choose the conference chair from the local authority’s chairs"
    elif chair in _line_management(case):
        errors["chair"] = ("The chair must be independent of the case’s line management: choose "
                           "a chair who is not the allocated worker or their manager")
    plan = active_plan(case, lock=True)
    enquiry = None
    notice = None
    if kind == ConferenceKind.INITIAL:
        if plan is not None:
            errors["kind"] = ("The child is already the subject of a child protection plan: "
                              "record a review conference")
        # The enquiries this conference follows: the latest without an initial conference.
        enquiry = (Section47Enquiry.objects.filter(case=case)
                   .exclude(conferences__kind=ConferenceKind.INITIAL)
                   .order_by("-started_on", "-id").first())
        if enquiry is None:
            errors.setdefault("kind", "Record the strategy discussion that started section 47 "
                                      "enquiries before an initial conference")
        elif held_on is not None and "held_on" not in errors:
            _check_day(errors, "held_on", held_on, "the date of the conference",
                       after=(enquiry.started_on, "the start of the section 47 enquiries"))
    elif kind == ConferenceKind.REVIEW:
        if plan is None:
            errors["kind"] = "There is no current child protection plan to review"
        elif held_on is not None and "held_on" not in errors:
            last = plan.reviews.order_by("-held_on").values_list("held_on", flat=True).first()
            after = ((last, "the last review") if last
                     else (plan.started_on, "the start of the plan"))
            _check_day(errors, "held_on", held_on, "the date of the conference", after=after)
    else:
        if plan is not None:
            errors["kind"] = "The child is already the subject of a child protection plan here"
        notice = MovedInNotice.objects.filter(case=case).order_by("-notified_on", "-id").first()
        if notice is None:
            errors.setdefault("kind", "Record the notice that the child on another authority’s "
                                      "plan moved into the area before a transfer-in conference")
        elif held_on is not None and "held_on" not in errors:
            _check_day(errors, "held_on", held_on, "the date of the conference",
                       after=(notice.notified_on, "the notice of the move"))
    if plan_decision is None:
        errors["plan_decision"] = (
            "Select yes if the child protection plan continues" if kind == ConferenceKind.REVIEW
            else "Select yes if the child is to be the subject of a child protection plan")
    starts_plan = kind != ConferenceKind.REVIEW and bool(plan_decision)
    continues = kind == ConferenceKind.REVIEW and bool(plan_decision)
    ends_plan = kind == ConferenceKind.REVIEW and plan_decision is False
    if category and category not in AbuseCategory.values:
        errors["category"] = "Choose the category of abuse"
    elif starts_plan and not category:
        errors["category"] = "Choose the category of abuse for the child protection plan"
    lead = None
    if lead_social_worker_id is not None:
        lead = _local_staff(case, lead_social_worker_id, LEAD_SOCIAL_WORKER_ROLES)
        if lead is None:
            errors["lead_social_worker"] = "Choose the lead social worker from the local authority"
    elif starts_plan:
        errors["lead_social_worker"] = "Choose the lead social worker"
    reason = end_reason or PlanEndReason.NO_LONGER_AT_RISK
    if ends_plan and plan is not None:
        if reason not in PlanEndReason.values:
            errors["end_reason"] = "Choose why the plan ends"
        elif held_on is not None:
            _check_end(errors, plan, case, held_on, reason, receiving_conference_on,
                       ended_field="held_on")
    agencies = area_agencies(case)
    invited = _people(errors, "invitees", invitees, agencies, noun="invitee",
                      flags=("attended", "report_submitted"))
    if not invited and not any(k.startswith("invitees.") for k in errors):
        errors["invitees"] = "Add the agencies invited to the conference"
    members = _people(errors, "core_group", core_group, agencies, noun="core group member")
    if errors:
        raise Invalid(errors)
    assert held_on is not None and chair is not None
    conference = Conference.objects.create(
        case=case, kind=kind, held_on=held_on, chair=chair, enquiry=enquiry,
        plan_decision=bool(plan_decision), category=category, lead_social_worker=lead,
        summary=summary.strip(), plan=plan if kind == ConferenceKind.REVIEW else None,
        moved_in_notice=notice, created_by=actor)
    ConferenceInvitee.objects.bulk_create(
        ConferenceInvitee(conference=conference, agency=p.agency, staff=p.staff, name=p.name,
                          role=p.role, **p.extra) for p in invited)
    involve(case=case, agency=case.local_authority, staff=chair,
            kind=InvolvementKind.CONFERENCE_CHAIR, since=held_on)
    for p in invited:
        involve(case=case, agency=p.agency, staff=p.staff,
                kind=InvolvementKind.CONFERENCE_INVITEE, since=held_on)
    audit(actor=actor, action="create", obj=conference, case_id=case.pk, context=context,
          detail={"kind": kind, "invitees": len(invited)})
    if starts_plan:
        assert lead is not None
        plan = ChildProtectionPlan.objects.create(
            case=case, started_by=conference, started_on=held_on, category=category,
            lead_social_worker=lead, created_by=actor)
        lead_member = _Person(case.local_authority, lead, lead.name, "Lead social worker", {})
        _add_core_group(case, plan, [lead_member, *members], held_on)
        audit(actor=actor, action="create", obj=plan, case_id=case.pk, context=context)
    elif continues and plan is not None:
        changed: list[str] = []
        if category and category != plan.category:
            plan.category, changed = category, [*changed, "category"]
        if lead is not None and lead != plan.lead_social_worker:
            plan.lead_social_worker, changed = lead, [*changed, "lead_social_worker"]
        if changed:
            plan.version += 1
            plan.save()
        if _add_core_group(case, plan, members, held_on):
            changed.append("core_group")
        if changed:
            audit(actor=actor, action="update", obj=plan, case_id=case.pk, context=context,
                  detail={"fields": changed})
    elif ends_plan and plan is not None:
        _end_plan(plan, case, ended_on=held_on, reason=reason, ended_by=conference,
                  receiving_conference_on=receiving_conference_on, actor=actor, context=context)
    recompute_obligations(case)
    return conference


def _add_core_group(case: Case, plan: ChildProtectionPlan, members: Iterable[_Person],
                    since: date) -> int:
    """Add members not already in the plan's core group; each becomes involved in the case."""
    existing = {(m.agency_id, m.staff_id, m.name) for m in plan.core_group.all()}
    added = 0
    for p in members:
        key = (p.agency.pk, p.staff.pk if p.staff else None, p.name)
        if key in existing:
            continue
        existing.add(key)
        CoreGroupMember.objects.create(plan=plan, agency=p.agency, staff=p.staff, name=p.name,
                                       role=p.role)
        involve(case=case, agency=p.agency, staff=p.staff,
                kind=InvolvementKind.CORE_GROUP_MEMBER, since=since)
        added += 1
    return added


def _check_end(errors: dict[str, str], plan: ChildProtectionPlan, case: Case, ended_on: date,
               reason: str, receiving_conference_on: date | None, *, ended_field: str) -> None:
    """The rules of WT2018, Discontinuing the Child Protection Plan, for ending on
    ``ended_on`` for ``reason``."""
    if reason == PlanEndReason.MOVED:
        receiving = receiving_conference_on or plan.receiving_conference_on
        if receiving is None:
            errors["receiving_conference_on"] = (
                "Enter the date of the receiving local authority’s child protection conference: "
                "the plan may not end for a move before that conference")
        elif receiving > today():
            errors["receiving_conference_on"] = (
                "The date of the receiving authority’s conference must be today or in the past: "
                "the plan may not end for a move before that conference")
        elif receiving < plan.started_on:
            errors["receiving_conference_on"] = (
                "The date of the receiving authority’s conference must be after the plan started")
        elif ended_on < receiving:
            errors[ended_field] = (
                "The plan may not end before the receiving local authority’s conference on "
                f"{format_date(receiving)}")
    elif reason == PlanEndReason.EIGHTEEN:
        born = case.child.date_of_birth
        if born is not None and ended_on < plan_end_at_18_due(born):
            errors["end_reason"] = (
                f"The child is not 18 until {format_date(plan_end_at_18_due(born))}")


def _end_plan(plan: ChildProtectionPlan, case: Case, *, ended_on: date, reason: str,
              ended_by: Conference | None, receiving_conference_on: date | None, actor: Any,
              context: Context | None) -> None:
    plan.ended_on = ended_on
    plan.end_reason = reason
    plan.ended_by = ended_by
    if reason == PlanEndReason.MOVED:
        plan.receiving_conference_on = receiving_conference_on or plan.receiving_conference_on
    plan.version += 1
    plan.save()
    # WT2018: notify, as a minimum, every agency invited to the ICPC that led to the plan.
    agencies = sorted(set(plan.started_by.invitees.values_list("agency_id", flat=True)))
    PlanEndNotification.objects.bulk_create(
        PlanEndNotification(plan=plan, agency_id=a, notified_on=today()) for a in agencies)
    Involvement.objects.filter(case=case, kind=InvolvementKind.CORE_GROUP_MEMBER,
                               until__isnull=True).update(until=ended_on)
    audit(actor=actor, action="end", obj=plan, case_id=case.pk, context=context,
          detail={"fields": ["ended_on", "end_reason"], "notified": len(agencies)})


def _plan_for(actor: Any, plan_id: int) -> ChildProtectionPlan:
    plan = (ChildProtectionPlan.objects.select_for_update().filter(pk=plan_id)
            .select_related("case").first())
    if plan is None:
        raise NotAllowed("You do not have access to this plan, or it does not exist.")
    plan.case = require_view(actor, plan.case_id)
    return plan


def _require_active(plan: ChildProtectionPlan, what: str) -> None:
    if not plan.is_active:
        raise Invalid({"plan": f"The child protection plan ended on {format_date(plan.ended_on)}: "
                               f"{what}"})


@transaction.atomic
def plan_end(
    *, actor: Any, plan_id: int, ended_on: date | None, reason: str,
    receiving_conference_on: date | None = None, version: int | None = None,
    context: Context | None = None,
) -> ChildProtectionPlan:
    """End a plan other than at a review conference (WT2018, Discontinuing the Child
    Protection Plan): no longer at risk, moved permanently to another local authority (only
    on or after the receiving authority's conference), reached 18, died, or left the UK.
    Every agency invited to the initial conference that led to the plan is notified."""
    plan = _plan_for(actor, plan_id)
    case = plan.case
    require(actor, "record_casework", case)
    check_version(plan, version)
    _require_active(plan, "it cannot be ended again")
    errors: dict[str, str] = {}
    if reason not in PlanEndReason.values:
        errors["reason"] = "Select why the plan is ending"
    _check_day(errors, "ended_on", ended_on, "the date the plan ended",
               after=(plan.started_on, "the start of the plan"))
    if "reason" not in errors and ended_on is not None and "ended_on" not in errors:
        _check_end(errors, plan, case, ended_on, reason, receiving_conference_on,
                   ended_field="ended_on")
        if "end_reason" in errors:
            errors["reason"] = errors.pop("end_reason")
    if errors:
        raise Invalid(errors)
    assert ended_on is not None
    _end_plan(plan, case, ended_on=ended_on, reason=reason, ended_by=None,
              receiving_conference_on=receiving_conference_on, actor=actor, context=context)
    recompute_obligations(case)
    return plan


@transaction.atomic
def plan_outcomes_update(
    *, actor: Any, plan_id: int, outcomes: str, version: int | None = None,
    context: Context | None = None,
) -> ChildProtectionPlan:
    """Set out what needs to change, by how much and by when (the plan's outcomes)."""
    plan = _plan_for(actor, plan_id)
    require(actor, "record_casework", plan.case)
    check_version(plan, version)
    _require_active(plan, "its outcomes can no longer change")
    if not outcomes.strip():
        raise Invalid({"outcomes": "Enter the outcomes of the plan"})
    plan.outcomes = outcomes.strip()
    plan.version += 1
    plan.save()
    _finish(plan.case, actor, "update", plan, context, ["outcomes"])
    return plan


@transaction.atomic
def plan_action_add(
    *, actor: Any, plan_id: int, action: str, owner_agency_id: int | None, owner: str = "",
    due_on: date | None = None, version: int | None = None, context: Context | None = None,
) -> PlanAction:
    """Add an action to the plan, with the agency that owns it and when it is due."""
    plan = _plan_for(actor, plan_id)
    require(actor, "record_casework", plan.case)
    check_version(plan, version)
    _require_active(plan, "actions can no longer be added")
    errors: dict[str, str] = {}
    if not action.strip():
        errors["action"] = "Enter the action"
    agency = area_agencies(plan.case).get(owner_agency_id or 0)
    if agency is None:
        errors["owner_agency"] = "Choose the agency that owns the action"
    if due_on is not None and due_on < plan.started_on:
        errors["due_on"] = "The date the action is due must be on or after the start of the plan"
    if errors:
        raise Invalid(errors)
    assert agency is not None
    item = PlanAction.objects.create(plan=plan, action=action.strip(), owner_agency=agency,
                                     owner=owner.strip()[:200], due_on=due_on)
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    _finish(plan.case, actor, "add_action", plan, context, ["actions"])
    return item


@transaction.atomic
def plan_action_complete(
    *, actor: Any, plan_id: int, action_id: int, done_on: date | None,
    version: int | None = None, context: Context | None = None,
) -> PlanAction:
    """Mark a plan's action done: by the local authority's social workers, or by a core
    group member of the agency that owns it."""
    plan = _plan_for(actor, plan_id)
    staff = require(actor, "record_core_group", plan.case)
    check_version(plan, version)
    item = plan.actions.filter(pk=action_id).first()
    if item is None:
        raise Invalid({"action": "Choose an action of this plan"})
    if not staff.in_social_care and not (
            item.owner_agency_id == staff.agency_id and _in_core_group(plan, staff)):
        raise NotAllowed("Only the local authority or the agency that owns the action can "
                         "mark it done.")
    errors: dict[str, str] = {}
    _check_day(errors, "done_on", done_on, "the date the action was done",
               after=(plan.started_on, "the start of the plan"))
    if errors:
        raise Invalid(errors)
    item.done_on = done_on
    item.save(update_fields=["done_on"])
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    _finish(plan.case, actor, "complete_action", plan, context, ["actions"])
    return item


def _in_core_group(plan: ChildProtectionPlan, staff: Staff) -> bool:
    return plan.core_group.filter(Q(staff=staff) | Q(agency_id=staff.agency_id)).exists()


@transaction.atomic
def core_group_meeting_record(
    *, actor: Any, plan_id: int, held_on: date | None, notes: str = "",
    context: Context | None = None,
) -> CoreGroupMeeting:
    """Record a core group meeting (WT2018, The child protection plan: the first within 10
    working days of the conference). Recorded by the local authority's social workers or by
    a member of the plan's core group, while the plan lasts."""
    plan = _plan_for(actor, plan_id)
    case = plan.case
    staff = require(actor, "record_core_group", case)
    if not staff.in_social_care and not _in_core_group(plan, staff):
        raise NotAllowed("Only the plan's core group can record its meetings.")
    _require_active(plan, "a core group meets only while the plan lasts")
    errors: dict[str, str] = {}
    _check_day(errors, "held_on", held_on, "the date of the meeting",
               after=(plan.started_on, "the start of the plan"))
    if errors:
        raise Invalid(errors)
    assert held_on is not None
    meeting = CoreGroupMeeting.objects.create(plan=plan, held_on=held_on, notes=notes.strip(),
                                              created_by=actor)
    _finish(case, actor, "create", meeting, context)
    return meeting


# ---- moves and returns home ----------------------------------------------------------------


@transaction.atomic
def moved_in_notice_record(
    *, actor: Any, case_id: int, notified_on: date | None, from_local_authority: str,
    moved_on: date | None = None, plan_started_on: date | None = None, category: str = "",
    notes: str = "", context: Context | None = None,
) -> MovedInNotice:
    """Record notice that a child on another local authority's child protection plan moved
    into the area: the receiving authority must convene a conference within 15 working days
    (WT2018, Discontinuing the Child Protection Plan)."""
    case = require_view(actor, case_id)
    require(actor, "record_casework", case)
    errors: dict[str, str] = {}
    _check_day(errors, "notified_on", notified_on, "the date you were notified", case=case)
    name = from_local_authority.strip()
    if not name:
        errors["from_local_authority"] = "Enter the local authority the child moved from"
    elif name.casefold() == case.local_authority.name.casefold():
        errors["from_local_authority"] = "Enter the other local authority the child moved from"
    if moved_on is not None and notified_on is not None and moved_on > notified_on:
        errors["moved_on"] = "The date of the move must be on or before the notice"
    if plan_started_on is not None and plan_started_on > (moved_on or notified_on or today()):
        errors["plan_started_on"] = "The date the plan started must be before the move"
    if category and category not in AbuseCategory.values:
        errors["category"] = "Choose the category of abuse"
    if errors:
        raise Invalid(errors)
    assert notified_on is not None
    notice = MovedInNotice.objects.create(
        case=case, notified_on=notified_on, from_local_authority=name[:200], moved_on=moved_on,
        plan_started_on=plan_started_on, category=category, notes=notes.strip(),
        created_by=actor)
    _finish(case, actor, "create", notice, context)
    return notice


@transaction.atomic
def return_home_record(
    *, actor: Any, case_id: int, returned_on: date | None, planned: bool | None,
    assessment: str, support_plan: str, immediate_concerns: bool | None = None,
    context: Context | None = None,
) -> ReturnHome:
    """Record a child returning home from care, planned or not, with the assessment and the
    plan of support (WT2018, Children returning home). If there is concern that the child
    is suffering or likely to suffer significant harm, section 47 enquiries must follow."""
    case = require_view(actor, case_id)
    require(actor, "record_casework", case)
    errors: dict[str, str] = {}
    _check_day(errors, "returned_on", returned_on, "the date the child returned home",
               case=case)
    if planned is None:
        errors["planned"] = "Select yes if the return home was planned"
    elif not planned and immediate_concerns is None:
        errors["immediate_concerns"] = (
            "Select yes if there are immediate concerns about the child’s safety")
    if not assessment.strip():
        errors["assessment"] = "Enter the assessment of the child’s and family’s needs"
    if not support_plan.strip():
        errors["support_plan"] = "Enter the plan of services and support"
    if errors:
        raise Invalid(errors)
    assert returned_on is not None
    record = ReturnHome.objects.create(
        case=case, returned_on=returned_on, planned=bool(planned),
        immediate_concerns=immediate_concerns, assessment=assessment.strip(),
        support_plan=support_plan.strip(), created_by=actor)
    _finish(case, actor, "create", record, context)
    return record
