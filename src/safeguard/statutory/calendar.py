"""Working days in England.

WT2018 chapter 4, footnote 90 (and the catalogue's preamble): a *working day* is any day
that is not a Saturday, a Sunday or a bank holiday in England. The bank holidays of England
and Wales come from GOV.UK's published list as bundled with ``govuk-bank-holidays`` (read
from the package's own file, never from the network). Years outside that list come from
the rule-based ``holidays`` package: years before it are history the package records
(one-off holidays included); years after it are *provisional* — the rules as they stand,
which Parliament or the Crown may still change (as with the one-off holidays of 2022 and
2023) — and every answer that depends on them says so.

Arithmetic is O(1) per call: at first use the calendar builds, for every day of its span,
the number of working days on or before it, and the list of working days in order. "The
N-th working day after D" is then one index into that list.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Final

#: The span the calendar covers. Dates outside it are refused, not guessed.
FIRST_YEAR: Final = 1950
LAST_YEAR: Final = 2150
FIRST_DAY: Final = date(FIRST_YEAR, 1, 1)
LAST_DAY: Final = date(LAST_YEAR, 12, 31)

_ENGLAND_AND_WALES: Final = "england-and-wales"


class CalendarRangeError(ValueError):
    """A date, or a date reached by counting, lies outside the calendar's span."""


@dataclass(frozen=True, slots=True)
class BankHoliday:
    date: date
    title: str
    provisional: bool


def _bundled_bank_holidays() -> dict[date, str]:
    """England and Wales bank holidays as published by GOV.UK, from the package's file."""
    text = resources.files("govuk_bank_holidays").joinpath("bank-holidays.json").read_text("utf-8")
    data = json.loads(text)
    return {
        date.fromisoformat(event["date"]): str(event["title"])
        for event in data[_ENGLAND_AND_WALES]["events"]
    }


def _rule_bank_holidays(years: list[int]) -> dict[date, str]:
    """Bank holidays of England by rule (and record, for the past) from ``holidays``."""
    import holidays  # imported here: only needed outside the published list

    found = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return {day: str(name) for day, name in found.items()}


