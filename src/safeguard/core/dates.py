"""Today's date in England, the one clock for services and pages."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Today in England (Europe/London), whatever the server's time zone."""
    return datetime.now(LONDON).date()


def format_date(day: date | None) -> str:
    """GOV.UK style: 22 December 2025."""
    return f"{day.day} {day:%B %Y}" if day else ""
