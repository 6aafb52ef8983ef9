"""The OpenAPI description of operations whose bodies ninja does not parse itself.

The obligations operation reads its body raw and hands it to the statutory engine (which
validates it and names the event and field at fault), so its request body, ``as_of``
parameter and responses are described here and attached with ninja's ``openapi_extra``.
"""

from __future__ import annotations

from typing import Any, Final

from safeguard.api import problems
from safeguard.api.problems import ProblemType
from safeguard.api.schemas import ref
from safeguard.statutory import TimelineError, parse_timeline
from safeguard.statutory.calendar import FIRST_DAY, LAST_DAY

TIMELINE_EXAMPLE: Final[dict[str, Any]] = {
    "edition": "2018",
    "child": {"date_of_birth": "2012-04-30"},
    "events": [
        {"type": "referral_received", "date": "2025-12-19"},
        {"type": "referral_decision", "date": "2025-12-22", "outcome": "strategy_discussion"},
        {"type": "strategy_discussion", "date": "2025-12-23", "s47": True},
        {"type": "s47_outcome", "date": "2026-01-09", "substantiated": True},
        {"type": "initial_conference", "date": "2026-01-15", "plan": True},
        {"type": "core_group_meeting", "date": "2026-01-26"},
    ],
}

OBLIGATIONS_EXAMPLE: Final[dict[str, Any]] = {
    "obligations": [
        {
            "duty": "referral.decision",
            "arose": "2025-12-19",
            "due": "2025-12-22",
            "status": "met",
            "met_on": "2025-12-22",
            "working_days_late": 0,
            "source": "WT2018 1.71",
        }
    ]
}


def problem_response(
    description: str, *examples: tuple[ProblemType, str, dict[str, Any]]
) -> dict[str, Any]:
    """An OpenAPI response object whose body is a problem document."""
    content: dict[str, Any] = {"schema": ref("Problem")}
    if examples:
        content["examples"] = {
            problem_type.slug: {
                "summary": problem_type.title,
                "value": {
                    "type": problem_type.uri,
                    "title": problem_type.title,
                    "status": problem_type.status,
                    "detail": detail,
                    **extensions,
                },
            }
            for problem_type, detail, extensions in examples
        }
    return {
        "description": description,
        "content": {problems.PROBLEM_CONTENT_TYPE: content},
    }


def _timeline_error_example() -> tuple[ProblemType, str, dict[str, Any]]:
    """The engine's own words for a bad field, so the example cannot drift from them."""
    events = [dict(e) for e in TIMELINE_EXAMPLE["events"]]
    events[3]["substantiated"] = "yes"
    try:
        parse_timeline({**TIMELINE_EXAMPLE, "events": events})
    except TimelineError as err:
        problem = problems.timeline_problem(err)
        return problem.problem_type, problem.detail, problem.extensions
    raise AssertionError("the engine accepted a timeline with a malformed field")


AS_OF_PARAMETER: Final[dict[str, Any]] = {
    "in": "query",
    "name": "as_of",
    "required": False,
    "description": (
        "The day to judge open obligations on (`due` or `overdue`), written YYYY-MM-DD, "
        f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}. Defaults to today in "
        "Europe/London."
    ),
    "schema": {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "example": "2026-11-23",
}

OBLIGATIONS_OPENAPI: Final[dict[str, Any]] = {
    "parameters": [AS_OF_PARAMETER],
    "requestBody": {
        "required": True,
        "description": "A timeline (shared/design/timeline-format.md).",
        "content": {
            "application/json": {
                "schema": ref("Timeline"),
                "example": TIMELINE_EXAMPLE,
            }
        },
    },
    "responses": {
        200: {
            "description": "The obligations the timeline gives rise to.",
            "content": {
                "application/json": {
                    "schema": ref("ObligationsDocument"),
                    "example": OBLIGATIONS_EXAMPLE,
                }
            },
        },
        400: problem_response(
            "The body is not JSON, the timeline is not valid, or `as_of` is malformed.",
            _timeline_error_example(),
            (
                problems.INVALID_JSON,
                "The request body is not JSON: expecting value at line 1, column 12.",
                {"line": 1, "column": 12},
            ),
            (
                problems.INVALID_PARAMETER,
                "The parameter as_of must be a date written YYYY-MM-DD, not '23/11/2026'.",
                {"parameter": "as_of"},
            ),
        ),
        413: problem_response(
            "The body is larger than the API accepts.",
            (
                problems.CONTENT_TOO_LARGE,
                "The request body is larger than the 5,242,880 bytes the API accepts.",
                {"max_bytes": 5242880},
            ),
        ),
        401: problem_response("Not signed in: no valid API token or session."),
        415: problem_response(
            "The body is not sent as application/json.",
            (
                problems.UNSUPPORTED_MEDIA_TYPE,
                "The body must be sent as application/json, not 'text/plain'.",
                {},
            ),
        ),
        500: problem_response("Something went wrong on the server."),
    },
}


#: What each status means when an operation answers it with a problem document.
_SERVICE_ERRORS: Final[dict[int, str]] = {
    400: "The request or its values are not valid (`invalid-request`, or `invalid-fields` "
         "with `errors` mapping each field to what is wrong). Nothing was changed.",
    401: "Not signed in: no valid API token or session.",
    403: "The signed-in person's role does not allow this.",
    404: "No such record, or the signed-in person may not see it (the same answer either "
         "way, so nobody learns of a case they may not see).",
    409: "Someone else changed the record since the `version` given. Nothing was changed.",
}


def error_responses(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` for an operation of case data: its error responses as problem
    documents, e.g. ``openapi_extra=error_responses(400, 401, 404, 409)``."""
    return {"responses": {status: problem_response(_SERVICE_ERRORS[status])
                          for status in statuses}}
