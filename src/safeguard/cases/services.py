"""Writes to a case as a whole: opening it, allocating it, and keeping its obligations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from django.db import transaction

from safeguard.agencies.models import Agency, Staff, Team
from safeguard.cases.models import Case, Involvement, InvolvementKind, Obligation
from safeguard.cases.policy import require
from safeguard.cases.timeline import case_timeline
from safeguard.core.dates import today
from safeguard.core.services import Context, Invalid, audit, check_version
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
