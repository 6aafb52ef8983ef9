"""Timeline → obligations: which duties a case's events triggered, when each fell due, and
whether it was met. The rules are those of shared/design/timeline-format.md, section
"Rules"; this module is their one implementation.

How an event is taken, in date order (events of one day in the order given):

1. it *meets* the oldest open obligation of each duty it is a meeting event for;
2. it *closes* what it ends (an unsubstantiated section 47 outcome closes the open initial
   conference duty; a plan ending closes the plan's open conference and core group duties);
3. it *raises* the duties it triggers, under the edition in force on its date (or the
   timeline's edition).

So an event never meets a duty it raised itself (a review conference meets the previous
review's duty and then raises the next).

Dates are handled as proleptic ordinals (``date.toordinal()``) and the working-day calendar
answers in O(1), so a caseload of 100,000 timelines is checked in seconds.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from safeguard.statutory.calendar import (
    FIRST_DAY,
    LAST_DAY,
    CalendarRangeError,
    WorkingDayCalendar,
    england,
)
from safeguard.statutory.duties import DUTIES, Deadline
from safeguard.statutory.editions import EARLIEST_MODELLED, edition_id_in_force_on_ordinal
from safeguard.statutory.timeline import EventRow, Timeline, TimelineError, parse_timeline

STATUSES: Final = ("met", "late", "due", "overdue", "withdrawn", "missed")

# Duty ids, spelled once.
REFERRAL_DECISION: Final = "referral.decision"
ASSESSMENT: Final = "assessment.complete"
ICPC: Final = "icpc.hold"
CORE_GROUP: Final = "cpp.core-group"
FIRST_REVIEW: Final = "cpp.first-review"
LATER_REVIEWS: Final = "cpp.later-reviews"
END_AT_18: Final = "cpp.end-at-18"
TRANSFER_IN: Final = "cpp.transfer-in"
INFORM_DO: Final = "allegation.inform-do"
NOTIFY_PANEL: Final = "incident.notify-panel"
NOTIFY_PARTNERS: Final = "incident.notify-partners"
RAPID_REVIEW: Final = "review.rapid"
LAC_DEATH: Final = "incident.lac-death"
NOTIFY_OFSTED: Final = "incident.notify-ofsted"
NOTIFY_LSCB: Final = "incident.notify-lscb"
REVIEW_PUBLISH: Final = "review.publish"
SEND_BEFORE_PUBLISH: Final = "review.send-before-publish"
PARTNERS_REPORT: Final = "partners.report"
PARTNERS_REPORT_SEND: Final = "partners.report-send"

#: Obligations that "the plan ends first" closes.
PLAN_DUTIES: Final = (CORE_GROUP, FIRST_REVIEW, LATER_REVIEWS)
ASSESSMENT_OUTCOMES: Final = frozenset(
    {"assessment", "strategy_discussion", "immediate_protection"}
)

#: Event type → the duties it meets (the oldest open obligation of each).
MEETS: Final[dict[str, tuple[str, ...]]] = {
    "referral_decision": (REFERRAL_DECISION,),
    "assessment_completed": (ASSESSMENT,),
    "initial_conference": (ICPC,),
    "core_group_meeting": (CORE_GROUP,),
    "review_conference": (FIRST_REVIEW, LATER_REVIEWS),
    "transfer_in_conference": (TRANSFER_IN,),
    "designated_officer_informed": (INFORM_DO,),
    "panel_notified": (NOTIFY_PANEL,),
    "partners_notified": (NOTIFY_PARTNERS,),
    "rapid_review_completed": (RAPID_REVIEW,),
    "ofsted_notified": (NOTIFY_OFSTED,),
    "lscb_notified": (NOTIFY_LSCB,),
    "review_published": (REVIEW_PUBLISH,),
    "partnership_report_published": (PARTNERS_REPORT,),
    "partnership_report_sent": (PARTNERS_REPORT_SEND,),
}

#: The two notifications that together meet ``incident.lac-death`` (WT2018 4.13).
_LAC_DEATH_PARTS: Final = {"secretary_of_state_notified": 1, "ofsted_notified": 2}
_LAC_DEATH_BOTH: Final = 3


@dataclass(frozen=True, slots=True)
class Obligation:
    """A duty that a timeline triggered, with its due date and how it stands."""

    duty: str
    arose: date
    due: date | None
    status: str
    met_on: date | None
    working_days_late: int
    source: str
    edition: str
    title: str
    provisional: bool = False


class _Open:
    """An obligation while the timeline is being read (ordinals, mutable)."""

    __slots__ = (
        "duty", "arose", "due", "edition", "source", "met_on", "closed_on", "parts", "wd_based"
    )

    def __init__(
        self, duty: str, arose: int, due: int | None, edition: str, source: str, wd: bool
    ) -> None:
        self.duty = duty
        self.arose = arose
        self.due = due
        self.edition = edition
        self.source = source
        self.met_on: int | None = None
        self.closed_on: int | None = None
        self.parts = 0
        self.wd_based = wd


# (duty, edition) → (deadline, source, title), resolved once.
_RULES: dict[tuple[str, str], tuple[Deadline, str, str]] = {
    (duty.id, rule.edition): (rule.deadline, rule.source, duty.title)
    for duty in DUTIES.values()
    for rule in duty.rules
}
_WD_KINDS: Final = frozenset({"working_days_after", "working_days_before"})


class _Reader:
    """Reads one timeline's events in order and keeps its obligations."""

    __slots__ = ("cal", "edition", "dob", "all", "open", "last_referral", "review_sent")

    def __init__(self, cal: WorkingDayCalendar, edition: str | None, dob: int | None) -> None:
        self.cal = cal
        self.edition = edition
        self.dob = dob
        self.all: list[_Open] = []
        self.open: dict[str, list[_Open]] = {}
        self.last_referral: int | None = None
        self.review_sent: list[int] = []

    def raise_duty(self, duty: str, trigger: int, base: int | None = None) -> _Open | None:
        """Raise ``duty`` on the day ``trigger``; its deadline counts from ``base`` if given.
        Returns None when the duty is not part of the edition that applies."""
        edition = self.edition or edition_id_in_force_on_ordinal(trigger)
        rule = _RULES.get((duty, edition))
        if rule is None:
            return None
        deadline, source, _title = rule
        kind = deadline.kind
        wd_based = False
        if kind == "working_days_after":
            due: int | None = self.cal.add_working_days_ordinal(
                trigger if base is None else base, deadline.amount
            )
            wd_based = True
        elif kind == "none":
            due = None
        elif kind == "birthday":
            if self.dob is None:
                return None
            due = deadline.due_ordinal(self.dob, self.cal)
        else:
            due = deadline.due_ordinal(trigger if base is None else base, self.cal)
            wd_based = kind in _WD_KINDS
        ob = _Open(duty, trigger, due, edition, source, wd_based)
        self.all.append(ob)
        waiting = self.open.get(duty)
        if waiting is None:
            self.open[duty] = [ob]
        else:
            waiting.append(ob)
        return ob

    def meet(self, duty: str, day: int) -> _Open | None:
        """The oldest open obligation of ``duty`` is met on ``day``."""
        waiting = self.open.get(duty)
        if not waiting:
            return None
        ob = waiting.pop(0)
        ob.met_on = day
        return ob

    def close(self, duty: str, day: int) -> None:
        """Every open obligation of ``duty`` is no longer required from ``day``."""
        waiting = self.open.get(duty)
        if waiting:
            for ob in waiting:
                ob.closed_on = day
            waiting.clear()

    def plan_ends(self, day: int) -> None:
        """The plan ending meets the oldest open ``cpp.end-at-18`` (like any meeting event)
        and closes every conference and core group duty of the plan still open."""
        self.meet(END_AT_18, day)
        for duty in PLAN_DUTIES:
            self.close(duty, day)

    def plan_starts(self, day: int) -> None:
        self.raise_duty(CORE_GROUP, day)
        self.raise_duty(FIRST_REVIEW, day)
        self.raise_duty(END_AT_18, day)

    def read(self, day: int, event_type: str, raw: dict[str, Any]) -> None:
        for duty in MEETS.get(event_type, ()):
            self.meet(duty, day)

        if event_type == "referral_received":
            self.raise_duty(REFERRAL_DECISION, day)
            self.last_referral = day
        elif event_type == "referral_decision":
            # Meeting happened above; find the referral it decided for the assessment clock.
            pass
        elif event_type == "strategy_discussion":
            if raw["s47"] and not self.open.get(ICPC):
                self.raise_duty(ICPC, day)
        elif event_type == "s47_outcome":
            if not raw["substantiated"]:
                self.close(ICPC, day)
        elif event_type == "initial_conference" or event_type == "transfer_in_conference":
            if raw["plan"]:
                self.plan_starts(day)
        elif event_type == "review_conference":
            if raw["plan_continues"]:
                self.raise_duty(LATER_REVIEWS, day)
            else:
                self.plan_ends(day)
        elif event_type == "plan_ended":
            self.plan_ends(day)
        elif event_type == "moved_in_notified":
            self.raise_duty(TRANSFER_IN, day)
        elif event_type == "allegation_known":
            self.raise_duty(INFORM_DO, day)
        elif event_type == "serious_incident_known":
            edition = self.edition or edition_id_in_force_on_ordinal(day)
            if edition == "2018":
                self.raise_duty(NOTIFY_PANEL, day)
                self.raise_duty(NOTIFY_PARTNERS, day)
                self.raise_duty(RAPID_REVIEW, day)
                if raw["died"] and raw["looked_after"]:
                    self.raise_duty(LAC_DEATH, day)
            else:
                self.raise_duty(NOTIFY_OFSTED, day)
                self.raise_duty(NOTIFY_LSCB, day)
        elif event_type == "review_decided":
            if raw["local"]:
                self.raise_duty(REVIEW_PUBLISH, day)
        elif event_type == "review_published":
            ob = self.raise_duty(SEND_BEFORE_PUBLISH, day)
            if ob is not None:
                # Met by the latest review_sent on or before the publication date.
                sent = self.review_sent
                k = bisect_right(sent, day)
                if k:
                    ob.met_on = sent[k - 1]
                    self.open[SEND_BEFORE_PUBLISH].remove(ob)
        elif event_type == "partnership_report_published":
            self.raise_duty(PARTNERS_REPORT, day)
            self.raise_duty(PARTNERS_REPORT_SEND, day)

        part = _LAC_DEATH_PARTS.get(event_type)
        if part:
            for ob in self.open.get(LAC_DEATH, ()):
                if not ob.parts & part:
                    ob.parts |= part
                    if ob.parts == _LAC_DEATH_BOTH:
                        ob.met_on = day
                        self.open[LAC_DEATH].remove(ob)
                    break


