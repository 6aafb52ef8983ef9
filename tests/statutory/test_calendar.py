"""Working days in England: tables of known days, the published list against the rules, and
properties of the arithmetic."""

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard.statutory.calendar import (
    FIRST_DAY,
    LAST_DAY,
    CalendarRangeError,
    WorkingDayCalendar,
    england,
)

cal = england()


@pytest.mark.parametrize(
    ("name", "day", "working"),
    [
        ("a Monday", date(2026, 11, 23), True),
        ("a Saturday", date(2026, 11, 21), False),
        ("a Sunday", date(2026, 11, 22), False),
        ("Christmas Day", date(2025, 12, 25), False),
        ("Boxing Day", date(2025, 12, 26), False),
        ("Boxing Day on a Saturday, substitute Monday", date(2026, 12, 28), False),
        ("New Year's Day", date(2026, 1, 1), False),
        ("Good Friday 2026", date(2026, 4, 3), False),
        ("Easter Monday 2026", date(2026, 4, 6), False),
        ("Easter Monday 2024 (in March)", date(2024, 4, 1), False),
        ("Good Friday 2024 (in March)", date(2024, 3, 29), False),
        ("Early May bank holiday", date(2026, 5, 4), False),
        ("Spring bank holiday", date(2026, 5, 25), False),
        ("Summer bank holiday", date(2026, 8, 31), False),
        ("VE Day 75 (moved early May, 2020)", date(2020, 5, 8), False),
        ("the Monday VE Day 75 replaced", date(2020, 5, 4), True),
        ("Platinum Jubilee (2022)", date(2022, 6, 3), False),
        ("Spring bank holiday moved (2022)", date(2022, 6, 2), False),
        ("the Monday the 2022 spring holiday left", date(2022, 5, 30), True),
        ("State Funeral of Queen Elizabeth II", date(2022, 9, 19), False),
        ("Coronation of King Charles III", date(2023, 5, 8), False),
        ("Diamond Jubilee (2012)", date(2012, 6, 5), False),
        ("St Patrick's Day is not an English holiday", date(2026, 3, 17), True),
        ("12 July is not an English holiday", date(2027, 7, 12), True),
        ("St Andrew's Day is not an English holiday", date(2026, 11, 30), True),
        ("2 January is not an English holiday", date(2026, 1, 2), True),
        ("29 February 2028, a Tuesday", date(2028, 2, 29), True),
        ("Christmas 2029 (past the published list)", date(2029, 12, 25), False),
        ("Royal wedding 2011 (before the published list)", date(2011, 4, 29), False),
    ],
)
def test_working_day_table(name: str, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working, name


@pytest.mark.parametrize(
    ("name", "start", "n", "expected"),
    [
        ("next day", date(2026, 11, 23), 1, date(2026, 11, 24)),
        ("Friday to Monday", date(2026, 11, 20), 1, date(2026, 11, 23)),
        ("from a Saturday: the count starts Monday", date(2026, 11, 21), 1, date(2026, 11, 23)),
        ("from a Sunday", date(2026, 11, 22), 1, date(2026, 11, 23)),
        ("over Christmas 2026", date(2026, 12, 24), 1, date(2026, 12, 29)),
        ("over Easter 2026", date(2026, 4, 2), 1, date(2026, 4, 7)),
        ("from Good Friday", date(2026, 4, 3), 1, date(2026, 4, 7)),
        ("over the state funeral", date(2022, 9, 16), 1, date(2022, 9, 20)),
        ("over the coronation", date(2023, 5, 5), 1, date(2023, 5, 9)),
        ("over the platinum jubilee", date(2022, 6, 1), 1, date(2022, 6, 6)),
        ("45 over Christmas and New Year", date(2025, 12, 19), 45, date(2026, 2, 25)),
        ("45 over the summer holiday", date(2026, 8, 28), 45, date(2026, 11, 2)),
        ("15 from a strategy discussion", date(2025, 12, 23), 15, date(2026, 1, 16)),
        ("10 for the core group", date(2026, 1, 16), 10, date(2026, 1, 30)),
        ("5 over Easter 2026", date(2026, 3, 30), 5, date(2026, 4, 8)),
        ("across a month end", date(2026, 1, 29), 3, date(2026, 2, 3)),
        ("across a leap day", date(2028, 2, 28), 1, date(2028, 2, 29)),
        ("across a year end", date(2027, 12, 30), 2, date(2028, 1, 4)),
    ],
)
def test_working_days_after_table(name: str, start: date, n: int, expected: date) -> None:
    assert cal.working_days_after(start, n) == expected, name


@pytest.mark.parametrize(
    ("name", "day", "n", "expected"),
    [
        ("7 before a Wednesday publication", date(2026, 11, 25), 7, date(2026, 11, 16)),
        ("7 before a Monday after Easter", date(2026, 4, 13), 7, date(2026, 3, 31)),
        ("1 before a Monday", date(2026, 11, 23), 1, date(2026, 11, 20)),
        ("1 before a Sunday", date(2026, 11, 22), 1, date(2026, 11, 20)),
    ],
)
def test_working_days_before_table(name: str, day: date, n: int, expected: date) -> None:
    assert cal.working_days_before(day, n) == expected, name


def test_the_published_list_agrees_with_the_rules_for_every_day_2012_to_2030() -> None:
    rules = holidays.country_holidays("GB", subdiv="ENG", years=range(2012, 2031))
    day = date(2012, 1, 1)
    disagreements = []
    while day <= date(2030, 12, 31):
        by_rule = day.weekday() < 5 and day not in rules
        if cal.is_working_day(day) != by_rule:
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []


def test_published_years_are_not_provisional_later_years_are() -> None:
    assert cal.published_from == date(2012, 1, 1)
    assert cal.published_until.year >= 2028
    assert not cal.is_provisional(date(2026, 12, 25))
    assert cal.is_provisional(date(cal.published_until.year + 1, 12, 25))
    christmas_after = date(cal.published_until.year + 1, 12, 25)
    assert cal.bank_holidays[christmas_after].provisional
    assert not cal.bank_holidays[date(2026, 12, 25)].provisional


def test_the_calendar_never_asks_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the calendar tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    fresh = WorkingDayCalendar()
    assert fresh.working_days_after(date(2040, 12, 24), 1) == date(2040, 12, 27)


def test_outside_the_span_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarRangeError):
        cal.working_days_after(FIRST_DAY - timedelta(days=1), 1)
    with pytest.raises(CalendarRangeError):
        cal.working_days_after(LAST_DAY, 1)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    # The contract's working_days_late: days d with due < d <= end.
    assert cal.working_days_between(date(2026, 10, 16), date(2026, 10, 22)) == 4
    assert cal.working_days_between(date(2026, 11, 2), date(2026, 11, 23)) == 15
    assert cal.working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert cal.working_days_between(date(2026, 11, 23), date(2026, 11, 1)) == 0


