"""Writes to a case as a whole: opening it, allocating it, and keeping its obligations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.db import transaction

from safeguard.agencies.models import Agency, Staff, Team
from safeguard.cases import rls
from safeguard.cases.models import (
    BreakGlass,
    Case,
    CaseAlert,
    Involvement,
    InvolvementKind,
    Obligation,
)
from safeguard.cases.policy import require
from safeguard.cases.timeline import case_timeline
from safeguard.core.dates import today
from safeguard.core.services import Context, Invalid, NotAllowed, audit, check_version
from safeguard.people.models import Person
from safeguard.statutory import compute_obligations, parse_timeline

_deferred: ContextVar[dict[int, Case] | None] = ContextVar("deferred_recompute", default=None)


@contextmanager
def obligations_recomputed_at_end() -> Iterator[None]:
    """Within this block, services note which cases changed and their obligations are
    recomputed once each at the end (for bulk work such as building the demo data)."""
    if _deferred.get() is not None:
        yield
        return
    token = _deferred.set({})
    try:
        yield
        pending = _deferred.get() or {}
    finally:
        _deferred.reset(token)
    for case in pending.values():
        recompute_obligations(case)


def recompute_obligations(case: Case, *, as_of: date | None = None) -> list[Obligation]:
    """Ask the statutory engine what the case's timeline now gives rise to, and store it.

    Called by every service that changes a record of the case, and by pages that show a case
    whose obligations were computed on an earlier day.
    """
    pending = _deferred.get()
    if pending is not None and as_of is None:
        pending[case.pk] = case
        return []
    as_of = as_of or today()
    computed = compute_obligations(parse_timeline(case_timeline(case)), as_of)
    rows = [
        Obligation(
            case=case, duty=o.duty, title=o.title, arose=o.arose, due=o.due, status=o.status,
            met_on=o.met_on, working_days_late=o.working_days_late, source=o.source,
            provisional=o.provisional, position=i, open=o.status in ("due", "overdue"),
        )
        for i, o in enumerate(computed)
    ]
    with transaction.atomic():
        Obligation.objects.filter(case=case).delete()
        Obligation.objects.bulk_create(rows)
        Case.objects.filter(pk=case.pk).update(obligations_computed_on=as_of)
    case.obligations_computed_on = as_of
    return rows


def ensure_obligations_current(case: Case) -> None:
    """Recompute a case's obligations if they were computed on an earlier day."""
    if case.obligations_computed_on != today():
        recompute_obligations(case)


def next_reference(local_authority: Agency) -> str:
    prefix = local_authority.la_code or "LA"
    count = Case.objects.filter(local_authority=local_authority).count() + 1
    while True:
        reference = f"{prefix}-{count:06d}"
        if not Case.objects.filter(reference=reference).exists():
            return reference
        count += 1


def open_case_for(
    *, child: Person, local_authority: Agency, opened_on: date, created_by: Any = None
) -> tuple[Case, bool]:
    """The child's open case in the local authority, or a new one. (case, created)."""
    existing = Case.objects.filter(
        child=child, local_authority=local_authority, closed_on__isnull=True
    ).first()
    if existing is not None:
        return existing, False
    case = Case.objects.create(
        reference=next_reference(local_authority), child=child, local_authority=local_authority,
        opened_on=opened_on, created_by=created_by,
    )
    return case, True


def involve(
    *, case: Case, agency: Agency, kind: str, since: date, staff: Staff | None = None
) -> Involvement:
    """Record that an agency (and perhaps a named person) is involved in the case."""
    involvement, _ = Involvement.objects.get_or_create(
        case=case, agency=agency, staff=staff, kind=kind, until=None,
        defaults={"since": since},
    )
    return involvement


