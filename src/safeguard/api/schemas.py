"""JSON Schemas of the API's documents, for its OpenAPI document.

The timeline schema is built from the statutory engine's own description of its input
(:data:`safeguard.statutory.EVENT_TYPES`, the editions, :data:`DUTIES`), so the published
schema cannot drift from what the engine accepts. The API does not validate against these
schemas: the engine validates the timeline itself and names the event and field at fault.

The schemas are JSON Schema 2020-12, as OpenAPI 3.1 uses: a nullable value is
``"type": ["string", "null"]``.
"""

from __future__ import annotations

from typing import Any, Final

from safeguard.api import problems
from safeguard.statutory import DUTIES, EVENT_TYPES
from safeguard.statutory.calendar import FIRST_DAY, LAST_DAY
from safeguard.statutory.timeline import EDITION_IDS, EVENT_TYPE_INFO

REF: Final = "#/components/schemas/"
STATUSES: Final = ("met", "late", "due", "overdue", "withdrawn", "missed")

DATE: Final[dict[str, Any]] = {
    "type": "string",
    "format": "date",
    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "examples": ["2026-01-16"],
}
DATE_RANGE: Final = (
    f"Written YYYY-MM-DD, from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()} "
    "(the span of the working-day calendar)."
)


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def event_schema_name(event_type: str) -> str:
    """``referral_received`` -> ``ReferralReceivedEvent``."""
    return "".join(part.capitalize() for part in event_type.split("_")) + "Event"


def _field_schema(spec: Any) -> dict[str, Any]:
    kind = getattr(spec, "kind", "text")
    schema: dict[str, Any]
    if kind == "bool":
        schema = {"type": "boolean"}
    elif kind == "enum":
        schema = {"type": "string", "enum": list(spec.choices)}
    elif kind == "date":
        schema = dict(DATE)
    else:
        schema = {"type": "string"}
    description = getattr(spec, "description", None)
    if description:
        schema["description"] = description
    return schema


def _field_required(spec: Any) -> bool:
    return bool(getattr(spec, "required", True))


def _event_type_schema(event_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "type": {"type": "string", "const": event_type},
        "date": {**DATE, "description": f"The day the event happened. {DATE_RANGE}"},
    }
    required = ["type", "date"]
    for name, spec in fields.items():
        properties[name] = _field_schema(spec)
        if _field_required(spec):
            required.append(name)
    info = EVENT_TYPE_INFO.get(event_type)
    description = info.description if info is not None else ""
    return {
        "title": event_type,
        "description": description[:1].upper() + description[1:] + ".",
        "type": "object",
        "properties": properties,
        "required": required,
    }


def timeline_schemas() -> dict[str, Any]:
    """The request body: a timeline, with one schema per event type."""
    schemas: dict[str, Any] = {
        event_schema_name(event_type): _event_type_schema(event_type, fields)
        for event_type, fields in EVENT_TYPES.items()
    }
    schemas["Event"] = {
        "description": "A dated event of the case; `type` says which, and which fields it has.",
        "oneOf": [ref(event_schema_name(t)) for t in EVENT_TYPES],
        "discriminator": {
            "propertyName": "type",
            "mapping": {t: REF + event_schema_name(t) for t in EVENT_TYPES},
        },
    }
    schemas["Child"] = {
        "type": ["object", "null"],
        "properties": {
            "date_of_birth": {
                **DATE,
                "type": ["string", "null"],
                "description": (
                    "Needed for the duty to end a plan at 18 (`cpp.end-at-18`). " + DATE_RANGE
                ),
            }
        },
    }
    schemas["Timeline"] = {
        "description": (
            "The statutory history of one child's case as dated events. Events may come in "
            "any order; they are taken in date order, and events on the same day in the "
            "order given. Members the format does not define are ignored, so a timeline (or "
            "an event) may carry its own identifiers."
        ),
        "type": "object",
        "properties": {
            "edition": {
                "type": ["string", "null"],
                "enum": [*EDITION_IDS, None],
                "description": (
                    "The edition of Working Together to apply. When absent, the edition in "
                    "force on the date of each triggering event applies."
                ),
            },
            "child": ref("Child"),
            "events": {"type": "array", "items": ref("Event")},
        },
        "required": ["events"],
    }
    return schemas