# ---- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(1951, 1, 1), max_value=date(2149, 1, 1))
counts = st.integers(min_value=1, max_value=400)


@settings(max_examples=300)
@given(day=days, n=counts)
def test_n_working_days_after_is_a_working_day(day: date, n: int) -> None:
    assert cal.is_working_day(cal.working_days_after(day, n))


@settings(max_examples=300)
@given(day=days, n=counts)
def test_counting_back_gives_n(day: date, n: int) -> None:
    result = cal.working_days_after(day, n)
    assert result > day
    assert cal.working_days_between(day, result) == n
    # and the day before the result leaves one short: it is the first such day
    assert cal.working_days_between(day, result - timedelta(days=1)) == n - 1


@settings(max_examples=300)
@given(day=days, n=counts)
def test_before_undoes_after_on_working_days(day: date, n: int) -> None:
    result = cal.working_days_after(day, n)
    back = cal.working_days_before(result, n)
    # the latest working day on or before ``day``
    assert back <= day
    assert cal.is_working_day(back)
    assert cal.working_days_between(back, day) == 0
    assert cal.working_days_between(back, result) == n


@settings(max_examples=300)
@given(a=days, b=days, n=counts, m=counts)
def test_monotonic_in_the_day_and_the_count(a: date, b: date, n: int, m: int) -> None:
    if a > b:
        a, b = b, a
    if n > m:
        n, m = m, n
    assert cal.working_days_after(a, n) <= cal.working_days_after(b, n)
    assert cal.working_days_after(a, n) <= cal.working_days_after(a, m)
    if n < m:
        assert cal.working_days_after(a, n) < cal.working_days_after(a, m)


@settings(max_examples=200)
@given(day=days, n=st.integers(min_value=1, max_value=60))
def test_agrees_with_counting_day_by_day(day: date, n: int) -> None:
    counted, current = 0, day
    while counted < n:
        current += timedelta(days=1)
        if cal.is_working_day(current):
            counted += 1
    assert cal.working_days_after(day, n) == current
