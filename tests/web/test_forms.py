"""The forms of "Check a case timeline": every kind of bad input, which field it lands on,
and that nothing the person typed is lost."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safeguard.statutory import EVENT_TYPES, TimelineError
from safeguard.statutory.calendar import CalendarRangeError
from safeguard.web import forms
from safeguard.web.components import GovukFields
from safeguard.web.forms import (
    KEY_DATE_QUESTIONS,
    DateQuestion,
    KeyDatesForm,
    TimelineFileForm,
)

TODAY = date(2026, 11, 23)
ALL_PARTS = frozenset({"day", "month", "year"})


def key_dates(**dates: tuple[str, str, str] | str) -> dict[str, str]:
    """POST data of the key dates form: ``referral_received=("28", "8", "2026")`` fills a
    date; a plain string fills a radio (``referral_decision_outcome="assessment"``)."""
    data = {"form": "dates", "edition": "by-date", "as-of-day": "23", "as-of-month": "11",
            "as-of-year": "2026"}
    for name, value in dates.items():
        key = name.replace("_", "-")
        if isinstance(value, tuple):
            for part, text in zip(("day", "month", "year"), value, strict=True):
                data[f"{key}-{part}"] = text
        else:
            data[key] = value
    return data


def errors_of(form: forms.TimelineForm) -> dict[str, tuple[str, str, frozenset[str]]]:
    return {key: (e.message, e.anchor, e.parts) for key, e in form.errors.items()}


# -- Key dates: good input ------------------------------------------------------------------


def test_empty_form_defaults_the_as_of_date_to_today_and_the_edition_to_by_date():
    form = KeyDatesForm(today=TODAY)
    assert not form.bound and not form.is_valid()
    assert form.value("as-of-day") == "23"
    assert form.value("as-of-month") == "11"
    assert form.value("as-of-year") == "2026"
    assert form.value("edition") == "by-date"


def test_only_the_dates_filled_in_become_events_in_the_contract_format():
    form = KeyDatesForm(
        key_dates(
            referral_received=("28", "8", "2026"),
            referral_decision=("2", "9", "2026"),
            referral_decision_outcome="assessment",
        ),
        today=TODAY,
    )
    assert form.is_valid(), form.errors
    assert form.timeline_data == {
        "events": [
            {"type": "referral_received", "date": "2026-08-28"},
            {"type": "referral_decision", "date": "2026-09-02", "outcome": "assessment"},
        ]
    }
    assert form.as_of == date(2026, 11, 23)


def test_every_key_date_with_its_answer():
    form = KeyDatesForm(
        key_dates(
            date_of_birth=("14", "3", "2015"),
            referral_received=("19", "12", "2025"),
            referral_decision=("22", "12", "2025"),
            referral_decision_outcome="strategy_discussion",
            assessment_completed=("20", "2", "2026"),
            strategy_discussion=("23", "12", "2025"),
            strategy_discussion_s47="yes",
            s47_outcome=("9", "1", "2026"),
            s47_outcome_substantiated="yes",
            initial_conference=("16", "1", "2026"),
            initial_conference_plan="yes",
            core_group_meeting=("27", "1", "2026"),
            review_conference=("16", "4", "2026"),
            review_conference_plan_continues="no",
            plan_ended=("1", "5", "2026"),
            edition="2018",
        ),
        today=TODAY,
    )
    assert form.is_valid(), form.errors
    assert form.timeline_data == {
        "edition": "2018",
        "child": {"date_of_birth": "2015-03-14"},
        "events": [
            {"type": "referral_received", "date": "2025-12-19"},
            {"type": "referral_decision", "date": "2025-12-22", "outcome": "strategy_discussion"},
            {"type": "assessment_completed", "date": "2026-02-20"},
            {"type": "strategy_discussion", "date": "2025-12-23", "s47": True},
            {"type": "s47_outcome", "date": "2026-01-09", "substantiated": True},
            {"type": "initial_conference", "date": "2026-01-16", "plan": True},
            {"type": "core_group_meeting", "date": "2026-01-27"},
            {"type": "review_conference", "date": "2026-04-16", "plan_continues": False},
            {"type": "plan_ended", "date": "2026-05-01"},
        ],
    }
    check = form.check()
    assert check is not None
    assert {o.duty for o in check.obligations} >= {"referral.decision", "icpc.hold"}


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("2", "9", "2026", date(2026, 9, 2)),
        ("02", "09", "2026", date(2026, 9, 2)),
        (" 2 ", " 9 ", " 2026 ", date(2026, 9, 2)),
        ("2", "Sep", "2026", date(2026, 9, 2)),
        ("2", "sept", "2026", date(2026, 9, 2)),
        ("2", "September", "2026", date(2026, 9, 2)),
        ("29", "2", "2028", date(2028, 2, 29)),
        ("1", "1", "1950", date(1950, 1, 1)),
        ("31", "12", "2150", date(2150, 12, 31)),
    ],
)
def test_dates_people_write(day, month, year, expected):
    form = KeyDatesForm(key_dates(assessment_completed=(day, month, year)), today=TODAY)
    assert form.is_valid(), form.errors
    assert form.timeline_data["events"] == [
        {"type": "assessment_completed", "date": expected.isoformat()}
    ]


def test_edition_by_date_leaves_the_edition_out():
    form = KeyDatesForm(key_dates(referral_received=("1", "6", "2018")), today=TODAY)
    assert form.is_valid()
    assert "edition" not in form.timeline_data


def test_the_form_offers_every_referral_outcome_the_engine_accepts():
    outcome = next(q for q in KEY_DATE_QUESTIONS if q.key == "referral-decision-outcome")
    assert [value for value, _ in outcome.choices] == list(
        EVENT_TYPES["referral_decision"]["outcome"].choices
    )


# -- Key dates: bad input -------------------------------------------------------------------

REFERRAL = "The date the referral was received"
BAD_KEY_DATES = [
    # (name, POST data, {field: (message, anchor, parts)})
    (
        "impossible date",
        key_dates(referral_received=("31", "2", "2026")),
        {"referral-received": (f"{REFERRAL} must be a real date", "referral-received-day",
                               frozenset({"day"}))},
    ),
    (
        "month missing",
        key_dates(referral_received=("28", "", "2026")),
        {"referral-received": (f"{REFERRAL} must include a month", "referral-received-month",
                               frozenset({"month"}))},
    ),
    (
        "day and year missing",
        key_dates(referral_received=("", "8", "")),
        {"referral-received": (f"{REFERRAL} must include a day and year",
                               "referral-received-day", frozenset({"day", "year"}))},
    ),
    (
        "letters for the day",
        key_dates(referral_received=("tw", "8", "2026")),
        {"referral-received": (f"{REFERRAL} must be a real date", "referral-received-day",
                               frozenset({"day"}))},
    ),
    (
        "month 13",
        key_dates(referral_received=("28", "13", "2026")),
        {"referral-received": (f"{REFERRAL} must be a real date", "referral-received-month",
                               frozenset({"month"}))},
    ),
    (
        "month name misspelt",
        key_dates(referral_received=("28", "Agust", "2026")),
        {"referral-received": (f"{REFERRAL} must be a real date", "referral-received-month",
                               frozenset({"month"}))},
    ),
    (
        "two-digit year",
        key_dates(referral_received=("28", "8", "26")),
        {"referral-received": (f"{REFERRAL} must include a year with 4 numbers",
                               "referral-received-year", frozenset({"year"}))},
    ),
    (
        "before 1950",
        key_dates(referral_received=("31", "12", "1949")),
        {"referral-received": (
            f"{REFERRAL} must be between 1 January 1950 and 31 December 2150",
            "referral-received-day", ALL_PARTS)},
    ),
    (
        "after 2150",
        key_dates(referral_received=("1", "1", "2151")),
        {"referral-received": (
            f"{REFERRAL} must be between 1 January 1950 and 31 December 2150",
            "referral-received-day", ALL_PARTS)},
    ),
    (
        "date of birth not real",
        key_dates(date_of_birth=("30", "2", "2012")),
        {"date-of-birth": ("The child’s date of birth must be a real date",
                           "date-of-birth-day", frozenset({"day"}))},
    ),
    (
        "referral decision without its outcome",
        key_dates(referral_decision=("2", "9", "2026")),
        {"referral-decision-outcome": ("Select the outcome of the referral decision",
                                       "referral-decision-outcome", frozenset())},
    ),
    (
        "an outcome that is not one of the choices",
        key_dates(referral_decision=("2", "9", "2026"), referral_decision_outcome="maybe"),
        {"referral-decision-outcome": ("Select the outcome of the referral decision",
                                       "referral-decision-outcome", frozenset())},
    ),
    (
        "outcome without the decision date",
        key_dates(referral_decision_outcome="assessment"),
        {"referral-decision": ("Enter the date of the referral decision",
                               "referral-decision-day", ALL_PARTS)},
    ),
    (
        "strategy discussion without the section 47 answer",
        key_dates(strategy_discussion=("23", "12", "2025")),
        {"strategy-discussion-s47": (
            "Select yes if the strategy discussion started section 47 enquiries",
            "strategy-discussion-s47", frozenset())},
    ),
    (
        "section 47 outcome without substantiated",
        key_dates(s47_outcome=("9", "1", "2026")),
        {"s47-outcome-substantiated": (
            "Select yes if the section 47 enquiries substantiated the concerns",
            "s47-outcome-substantiated", frozenset())},
    ),
    (
        "conference without the plan answer",
        key_dates(initial_conference=("16", "1", "2026")),
        {"initial-conference-plan": (
            "Select yes if the child became the subject of a child protection plan",
            "initial-conference-plan", frozenset())},
    ),
    (
        "review conference without plan continues",
        key_dates(review_conference=("16", "4", "2026")),
        {"review-conference-plan-continues": (
            "Select yes if the child protection plan continued after the review",
            "review-conference-plan-continues", frozenset())},
    ),
    (
        "yes or no not one of the choices",
        key_dates(initial_conference=("16", "1", "2026"), initial_conference_plan="true"),
        {"initial-conference-plan": (
            "Select yes if the child became the subject of a child protection plan",
            "initial-conference-plan", frozenset())},
    ),
    (
        "plan answer without the conference date",
        key_dates(initial_conference_plan="no"),
        {"initial-conference": ("Enter the date of the initial child protection conference",
                                "initial-conference-day", ALL_PARTS)},
    ),
    (
        "a bad conference date and no plan answer",
        key_dates(initial_conference=("16", "", "2026")),
        {
            "initial-conference": (
                "The date of the initial child protection conference must include a month",
                "initial-conference-month", frozenset({"month"})),
            "initial-conference-plan": (
                "Select yes if the child became the subject of a child protection plan",
                "initial-conference-plan", frozenset()),
        },
    ),
    (
        "no edition",
        {k: v for k, v in key_dates().items() if k != "edition"},
        {"edition": ("Select which edition of Working Together applies", "edition",
                     frozenset())},
    ),
    (
        "an edition that does not exist",
        key_dates(edition="2013"),
        {"edition": ("Select which edition of Working Together applies", "edition",
                     frozenset())},
    ),
    (
        "as-of date blank",
        key_dates(as_of=("", "", "")),
        {"as-of": ("Enter the date to check duties as of", "as-of-day", ALL_PARTS)},
    ),
    (
        "as-of date not real",
        key_dates(as_of=("31", "11", "2026")),
        {"as-of": ("The date to check duties as of must be a real date", "as-of-day",
                   frozenset({"day"}))},
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"),
    [pytest.param(data, expected, id=name) for name, data, expected in BAD_KEY_DATES],
)
def test_bad_key_dates(data, expected):
    form = KeyDatesForm(data, today=TODAY)
    assert not form.is_valid()
    assert errors_of(form) == expected
    # Nothing the person typed is lost: every value comes back as it was.
    assert form.values == data
    fields = GovukFields(form)
    for question in KEY_DATE_QUESTIONS:
        if isinstance(question, DateQuestion):
            params = fields.date_input(question)
            shown = {item["name"]: item["value"] for item in params["items"]}
            assert shown == {p: data.get(question.part_name(p), "") for p in shown}
        else:
            params = fields.radios(question)
            checked = [item["value"] for item in params["items"] if item["checked"]]
            assert checked == ([data[question.key]] if data.get(question.key) in
                               [v for v, _ in question.choices] else [])


def test_errors_are_listed_in_the_order_of_the_page():
    form = KeyDatesForm(
        key_dates(
            as_of=("", "", ""),
            initial_conference=("1", "1", "2026"),
            referral_received=("x", "1", "2026"),
            edition="",
        ),
        today=TODAY,
    )
    summary = GovukFields(form).error_summary()
    assert summary is not None
    assert summary["titleText"] == "There is a problem"
    assert [item["href"] for item in summary["errorList"]] == [
        "#referral-received-day",
        "#initial-conference-plan",
        "#edition",
        "#as-of-day",
    ]


def test_an_error_highlights_only_the_parts_at_fault():
    form = KeyDatesForm(key_dates(referral_received=("28", "", "")), today=TODAY)
    params = GovukFields(form).date_input(
        next(q for q in KEY_DATE_QUESTIONS if q.key == "referral-received")
    )
    classes = {item["name"]: item["classes"] for item in params["items"]}
    assert "govuk-input--error" not in classes["day"]
    assert "govuk-input--error" in classes["month"]
    assert "govuk-input--error" in classes["year"]
    assert params["errorMessage"] == {"text": f"{REFERRAL} must include a month and year"}


def test_an_engine_fault_lands_on_the_question_that_made_the_event(monkeypatch):
    def refuse(data):
        raise TimelineError(
            "must be one of ...", pointer="/events/1/outcome", event_index=1,
            event_type="referral_decision", field="outcome",
        )

    monkeypatch.setattr(forms, "parse_timeline", refuse)
    form = KeyDatesForm(
        key_dates(
            referral_received=("28", "8", "2026"),
            referral_decision=("2", "9", "2026"),
            referral_decision_outcome="assessment",
        ),
        today=TODAY,
    )
    assert not form.is_valid()
    assert list(form.errors) == ["referral-decision-outcome"]
    error = form.errors["referral-decision-outcome"]
    assert error.anchor == "referral-decision-outcome"
    assert error.message == (
        "Safeguard cannot check the date of the referral decision: must be one of ..."
    )


def test_a_deadline_the_engine_cannot_count_is_an_error_on_that_date():
    form = KeyDatesForm(
        key_dates(
            referral_received=("19", "11", "2150"),
            referral_decision=("20", "11", "2150"),
            referral_decision_outcome="assessment",
            as_of=("31", "12", "2150"),
        ),
        today=TODAY,
    )
    assert form.is_valid()
    assert form.check() is None
    assert list(form.errors) == ["referral-decision"]
    error = form.errors["referral-decision"]
    assert error.anchor == "referral-decision-day"
    assert error.message.startswith(
        "Safeguard cannot check the date of the referral decision: a deadline from this date "
        "falls outside the working-day calendar"
    )


def test_a_deadline_past_the_calendar_is_an_error_on_the_latest_date(monkeypatch):
    def out_of_range(timeline, as_of):
        raise CalendarRangeError("beyond 2150")

    monkeypatch.setattr(forms, "compute_obligations", out_of_range)
    form = KeyDatesForm(
        key_dates(referral_received=("1", "12", "2150"), referral_decision=("30", "12", "2150"),
                  referral_decision_outcome="assessment"),
        today=TODAY,
    )
    assert form.is_valid()
    assert form.check() is None
    assert list(form.errors) == ["referral-decision"]
    assert form.errors["referral-decision"].message.startswith(
        "A deadline falls after 31 December 2150"
    )


# -- Timeline file or pasted JSON -------------------------------------------------------------

GOOD_TIMELINE = {
    "events": [
        {"type": "referral_received", "date": "2026-08-28"},
        {"type": "referral_decision", "date": "2026-09-02", "outcome": "assessment"},
    ]
}
AS_OF = {"file-as-of-day": "23", "file-as-of-month": "11", "file-as-of-year": "2026"}


def upload(content: bytes | str, name: str = "timeline.json") -> dict[str, SimpleUploadedFile]:
    if isinstance(content, str):
        content = content.encode()
    return {"timeline-file": SimpleUploadedFile(name, content, "application/json")}


def test_an_uploaded_timeline():
    form = TimelineFileForm({"form": "file", **AS_OF}, upload(json.dumps(GOOD_TIMELINE)),
                            today=TODAY)
    assert form.is_valid(), form.errors
    assert form.timeline_data == GOOD_TIMELINE
    assert form.as_of == date(2026, 11, 23)


def test_a_pasted_timeline_with_a_byte_order_mark_in_a_file():
    form = TimelineFileForm(
        {"form": "file", **AS_OF},
        upload(b"\xef\xbb\xbf" + json.dumps(GOOD_TIMELINE).encode()),
        today=TODAY,
    )
    assert form.is_valid(), form.errors


def test_a_pasted_timeline():
    data = {"form": "file", "timeline-json": json.dumps(GOOD_TIMELINE, indent=2), **AS_OF}
    form = TimelineFileForm(data, {}, today=TODAY)
    assert form.is_valid(), form.errors
    assert form.timeline_data == GOOD_TIMELINE


def test_the_empty_file_form_defaults_the_as_of_date_to_today():
    form = TimelineFileForm(today=TODAY)
    assert [form.value(f"file-as-of-{p}") for p in ("day", "month", "year")] == [
        "23", "11", "2026"]


BAD_FILES = [
    # (name, pasted text or None, uploaded content or None, field, message start)
    ("nothing given", "", None, "timeline-file",
     "Select a timeline file, or paste the timeline JSON"),
    ("only spaces pasted", "   \n", None, "timeline-file",
     "Select a timeline file, or paste the timeline JSON"),
    ("both given", json.dumps(GOOD_TIMELINE), json.dumps(GOOD_TIMELINE), "timeline-file",
     "Select a timeline file or paste the timeline JSON, not both"),
    ("empty file", "", b"", "timeline-file", "The selected file is empty"),
    ("not text", "", b"\xff\xfe\x00\x01binary", "timeline-file",
     "The selected file must be a JSON file"),
    ("file not JSON", "", "{'events': []}", "timeline-file",
     "The selected file is not valid JSON: expecting property name enclosed in double "
     "quotes at line 1, column 2"),
    ("pasted text not JSON", '{"events": [}', None, "timeline-json",
     "The pasted timeline is not valid JSON: expecting value at line 1, column 13"),
    ("not an object", "[]", None, "timeline-json",
     "A timeline must be a JSON object; got an array"),
    ("unknown event type in a file", "",
     json.dumps({"events": [{"type": "visit", "date": "2026-01-01"}]}), "timeline-file",
     "Event 0, field 'type': 'visit' is not an event type of the timeline format"),
    ("missing field when pasted",
     json.dumps({"events": [{"type": "referral_received", "date": "2026-08-28"},
                            {"type": "referral_decision", "date": "2026-09-02"}]}),
     None, "timeline-json",
     "Event 1 (referral_decision), field 'outcome': is missing"),
    ("date not real", json.dumps({"events": [{"type": "referral_received",
                                               "date": "2026-02-30"}]}),
     None, "timeline-json", "Event 0 (referral_received), field 'date': '2026-02-30' is not"),
]


@pytest.mark.parametrize(
    ("text", "content", "field", "message"),
    [pytest.param(t, c, f, m, id=name) for name, t, c, f, m in BAD_FILES],
)
def test_bad_timeline_files(text, content, field, message):
    data = {"form": "file", "timeline-json": text, **AS_OF}
    files = upload(content) if content is not None else {}
    form = TimelineFileForm(data, files, today=TODAY)
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert form.errors[field].message.startswith(message), form.errors[field].message
    assert form.errors[field].anchor == field
    # What was pasted comes back as it was.
    assert GovukFields(form).textarea("timeline-json", "label", "hint")["value"] == text


def test_a_file_too_big():
    big = b" " * (forms.MAX_FILE_BYTES + 1)
    form = TimelineFileForm({"form": "file", **AS_OF}, upload(big), today=TODAY)
    assert errors_of(form) == {
        "timeline-file": ("The selected file must be smaller than 5MB", "timeline-file",
                          frozenset())
    }


def test_bad_as_of_date_with_a_file():
    data = {"form": "file", "timeline-json": json.dumps(GOOD_TIMELINE),
            "file-as-of-day": "23", "file-as-of-month": "11", "file-as-of-year": ""}
    form = TimelineFileForm(data, {}, today=TODAY)
    assert errors_of(form) == {
        "file-as-of": ("The date to check duties as of must include a year",
                       "file-as-of-year", frozenset({"year"}))
    }
    assert form.values == data
