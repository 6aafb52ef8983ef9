"""One readable table per duty: the events, the day it is judged on, and what is owed.

Each row of ``expected`` is (duty, arose, due, status, met_on, working days late); only the
obligations of the duty under test are compared, unless the case says ``all``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from safeguard.statutory import obligations_document
from safeguard.statutory.duties import (
    DUTIES,
    add_months,
    assessment_due,
    designated_officer_informed_due,
    first_core_group_due,
    first_review_conference_due,
    initial_conference_due,
    next_review_conference_due,
    partnership_report_due,
    partnership_report_send_due,
    plan_end_at_18_due,
    referral_decision_due,
    review_publication_due,
    send_before_publication_due,
    transfer_in_conference_due,
)

Row = tuple[str, str, str | None, str, str | None, int]


@dataclass
class Case:
    name: str
    events: list[tuple[Any, ...]]
    as_of: str
    expected: list[Row]
    dob: str | None = None
    edition: str | None = None
    only: str | None = None  # compare only this duty's obligations
    extra: dict[str, Any] = field(default_factory=dict)


def timeline(case: Case) -> dict[str, Any]:
    events = []
    for item in case.events:
        event: dict[str, Any] = {"type": item[0], "date": item[1]}
        if len(item) > 2:
            event.update(item[2])
        events.append(event)
    data: dict[str, Any] = {"events": events}
    if case.dob:
        data["child"] = {"date_of_birth": case.dob}
    if case.edition:
        data["edition"] = case.edition
    return data


def run(case: Case) -> list[Row]:
    doc = obligations_document(timeline(case), date.fromisoformat(case.as_of))
    rows = [
        (o["duty"], o["arose"], o["due"], o["status"], o["met_on"], o["working_days_late"])
        for o in doc["obligations"]
    ]
    if case.only:
        rows = [r for r in rows if r[0] == case.only]
    return rows


RR, RD = "referral_received", "referral_decision"
SD, S47, ICPC = "strategy_discussion", "s47_outcome", "initial_conference"
CG, REV, END = "core_group_meeting", "review_conference", "plan_ended"
PLAN = {"plan": True}

CASES = [
    # ---- referral.decision (WT2018 1.71): 1 working day ----
    Case("decision next day", [(RR, "2026-11-23"), (RD, "2026-11-24", {"outcome": "no_further_action"})],
         "2026-12-01", [("referral.decision", "2026-11-23", "2026-11-24", "met", "2026-11-24", 0)]),
    Case("decision on the day", [(RR, "2026-11-23"), (RD, "2026-11-23", {"outcome": "early_help"})],
         "2026-12-01", [("referral.decision", "2026-11-23", "2026-11-24", "met", "2026-11-23", 0)]),
    Case("received Friday, due Monday", [(RR, "2026-11-20")], "2026-11-23",
         [("referral.decision", "2026-11-20", "2026-11-23", "due", None, 0)]),
    Case("received Saturday, due Monday", [(RR, "2026-11-21")], "2026-11-24",
         [("referral.decision", "2026-11-21", "2026-11-23", "overdue", None, 1)]),
    Case("over Christmas", [(RR, "2026-12-24"), (RD, "2026-12-30", {"outcome": "assessment"})],
         "2027-01-04", [("referral.decision", "2026-12-24", "2026-12-29", "late", "2026-12-30", 1)],
         only="referral.decision"),
    Case("two referrals: the decision meets the oldest",
         [(RR, "2026-11-02"), (RR, "2026-11-03"), (RD, "2026-11-04", {"outcome": "no_further_action"})],
         "2026-11-05",
         [("referral.decision", "2026-11-02", "2026-11-03", "late", "2026-11-04", 1),
          ("referral.decision", "2026-11-03", "2026-11-04", "overdue", None, 1)]),
    Case("a decision with no referral is only recorded",
         [(RD, "2026-11-04", {"outcome": "no_further_action"})], "2026-11-05", []),
    # ---- assessment.complete (WT2018 1.75): 45 WD from the referral ----
    Case("assessment within 45", [(RR, "2025-12-19"), (RD, "2025-12-22", {"outcome": "assessment"}),
                                  ("assessment_completed", "2026-02-20")], "2026-11-23",
         [("assessment.complete", "2025-12-22", "2026-02-25", "met", "2026-02-20", 0)],
         only="assessment.complete"),
    Case("assessment late", [(RR, "2026-01-05"), (RD, "2026-01-06", {"outcome": "strategy_discussion"}),
                             ("assessment_completed", "2026-03-12")], "2026-11-23",
         [("assessment.complete", "2026-01-06", "2026-03-09", "late", "2026-03-12", 3)],
         only="assessment.complete"),
    Case("no assessment after no further action",
         [(RR, "2026-01-05"), (RD, "2026-01-06", {"outcome": "no_further_action"})], "2026-11-23",
         [], only="assessment.complete"),
    Case("immediate protection starts the assessment clock",
         [(RR, "2026-01-05"), (RD, "2026-01-05", {"outcome": "immediate_protection"})], "2026-02-01",
         [("assessment.complete", "2026-01-05", "2026-03-09", "due", None, 0)],
         only="assessment.complete"),
    Case("re-decided: counts from the latest referral before it",
         [(RR, "2026-01-05"), (RD, "2026-01-06", {"outcome": "early_help"}),
          (RD, "2026-02-02", {"outcome": "assessment"})], "2026-02-03",
         [("assessment.complete", "2026-02-02", "2026-03-09", "due", None, 0)],
         only="assessment.complete"),
    Case("decision without any referral counts from itself",
         [(RD, "2026-02-02", {"outcome": "assessment"})], "2026-02-03",
         [("assessment.complete", "2026-02-02", "2026-04-08", "due", None, 0)],
         only="assessment.complete"),
    # ---- icpc.hold: 15 WD from the strategy discussion that initiated s47 ----
    Case("conference in time", [(SD, "2025-12-23", {"s47": True}), (ICPC, "2026-01-16", {"plan": False})],
         "2026-11-23", [("icpc.hold", "2025-12-23", "2026-01-16", "met", "2026-01-16", 0)]),
    Case("a later discussion does not move the deadline",
         [(SD, "2026-03-02", {"s47": True}), (SD, "2026-03-09", {"s47": True}),
          (ICPC, "2026-03-24", {"plan": False})], "2026-11-23",
         [("icpc.hold", "2026-03-02", "2026-03-23", "late", "2026-03-24", 1)]),
    Case("a discussion without s47 starts nothing", [(SD, "2026-03-02", {"s47": False})],
         "2026-11-23", []),
    Case("not substantiated before the due date: withdrawn",
         [(SD, "2026-03-02", {"s47": True}), (S47, "2026-03-10", {"substantiated": False})],
         "2026-11-23", [("icpc.hold", "2026-03-02", "2026-03-23", "withdrawn", None, 0)]),
    Case("not substantiated after the due date: missed",
         [(SD, "2026-03-02", {"s47": True}), (S47, "2026-03-26", {"substantiated": False})],
         "2026-11-23", [("icpc.hold", "2026-03-02", "2026-03-23", "missed", None, 3)]),
    Case("substantiated, no conference yet: overdue",
         [(SD, "2026-03-02", {"s47": True}), (S47, "2026-03-10", {"substantiated": True})],
         "2026-03-25", [("icpc.hold", "2026-03-02", "2026-03-23", "overdue", None, 2)]),
    Case("a new enquiry after the conference is a new duty",
         [(SD, "2026-03-02", {"s47": True}), (ICPC, "2026-03-20", {"plan": False}),
          (SD, "2026-06-01", {"s47": True})], "2026-06-02",
         [("icpc.hold", "2026-03-02", "2026-03-23", "met", "2026-03-20", 0),
          ("icpc.hold", "2026-06-01", "2026-06-22", "due", None, 0)]),
    # ---- cpp.core-group: 10 WD from the conference that made the plan ----
    Case("core group in time", [(ICPC, "2026-01-16", PLAN), (CG, "2026-01-27")], "2026-11-23",
         [("cpp.core-group", "2026-01-16", "2026-01-30", "met", "2026-01-27", 0)], only="cpp.core-group"),
    Case("no plan, no core group", [(ICPC, "2026-01-16", {"plan": False})], "2026-11-23", [],
         only="cpp.core-group"),
    Case("core group late", [(ICPC, "2026-01-16", PLAN), (CG, "2026-02-03")], "2026-11-23",
         [("cpp.core-group", "2026-01-16", "2026-01-30", "late", "2026-02-03", 2)],
         only="cpp.core-group"),
    Case("plan ends before the core group: withdrawn",
         [(ICPC, "2026-01-16", PLAN), (END, "2026-01-20", {"reason": "moved abroad"})], "2026-11-23",
         [("cpp.core-group", "2026-01-16", "2026-01-30", "withdrawn", None, 0)], only="cpp.core-group"),
    Case("plan ends after a missed core group: missed",
         [(ICPC, "2026-01-16", PLAN), (END, "2026-02-04", {"reason": "died"})], "2026-11-23",
         [("cpp.core-group", "2026-01-16", "2026-01-30", "missed", None, 3)], only="cpp.core-group"),
    Case("a core group before any plan is only recorded", [(CG, "2026-01-10")], "2026-11-23", []),
    # ---- cpp.first-review: 3 months ----
    Case("first review on the last day", [(ICPC, "2026-01-16", PLAN), (REV, "2026-04-16", {"plan_continues": True})],
         "2026-05-01", [("cpp.first-review", "2026-01-16", "2026-04-16", "met", "2026-04-16", 0)],
         only="cpp.first-review"),
    Case("3 months from 30 November is 28 February", [(ICPC, "2026-11-30", PLAN)], "2026-12-01",
         [("cpp.first-review", "2026-11-30", "2027-02-28", "due", None, 0)], only="cpp.first-review"),
    Case("3 months from 30 November into a leap year", [(ICPC, "2027-11-30", PLAN)], "2027-12-01",
         [("cpp.first-review", "2027-11-30", "2028-02-29", "due", None, 0)], only="cpp.first-review"),
    Case("first review late", [(ICPC, "2026-01-16", PLAN), (REV, "2026-04-20", {"plan_continues": True})],
         "2026-05-01", [("cpp.first-review", "2026-01-16", "2026-04-16", "late", "2026-04-20", 2)],
         only="cpp.first-review"),
    # ---- cpp.later-reviews: 6 months after each review at which the plan continued ----
    Case("later reviews chain", [(ICPC, "2026-01-16", PLAN), (REV, "2026-04-16", {"plan_continues": True}),
                                 (REV, "2026-10-16", {"plan_continues": True})], "2026-11-23",
         [("cpp.later-reviews", "2026-04-16", "2026-10-16", "met", "2026-10-16", 0),
          ("cpp.later-reviews", "2026-10-16", "2027-04-16", "due", None, 0)], only="cpp.later-reviews"),
    Case("31 August + 6 months = 28 February", [(REV, "2026-08-31", {"plan_continues": True})],
         "2026-09-01", [("cpp.later-reviews", "2026-08-31", "2027-02-28", "due", None, 0)],
         only="cpp.later-reviews"),
    Case("review overdue", [(REV, "2026-04-16", {"plan_continues": True})], "2026-10-23",
         [("cpp.later-reviews", "2026-04-16", "2026-10-16", "overdue", None, 5)], only="cpp.later-reviews"),
    Case("plan ends at review: no further review",
         [(ICPC, "2026-01-16", PLAN), (REV, "2026-04-16", {"plan_continues": False})], "2026-11-23",
         [], only="cpp.later-reviews"),
    # ---- cpp.end-at-18 ----
    Case("plan ends before 18", [(ICPC, "2026-01-16", PLAN), (END, "2026-06-01", {"reason": "no longer at risk"})],
         "2026-11-23", [("cpp.end-at-18", "2026-01-16", "2026-09-03", "met", "2026-06-01", 0)],
         dob="2008-09-03", only="cpp.end-at-18"),
    Case("plan still open past 18", [(ICPC, "2026-01-16", PLAN)], "2026-09-07",
         [("cpp.end-at-18", "2026-01-16", "2026-09-03", "overdue", None, 2)],
         dob="2008-09-03", only="cpp.end-at-18"),
    Case("plan ended after 18: late", [(ICPC, "2026-01-16", PLAN), (REV, "2026-09-08", {"plan_continues": False})],
         "2026-11-23", [("cpp.end-at-18", "2026-01-16", "2026-09-03", "late", "2026-09-08", 3)],
         dob="2008-09-03", only="cpp.end-at-18"),
    Case("29 February birthday falls on 28 February", [(ICPC, "2026-01-16", PLAN)], "2026-01-17",
         [("cpp.end-at-18", "2026-01-16", "2026-02-28", "due", None, 0)], dob="2008-02-29",
         only="cpp.end-at-18"),
    Case("no date of birth, no duty", [(ICPC, "2026-01-16", PLAN)], "2026-01-17", [],
         only="cpp.end-at-18"),
    # ---- cpp.transfer-in: 15 WD ----
    Case("transfer-in conference in time",
         [("moved_in_notified", "2026-03-30"), ("transfer_in_conference", "2026-04-21", PLAN)],
         "2026-05-01", [("cpp.transfer-in", "2026-03-30", "2026-04-22", "met", "2026-04-21", 0)],
         only="cpp.transfer-in"),
    Case("transfer-in starts a plan with its own core group",
         [("moved_in_notified", "2026-03-30"), ("transfer_in_conference", "2026-04-21", PLAN)],
         "2026-05-01", [("cpp.core-group", "2026-04-21", "2026-05-06", "due", None, 0)],
         only="cpp.core-group"),
    # ---- allegation.inform-do (WT2018 2.7): 1 WD ----
    Case("designated officer told over Christmas",
         [("allegation_known", "2026-12-24"), ("designated_officer_informed", "2026-12-29")],
         "2027-01-04", [("allegation.inform-do", "2026-12-24", "2026-12-29", "met", "2026-12-29", 0)]),
    Case("designated officer not told", [("allegation_known", "2026-11-16")], "2026-11-23",
         [("allegation.inform-do", "2026-11-16", "2026-11-17", "overdue", None, 4)]),
    # ---- serious incidents: 2018 ----
    Case("2018 notifications", [("serious_incident_known", "2026-03-30", {"died": False, "looked_after": False}),
                                ("panel_notified", "2026-04-09")], "2026-04-10",
         [("incident.notify-panel", "2026-03-30", "2026-04-08", "late", "2026-04-09", 1),
          ("incident.notify-partners", "2026-03-30", "2026-04-08", "overdue", None, 2),
          ("review.rapid", "2026-03-30", "2026-04-22", "due", None, 0)]),
    Case("death of a looked-after child needs both notifications",
         [("serious_incident_known", "2026-03-02", {"died": True, "looked_after": True}),
          ("ofsted_notified", "2026-03-03"), ("secretary_of_state_notified", "2026-03-05")],
         "2026-04-10", [("incident.lac-death", "2026-03-02", None, "met", "2026-03-05", 0)],
         only="incident.lac-death"),
    Case("one notification is not enough",
         [("serious_incident_known", "2026-03-02", {"died": True, "looked_after": True}),
          ("ofsted_notified", "2026-03-03")], "2026-04-10",
         [("incident.lac-death", "2026-03-02", None, "due", None, 0)], only="incident.lac-death"),
    Case("no looked-after death duty when the child lived",
         [("serious_incident_known", "2026-03-02", {"died": False, "looked_after": True})], "2026-04-10",
         [], only="incident.lac-death"),
    # ---- serious incidents: 2015 ----
    Case("2015 notifiable incident by date",
         [("serious_incident_known", "2017-03-01", {"died": True, "looked_after": False}),
          ("ofsted_notified", "2017-03-06"), ("lscb_notified", "2017-03-09")], "2017-04-01",
         [("incident.notify-ofsted", "2017-03-01", "2017-03-08", "met", "2017-03-06", 0),
          ("incident.notify-lscb", "2017-03-01", "2017-03-08", "late", "2017-03-09", 1)]),
    Case("the day before 2018 came into force is 2015",
         [("serious_incident_known", "2018-07-03", {"died": False, "looked_after": False})], "2018-07-04",
         [("incident.notify-ofsted", "2018-07-03", "2018-07-10", "due", None, 0),
          ("incident.notify-lscb", "2018-07-03", "2018-07-10", "due", None, 0)]),
    Case("the day 2018 came into force is 2018",
         [("serious_incident_known", "2018-07-04", {"died": False, "looked_after": False})], "2018-07-05",
         [("incident.notify-panel", "2018-07-04", "2018-07-11", "due", None, 0),
          ("incident.notify-partners", "2018-07-04", "2018-07-11", "due", None, 0),
          ("review.rapid", "2018-07-04", "2018-07-25", "due", None, 0)]),
    Case("an edition named in the timeline wins over the date",
         [("serious_incident_known", "2026-03-02", {"died": False, "looked_after": False})], "2026-03-03",
         [("incident.notify-ofsted", "2026-03-02", "2026-03-09", "due", None, 0),
          ("incident.notify-lscb", "2026-03-02", "2026-03-09", "due", None, 0)], edition="2015"),
    # ---- reviews ----
    Case("review published within 6 months",
         [("review_decided", "2026-04-28", {"local": True}), ("review_sent", "2026-10-12"),
          ("review_published", "2026-10-26")], "2026-11-23",
         [("review.publish", "2026-04-28", "2026-10-28", "met", "2026-10-26", 0),
          ("review.send-before-publish", "2026-10-26", "2026-10-15", "met", "2026-10-12", 0)]),
    Case("report sent too close to publication: late",
         [("review_decided", "2026-04-28", {"local": True}), ("review_sent", "2026-10-20"),
          ("review_published", "2026-10-26")], "2026-11-23",
         [("review.send-before-publish", "2026-10-26", "2026-10-15", "late", "2026-10-20", 3)],
         only="review.send-before-publish"),
    Case("sent on the publication day counts, even listed after it",
         [("review_published", "2026-10-26"), ("review_sent", "2026-10-26")], "2026-11-23",
         [("review.send-before-publish", "2026-10-26", "2026-10-15", "late", "2026-10-26", 7)],
         only="review.send-before-publish"),
    Case("never sent before publication: overdue",
         [("review_published", "2026-10-26"), ("review_sent", "2026-10-27")], "2026-10-28",
         [("review.send-before-publish", "2026-10-26", "2026-10-15", "overdue", None, 9)],
         only="review.send-before-publish"),
    Case("no local review, no publication duty", [("review_decided", "2026-04-28", {"local": False})],
         "2026-11-23", []),
    # ---- partnership reports ----
    Case("yearly report and sending it",
         [("partnership_report_published", "2025-09-30"), ("partnership_report_sent", "2025-10-08"),
          ("partnership_report_published", "2026-09-29")], "2026-10-01",
         [("partners.report-send", "2025-09-30", "2025-10-07", "late", "2025-10-08", 1),
          ("partners.report", "2025-09-30", "2026-09-30", "met", "2026-09-29", 0),
          ("partners.report-send", "2026-09-29", "2026-10-06", "due", None, 0),
          ("partners.report", "2026-09-29", "2027-09-29", "due", None, 0)]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_duty_table(case: Case) -> None:
    assert run(case) == case.expected


def test_every_duty_has_a_table_row() -> None:
    covered = {row[0] for case in CASES for row in case.expected}
    assert covered == set(DUTIES)


@pytest.mark.parametrize(
    ("function", "day", "expected"),
    [
        (referral_decision_due, date(2026, 12, 24), date(2026, 12, 29)),
        (assessment_due, date(2025, 12, 19), date(2026, 2, 25)),
        (initial_conference_due, date(2025, 12, 23), date(2026, 1, 16)),
        (first_core_group_due, date(2026, 1, 16), date(2026, 1, 30)),
        (first_review_conference_due, date(2026, 1, 16), date(2026, 4, 16)),
        (next_review_conference_due, date(2026, 8, 31), date(2027, 2, 28)),
        (plan_end_at_18_due, date(2008, 2, 29), date(2026, 2, 28)),
        (transfer_in_conference_due, date(2026, 3, 30), date(2026, 4, 22)),
        (designated_officer_informed_due, date(2026, 12, 24), date(2026, 12, 29)),
        (review_publication_due, date(2026, 4, 28), date(2026, 10, 28)),
        (send_before_publication_due, date(2026, 10, 26), date(2026, 10, 15)),
        (partnership_report_due, date(2024, 2, 29), date(2025, 2, 28)),
        (partnership_report_send_due, date(2025, 12, 28), date(2026, 1, 4)),
    ],
)
def test_functions_in_the_guidance_words(function: Any, day: date, expected: date) -> None:
    assert function(day) == expected


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 3) == date(2027, 3, 15)


def test_every_duty_rule_is_dated_and_cited() -> None:
    for duty in DUTIES.values():
        assert duty.rules, duty.id
        for rule in duty.rules:
            assert rule.source.startswith(("WT2015", "WT2018")), duty.id
            assert rule.edition in ("2015", "2018")
            assert rule.effective_from in (date(2015, 3, 26), date(2018, 7, 4))
