"""Today's date in England, the one clock for services and pages."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    """Today in England (Europe/London), whatever the server's time zone."""
    return datetime.now(LONDON).date()


def format_date(day: date | None) -> str:
    """GOV.UK style: 22 December 2025 (a moment: its day in England)."""
    if isinstance(day, datetime) and day.tzinfo is not None:
        day = day.astimezone(LONDON)
    return f"{day.day} {day:%B %Y}" if day else ""


def format_time(moment: datetime | None) -> str:
    """GOV.UK style, in England's time: 9am, 2:30pm, midday, midnight."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON) if moment.tzinfo is not None else moment
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"
