"""Reading a request: its media type, its JSON body and its query parameters.

Each function returns the value or raises :class:`~safeguard.api.problems.Problem` saying
what is wrong and where.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any, Final, NoReturn
from zoneinfo import ZoneInfo

from django.http import HttpRequest

from safeguard.api.problems import (
    INVALID_JSON,
    INVALID_PARAMETER,
    UNSUPPORTED_MEDIA_TYPE,
    Problem,
)

JSON_MEDIA_TYPE: Final = "application/json"
LONDON: Final = ZoneInfo("Europe/London")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def require_json(request: HttpRequest) -> None:
    """The body must be declared ``application/json`` (in UTF-8, the only charset JSON has)."""
    media_type = (request.content_type or "").lower()
    if media_type != JSON_MEDIA_TYPE:
        given = f"'{media_type}'" if media_type else "no Content-Type"
        raise Problem(
            UNSUPPORTED_MEDIA_TYPE,
            f"The body must be sent as {JSON_MEDIA_TYPE}, not {given}.",
            headers={"Accept-Post": JSON_MEDIA_TYPE},
        )
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(
            UNSUPPORTED_MEDIA_TYPE,
            f"JSON must be sent in UTF-8, not {charset}.",
            headers={"Accept-Post": JSON_MEDIA_TYPE},
        )


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON value")


def json_body(request: HttpRequest) -> Any:
    """The body parsed as JSON. Reading it raises ``RequestDataTooBig`` when too large."""
    raw = request.body
    if not raw.strip():
        raise Problem(INVALID_JSON, "The request body is empty; send a timeline as JSON.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Problem(
            INVALID_JSON, f"The request body is not UTF-8 text (byte {err.start + 1})."
        ) from err
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise Problem(
            INVALID_JSON,
            f"The request body is not JSON: {err.msg.lower()} at line {err.lineno}, "
            f"column {err.colno}.",
            line=err.lineno,
            column=err.colno,
        ) from err
    except ValueError as err:  # NaN, Infinity and -Infinity
        raise Problem(INVALID_JSON, f"The request body is not JSON: {err}.") from err
    except RecursionError as err:
        raise Problem(INVALID_JSON, "The request body nests too deeply to be read.") from err


def today_in_london() -> date:
    return datetime.now(LONDON).date()


def date_parameter(
    request: HttpRequest, name: str, *, default: date, earliest: date, latest: date
) -> date:
    """The query parameter ``name`` as a YYYY-MM-DD date from ``earliest`` to ``latest``,
    or ``default`` when absent."""
    values = request.GET.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise Problem(
            INVALID_PARAMETER, f"The parameter {name} is given more than once.", parameter=name
        )
    value = values[0]
    day: date | None = None
    if _ISO_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is not None:
        if earliest <= day <= latest:
            return day
        raise Problem(
            INVALID_PARAMETER,
            f"The parameter {name} must be from {earliest.isoformat()} to "
            f"{latest.isoformat()}, not {value}.",
            parameter=name,
        )
    raise Problem(
        INVALID_PARAMETER,
        f"The parameter {name} must be a date written YYYY-MM-DD, not '{value[:40]}'.",
        parameter=name,
    )