@transaction.atomic
def case_allocate(
    *, actor: Any, case_id: int, worker_id: int, team_id: int | None = None,
    version: int | None = None, context: Context | None = None,
) -> Case:
    """A team manager allocates the case to a social worker (and team)."""
    from safeguard.cases.policy import require_view

    case = require_view(actor, case_id)
    require(actor, "allocate", case)
    check_version(case, version)
    worker = Staff.objects.filter(pk=worker_id, agency=case.local_authority, active=True).first()
    if worker is None:
        raise Invalid({"worker": "Choose a social worker in this local authority"})
    team = Team.objects.filter(pk=team_id, agency=case.local_authority).first() if team_id else None
    case.allocated_worker = worker
    case.team = team or worker.team
    case.version += 1
    case.save(update_fields=["allocated_worker", "team", "version", "updated_at"])
    involve(case=case, agency=case.local_authority, staff=worker,
            kind=InvolvementKind.ALLOCATED_WORKER, since=today())
    audit(actor=actor, action="allocate", obj=case, case_id=case.pk,
          detail={"fields": ["allocated_worker", "team"]}, context=context)
    return case


# ---- break-glass ---------------------------------------------------------------------------

#: The shortest reason that can say why (a few words, not "x").
BREAK_GLASS_REASON_MIN = 10
#: The same answer for a case that does not exist and one outside the person's area.
CANNOT_BREAK_GLASS = "You cannot open this case: it is outside your area, or it does not exist"


@transaction.atomic
def break_glass(*, actor: Any, case_id: int, reason: str,
                context: Context | None = None) -> BreakGlass:
    """Open a case outside one's rights by saying why (WT2018 1.23-27: share what keeps a
    child safe; the access issue: recorded, and the case's manager alerted).

    The person may read the case, never change it, for ``BREAK_GLASS_HOURS``. The reason is
    kept with the access and in the audit trail; each of the case's managers gets an alert.
    """
    from django.utils import timezone

    from safeguard.cases.policy import BREAK_GLASS_TIME, may_break_glass, staff_of

    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid({"reason": "Enter why you need to see this case"})
    if len(reason) < BREAK_GLASS_REASON_MIN:
        raise Invalid({"reason": "Say more about why you need to see this case"})
    if len(reason) > 2000:
        raise Invalid({"reason": "Why you need to see this case must be 2,000 characters or fewer"})
    staff = staff_of(actor)
    # The case is one the person does not see, by definition: row-level security steps
    # aside to find it and record the access; the policy (may_break_glass) decides.
    with rls.system_scope():
        case = Case.objects.select_related("allocated_worker", "team").filter(
            pk=case_id).first()
        if staff is None or case is None or not may_break_glass(actor, case):
            raise NotAllowed(CANNOT_BREAK_GLASS)
        now = timezone.now()
        access = BreakGlass.objects.create(case=case, staff=staff, reason=reason,
                                           opened_at=now, until=now + BREAK_GLASS_TIME)
        audit(actor=actor, action="break_glass", obj=access, case_id=case.pk, reason=reason,
              detail={"until": access.until.isoformat()}, context=context)
        for manager in case_managers(case):
            if manager.pk != staff.pk:
                CaseAlert.objects.create(case=case, recipient=manager, break_glass=access,
                                         created_at=now)
    return access


def case_managers(case: Case) -> list[Staff]:
    """Who manages the case (:func:`safeguard.cases.policy.case_manager_ids`): the
    allocated worker's manager and the team managers of the case's team; if it has neither,
    the local authority's team managers."""
    from safeguard.cases.policy import case_manager_ids

    return list(Staff.objects.filter(pk__in=case_manager_ids(case)).order_by("pk"))


@transaction.atomic
def case_alert_seen(*, actor: Any, alert_id: int, context: Context | None = None) -> None:
    """The manager has seen the alert; it leaves their list (and stays in the audit trail)."""
    from django.utils import timezone

    from safeguard.cases.policy import staff_of

    staff = staff_of(actor)
    alert = None if staff is None else CaseAlert.objects.select_for_update().filter(
        pk=alert_id, recipient=staff).first()
    if alert is None:
        raise NotAllowed("You do not have this alert")
    if alert.seen_at is None:
        alert.seen_at = timezone.now()
        alert.save(update_fields=["seen_at"])
        audit(actor=actor, action="alert_seen", obj=alert, case_id=alert.case_id,
              context=context)
