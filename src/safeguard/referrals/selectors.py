"""Reads at the front door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from safeguard.agencies.models import Agency
from safeguard.cases.models import Obligation
from safeguard.cases.policy import cases_visible_to, staff_of
from safeguard.cases.services import ensure_obligations_current
from safeguard.core.dates import today
from safeguard.core.services import Context, NotAllowed, audit
from safeguard.referrals.models import Referral, ReferralDecision
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
    # ``awaiting_decision`` (kept with the decisions) lets SQLite read only the referrals
    # waiting, through its partial index; ``decision`` stays the rule.
    pending = Referral.objects.filter(awaiting_decision=True, decision__isnull=True)
    # The access policy is asked only about the cases with a referral awaiting a decision:
    # asked about every case of the area, SQLite scans them all, each with its subqueries.
    visible = cases_visible_to(actor).filter(pk__in=pending.values("case_id"))
    referrals = list(
        pending.filter(case__in=visible)
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


def referrals_visible_to(actor: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(case__in=cases_visible_to(actor))


def with_decisions(referrals: QuerySet[Referral]) -> list[Referral]:
    """The referrals, each with ``decision_or_none`` set (its decision, or None)."""
    rows = list(referrals.select_related(
        "case__child", "referrer_agency", "received_by__user", "decision__recorded_by__user",
        "decision__authorised_by__user"))
    for r in rows:
        try:
            r.decision_or_none = r.decision  # type: ignore[attr-defined]
        except ReferralDecision.DoesNotExist:
            r.decision_or_none = None  # type: ignore[attr-defined]
    return rows


def referral_for(actor: Any, referral_id: int, *, context: Context | None = None,
                 purpose: str = "view") -> Referral:
    """The referral, if the acting person may see its case; the read is audited.
    :class:`NotAllowed` otherwise, whether or not it exists."""
    found = with_decisions(referrals_visible_to(actor).filter(pk=referral_id))
    if not found:
        raise NotAllowed("You do not have access to this referral, or it does not exist.")
    referral = found[0]
    ensure_obligations_current(referral.case)
    audit(actor=actor, action=purpose, obj=referral, case_id=referral.case_id, context=context)
    return referral


def referrals_made_by_my_agency(actor: Any, *, limit: int = 50) -> list[Referral]:
    """Referrals the acting person's agency made (that they may still see), newest first."""
    staff = staff_of(actor)
    if staff is None:
        return []
    return with_decisions(
        referrals_visible_to(actor).filter(referrer_agency_id=staff.agency_id)
        .order_by("-received_on", "-id")[:limit])


def referrer_agencies(actor: Any) -> list[Agency]:
    """The agencies a front door worker may name as the referrer: the partner agencies of
    their local authority's area."""
    staff = staff_of(actor)
    if staff is None or not staff.in_social_care:
        return []
    return list(Agency.objects.filter(area_id=staff.agency_id).order_by("name"))


def decision_obligation(referral: Referral) -> Obligation | None:
    """The stored ``referral.decision`` duty this referral gave rise to."""
    return (Obligation.objects.filter(case_id=referral.case_id, duty="referral.decision",
                                      arose=referral.received_on)
            .order_by("position").first())