class WorkingDayCalendar:
    """Weekends and England and Wales bank holidays, with O(1) working-day arithmetic."""

    def __init__(self) -> None:
        published = _bundled_bank_holidays()
        self.published: dict[date, str] = published
        self.published_from: date = date(min(published).year, 1, 1)
        self.published_until: date = date(max(published).year, 12, 31)
        self.provisional_after_ordinal: int = self.published_until.toordinal()
        # Most work lies in the published years: start with those alone (no rules needed, so
        # quick to build) and widen to the full span the first time a date outside is asked.
        self._build(self.published_from.year, self.published_until.year)

    def _build(self, first_year: int, last_year: int) -> None:
        published = self.published
        rule_years = [
            y for y in range(first_year, last_year + 1)
            if not (self.published_from.year <= y <= self.published_until.year)
        ]
        rules = _rule_bank_holidays(rule_years) if rule_years else {}
        holidays_: dict[date, BankHoliday] = {}
        for day, title in rules.items():
            if not (self.published_from <= day <= self.published_until):
                provisional = day > self.published_until
                holidays_[day] = BankHoliday(day, title, provisional)
        for day, title in published.items():
            holidays_[day] = BankHoliday(day, title, False)
        self.bank_holidays: dict[date, BankHoliday] = dict(sorted(holidays_.items()))

        first_day = date(first_year, 1, 1)
        base = first_day.toordinal()
        span = date(last_year, 12, 31).toordinal() - base + 1
        holiday_ordinals = {day.toordinal() for day in self.bank_holidays}
        # cumulative[i]: working days on or before the day base + i.
        cumulative = [0] * span
        working: list[int] = []
        count = 0
        weekday = first_day.weekday()
        for i in range(span):
            ordinal = base + i
            if weekday < 5 and ordinal not in holiday_ordinals:
                count += 1
                working.append(ordinal)
            cumulative[i] = count
            weekday = weekday + 1 if weekday < 6 else 0
        self.first_year = first_year
        self.last_year = last_year
        self._base = base
        self._cumulative = cumulative
        self._working = working

    @property
    def full_span(self) -> bool:
        return self.first_year == FIRST_YEAR and self.last_year == LAST_YEAR

    # ---- ordinal API (used by the engine's hot path) -------------------------------------

    def _index(self, ordinal: int) -> int:
        i = ordinal - self._base
        if i < 0 or i >= len(self._cumulative):
            if not self.full_span:
                self._build(FIRST_YEAR, LAST_YEAR)
                return self._index(ordinal)
            raise CalendarRangeError(
                f"{date.fromordinal(ordinal).isoformat()} is outside the working-day "
                f"calendar ({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
            )
        return i

    def add_working_days_ordinal(self, ordinal: int, n: int) -> int:
        """The n-th working day strictly after (n > 0) or before (n < 0) the day ``ordinal``."""
        i = self._index(ordinal)
        done = self._cumulative[i]  # working days on or before the day
        if n > 0:
            k = done + n - 1
        elif n < 0:
            is_working = done > 0 and self._working[done - 1] == ordinal
            k = done + n - (1 if is_working else 0)
        else:
            raise ValueError("n must not be 0: the guidance counts whole working days")
        if k < 0 or k >= len(self._working):
            if not self.full_span:
                self._build(FIRST_YEAR, LAST_YEAR)
                return self.add_working_days_ordinal(ordinal, n)
            raise CalendarRangeError(
                f"counting {n} working days from {date.fromordinal(ordinal).isoformat()} "
                "leaves the working-day calendar"
            )
        return self._working[k]

    def working_days_between_ordinal(self, start: int, end: int) -> int:
        """The number of working days d with start < d <= end (0 when end <= start)."""
        if end <= start:
            return 0
        i, j = self._index(end), self._index(start)  # either may widen the span
        i = self._index(end)
        return self._cumulative[i] - self._cumulative[j]

    # ---- date API ------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` is neither a weekend nor an England and Wales bank holiday."""
        i = self._index(day.toordinal())
        return self._cumulative[i] != (self._cumulative[i - 1] if i else 0)

    def is_bank_holiday(self, day: date) -> bool:
        self._index(day.toordinal())  # widens the span if needed
        return day in self.bank_holidays

    def working_days_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` ("within n working days of ``day``")."""
        if n < 1:
            raise ValueError("n must be at least 1")
        return date.fromordinal(self.add_working_days_ordinal(day.toordinal(), n))

    def working_days_before(self, day: date, n: int) -> date:
        """The n-th working day strictly before ``day`` ("at least n working days before")."""
        if n < 1:
            raise ValueError("n must be at least 1")
        return date.fromordinal(self.add_working_days_ordinal(day.toordinal(), -n))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end: how statistics count "within N WD"."""
        return self.working_days_between_ordinal(start.toordinal(), end.toordinal())

    def is_provisional(self, day: date) -> bool:
        """True when ``day`` lies past GOV.UK's published list, so its status is by rule."""
        return day > self.published_until

    def next_working_day_on_or_after(self, day: date) -> date:
        ordinal = day.toordinal()
        i = self._index(ordinal)
        k = self._cumulative[i] - 1
        if k >= 0 and self._working[k] == ordinal:
            return day
        return date.fromordinal(self._working[k + 1])

    def working_days_in(self, start: date, end: date) -> list[date]:
        """Every working day d with start <= d <= end, in order."""
        self._index(start.toordinal())
        self._index(end.toordinal())
        lo = bisect_left(self._working, start.toordinal())
        hi = bisect_left(self._working, end.toordinal() + 1)
        return [date.fromordinal(o) for o in self._working[lo:hi]]


@cache
def england() -> WorkingDayCalendar:
    """The working-day calendar of England, built once per process."""
    return WorkingDayCalendar()
