"""Timeline → obligations: the worked examples, the contract's general rules, every kind of
bad input, and properties that hold for any timeline."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard.statutory import (
    EVENT_TYPES,
    TimelineError,
    compute_obligations,
    obligation_as_dict,
    obligations_document,
    parse_timeline,
)
from safeguard.statutory.calendar import england

# A copy of shared/design/timeline-examples, kept with the tests so they run anywhere.
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "timeline-examples"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "design" / "timeline-examples"
EXAMPLES = sorted(FIXTURES.glob("*.json"))


def without_source(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in o.items() if k != "source"} for o in doc["obligations"]]


def test_the_copy_of_the_worked_examples_is_current() -> None:
    if not SHARED.is_dir():
        pytest.skip("shared/ is not beside the repository")
    assert {p.name: p.read_text() for p in SHARED.glob("*.json")} == {
        p.name: p.read_text() for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_worked_examples(path: Path) -> None:
    example = json.loads(path.read_text())
    doc = obligations_document(example["timeline"], date.fromisoformat(example["as_of"]))
    assert without_source(doc) == example["expected"]["obligations"]
    assert "warnings" not in doc
    assert all(o["source"] for o in doc["obligations"])


def test_events_are_taken_in_date_order_whatever_order_they_come_in() -> None:
    events = [
        {"type": "referral_decision", "date": "2026-09-02", "outcome": "assessment"},
        {"type": "referral_received", "date": "2026-08-28"},
    ]
    doc = obligations_document({"events": events}, date(2026, 11, 23))
    assert [o["duty"] for o in doc["obligations"]] == ["referral.decision", "assessment.complete"]
    assert doc["obligations"][0]["status"] == "late"


def test_same_day_events_keep_the_order_given() -> None:
    # A decision listed before the referral on the same day does not meet it.
    events = [
        {"type": "referral_decision", "date": "2026-11-23", "outcome": "no_further_action"},
        {"type": "referral_received", "date": "2026-11-23"},
    ]
    doc = obligations_document({"events": events}, date(2026, 11, 25))
    assert without_source(doc) == [
        {"duty": "referral.decision", "arose": "2026-11-23", "due": "2026-11-24",
         "status": "overdue", "met_on": None, "working_days_late": 1}
    ]


def test_a_review_conference_meets_the_previous_review_not_the_one_it_raises() -> None:
    events = [
        {"type": "initial_conference", "date": "2026-01-16", "plan": True},
        {"type": "review_conference", "date": "2026-04-16", "plan_continues": True},
    ]
    doc = obligations_document({"events": events}, date(2026, 4, 17))
    later = [o for o in doc["obligations"] if o["duty"] == "cpp.later-reviews"]
    assert later == [{"duty": "cpp.later-reviews", "arose": "2026-04-16", "due": "2026-10-16",
                      "status": "due", "met_on": None, "working_days_late": 0,
                      "source": later[0]["source"]}]


def test_unknown_members_are_ignored() -> None:
    data = {"id": "case-1", "events": [{"type": "referral_received", "date": "2026-11-23",
                                         "id": 7, "note": "from a school"}],
            "child": {"date_of_birth": "2015-01-01", "name": "ignored"}}
    assert len(obligations_document(data, date(2026, 11, 23))["obligations"]) == 1


def test_duties_without_a_deadline_sort_last_among_their_day() -> None:
    data = {"events": [{"type": "serious_incident_known", "date": "2026-03-02",
                        "died": True, "looked_after": True}]}
    duties = [o["duty"] for o in obligations_document(data, date(2026, 3, 3))["obligations"]]
    assert duties == ["incident.notify-panel", "incident.notify-partners", "review.rapid",
                      "incident.lac-death"]


def test_provisional_bank_holidays_are_flagged() -> None:
    year = england().published_until.year + 2
    data = {"events": [{"type": "referral_received", "date": f"{year}-12-24"}]}
    doc = obligations_document(data, date(year, 12, 24))
    assert doc["obligations"][0]["due"] == f"{year}-12-27" or doc["obligations"][0]["due"]
    assert any("provisional" in w for w in doc["warnings"])
    objects = compute_obligations(parse_timeline(data), date(year, 12, 24))
    assert objects[0].provisional


def test_published_years_carry_no_warning() -> None:
    data = {"events": [{"type": "referral_received", "date": "2026-12-24"}]}
    assert "warnings" not in obligations_document(data, date(2026, 12, 24))


def test_events_before_2015_are_taken_under_2015_with_a_warning() -> None:
    data = {"events": [{"type": "serious_incident_known", "date": "2014-06-02",
                        "died": False, "looked_after": False}]}
    doc = obligations_document(data, date(2014, 6, 3))
    assert [o["duty"] for o in doc["obligations"]] == ["incident.notify-ofsted",
                                                      "incident.notify-lscb"]
    assert any("2015" in w for w in doc["warnings"])


def test_objects_and_document_agree() -> None:
    path = next(p for p in EXAMPLES if p.stem == "full-pathway") if EXAMPLES else None
    if path is None:
        pytest.skip("no worked examples")
    example = json.loads(path.read_text())
    as_of = date.fromisoformat(example["as_of"])
    objects = compute_obligations(parse_timeline(example["timeline"]), as_of)
    assert [obligation_as_dict(o) for o in objects] == obligations_document(
        example["timeline"], as_of)["obligations"]
    assert all(o.title for o in objects)


# ---- bad input: every kind names the event and the field -------------------------------------

BAD = [
    ("not an object", [], None, None, None, ""),
    ("no events", {}, None, None, "events", "/events"),
    ("events not a list", {"events": {}}, None, None, "events", "/events"),
    ("an event not an object", {"events": ["referral_received"]}, 0, None, None, "/events/0"),
    ("no type", {"events": [{"date": "2026-01-01"}]}, 0, None, "type", "/events/0/type"),
    ("type not text", {"events": [{"type": 3, "date": "2026-01-01"}]}, 0, None, "type",
     "/events/0/type"),
    ("unknown type", {"events": [{"type": "referral_recieved", "date": "2026-01-01"}]}, 0, None,
     "type", "/events/0/type"),
    ("no date", {"events": [{"type": "referral_received"}]}, 0, "referral_received", "date",
     "/events/0/date"),
    ("date null", {"events": [{"type": "referral_received", "date": None}]}, 0,
     "referral_received", "date", "/events/0/date"),
    ("date not a real day", {"events": [{"type": "referral_received", "date": "2026-02-30"}]}, 0,
     "referral_received", "date", "/events/0/date"),
    ("date in another format", {"events": [{"type": "referral_received", "date": "30/01/2026"}]},
     0, "referral_received", "date", "/events/0/date"),
    ("date with a time", {"events": [{"type": "referral_received",
                                      "date": "2026-01-30T10:00"}]},
     0, "referral_received", "date", "/events/0/date"),
    ("compact date", {"events": [{"type": "referral_received", "date": "20260130"}]},
     0, "referral_received", "date", "/events/0/date"),
    ("date a number", {"events": [{"type": "referral_received", "date": 20260130}]},
     0, "referral_received", "date", "/events/0/date"),
    ("date out of range", {"events": [{"type": "referral_received", "date": "1066-10-14"}]},
     0, "referral_received", "date", "/events/0/date"),
    ("missing outcome", {"events": [{"type": "referral_received", "date": "2026-01-01"},
                                    {"type": "referral_decision", "date": "2026-01-02"}]},
     1, "referral_decision", "outcome", "/events/1/outcome"),
    ("unknown outcome", {"events": [{"type": "referral_decision", "date": "2026-01-02",
                                     "outcome": "maybe"}]},
     0, "referral_decision", "outcome", "/events/0/outcome"),
    ("s47 as text", {"events": [{"type": "strategy_discussion", "date": "2026-01-02",
                                 "s47": "yes"}]},
     0, "strategy_discussion", "s47", "/events/0/s47"),
    ("s47 as a number", {"events": [{"type": "strategy_discussion", "date": "2026-01-02",
                                     "s47": 1}]},
     0, "strategy_discussion", "s47", "/events/0/s47"),
    ("plan missing", {"events": [{"type": "initial_conference", "date": "2026-01-02"}]},
     0, "initial_conference", "plan", "/events/0/plan"),
    ("died missing", {"events": [{"type": "serious_incident_known", "date": "2026-01-02",
                                  "looked_after": False}]},
     0, "serious_incident_known", "died", "/events/0/died"),
    ("reason not text", {"events": [{"type": "plan_ended", "date": "2026-01-02", "reason": 4}]},
     0, "plan_ended", "reason", "/events/0/reason"),
    ("bad edition", {"edition": "2023", "events": []}, None, None, "edition", "/edition"),
    ("edition as a number", {"edition": 2018, "events": []}, None, None, "edition", "/edition"),
    ("child not an object", {"child": "x", "events": []}, None, None, "child", "/child"),
    ("bad date of birth", {"child": {"date_of_birth": "2015-13-01"}, "events": []}, None, None,
     "child.date_of_birth", "/child/date_of_birth"),
]


@pytest.mark.parametrize(("name", "data", "index", "event_type", "field", "pointer"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_input_names_the_event_and_field(
    name: str, data: Any, index: int | None, event_type: str | None, field: str | None,
    pointer: str,
) -> None:
    with pytest.raises(TimelineError) as caught:
        obligations_document(data, date(2026, 11, 23))
    error = caught.value
    assert error.event_index == index
    assert error.event_type == event_type
    assert error.field == field
    assert error.pointer == pointer
    message = str(error)
    if index is not None:
        assert f"event {index}" in message
    if event_type:
        assert event_type in message
    if field:
        assert field in message


def test_the_first_bad_event_is_named_not_a_later_one() -> None:
    data = {"events": [{"type": "referral_received", "date": "2026-01-01"},
                       {"type": "referral_received", "date": "2026-01-32"},
                       {"type": "nonsense", "date": "2026-01-01"}]}
    with pytest.raises(TimelineError) as caught:
        parse_timeline(data)
    assert caught.value.event_index == 1


def test_every_event_type_with_all_its_fields_is_accepted() -> None:
    events = []
    for event_type, fields in EVENT_TYPES.items():
        event: dict[str, Any] = {"type": event_type, "date": "2026-01-05"}
        for name, spec in fields.items():
            event[name] = {"bool": True, "text": "x"}.get(spec.kind, spec.choices[0] if
                                                           spec.choices else None)
        events.append(event)
    assert parse_timeline({"events": events}).rows


# ---- properties over random timelines ---------------------------------------------------------

cal = england()
day_strategy = st.dates(min_value=date(2016, 1, 1), max_value=date(2028, 6, 30))


@st.composite
def random_event(draw: st.DrawFn) -> dict[str, Any]:
    event_type = draw(st.sampled_from(sorted(EVENT_TYPES)))
    event: dict[str, Any] = {"type": event_type, "date": draw(day_strategy).isoformat()}
    for name, spec in EVENT_TYPES[event_type].items():
        if spec.kind == "bool":
            event[name] = draw(st.booleans())
        elif spec.kind == "enum":
            event[name] = draw(st.sampled_from(spec.choices))
        else:
            event[name] = "reason"
    return event


timelines = st.fixed_dictionaries(
    {"events": st.lists(random_event(), max_size=25)},
    optional={"child": st.fixed_dictionaries({"date_of_birth": st.dates(
        min_value=date(1999, 1, 1), max_value=date(2028, 1, 1)).map(date.isoformat)})},
)


def naive_working_days_between(start: date, end: date) -> int:
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            count += 1
    return count


WD_AFTER = {"referral.decision": 1, "icpc.hold": 15, "cpp.core-group": 10,
            "cpp.transfer-in": 15, "allegation.inform-do": 1, "incident.notify-panel": 5,
            "incident.notify-partners": 5, "review.rapid": 15, "incident.notify-ofsted": 5,
            "incident.notify-lscb": 5}


@settings(max_examples=400, deadline=None)
@given(data=timelines, as_of=st.dates(min_value=date(2016, 1, 1), max_value=date(2029, 12, 31)))
def test_statuses_are_consistent_with_dates(data: dict[str, Any], as_of: date) -> None:
    doc = obligations_document(data, as_of)
    obligations = doc["obligations"]
    keys = [(o["arose"], o["due"] or "9999") for o in obligations]
    assert keys == sorted(keys)
    for o in obligations:
        arose = date.fromisoformat(o["arose"])
        due = date.fromisoformat(o["due"]) if o["due"] else None
        met_on = date.fromisoformat(o["met_on"]) if o["met_on"] else None
        status, late = o["status"], o["working_days_late"]
        if o["duty"] in WD_AFTER:
            assert naive_working_days_between(arose, due) == WD_AFTER[o["duty"]]
            assert cal.is_working_day(due)
        if status == "met":
            assert met_on is not None and (due is None or met_on <= due) and late == 0
        elif status == "late":
            assert met_on is not None and due is not None and met_on > due
            assert late == naive_working_days_between(due, met_on)
        elif status == "due":
            assert met_on is None and (due is None or as_of <= due) and late == 0
        elif status == "overdue":
            assert met_on is None and due is not None and as_of > due
            assert late == naive_working_days_between(due, as_of)
        elif status in ("withdrawn", "missed"):
            assert met_on is None
            assert (late == 0) if status == "withdrawn" else (late >= 0)
        else:
            pytest.fail(f"unknown status {status}")


@settings(max_examples=200, deadline=None)
@given(data=timelines)
def test_the_order_of_events_on_different_days_does_not_matter(data: dict[str, Any]) -> None:
    events = data["events"]
    by_day: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_day.setdefault(event["date"], []).append(event)
    shuffled = [e for day in sorted(by_day, reverse=True) for e in by_day[day]]
    as_of = date(2029, 1, 1)
    assert obligations_document({**data, "events": shuffled}, as_of) == obligations_document(
        data, as_of)


def test_a_deadline_past_the_calendar_names_the_event() -> None:
    data = {"events": [{"type": "referral_received", "date": "2026-01-05"},
                       {"type": "strategy_discussion", "date": "2150-12-30", "s47": True}]}
    with pytest.raises(TimelineError) as caught:
        obligations_document(data, date(2150, 12, 31))
    assert caught.value.event_index == 1
    assert caught.value.event_type == "strategy_discussion"
    assert caught.value.field == "date"


def test_an_as_of_outside_the_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="as-of"):
        obligations_document({"events": []}, date(2200, 1, 1))