def _read_timeline(
    cal: WorkingDayCalendar, edition: str | None, dob: int | None, rows: tuple[EventRow, ...]
) -> list[_Open]:
    reader = _Reader(cal, edition, dob)
    ordered = sorted(rows, key=_row_key) if len(rows) > 1 else rows
    reader.review_sent = [o for o, _, t, _ in ordered if t == "review_sent"]
    try:
        for row in ordered:
            _read_event(reader, row)
    except CalendarRangeError as exc:
        _day, index, event_type, _raw = row
        raise TimelineError(
            f"a deadline from this date falls outside the working-day calendar ({exc})",
            pointer=f"/events/{index}/date",
            event_index=index,
            event_type=event_type,
            field="date",
        ) from None
    obligations = reader.all
    obligations.sort(key=_obligation_key)
    return obligations


def _read_event(reader: _Reader, row: EventRow) -> None:
    day, _index, event_type, raw = row
    if event_type == "referral_decision":
        # The referral being decided: the one whose decision duty this meets; else the
        # latest referral received before it; else the decision's own date.
        waiting = reader.open.get(REFERRAL_DECISION)
        if waiting:
            base = waiting[0].arose
        elif reader.last_referral is not None:
            base = reader.last_referral
        else:
            base = day
        reader.read(day, event_type, raw)
        if raw["outcome"] in ASSESSMENT_OUTCOMES:
            reader.raise_duty(ASSESSMENT, day, base)
    else:
        reader.read(day, event_type, raw)


