"""The engine's obligations as people read them: rows of the results table and a summary.

Overdue duties come first (they need action now), then the rest in the engine's order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from safeguard.statutory import Obligation

from .dates import govuk_date


@dataclass(frozen=True)
class Status:
    label: str
    tag_classes: str  # GOV.UK tag colour; the default tag is blue


STATUSES: dict[str, Status] = {
    "overdue": Status("Overdue", "govuk-tag--red"),
    "missed": Status("Missed", "govuk-tag--red"),
    "late": Status("Late", "govuk-tag--orange"),
    "due": Status("Due", ""),
    "met": Status("Met", "govuk-tag--green"),
    "withdrawn": Status("Withdrawn", "govuk-tag--grey"),
}

#: The order of the summary line: what needs action first.
SUMMARY_ORDER = ("overdue", "missed", "late", "due", "met", "withdrawn")

#: What the "Met on" column says when a duty was not met.
_NOT_MET = {"due": "Not yet", "overdue": "Not yet", "missed": "Not met", "withdrawn": "Not needed"}


@dataclass(frozen=True)
class ObligationRow:
    duty: str
    title: str
    arose: str
    due: str
    provisional: bool
    status: str
    status_label: str
    status_classes: str
    met_on: str
    working_days_late: int
    source: str


def obligation_row(obligation: Obligation) -> ObligationRow:
    status = STATUSES[obligation.status]
    if obligation.met_on is not None:
        met_on = govuk_date(obligation.met_on)
    else:
        met_on = _NOT_MET.get(obligation.status, "Not met")
    return ObligationRow(
        duty=obligation.duty,
        title=obligation.title,
        arose=govuk_date(obligation.arose),
        due="No fixed deadline" if obligation.due is None else govuk_date(obligation.due),
        provisional=obligation.provisional,
        status=obligation.status,
        status_label=status.label,
        status_classes=status.tag_classes,
        met_on=met_on,
        working_days_late=obligation.working_days_late,
        source=obligation.source,
    )


def obligation_rows(obligations: Iterable[Obligation]) -> list[ObligationRow]:
    """Rows for the results table: overdue first, then the rest in the engine's order."""
    listed = list(obligations)
    overdue = [o for o in listed if o.status == "overdue"]
    rest = [o for o in listed if o.status != "overdue"]
    return [obligation_row(o) for o in overdue + rest]


def summary_line(obligations: Sequence[Obligation]) -> str:
    """``2 overdue, 1 due, 4 met``; or a sentence saying no duty arose."""
    if not obligations:
        return "No duties arise from these events"
    counts = Counter(o.status for o in obligations)
    return ", ".join(f"{counts[s]} {s}" for s in SUMMARY_ORDER if counts[s])


@dataclass(frozen=True)
class Results:
    """Everything the results section shows."""

    as_of: date
    as_of_text: str  # "23 November 2026"
    caption: str
    summary: str
    rows: list[ObligationRow]
    warnings: list[str]  # the engine's, as it words them


def present_results(
    obligations: Sequence[Obligation], as_of: date, warnings: Sequence[str] = ()
) -> Results:
    return Results(
        as_of=as_of,
        as_of_text=govuk_date(as_of),
        caption=f"Duties as of {govuk_date(as_of)}",
        summary=summary_line(obligations),
        rows=obligation_rows(obligations),
        warnings=list(warnings),
    )
