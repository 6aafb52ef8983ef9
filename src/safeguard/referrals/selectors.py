"""Reads at the front door."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from safeguard.agencies.models import Agency
from safeguard.cases.models import Case, Obligation
from safeguard.cases.policy import cases_visible_to, may_see_work, staff_of, visible_rule
from safeguard.cases.services import ensure_obligations_current
from safeguard.core.compiled import CompiledRecords, Reads
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


def _queue_read() -> CompiledRecords:
    """Every referral awaiting a decision in a local authority, the oldest first, with what
    a row of the queue shows (referrals/queue.html) and its decision's due date (from the
    stored obligations), by SQL built once: arguments (local authority, staff record, now),
    the policy's rule for children's social care (``visible_rule``)."""
    def build(la_id: int, staff_id: int, now: Any) -> QuerySet[Any]:
        # ``awaiting_decision`` (kept with the decisions) lets SQLite read only the referrals
        # waiting, through its partial index; ``decision`` stays the rule.
        pending = Referral.objects.filter(awaiting_decision=True, decision__isnull=True)
        # The access policy is asked only about the cases with a referral awaiting a
        # decision: asked about every case of the area, SQLite scans them all.
        visible = Case.objects.filter(visible_rule(
            staff_id=staff_id, social_care_la_id=la_id, partner=None, now=now),
            pk__in=pending.values("case_id"))
        due = Obligation.objects.filter(case_id=OuterRef("case_id"), arose=OuterRef("received_on"),
                                        duty="referral.decision", open=True).order_by("id")
        return (pending.filter(case__in=visible)
                .annotate(decision_due=Subquery(due.values("due")[:1]))
                .order_by("received_on", "id"))

    return CompiledRecords(
        Referral, ("case_id", "received_on", "source", "referrer_name", "referrer_agency_id"),
        build, related={"case": ("reference", "child_id"),
                        "case__child": ("given_name", "family_name"),
                        "referrer_agency": ("name",)},
        kinds=("id", "id", "datetime"), annotations=("decision_due",), many=True)


_QUEUE = Reads(lambda: {"queue": _queue_read()})


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _queue_rows(actor: Any) -> list[tuple[Any, Any, str, int]]:
    """(referral, decision due, status, working days late) of every referral awaiting a
    decision in the acting person's local authority, the oldest first; each referral a row
    to make a record of (:func:`_queue_items`). :class:`NotAllowed` for anyone outside
    children's social care (``may_see_work``)."""
    if not may_see_work(actor, "front_door"):
        raise NotAllowed("The front door is for children's social care")
    staff = staff_of(actor)
    assert staff is not None
    read = _QUEUE["queue"]
    at = read.index("decision_due")
    day = today()
    out = []
    for row in read.rows(staff.agency_id, staff.pk, timezone.now()):
        due = _as_date(row[at])
        out.append((row, due, *open_obligation_status(due, day)))
    return out


def _queue_items(rows: list[tuple[Any, Any, str, int]]) -> list[QueueItem]:
    read = _QUEUE["queue"]
    return [QueueItem(read.record(row), due, status, late) for row, due, status, late in rows]


def front_door_queue(actor: Any) -> list[QueueItem]:
    """Referrals awaiting a decision in the acting person's local authority, the most
    urgent first, with the 1 working day decision's due date (from the stored obligations)."""
    return _queue_items(_queue_rows(actor))


def front_door_queue_count(actor: Any) -> int:
    """How many referrals await a decision in the acting person's local authority.
    :class:`NotAllowed`, as for the queue itself, for anyone outside children's social care
    (``may_see_work``): ask ``may_see_work(actor, "front_door")`` first to show it or not."""
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