def _row_key(row: EventRow) -> tuple[int, int]:
    return (row[0], row[1])


_NO_DUE: Final = 10**9


def _obligation_key(ob: _Open) -> tuple[int, int]:
    due = ob.due
    return (ob.arose, _NO_DUE if due is None else due)


def _status(ob: _Open, as_of: int, cal: WorkingDayCalendar) -> tuple[str, int, int | None]:
    """(status, working days late, the day lateness was counted to)."""
    due = ob.due
    met_on = ob.met_on
    if met_on is not None:
        if due is None or met_on <= due:
            return "met", 0, None
        return "late", cal.working_days_between_ordinal(due, met_on), met_on
    closed = ob.closed_on
    if closed is not None:
        if due is None or closed <= due:
            return "withdrawn", 0, None
        return "missed", cal.working_days_between_ordinal(due, closed), closed
    if due is None or as_of <= due:
        return "due", 0, None
    return "overdue", cal.working_days_between_ordinal(due, as_of), as_of


def open_obligation_status(due: date | None, as_of: date) -> tuple[str, int]:
    """How an obligation still open stands on ``as_of``: ``("due", 0)`` or
    ``("overdue", working days late)``. For stored obligations read on a later day."""
    if due is None or as_of <= due:
        return "due", 0
    return "overdue", england().working_days_between(due, as_of)


