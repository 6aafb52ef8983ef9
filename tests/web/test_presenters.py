"""The engine's obligations as rows of the results table."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard.statutory import Obligation
from safeguard.web.dates import govuk_date
from safeguard.web.presenters import (
    STATUSES,
    obligation_row,
    obligation_rows,
    present_results,
    summary_line,
)


def obligation(duty: str, status: str, **overrides) -> Obligation:
    fields = {
        "duty": duty,
        "arose": date(2026, 8, 28),
        "due": date(2026, 9, 1),
        "status": status,
        "met_on": None,
        "working_days_late": 0,
        "source": "WT2018 1.71",
        "edition": "2018",
        "title": f"Title of {duty}",
        "provisional": False,
    }
    fields.update(overrides)
    return Obligation(**fields)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2025, 12, 22), "22 December 2025"),
        (date(2026, 1, 1), "1 January 2026"),
        (date(2028, 2, 29), "29 February 2028"),
        (date(1950, 5, 9), "9 May 1950"),
    ],
)
def test_dates_in_govuk_style(value, text):
    assert govuk_date(value) == text


@pytest.mark.parametrize(
    ("status", "label", "classes"),
    [
        ("overdue", "Overdue", "govuk-tag--red"),
        ("missed", "Missed", "govuk-tag--red"),
        ("late", "Late", "govuk-tag--orange"),
        ("due", "Due", ""),  # GOV.UK Frontend 6's default tag is blue
        ("met", "Met", "govuk-tag--green"),
        ("withdrawn", "Withdrawn", "govuk-tag--grey"),
    ],
)
def test_each_status_has_its_tag(status, label, classes):
    row = obligation_row(obligation("referral.decision", status))
    assert (row.status_label, row.status_classes) == (label, classes)


def test_every_engine_status_is_presented():
    from safeguard.statutory.obligations import STATUSES as ENGINE_STATUSES

    assert set(STATUSES) == set(ENGINE_STATUSES)


@pytest.mark.parametrize(
    ("status", "met_on", "shown"),
    [
        ("met", date(2026, 9, 1), "1 September 2026"),
        ("late", date(2026, 9, 2), "2 September 2026"),
        ("due", None, "Not yet"),
        ("overdue", None, "Not yet"),
        ("missed", None, "Not met"),
        ("withdrawn", None, "Not needed"),
    ],
)
def test_met_on(status, met_on, shown):
    assert obligation_row(obligation("x", status, met_on=met_on)).met_on == shown


def test_a_duty_with_no_fixed_deadline():
    row = obligation_row(obligation("incident.lac-death", "due", due=None))
    assert row.due == "No fixed deadline"


def test_a_row_carries_what_the_table_shows():
    row = obligation_row(
        obligation("assessment.complete", "overdue", due=date(2026, 11, 2),
                   working_days_late=15, source="WT2018 1.75", provisional=True)
    )
    assert row.title == "Title of assessment.complete"
    assert row.arose == "28 August 2026"
    assert row.due == "2 November 2026"
    assert row.working_days_late == 15
    assert row.source == "WT2018 1.75"
    assert row.provisional is True


def test_overdue_first_then_the_engines_order():
    engine_order = [
        obligation("a", "met"),
        obligation("b", "overdue"),
        obligation("c", "due"),
        obligation("d", "late"),
        obligation("e", "overdue"),
        obligation("f", "missed"),
    ]
    assert [r.duty for r in obligation_rows(engine_order)] == ["b", "e", "a", "c", "d", "f"]


@pytest.mark.parametrize(
    ("statuses", "line"),
    [
        (["met", "overdue", "met", "due", "overdue", "met", "met"], "2 overdue, 1 due, 4 met"),
        (["late", "withdrawn", "missed"], "1 missed, 1 late, 1 withdrawn"),
        ([], "No duties arise from these events"),
    ],
)
def test_summary_line(statuses, line):
    assert summary_line([obligation(str(i), s) for i, s in enumerate(statuses)]) == line


def test_present_results():
    results = present_results(
        [obligation("a", "late"), obligation("b", "overdue")], date(2026, 11, 23), ["Note"]
    )
    assert results.caption == "Duties as of 23 November 2026"
    assert results.as_of_text == "23 November 2026"
    assert results.summary == "1 overdue, 1 late"
    assert [r.duty for r in results.rows] == ["b", "a"]
    assert results.warnings == ["Note"]
