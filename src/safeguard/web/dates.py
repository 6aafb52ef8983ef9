"""Dates as GOV.UK writes them: "22 December 2025" (no leading zero, month in full)."""

from __future__ import annotations

from datetime import date

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def govuk_date(value: date) -> str:
    """``22 December 2025``, whatever the locale."""
    return f"{value.day} {_MONTH_NAMES[value.month - 1]} {value.year}"
