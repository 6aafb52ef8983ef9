"""Reads of the audit trail for people: who has looked at a case, and a person's own access
history (the audit requirement: "A case's manager can see who looked at it; a person's own
access history is visible to them").

Both start from the access policy (``require_access_history``,
``may_view_own_access_history``); a case's history is itself a read of the case, and is
audited (``view_access_history``). Entries are shown in plain words: who (name, role,
agency), what (the action and the kind of record), when (stored in UTC, shown in UK time),
from where (the channel and address recorded), and why, for a break-glass access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from safeguard.cases import rls
from safeguard.cases.models import Case
from safeguard.cases.policy import (
    cases_visible_to,
    may_view_own_access_history,
    require_access_history,
)
from safeguard.core.dates import format_date, format_time
from safeguard.core.models import AuditEntry
from safeguard.core.services import Context, NotAllowed, audit

PAGE_SIZE = 50

#: What the audit's actions mean, in the words of the page ("Viewed", "Changed" …).
ACTIONS = {
    "view": "Viewed",
    "view_assessment": "Viewed",
    "view_assessments": "Viewed",
    "view_cin_plan": "Viewed",
    "view_access_history": "Viewed who has looked at",
    "export": "Exported",
    "export_timeline": "Exported the timeline of",
    "search": "Searched",
    "create": "Recorded",
    "update": "Changed",
    "complete": "Completed",
    "authorise": "Authorised",
    "allocate": "Allocated",
    "close": "Closed",
    "end": "Ended",
    "step_up": "Stepped up",
    "share": "Shared information from",
    "withhold": "Decided not to share information from",
    "add_member": "Added a household member to",
    "remove_member": "Removed a household member from",
    "add_relationship": "Added a relationship to",
    "break_glass": "Opened by break-glass",
    "alert_seen": "Read",
    "issue_token": "Issued",
    "revoke_token": "Revoked",
}
#: Kinds of record whose model name does not read well on its own.
RECORDS = {
    "cases.case": "case",
    "cases.breakglass": "case (break-glass access)",
    "cases.casealert": "break-glass alert",
    "protection.section47enquiry": "section 47 enquiry",
    "core.apitoken": "API token",
}
SOURCES = {"web": "Web", "api": "API", "command": "Command line", "demo": "Demo data"}


@dataclass(frozen=True)
class AccessEntry:
    """One audit entry, in plain words."""

    id: int
    at: datetime  # as stored: UTC
    who: str
    role: str
    agency: str
    action: str
    what: str
    record: str
    source: str
    remote_addr: str
    reason: str
    break_glass: bool
    case_id: int | None
    case_reference: str = ""
    case_visible: bool = False

    @property
    def when(self) -> str:
        """In UK time, GOV.UK style: 24 November 2026, 10:05am."""
        return uk_time(self.at)

    @property
    def at_utc(self) -> str:
        return self.at.isoformat().replace("+00:00", "Z")

    @property
    def where(self) -> str:
        source = SOURCES.get(self.source, self.source.capitalize() or "Not recorded")
        return f"{source}, {self.remote_addr}" if self.remote_addr else source


def uk_time(moment: datetime) -> str:
    """A moment in UK time (GMT or BST), GOV.UK style: ``24 November 2026, 10:05am``,
    ``…, 9am``, ``…, midday``, ``…, midnight``."""
    return f"{format_date(moment)}, {format_time(moment)}"


def record_label(object_type: str) -> str:
    """The kind of record an entry names (``referrals.referraldecision`` → "referral
    decision")."""
    if object_type in RECORDS:
        return RECORDS[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type.rsplit(".", 1)[-1].replace("_", " ")


def present(entry: AuditEntry, *, reference: str = "", visible: bool = False) -> AccessEntry:
    user = entry.actor
    staff = getattr(user, "staff", None) if user is not None else None
    if user is None:
        who = "Safeguard (automatic)" if entry.actor_label == "system" else entry.actor_label
    else:
        who = user.get_full_name() or user.get_username()
    break_glass = entry.action == "break_glass" or "break_glass" in (entry.detail or {})
    return AccessEntry(
        id=entry.pk, at=entry.at, who=who,
        role=staff.get_role_display() if staff is not None else "",
        agency=staff.agency.name if staff is not None else "",
        action=entry.action,
        what=ACTIONS.get(entry.action, entry.action.replace("_", " ").capitalize()),
        record=record_label(entry.object_type),
        source=entry.source, remote_addr=entry.remote_addr,
        reason=entry.reason if break_glass else "", break_glass=break_glass,
        case_id=entry.case_id, case_reference=reference, case_visible=visible,
    )


def _entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor__staff__agency").order_by("-at", "-id")


def _page_number(page: Any) -> int:
    try:
        return max(int(page), 1)
    except (TypeError, ValueError):
        return 1


def _presented(found: Page[AuditEntry], entries: list[AccessEntry]) -> Page[AccessEntry]:
    """The page of entries, in plain words, with its paginator (count, pages)."""
    return Page(entries, found.number, found.paginator)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CaseAccessHistory:
    case: Case
    page: Page[AccessEntry]  # newest first


def case_access_history(actor: Any, case_id: int, *, page: Any = 1,
                        context: Context | None = None, per_page: int = PAGE_SIZE
                        ) -> CaseAccessHistory:
    """Every audit entry about the case (reads and changes), newest first, a page at a time,
    for its managers only (``require_access_history``; anyone else: :class:`NotAllowed`).
    Looking is itself recorded, before the entries are read, so it heads the list."""
    case = require_access_history(actor, case_id)
    number = _page_number(page)
    audit(actor=actor, action="view_access_history", obj=case, case_id=case.pk,
          detail={"page": number}, context=context)
    found = Paginator(_entries().filter(case_id=case.pk), per_page).get_page(number)
    return CaseAccessHistory(case, _presented(
        found, [present(e, reference=case.reference, visible=True)
                for e in found.object_list]))


def my_access_history(actor: Any, *, page: Any = 1, per_page: int = PAGE_SIZE
                      ) -> Page[AccessEntry]:
    """Every audit entry where the acting person acted, newest first, a page at a time: the
    cases they opened (by reference), what they did, when and from where."""
    if not may_view_own_access_history(actor):
        raise NotAllowed()
    found = Paginator(_entries().filter(actor_id=actor.pk), per_page).get_page(
        _page_number(page))
    rows = list(found.object_list)
    ids = {e.case_id for e in rows if e.case_id is not None}
    # The references of cases they acted on, even those they no longer see (a break-glass
    # access ended): their own history, so past row-level security for these only.
    with rls.system_scope():
        references = dict(Case.objects.filter(pk__in=ids).values_list("pk", "reference"))
    visible = set(cases_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    return _presented(found, [present(e, reference=references.get(e.case_id or 0, ""),
                                      visible=e.case_id in visible) for e in rows])
