"""Reads at the front door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safeguard.cases.models import Obligation
from safeguard.cases.policy import cases_visible_to, staff_of
from safeguard.core.dates import today
from safeguard.referrals.models import Referral
from safeguard.statutory import open_obligation_status


@dataclass(frozen=True)
class QueueItem:
    referral: Referral
    due: Any
    status: str
    working_days_late: int


def front_door_queue(actor: Any) -> list[QueueItem]:
    """Referrals awaiting a decision in the acting person's local authority, the most
    urgent first, with the 1 working day decision's due date (from the stored obligations)."""
    staff = staff_of(actor)
    if staff is None or not staff.in_social_care:
        return []
    referrals = list(
        Referral.objects.filter(case__in=cases_visible_to(actor), decision__isnull=True)
        .select_related("case__child", "referrer_agency")
        .order_by("received_on", "id")
    )
    dues = {
        (o.case_id, o.arose): o.due
        for o in Obligation.objects.filter(
            case_id__in={r.case_id for r in referrals}, duty="referral.decision", open=True
        )
    }
    day = today()
    items = []
    for r in referrals:
        due = dues.get((r.case_id, r.received_on))
        status, late = open_obligation_status(due, day)
        items.append(QueueItem(r, due, status, late))
    return items


def referrals_visible_to(actor: Any) -> Any:
    return Referral.objects.filter(case__in=cases_visible_to(actor))
