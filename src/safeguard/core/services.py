"""What every service uses: the errors it raises, the auditor, and version checks.

A service is one function per operation (``referral_create(*, actor, ...)``): typed,
keyword-only, run inside ``transaction.atomic``; it checks access with the policy, makes the
change, writes the audit entry and has the case's obligations recomputed. Views, the API,
the admin and commands all call the same function.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from safeguard.core.models import AuditEntry

GENESIS_HASH = "0" * 64


class ServiceError(Exception):
    """Base of the errors a service raises for people to read."""


class NotAllowed(ServiceError):
    """The acting person may not do this (or may not know the record exists)."""

    def __init__(self, message: str = "You do not have access to this.") -> None:
        super().__init__(message)


class NotFound(ServiceError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


@dataclass
class Invalid(ServiceError):
    """Bad input: ``errors`` maps each field to what is wrong with it. Nothing was changed."""

    errors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class EditConflict(ServiceError):
    """Someone else changed the record since the person started editing it."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "Someone else changed this record while you were editing it. Your changes have "
            "not been saved: check the record as it is now and make your changes again."
        )


@dataclass(frozen=True)
class Context:
    """Who is acting, and from where: passed from the web, the API or a command."""

    source: str = "web"  # web | api | command | demo
    remote_addr: str = ""
    reason: str = ""


def request_context(request: Any, source: str = "web") -> Context:
    """The :class:`Context` of a request to the pages (or, with ``source="api"``, the API):
    the one place that reads where a request came from."""
    return Context(source=source, remote_addr=request.META.get("REMOTE_ADDR", ""))


def check_version(record: models.Model, expected: int | None) -> None:
    """Refuse a change made against an older version of ``record`` (optimistic concurrency)."""
    current = getattr(record, "version", None)
    if expected is not None and current is not None and int(expected) != current:
        raise EditConflict(current)


def bump_version(record: models.Model) -> None:
    record.version = models.F("version") + 1  # type: ignore[attr-defined]


def audit(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    case_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
    context: Context | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the hash-chained audit trail. Never put personal data in
    ``detail``: name fields that changed, not their values."""
    context = context or Context()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = (user.get_username() if user is not None else "system")  # type: ignore[union-attr]
    entry = AuditEntry(
        at=timezone.now(),
        actor=user,
        actor_label=label,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        case_id=case_id,
        detail=dict(detail or {}),
        reason=reason or context.reason,
        source=context.source,
        remote_addr=context.remote_addr,
    )
    if transaction.get_connection().in_atomic_block:
        _chain([entry])  # in the caller's transaction: it stands or falls with their change
    else:
        _append_in_turn(entry)
    return entry


def _chain(entries: list[AuditEntry]) -> None:
    """Write ``entries`` at the end of the trail, each linked to the one before, in one
    transaction (the last entry locked while it is read, so no other writer links to it)."""
    with transaction.atomic():
        last = AuditEntry.objects.select_for_update().order_by("-id").only("hash").first()
        previous = last.hash if last else GENESIS_HASH
        for entry in entries:
            entry.previous_hash = previous
            entry.hash = previous = entry.compute_hash()
        if len(entries) == 1:
            entries[0].save(force_insert=True)
            return
        AuditEntry.objects.bulk_create(entries)
        ids = [entry.pk for entry in entries]
        if None in ids or ids != sorted(set(ids)):  # the trail is checked in the ids' order
            raise RuntimeError("The audit entries were not given ids in the order written")


@dataclass
class _Pending:
    entry: AuditEntry
    written: bool = False
    error: BaseException | None = None


_queue: list[_Pending] = []
_queue_lock = threading.Lock()
_turn = threading.Lock()


def _append_in_turn(entry: AuditEntry) -> None:
    """Write an entry that is a transaction of its own (a read's record of disclosure): with
    the others waiting to be written by the server's other threads, in one transaction.

    Every entry is read from and linked to the trail's last, so entries are written one
    transaction at a time. Under load, a transaction each made that turn the slowest part of
    every page that records a disclosure: each of its four statements lets the other threads
    run Python, and waits for them to let go. Here each writer queues its entry, then waits
    for the turn; whoever has it writes every queued entry (its own among them) and wakes
    their writers. An entry is on the trail, committed, before :func:`audit` returns, as
    before; if writing fails, every writer of the batch gets the error."""
    pending = _Pending(entry)
    with _queue_lock:
        _queue.append(pending)
    with _turn:
        if not pending.written:
            with _queue_lock:
                batch = _queue[:]
                _queue.clear()
            error: BaseException | None = None
            try:
                _chain([p.entry for p in batch])
            except BaseException as failed:  # the batch's writers each raise it
                error = failed
            for p in batch:
                p.written, p.error = True, error
    if pending.error is not None:
        raise pending.error


def changed_fields(record: models.Model, values: Mapping[str, Any]) -> list[str]:
    """Set ``values`` on ``record``; return the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed
