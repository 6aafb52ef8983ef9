"""Reads of case data. Each takes the acting person and starts from the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from safeguard.cases.models import Case, Obligation
from safeguard.cases.policy import cases_visible_to, require_view, staff_of
from safeguard.cases.services import ensure_obligations_current
from safeguard.core.dates import today
from safeguard.core.services import Context, audit
from safeguard.statutory import open_obligation_status


def case_for(actor: Any, case_id: int, *, context: Context | None = None,
             purpose: str = "view") -> Case:
    """The case, if the acting person may see it, with its obligations current. The read is
    recorded in the audit trail."""
    case = require_view(actor, case_id)
    ensure_obligations_current(case)
    via = getattr(case, "via_break_glass", None)
    audit(actor=actor, action=purpose, obj=case, case_id=case.pk, context=context,
          reason=via.reason if via is not None else "",
          detail={"break_glass": via.pk} if via is not None else None)
    return case


def case_obligations(case: Case) -> list[Obligation]:
    """The case's obligations in the engine's order (call after :func:`case_for`)."""
    return list(Obligation.objects.filter(case=case).order_by("position"))


@dataclass(frozen=True)
class ChronologyItem:
    day: date
    title: str
    agency: str
    detail: str
    kind: str


def chronology(case: Case) -> list[ChronologyItem]:
    """Every recorded event of the case in date order, with the agency it came from."""
    from safeguard.assessments.models import Assessment, ChildInNeedPlan, ChildInNeedPlanReview
    from safeguard.protection.models import (
        ChildProtectionPlan,
        Conference,
        CoreGroupMeeting,
        ImmediateProtection,
        MovedInNotice,
        ReturnHome,
        Section47Enquiry,
        StrategyDiscussion,
    )
    from safeguard.referrals.models import Referral, ReferralDecision

    la = case.local_authority.name
    items: list[ChronologyItem] = []
    add = items.append
    for r in Referral.objects.filter(case=case).select_related("referrer_agency"):
        add(ChronologyItem(r.received_on, "Referral received",
                           r.referrer_agency.name if r.referrer_agency else r.get_source_display(),
                           r.get_source_display(), "referral"))
    for d in ReferralDecision.objects.filter(referral__case=case):
        add(ChronologyItem(d.decided_on, f"Referral decision: {d.get_outcome_display()}", la,
                           "", "decision"))
        if d.authorised_on:
            add(ChronologyItem(d.authorised_on, "Referral decision authorised", la, "",
                               "decision"))
    for ip in ImmediateProtection.objects.filter(case=case).select_related("acting_agency"):
        add(ChronologyItem(ip.taken_on, ip.get_kind_display(), ip.acting_agency.name, "",
                           "immediate_protection"))
    for a in Assessment.objects.filter(case=case):
        add(ChronologyItem(a.started_on, f"Assessment started ({a.get_kind_display()})", la, "",
                           "assessment"))
        if a.child_seen_on:
            add(ChronologyItem(a.child_seen_on, "Child seen" + (" alone" if a.child_seen_alone
                                                                else ""), la, "", "assessment"))
        if a.completed_on:
            add(ChronologyItem(a.completed_on, "Assessment completed", la,
                               a.get_outcome_display() if a.outcome else "", "assessment"))
    for sd in StrategyDiscussion.objects.filter(case=case):
        add(ChronologyItem(sd.held_on, "Strategy discussion", la,
                           "Section 47 enquiries started" if sd.s47_initiated
                           else "No section 47 enquiries", "strategy_discussion"))
    for e in Section47Enquiry.objects.filter(case=case, outcome_on__isnull=False):
        add(ChronologyItem(e.outcome_on, "Section 47 enquiry outcome", la,  # type: ignore[arg-type]
                           "Concerns substantiated" if e.substantiated
                           else "Concerns not substantiated", "s47"))
    for e in Section47Enquiry.objects.filter(
            case=case, conference_requested_on__isnull=False).select_related(
            "conference_requested_by"):
        add(ChronologyItem(e.conference_requested_on,  # type: ignore[arg-type]
                           "Conference requested by another agency",
                           e.conference_requested_by.name if e.conference_requested_by else la,
                           "", "s47"))
    for c in Conference.objects.filter(case=case):
        add(ChronologyItem(c.held_on, c.get_kind_display(), la, c.get_category_display()
                           if c.category else "", "conference"))
    for m in CoreGroupMeeting.objects.filter(plan__case=case):
        add(ChronologyItem(m.held_on, "Core group meeting", la, "", "core_group"))
    for p in ChildProtectionPlan.objects.filter(case=case):
        add(ChronologyItem(p.started_on, "Child protection plan started", la,
                           p.get_category_display() if p.category else "", "plan"))
    for p in ChildProtectionPlan.objects.filter(case=case, ended_on__isnull=False):
        add(ChronologyItem(p.ended_on, "Child protection plan ended", la,  # type: ignore[arg-type]
                           p.get_end_reason_display(), "plan"))
    for p2 in ChildInNeedPlan.objects.filter(case=case):
        add(ChronologyItem(p2.started_on, "Child in need plan started", la, "", "cin_plan"))
        if p2.ended_on:
            add(ChronologyItem(p2.ended_on, "Child in need plan ended", la, "", "cin_plan"))
    for review in ChildInNeedPlanReview.objects.filter(plan__case=case):
        add(ChronologyItem(review.held_on, "Child in need plan review", la, "", "cin_plan"))
    for n in MovedInNotice.objects.filter(case=case):
        add(ChronologyItem(n.notified_on, "Notified that the child moved in",
                           n.from_local_authority, "", "moved_in"))
    for rh in ReturnHome.objects.filter(case=case):
        add(ChronologyItem(rh.returned_on, "Returned home from care", la,
                           "Planned" if rh.planned else "Unplanned", "return_home"))
    items.sort(key=lambda i: i.day)
    return items


@dataclass(frozen=True)
class WorkItem:
    obligation: Obligation
    case: Case
    status: str
    working_days_late: int


def work_items(actor: Any, *, scope: str = "mine", within_days: int = 7) -> list[WorkItem]:
    """Open obligations due within ``within_days`` or overdue, on the cases allocated to the
    acting person (``mine``) or to their team (``team``), most overdue first."""
    staff = staff_of(actor)
    if staff is None:
        return []
    cases: QuerySet[Case] = cases_visible_to(actor).filter(closed_on__isnull=True)
    if scope == "mine":
        cases = cases.filter(allocated_worker=staff)
    elif scope == "team":
        cases = cases.filter(team_id=staff.team_id) if staff.team_id else cases.none()
    day = today()
    horizon = day + timedelta(days=within_days)
    rows = (
        Obligation.objects.filter(case__in=cases, open=True, due__lte=horizon)
        .select_related("case__child", "case__allocated_worker__user")
        .order_by("due", "case_id", "position")
    )
    items = []
    for ob in rows:
        status, late = open_obligation_status(ob.due, day)
        items.append(WorkItem(ob, ob.case, status, late))
    return items


# ---- lists and the case page -------------------------------------------------------------


def case_list(actor: Any, *, limit: int | None = None, offset: int = 0,
              open_only: bool = False) -> list[Case]:
    """The cases the acting person may see, most recently opened first."""
    cases = cases_visible_to(actor).select_related(
        "child", "local_authority", "team", "allocated_worker__user").order_by(
        "-opened_on", "-id")
    if open_only:
        cases = cases.filter(closed_on__isnull=True)
    if limit is not None:
        return list(cases[offset:offset + limit])
    return list(cases[offset:])


def case_count(actor: Any, *, open_only: bool = False) -> int:
    cases = cases_visible_to(actor)
    if open_only:
        cases = cases.filter(closed_on__isnull=True)
    return cases.count()


@dataclass(frozen=True)
class FamilyMember:
    """Someone in the child's household or related to them (WT2018 1.53: siblings are
    always considered)."""

    person: Any
    relationship: str
    in_household: bool
    parental_responsibility: bool
    sibling: bool
    case_id: int | None  # the person's own case here, when the acting person may see it


_SIBLINGS = {"sibling", "half_sibling"}


def family_of(actor: Any, case: Case) -> list[FamilyMember]:
    """The child's household members and relationships, siblings first (call after
    :func:`case_for`)."""
    from safeguard.people.models import HouseholdMember, Relationship

    child = case.child
    households = HouseholdMember.objects.filter(person=child, until__isnull=True).values_list(
        "household_id", flat=True)
    in_household = {
        m.person_id: m.person
        for m in HouseholdMember.objects.filter(household_id__in=list(households),
                                                until__isnull=True)
        .exclude(person=child).select_related("person")
    }
    related: dict[int, tuple[Any, str, bool]] = {}
    for r in Relationship.objects.filter(child=child).select_related("person"):
        related[r.person_id] = (r.person, r.kind, r.has_parental_responsibility)
    for r in Relationship.objects.filter(person=child).select_related("child"):
        # The child is the ``kind`` of another child: a sibling is a sibling both ways.
        if r.child_id not in related:
            kind = r.kind if r.kind in _SIBLINGS else "other"
            related[r.child_id] = (r.child, kind, False)
    people: dict[int, Any] = {**in_household, **{pk: v[0] for pk, v in related.items()}}
    own_cases = dict(
        cases_visible_to(actor).filter(child_id__in=list(people), closed_on__isnull=True)
        .values_list("child_id", "pk"))
    labels = dict(_relationship_labels())
    members = []
    for pk, person in people.items():
        kind, pr = (related[pk][1], related[pk][2]) if pk in related else ("", False)
        sibling = kind in _SIBLINGS or (not kind and person.is_child)
        label = labels.get(kind, "") if kind else (
            "Child in the household" if person.is_child else "Adult in the household")
        members.append(FamilyMember(person, label, pk in in_household, pr, sibling,
                                    own_cases.get(pk)))
    members.sort(key=lambda m: (not m.sibling, not m.person.is_child, m.person.family_name,
                                m.person.given_name))
    return members


def _relationship_labels() -> list[tuple[str, str]]:
    from safeguard.people.models import RelationshipKind

    return [(str(v), str(label)) for v, label in RelationshipKind.choices]


def involvements_of(case: Case) -> list[Any]:
    """The agencies and practitioners involved in the case now."""
    from safeguard.cases.models import Involvement

    return list(
        Involvement.objects.filter(case=case, until__isnull=True)
        .select_related("agency", "staff__user").order_by("agency__name", "kind", "since"))


@dataclass(frozen=True)
class OpenPlan:
    kind: str
    started_on: date
    detail: str
    url_name: str  # where the plan is read, when that page exists
    url_arg: int


def open_plans(case: Case) -> list[OpenPlan]:
    """The child's plans in force: child protection, child in need, early help."""
    from safeguard.assessments.models import ChildInNeedPlan
    from safeguard.earlyhelp.models import EarlyHelpPlan
    from safeguard.protection.models import ChildProtectionPlan

    plans = [
        OpenPlan("Child protection plan", p.started_on,
                 f"Category: {p.get_category_display()}" if p.category else "",
                 "protection:plan-detail", p.pk)
        for p in ChildProtectionPlan.objects.filter(case=case, ended_on__isnull=True)
    ]
    plans += [
        OpenPlan("Child in need plan", p.started_on, "", "assessments:cin-plan-detail", p.pk)
        for p in ChildInNeedPlan.objects.filter(case=case, ended_on__isnull=True)
    ]
    plans += [
        OpenPlan("Early help plan", p.started_on, "", "earlyhelp:assessment-detail",
                 p.assessment_id)
        for p in EarlyHelpPlan.objects.filter(assessment__child=case.child,
                                              ended_on__isnull=True)
    ]
    return sorted(plans, key=lambda p: p.started_on)


