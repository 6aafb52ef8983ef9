"""A case's records as a timeline in the engine's contract format
(shared/design/timeline-format.md): the one place records become statutory events."""

from __future__ import annotations

from datetime import date
from typing import Any

from safeguard.cases.models import Case

#: Events of one day are given in the order a case moves through them.
_DAY_ORDER = {
    "moved_in_notified": 0, "referral_received": 1, "referral_decision": 2,
    "strategy_discussion": 3, "s47_outcome": 4, "initial_conference": 5,
    "transfer_in_conference": 6, "core_group_meeting": 7, "review_conference": 8,
    "assessment_completed": 9, "plan_ended": 10,
}


def case_events(case: Case) -> list[tuple[date, int, int, dict[str, Any]]]:
    """(date, order in the day, record id, event) for every statutory event of the case."""
    from safeguard.assessments.models import Assessment
    from safeguard.protection.models import (
        ChildProtectionPlan,
        Conference,
        CoreGroupMeeting,
        MovedInNotice,
        Section47Enquiry,
        StrategyDiscussion,
    )
    from safeguard.referrals.models import Referral, ReferralDecision

    events: list[tuple[date, int, int, dict[str, Any]]] = []

    def add(day: date, pk: int, event: dict[str, Any]) -> None:
        event["date"] = day.isoformat()
        events.append((day, _DAY_ORDER[event["type"]], pk, event))

    for pk, received in Referral.objects.filter(case=case).values_list("pk", "received_on"):
        add(received, pk, {"type": "referral_received"})
    for pk, decided, outcome in ReferralDecision.objects.filter(referral__case=case).values_list(
        "pk", "decided_on", "outcome"
    ):
        add(decided, pk, {"type": "referral_decision", "outcome": outcome})
    for pk, done in Assessment.objects.filter(case=case, completed_on__isnull=False).values_list(
        "pk", "completed_on"
    ):
        add(done, pk, {"type": "assessment_completed"})
    for pk, held, s47 in StrategyDiscussion.objects.filter(case=case).values_list(
        "pk", "held_on", "s47_initiated"
    ):
        add(held, pk, {"type": "strategy_discussion", "s47": s47})
    for pk, on, substantiated in Section47Enquiry.objects.filter(
        case=case, outcome_on__isnull=False, substantiated__isnull=False
    ).values_list("pk", "outcome_on", "substantiated"):
        add(on, pk, {"type": "s47_outcome", "substantiated": substantiated})
    for pk, kind, held, decision in Conference.objects.filter(case=case).values_list(
        "pk", "kind", "held_on", "plan_decision"
    ):
        if kind == "initial":
            add(held, pk, {"type": "initial_conference", "plan": decision})
        elif kind == "review":
            add(held, pk, {"type": "review_conference", "plan_continues": decision})
        else:
            add(held, pk, {"type": "transfer_in_conference", "plan": decision})
    for pk, held in CoreGroupMeeting.objects.filter(plan__case=case).values_list("pk", "held_on"):
        add(held, pk, {"type": "core_group_meeting"})
    for pk, ended, reason in ChildProtectionPlan.objects.filter(
        case=case, ended_on__isnull=False, ended_by__isnull=True
    ).values_list("pk", "ended_on", "end_reason"):
        add(ended, pk, {"type": "plan_ended", "reason": reason})
    for pk, notified in MovedInNotice.objects.filter(case=case).values_list("pk", "notified_on"):
        add(notified, pk, {"type": "moved_in_notified"})
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return events


def case_timeline(case: Case) -> dict[str, Any]:
    """The case's timeline, ready for ``safeguard obligations`` or the engine."""
    timeline: dict[str, Any] = {}
    if case.edition:
        timeline["edition"] = case.edition
    child = case.child
    if child.date_of_birth:
        timeline["child"] = {"date_of_birth": child.date_of_birth.isoformat()}
    timeline["events"] = [event for *_key, event in case_events(case)]
    return timeline