def as_of_ordinal(as_of: date) -> int:
    """The ordinal of ``as_of``; ValueError when it lies outside the working-day calendar."""
    if not (FIRST_DAY <= as_of <= LAST_DAY):
        raise ValueError(
            f"the as-of date must be between {FIRST_DAY.isoformat()} and "
            f"{LAST_DAY.isoformat()}; got {as_of.isoformat()}"
        )
    return as_of.toordinal()


def compute_obligations(timeline: Timeline, as_of: date) -> list[Obligation]:
    """The obligations a timeline gives rise to, as they stand on ``as_of``.

    Sorted by the day each arose, then by due date (duties with no fixed due date last).
    """
    cal = england()
    as_of_day = as_of_ordinal(as_of)
    horizon = cal.provisional_after_ordinal
    result = []
    for ob in _read_timeline(cal, timeline.edition, timeline.date_of_birth_ordinal, timeline.rows):
        status, late, counted_to = _status(ob, as_of_day, cal)
        _deadline, source, title = _RULES[(ob.duty, ob.edition)]
        due = ob.due
        result.append(
            Obligation(
                duty=ob.duty,
                arose=date.fromordinal(ob.arose),
                due=None if due is None else date.fromordinal(due),
                status=status,
                met_on=None if ob.met_on is None else date.fromordinal(ob.met_on),
                working_days_late=late,
                source=source,
                edition=ob.edition,
                title=title,
                provisional=_is_provisional(ob, counted_to, horizon),
            )
        )
    return result


def _is_provisional(ob: _Open, counted_to: int | None, horizon: int) -> bool:
    """True when the answer leans on bank holidays not yet published by GOV.UK."""
    due = ob.due
    if due is None:
        return False
    if ob.wd_based and (due > horizon or ob.arose > horizon):
        return True
    return counted_to is not None and counted_to > horizon


_ISO: dict[int, str] = {}


def _iso(ordinal: int) -> str:
    text = _ISO.get(ordinal)
    if text is None:
        text = date.fromordinal(ordinal).isoformat()
        if len(_ISO) < 200_000:
            _ISO[ordinal] = text
    return text


def obligation_as_dict(ob: Obligation) -> dict[str, Any]:
    """An obligation in the contract's output form."""
    return {
        "duty": ob.duty,
        "arose": ob.arose.isoformat(),
        "due": None if ob.due is None else ob.due.isoformat(),
        "status": ob.status,
        "met_on": None if ob.met_on is None else ob.met_on.isoformat(),
        "working_days_late": ob.working_days_late,
        "source": ob.source,
    }


def obligations_document(data: object, as_of: date) -> dict[str, Any]:
    """Check a timeline (its JSON value) and return the contract's output document.

    ``{"obligations": [...]}``, with a ``warnings`` list only when an answer leans on
    provisional bank holidays or on an edition earlier than 2015. Raises
    :class:`~safeguard.statutory.timeline.TimelineError` for a bad timeline.
    """
    as_of_day = as_of_ordinal(as_of)
    timeline = parse_timeline(data)
    cal = england()
    horizon = cal.provisional_after_ordinal
    iso = _iso
    out = []
    provisional = False
    for ob in _read_timeline(cal, timeline.edition, timeline.date_of_birth_ordinal, timeline.rows):
        status, late, counted_to = _status(ob, as_of_day, cal)
        due = ob.due
        met_on = ob.met_on
        out.append(
            {
                "duty": ob.duty,
                "arose": iso(ob.arose),
                "due": None if due is None else iso(due),
                "status": status,
                "met_on": None if met_on is None else iso(met_on),
                "working_days_late": late,
                "source": ob.source,
            }
        )
        if not provisional and _is_provisional(ob, counted_to, horizon):
            provisional = True
    document: dict[str, Any] = {"obligations": out}
    warnings = _warnings(timeline, provisional, cal)
    if warnings:
        document["warnings"] = warnings
    return document


_EARLIEST_ORDINAL: Final = EARLIEST_MODELLED.toordinal()


def _warnings(timeline: Timeline, provisional: bool, cal: WorkingDayCalendar) -> list[str]:
    warnings = []
    if provisional:
        warnings.append(
            "Some due dates or working-day counts fall after "
            f"{cal.published_until.isoformat()}, past GOV.UK's published bank holidays: "
            "they follow the rules for England's bank holidays and are provisional."
        )
    if timeline.edition is None and timeline.rows and min(timeline.rows)[0] < _EARLIEST_ORDINAL:
        warnings.append(
            f"Events before {EARLIEST_MODELLED.isoformat()} (the 2013 edition) are taken "
            "under the 2015 edition, the earliest Safeguard models."
        )
    return warnings
