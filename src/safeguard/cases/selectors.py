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
    audit(actor=actor, action=purpose, obj=case, case_id=case.pk, context=context)
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
    from safeguard.assessments.models import Assessment, ChildInNeedPlan
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
    for c in Conference.objects.filter(case=case):
        add(ChronologyItem(c.held_on, c.get_kind_display(), la, c.get_category_display()
                           if c.category else "", "conference"))
    for m in CoreGroupMeeting.objects.filter(plan__case=case):
        add(ChronologyItem(m.held_on, "Core group meeting", la, "", "core_group"))
    for p in ChildProtectionPlan.objects.filter(case=case, ended_on__isnull=False):
        add(ChronologyItem(p.ended_on, "Child protection plan ended", la,  # type: ignore[arg-type]
                           p.get_end_reason_display(), "plan"))
    for p2 in ChildInNeedPlan.objects.filter(case=case):
        add(ChronologyItem(p2.started_on, "Child in need plan started", la, "", "cin_plan"))
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
