"""Reads at the front door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from safeguard.agencies.models import Agency
from safeguard.cases.models import Obligation
from safeguard.cases.policy import cases_visible_to, may_see_work, staff_of
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


@dataclass(frozen=True)
class QueuePage:
    """One page of the front door queue (``page.object_list``: its :class:`QueueItem`), with
    the counts of the whole queue."""

    page: Page
    total: int
    overdue: int


#: Referrals on one page of the front door queue.
QUEUE_PAGE_ROWS = 50


def _queue_rows(actor: Any) -> list[tuple[int, Any, str, int]]:
    """(referral id, decision due, status, working days late) of every referral awaiting a
    decision in the acting person's local authority, the oldest first. :class:`NotAllowed`
    for anyone outside children's social care (``may_see_work``)."""
    if not may_see_work(actor, "front_door"):
        raise NotAllowed("The front door is for children's social care")
    # ``awaiting_decision`` (kept with the decisions) lets SQLite read only the referrals
    # waiting, through its partial index; ``decision`` stays the rule.
    pending = Referral.objects.filter(awaiting_decision=True, decision__isnull=True)
    # The access policy is asked only about the cases with a referral awaiting a decision:
    # asked about every case of the area, SQLite scans them all, each with its subqueries.
    visible = cases_visible_to(actor).filter(pk__in=pending.values("case_id"))
    rows = list(pending.filter(case__in=visible).order_by("received_on", "id")
                .values_list("pk", "case_id", "received_on"))
    dues = dict(
        ((case_id, arose), due) for case_id, arose, due in Obligation.objects.filter(
            case_id__in={case_id for _pk, case_id, _received in rows},
            duty="referral.decision", open=True).values_list("case_id", "arose", "due"))
    day = today()
    out = []
    for pk, case_id, received_on in rows:
        due = dues.get((case_id, received_on))
        out.append((pk, due, *open_obligation_status(due, day)))
    return out


def _queue_items(rows: list[tuple[int, Any, str, int]]) -> list[QueueItem]:
    # What a row of the queue shows (referrals/queue.html), read and no more.
    referrals = (Referral.objects.select_related("case__child", "referrer_agency")
                 .only("received_on", "source", "referrer_name", "case__reference",
                       "case__child__given_name", "case__child__family_name",
                       "referrer_agency__name")
                 .in_bulk([pk for pk, *_rest in rows]))
    return [QueueItem(referrals[pk], due, status, late) for pk, due, status, late in rows]


def front_door_queue(actor: Any) -> list[QueueItem]:
    """Referrals awaiting a decision in the acting person's local authority, the most
    urgent first, with the 1 working day decision's due date (from the stored obligations)."""
    return _queue_items(_queue_rows(actor))


def front_door_queue_count(actor: Any) -> int:
    """How many referrals await a decision in the acting person's local authority."""
    return len(_queue_rows(actor))


def front_door_queue_page(actor: Any, number: Any = 1, *, per_page: int | None = None
                          ) -> QueuePage:
    """Page ``number`` of :func:`front_door_queue` (as ``Paginator.get_page`` reads it: not
    a number, the first; beyond the last, the last), with how many referrals await a
    decision and how many of those are overdue."""
    rows = _queue_rows(actor)
    page = Paginator(rows, per_page or QUEUE_PAGE_ROWS).get_page(number)
    page.object_list = _queue_items(list(page.object_list))
    return QueuePage(page, len(rows),
                     sum(1 for _pk, _due, status, _late in rows if status == "overdue"))


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
    """The referral, if the acting person may see it; the read is audited.
    :class:`NotAllowed` otherwise, whether or not it exists. Need to know: children's
    social care of the responsible authority see every referral of the cases they see; a
    partner only the referrals their agency made (or they recorded themselves)."""
    found = with_decisions(referrals_visible_to(actor).filter(pk=referral_id))
    staff = staff_of(actor)
    if found and staff is not None and not (
            staff.in_social_care and staff.agency_id == found[0].case.local_authority_id):
        r = found[0]
        mine = (r.created_by_id == getattr(actor, "pk", None)
                or (not staff.agency.is_local_authority
                    and r.referrer_agency_id == staff.agency_id))
        found = found if mine else []
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
