"""Checking the audit trail: the hash chain, and its head kept outside.

Each entry's hash covers its content and the previous entry's hash
(:meth:`AuditEntry.compute_hash`). :func:`verify_chain` walks the table in order and names
the first entry whose content no longer matches its hash, or whose link to the entry before
it is broken (an entry altered, removed or inserted). Removing the newest entries leaves a
shorter chain that is still whole: to catch that, export the head (:func:`chain_head`) to
storage the application cannot write, and give it back to :func:`verify_chain`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from safeguard.core.models import AuditEntry
from safeguard.core.services import GENESIS_HASH


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    head_id: int | None = None
    head_hash: str = ""


def chain_head() -> dict[str, Any]:
    """The newest entry's id and hash, and the count: to be kept outside the application."""
    last = AuditEntry.objects.order_by("-id").first()
    return {
        "id": last.pk if last else None,
        "hash": last.hash if last else GENESIS_HASH,
        "at": last.at.isoformat() if last else None,
        "entries": AuditEntry.objects.count(),
    }


def verify_chain(*, head: dict[str, Any] | None = None, batch: int = 5000) -> Verdict:
    """Check every entry of the audit trail, oldest first; the first fault is named."""
    previous = GENESIS_HASH
    checked = 0
    last_id: int | None = None
    seen_head = head is None or head.get("id") is None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch):
        if entry.previous_hash != previous:
            gap = ""
            if last_id is not None and entry.pk != last_id + 1:
                gap = f" (no entries with ids {last_id + 1} to {entry.pk - 1})"
            return Verdict(False, checked, entry.pk,
                           f"entry {entry.pk} does not follow the entry before it{gap}: an "
                           "entry before it was removed, altered or inserted")
        if entry.compute_hash() != entry.hash:
            return Verdict(False, checked, entry.pk,
                           f"entry {entry.pk} was altered: its content no longer matches its "
                           "hash")
        if head is not None and head.get("id") == entry.pk:
            if head.get("hash") != entry.hash:
                return Verdict(False, checked, entry.pk,
                               f"entry {entry.pk} differs from the head kept outside")
            seen_head = True
        previous = entry.hash
        last_id = entry.pk
        checked += 1
    if not seen_head:
        assert head is not None
        return Verdict(False, checked, head.get("id"),
                       f"entry {head.get('id')}, the head kept outside, is missing: entries "
                       "were removed from the end of the trail")
    return Verdict(True, checked, None, "", last_id, previous)