def case_referrals(case: Case) -> list[Any]:
    """The case's referrals, newest first, each with its decision (or None)."""
    from safeguard.referrals.models import Referral
    from safeguard.referrals.selectors import with_decisions

    return with_decisions(Referral.objects.filter(case=case).order_by("-received_on", "-id"))


def allocatable_workers(case: Case) -> list[Any]:
    """Social workers (and managers) of the case's local authority, active, by name."""
    from safeguard.agencies.models import Role, Staff

    return list(
        Staff.objects.filter(agency=case.local_authority, active=True,
                             role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER])
        .select_related("user", "team").order_by("user__last_name", "user__first_name"))


def local_authority_teams(case: Case) -> list[Any]:
    from safeguard.agencies.models import Team

    return list(Team.objects.filter(agency=case.local_authority).order_by("name"))


# ---- my work and my team -------------------------------------------------------------------


@dataclass(frozen=True)
class WorkGroups:
    overdue: list[WorkItem]
    due_today: list[WorkItem]
    due_this_week: list[WorkItem]
    today: date

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due_today) + len(self.due_this_week)

    def by_worker(self) -> list[tuple[str, list[WorkItem]]]:
        """Every item, grouped by the allocated worker (unallocated last)."""
        groups: dict[str, list[WorkItem]] = {}
        for item in [*self.overdue, *self.due_today, *self.due_this_week]:
            worker = item.case.allocated_worker
            groups.setdefault(worker.name if worker else "", []).append(item)
        return sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0]))


def work_groups(actor: Any, *, scope: str = "mine") -> WorkGroups:
    """The acting person's (or their team's) open duties: overdue, due today, and due in the
    rest of this week (the next 7 days), each most urgent first."""
    day = today()
    items = work_items(actor, scope=scope, within_days=7)
    overdue = [i for i in items if i.status == "overdue"]
    overdue.sort(key=lambda i: (-i.working_days_late, i.obligation.due or day))
    due_today = [i for i in items if i.status != "overdue" and i.obligation.due == day]
    later = [i for i in items if i.status != "overdue" and i.obligation.due
             and i.obligation.due > day]
    return WorkGroups(overdue, due_today, later, day)


def my_case_alerts(actor: Any) -> list[Any]:
    """The alerts the acting person (a case's manager) has not yet marked as seen, newest
    first: who opened which case by break-glass, when and why."""
    from safeguard.cases.models import CaseAlert
    from safeguard.cases.policy import staff_of

    staff = staff_of(actor)
    if staff is None:
        return []
    return list(CaseAlert.objects.filter(recipient=staff, seen_at__isnull=True)
                .select_related("case", "break_glass__staff__user", "break_glass__staff__agency")
                .order_by("-created_at")[:50])
