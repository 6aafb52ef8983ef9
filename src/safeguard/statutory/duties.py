"""The duties of the statutory catalogue that carry a deadline, as data.

Each duty has an id (the catalogue's), a plain-English title, what triggers it, what meets
it, and — for each edition of the guidance it belongs to — a dated, cited rule giving its
deadline. Functions below are named in the guidance's words (``initial_conference_due`` …)
and answer for one date; the timeline engine (``obligations.py``) uses the same rules.

Timescales are those of shared/guidance/statutory-catalogue.md and
shared/design/timeline-format.md, checked against the text of *Working Together 2018*
(paragraphs cited) and the 2015 consultation and publication papers.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from safeguard.statutory.calendar import WorkingDayCalendar, england
from safeguard.statutory.editions import EDITION_2015, EDITION_2018, edition_in_force_on

# ---- deadline rules ------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Calendar months after ``day``, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Deadline:
    """How a due date follows from the day of the triggering event.

    ``kind`` is one of ``working_days_after`` ("within N working days of"),
    ``working_days_before`` ("at least N working days before"), ``months_after``,
    ``days_after`` (calendar days), ``birthday`` (N-th birthday of the child) and ``none``
    (promptly, immediately, as soon as possible: no fixed number).
    """

    kind: str
    amount: int = 0

    def due(self, trigger: date, cal: WorkingDayCalendar | None = None) -> date | None:
        if self.kind == "none":
            return None
        ordinal = self.due_ordinal(trigger.toordinal(), cal or england())
        return date.fromordinal(ordinal)

    def due_ordinal(self, trigger: int, cal: WorkingDayCalendar) -> int:
        kind = self.kind
        if kind == "working_days_after":
            return cal.add_working_days_ordinal(trigger, self.amount)
        if kind == "working_days_before":
            return cal.add_working_days_ordinal(trigger, -self.amount)
        if kind == "days_after":
            return trigger + self.amount
        if kind == "months_after":
            return add_months(date.fromordinal(trigger), self.amount).toordinal()
        if kind == "birthday":
            return add_months(date.fromordinal(trigger), 12 * self.amount).toordinal()
        raise ValueError(f"deadline of kind {kind!r} has no due date")

    def describe(self) -> str:
        n = self.amount
        return {
            "working_days_after": f"{n} working day{'s' if n != 1 else ''} after",
            "working_days_before": f"{n} working days before",
            "days_after": f"{n} days after",
            "months_after": f"{n} month{'s' if n != 1 else ''} after",
            "birthday": f"the child's {n}th birthday",
            "none": "promptly (no fixed number of days)",
        }[self.kind]


def working_days_after(n: int) -> Deadline:
    return Deadline("working_days_after", n)


def working_days_before(n: int) -> Deadline:
    return Deadline("working_days_before", n)


def months_after(n: int) -> Deadline:
    return Deadline("months_after", n)


def days_after(n: int) -> Deadline:
    return Deadline("days_after", n)


PROMPTLY: Final = Deadline("none")


@dataclass(frozen=True, slots=True)
class DutyRule:
    """A duty's timescale under one edition: dated and cited."""

    edition: str
    effective_from: date
    deadline: Deadline
    source: str


@dataclass(frozen=True, slots=True)
class Duty:
    id: str
    title: str
    trigger: str
    met_by: str
    owner: str
    rules: tuple[DutyRule, ...]
    withdrawn_by: str | None = None
    by_edition: dict[str, DutyRule] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_edition", {r.edition: r for r in self.rules})

    @property
    def editions(self) -> tuple[str, ...]:
        return tuple(r.edition for r in self.rules)

    def rule(self, edition: str) -> DutyRule | None:
        """The rule under ``edition``, or None when the duty is not part of it."""
        return self.by_edition.get(edition)


def _both(deadline: Deadline, source_2015: str, source_2018: str) -> tuple[DutyRule, ...]:
    return (
        DutyRule("2015", EDITION_2015.in_force_from, deadline, source_2015),
        DutyRule("2018", EDITION_2018.in_force_from, deadline, source_2018),
    )