def obligation_schemas() -> dict[str, Any]:
    """The 200 response: the engine's obligations document."""
    nullable_date = {**DATE, "type": ["string", "null"]}
    return {
        "Obligation": {
            "type": "object",
            "properties": {
                "duty": {
                    "type": "string",
                    "enum": list(DUTIES),
                    "description": "The duty's id in the statutory catalogue.",
                },
                "arose": {**DATE, "description": "The day the triggering event happened."},
                "due": {
                    **nullable_date,
                    "description": "The due date; null for a duty with no fixed deadline.",
                },
                "status": {
                    "type": "string",
                    "enum": list(STATUSES),
                    "description": (
                        "`met` (met on or before `due`), `late` (met after `due`), `due` "
                        "(open and `as_of` on or before `due`, or open with no due date), "
                        "`overdue` (open and `as_of` after `due`), `withdrawn` (no longer "
                        "required before it fell due), `missed` (closed unmet after `due`)."
                    ),
                },
                "met_on": {**nullable_date, "description": "The day it was met, if it was."},
                "working_days_late": {"type": "integer", "minimum": 0},
                "source": {
                    "type": "string",
                    "description": "Where the guidance says so, for people to read.",
                },
            },
            "required": [
                "duty",
                "arose",
                "due",
                "status",
                "met_on",
                "working_days_late",
                "source",
            ],
        },
        "ObligationsDocument": {
            "type": "object",
            "properties": {
                "obligations": {
                    "type": "array",
                    "items": ref("Obligation"),
                    "description": "Sorted by `arose`, then `due`.",
                },
                "warnings": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Things the engine assumed that a reader should know.",
                },
            },
            "required": ["obligations"],
        },
    }


def problem_schemas() -> dict[str, Any]:
    """RFC 9457 problem details, with the members that say where the fault lies."""
    return {
        "Problem": {
            "type": "object",
            "description": "An error, as RFC 9457 problem details.",
            "properties": {
                "type": {
                    "type": "string",
                    "format": "uri-reference",
                    "description": "The kind of problem; a page describing it is served there.",
                    "examples": [t.uri for t in problems.PROBLEM_TYPES.values()],
                },
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string", "description": "This occurrence, in a sentence."},
                "pointer": {
                    "type": ["string", "null"],
                    "description": "JSON pointer (RFC 6901) to the value at fault in the body.",
                    "examples": ["/events/3/date"],
                },
                "event_index": {"type": ["integer", "null"], "minimum": 0},
                "event_type": {"type": ["string", "null"]},
                "field": {"type": ["string", "null"]},
                "parameter": {"type": "string", "description": "The query parameter at fault."},
                "line": {"type": "integer", "minimum": 1},
                "column": {"type": "integer", "minimum": 1},
                "max_bytes": {"type": "integer", "minimum": 0},
                "errors": {
                    "description": (
                        "For `invalid-request`, a list of faults each with a `pointer` or "
                        "`parameter`; for `invalid-fields`, an object mapping each field at "
                        "fault to what is wrong with it."
                    ),
                    "oneOf": [
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "detail": {"type": "string"},
                                    "pointer": {"type": "string"},
                                    "parameter": {"type": "string"},
                                    "in": {"type": "string"},
                                },
                                "required": ["detail"],
                            },
                        },
                        {"type": "object", "additionalProperties": {"type": "string"}},
                    ],
                },
                "current_version": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "For `edit-conflict`: the record's version now.",
                },
            },
            "required": ["type", "title", "status", "detail"],
        }
    }


def component_schemas() -> dict[str, Any]:
    return {**timeline_schemas(), **obligation_schemas(), **problem_schemas()}