def _only_2018(deadline: Deadline, source: str) -> tuple[DutyRule, ...]:
    return (DutyRule("2018", EDITION_2018.in_force_from, deadline, source),)


def _only_2015(deadline: Deadline, source: str) -> tuple[DutyRule, ...]:
    return (DutyRule("2015", EDITION_2015.in_force_from, deadline, source),)


_DUTY_LIST: Final = (
    Duty(
        "referral.decision",
        "Acknowledge the referral and decide the next steps",
        trigger="a referral is received by local authority children's social care",
        met_by="the decision on next steps",
        owner="local authority social worker",
        rules=_both(
            working_days_after(1),
            "WT2015 ch.1, Decision on referral (within one working day)",
            "WT2018 1.71",
        ),
    ),
    Duty(
        "assessment.complete",
        "Complete the assessment and decide the next steps",
        trigger="a referral decided for assessment, strategy discussion or immediate protection",
        met_by="the assessment reaching a decision on next steps",
        owner="local authority social worker",
        rules=_both(
            working_days_after(45),
            "WT2015 ch.1, Timeliness of assessment (45 working days from referral)",
            "WT2018 1.75; Assessment of a child under the Children Act 1989",
        ),
    ),
    Duty(
        "icpc.hold",
        "Hold the initial child protection conference",
        trigger="a strategy discussion at which section 47 enquiries were initiated",
        met_by="the initial child protection conference",
        withdrawn_by="section 47 enquiries finding the concerns not substantiated",
        owner="local authority (independent chair)",
        rules=_both(
            working_days_after(15),
            "WT2015 ch.1, Initial child protection conferences (15 working days)",
            "WT2018 ch.1, Outcome of section 47 enquiries",
        ),
    ),
    Duty(
        "cpp.core-group",
        "Hold the first core group meeting",
        trigger="a conference that made the child the subject of a child protection plan",
        met_by="the next core group meeting",
        withdrawn_by="the plan ending first",
        owner="core group, led by the lead social worker",
        rules=_both(
            working_days_after(10),
            "WT2015 ch.1, The child protection plan (core group within 10 working days)",
            "WT2018 ch.1, The child protection plan",
        ),
    ),
    Duty(
        "cpp.first-review",
        "Hold the first child protection review conference",
        trigger="a conference that made the child the subject of a child protection plan",
        met_by="the next review conference",
        withdrawn_by="the plan ending first",
        owner="social worker and conference chair",
        rules=_both(
            months_after(3),
            "WT2015 ch.1, Child protection review conference (within three months)",
            "WT2018 ch.1, The child protection plan; Child protection review conference",
        ),
    ),
    Duty(
        "cpp.later-reviews",
        "Hold the next child protection review conference",
        trigger="a review conference at which the plan continued",
        met_by="the next review conference",
        withdrawn_by="the plan ending first",
        owner="social worker and conference chair",
        rules=_both(
            months_after(6),
            "WT2015 ch.1, Child protection review conference (at most six months apart)",
            "WT2018 ch.1, The child protection plan; Child protection review conference",
        ),
    ),
    Duty(
        "cpp.end-at-18",
        "End the child protection plan by the child's 18th birthday",
        trigger="a child protection plan starting, the child's date of birth known",
        met_by="the plan ending",
        owner="local authority",
        rules=_both(
            Deadline("birthday", 18),
            "WT2015 ch.1, Discontinuing the child protection plan",
            "WT2018 ch.1, Discontinuing the Child Protection Plan",
        ),
    ),
    Duty(
        "cpp.transfer-in",
        "Hold a transfer-in conference for a child on a plan who moved in",
        trigger="notice that a child on another local authority's plan moved into the area",
        met_by="the receiving local authority's conference",
        owner="receiving local authority",
        rules=_both(
            working_days_after(15),
            "WT2015 ch.1, Discontinuing the child protection plan (moved area)",
            "WT2018 ch.1, Discontinuing the Child Protection Plan",
        ),
    ),
    Duty(
        "allegation.inform-do",
        "Tell the local authority designated officer about the allegation",
        trigger="an allegation against a person who works with children comes to the "
        "employer's or police's attention",
        met_by="the designated officer being informed",
        owner="employer or police",
        rules=_both(
            working_days_after(1),
            "WT2015 ch.2, Allegations against people who work with children",
            "WT2018 2.7",
        ),
    ),
    Duty(
        "incident.notify-panel",
        "Notify the Child Safeguarding Practice Review Panel of the serious incident",
        trigger="the local authority becomes aware of a serious child safeguarding incident",
        met_by="the Panel being notified",
        owner="local authority",
        rules=_only_2018(working_days_after(5), "WT2018 4.12"),
    ),
    Duty(
        "incident.notify-partners",
        "Report the serious incident to the safeguarding partners",
        trigger="the local authority becomes aware of a serious child safeguarding incident",
        met_by="the safeguarding partners being told",
        owner="local authority",
        rules=_only_2018(working_days_after(5), "WT2018 4.12"),
    ),
    Duty(
        "review.rapid",
        "Complete the rapid review and send it to the Panel",
        trigger="the local authority becomes aware of a serious child safeguarding incident",
        met_by="the rapid review completed and sent to the Panel",
        owner="safeguarding partners",
        rules=_only_2018(
            working_days_after(15), "WT2018 4.20-4.21 (15 working days: the Panel's guidance)"
        ),
    ),
    Duty(
        "incident.lac-death",
        "Notify the Secretary of State and Ofsted of the death of a looked-after child",
        trigger="a serious incident in which a looked-after child died",
        met_by="both the Secretary of State and Ofsted being notified",
        owner="local authority",
        rules=_only_2018(PROMPTLY, "WT2018 4.13"),
    ),
    Duty(
        "incident.notify-ofsted",
        "Notify Ofsted of the notifiable incident",
        trigger="the local authority becomes aware of a notifiable incident",
        met_by="Ofsted being notified",
        owner="local authority",
        rules=_only_2015(working_days_after(5), "WT2015 ch.4, Notifiable incidents"),
    ),
    Duty(
        "incident.notify-lscb",
        "Notify the Local Safeguarding Children Board of the notifiable incident",
        trigger="the local authority becomes aware of a notifiable incident",
        met_by="the LSCB being notified",
        owner="local authority",
        rules=_only_2015(working_days_after(5), "WT2015 ch.4, Notifiable incidents"),
    ),
    Duty(
        "review.publish",
        "Publish the review report",
        trigger="a decision to initiate a local review",
        met_by="the report (or the improvements information) being published",
        owner="safeguarding partners",
        rules=_both(
            months_after(6),
            "WT2015 ch.4, Serious case reviews (publication)",
            "WT2018 4.41",
        ),
    ),
    Duty(
        "review.send-before-publish",
        "Send the review report to the Panel and the Secretary of State before publishing",
        trigger="publication of a review report",
        met_by="the report being sent at least 7 working days before publication",
        owner="safeguarding partners",
        rules=_both(
            working_days_before(7),
            "WT2015 ch.4, Serious case reviews (publication)",
            "WT2018 4.40",
        ),
    ),
    Duty(
        "partners.report",
        "Publish the safeguarding partners' yearly report",
        trigger="publication of the previous report",
        met_by="the next report being published",
        owner="safeguarding partners",
        rules=_both(
            months_after(12),
            "WT2015 ch.3, LSCB annual report",
            "WT2018 3.41-3.42",
        ),
    ),
    Duty(
        "partners.report-send",
        "Send the yearly report to the Panel and the What Works Centre",
        trigger="publication of the report",
        met_by="the report being sent",
        owner="safeguarding partners",
        rules=_both(days_after(7), "WT2015 ch.3, LSCB annual report", "WT2018 3.44"),
    ),
)

#: Every duty with a deadline, by id, in the catalogue's order.
DUTIES: Final[dict[str, Duty]] = {d.id: d for d in _DUTY_LIST}


def due_date(duty_id: str, trigger: date, *, edition: str | None = None) -> date | None:
    """The due date of ``duty_id`` triggered on ``trigger`` (edition by date if not given)."""
    duty = DUTIES[duty_id]
    edition_id = edition or edition_in_force_on(trigger).id
    rule = duty.rule(edition_id)
    if rule is None:
        raise ValueError(f"{duty_id} is not a duty of the {edition_id} edition")
    return rule.deadline.due(trigger)


# ---- the guidance's words ------------------------------------------------------------------


def referral_decision_due(referral_received: date) -> date:
    """WT2018 1.71: decide next steps "within one working day of a referral being received"."""
    return england().working_days_after(referral_received, 1)


def assessment_due(referral_received: date) -> date:
    """WT2018 1.75: the assessment concludes "no longer than 45 working days from the point
    of referral"."""
    return england().working_days_after(referral_received, 45)


def initial_conference_due(strategy_discussion: date) -> date:
    """WT2018, Outcome of section 47 enquiries: the initial child protection conference
    "within 15 working days of the strategy discussion, or the strategy discussion at which
    section 47 enquiries were initiated if more than one has been held"."""
    return england().working_days_after(strategy_discussion, 15)


def first_core_group_due(initial_conference: date) -> date:
    """WT2018, The child protection plan: the core group meets "within 10 working days from
    the initial child protection conference"."""
    return england().working_days_after(initial_conference, 10)


def first_review_conference_due(initial_conference: date) -> date:
    """WT2018, The child protection plan: "the first review should be held within three
    months of the initial conference"."""
    return add_months(initial_conference, 3)


def next_review_conference_due(review_conference: date) -> date:
    """WT2018, The child protection plan: "further reviews at intervals of no more than six
    months for as long as the child remains subject of a child protection plan"."""
    return add_months(review_conference, 6)


def plan_end_at_18_due(date_of_birth: date) -> date:
    """WT2018, Discontinuing the Child Protection Plan: a plan ends when the child reaches 18
    (29 February birthdays fall on 28 February in a common year)."""
    return add_months(date_of_birth, 18 * 12)


def transfer_in_conference_due(notified_of_move: date) -> date:
    """WT2018, Discontinuing the Child Protection Plan: "the receiving local authority should
    convene a child protection conference within 15 working days of being notified of the
    move"."""
    return england().working_days_after(notified_of_move, 15)


def designated_officer_informed_due(allegation_known: date) -> date:
    """WT2018 2.7: inform the designated officer "within one working day" of the allegation."""
    return england().working_days_after(allegation_known, 1)


def panel_notification_due(became_aware: date) -> date:
    """WT2018 4.12: notify the Panel "within five working days of becoming aware"."""
    return england().working_days_after(became_aware, 5)


def partners_notification_due(became_aware: date) -> date:
    """WT2018 4.12: report the incident to the safeguarding partners within five working
    days."""
    return england().working_days_after(became_aware, 5)


def rapid_review_due(became_aware: date) -> date:
    """WT2018 4.20-4.21 with the Panel's guidance: the rapid review within 15 working days."""
    return england().working_days_after(became_aware, 15)


def notifiable_incident_report_due(became_aware: date) -> date:
    """WT2015 (Notifiable incidents): report to Ofsted and the LSCB "promptly, and within
    five working days of becoming aware that the incident has occurred"."""
    return england().working_days_after(became_aware, 5)


def review_publication_due(decision_to_initiate: date) -> date:
    """WT2018 4.41: publish "no later than six months from the date of the decision to
    initiate a review"."""
    return add_months(decision_to_initiate, 6)


def send_before_publication_due(publication: date) -> date:
    """WT2018 4.40: send the report to the Panel and the Secretary of State "at least seven
    working days before publication"."""
    return england().working_days_before(publication, 7)


def partnership_report_due(previous_report: date) -> date:
    """WT2018 3.41-3.42: the partners report "at least once in every 12-month period"."""
    return add_months(previous_report, 12)


def partnership_report_send_due(publication: date) -> date:
    """WT2018 3.44: send the report to the Panel and the What Works Centre "within seven
    days of publication"."""
    return publication.fromordinal(publication.toordinal() + 7)
