"""A case timeline: the statutory history of one child's case as dated events.

The format is the engine's public contract (shared/design/timeline-format.md). Parsing
checks everything and names, for any fault, the event (its index and type) and the field,
with a JSON pointer to it; nothing half-read is ever returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final, cast

from safeguard.statutory.calendar import FIRST_DAY, LAST_DAY

REFERRAL_OUTCOMES: Final = (
    "no_further_action",
    "early_help",
    "assessment",
    "strategy_discussion",
    "immediate_protection",
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One extra field of an event type."""

    kind: str  # "bool" | "enum" | "text"
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    description: str
    fields: dict[str, FieldSpec]


def _bool(description: str) -> FieldSpec:
    return FieldSpec("bool", description)


_EVENT_TYPE_LIST: Final = (
    EventType("referral_received", "a referral accepted into LA children's social care", {}),
    EventType(
        "referral_decision",
        "decision on next steps",
        {"outcome": FieldSpec("enum", "the decision on next steps", True, REFERRAL_OUTCOMES)},
    ),
    EventType("assessment_completed", "the assessment reached a decision on next steps", {}),
    EventType(
        "strategy_discussion",
        "a strategy discussion held",
        {"s47": _bool("true if it initiated section 47 enquiries")},
    ),
    EventType(
        "s47_outcome",
        "outcome of the section 47 enquiries",
        {"substantiated": _bool("true if the concerns were substantiated")},
    ),
    EventType(
        "initial_conference",
        "initial child protection conference held",
        {"plan": _bool("true if the child became the subject of a child protection plan")},
    ),
    EventType("core_group_meeting", "a core group met", {}),
    EventType(
        "review_conference",
        "child protection review conference held",
        {"plan_continues": _bool("true if the child protection plan continues")},
    ),
    EventType(
        "plan_ended",
        "the child protection plan ended other than at a review conference",
        {"reason": FieldSpec("text", "why the plan ended", required=False)},
    ),
    EventType(
        "moved_in_notified", "notified that a child on another LA's plan moved in", {}
    ),
    EventType(
        "transfer_in_conference",
        "the receiving LA's conference",
        {"plan": _bool("true if the child is the subject of a child protection plan")},
    ),
    EventType(
        "allegation_known",
        "an allegation against a person working with children came to the employer's or "
        "police's attention",
        {},
    ),
    EventType("designated_officer_informed", "the LA designated officer was told", {}),
    EventType(
        "serious_incident_known",
        "the LA became aware of a serious child safeguarding incident (2015: a notifiable "
        "incident)",
        {
            "died": _bool("true if the child died"),
            "looked_after": _bool("true if the child was looked after"),
        },
    ),
    EventType("panel_notified", "Child Safeguarding Practice Review Panel notified", {}),
    EventType("partners_notified", "safeguarding partners told", {}),
    EventType("ofsted_notified", "Ofsted told", {}),
    EventType("lscb_notified", "the Local Safeguarding Children Board told", {}),
    EventType("secretary_of_state_notified", "the Secretary of State told", {}),
    EventType("rapid_review_completed", "rapid review done and sent to the Panel", {}),
    EventType(
        "review_decided",
        "decision on a local child safeguarding practice review",
        {"local": _bool("true if a local review is to be initiated")},
    ),
    EventType("review_sent", "final report sent to the Panel and the Secretary of State", {}),
    EventType(
        "review_published", "report (or improvements information) published", {}
    ),
    EventType(
        "partnership_report_published", "safeguarding partners' yearly report published", {}
    ),
    EventType(
        "partnership_report_sent", "yearly report sent to the Panel and the What Works Centre", {}
    ),
)

#: Every event type of the contract, by name.
EVENT_TYPE_INFO: Final[dict[str, EventType]] = {t.name: t for t in _EVENT_TYPE_LIST}
#: Every event type's extra fields, by type name.
EVENT_TYPES: Final[dict[str, dict[str, FieldSpec]]] = {
    t.name: t.fields for t in _EVENT_TYPE_LIST
}
EDITION_IDS: Final = ("2015", "2018")


class TimelineError(ValueError):
    """A timeline that does not follow the contract: says which event and field, and why."""

    def __init__(
        self,
        detail: str,
        *,
        pointer: str = "",
        event_index: int | None = None,
        event_type: str | None = None,
        field: str | None = None,
    ) -> None:
        self.detail = detail
        self.pointer = pointer
        self.event_index = event_index
        self.event_type = event_type
        self.field = field
        super().__init__(self.message())

    def where(self) -> str:
        parts = []
        if self.event_index is not None:
            event = f"event {self.event_index}"
            if self.event_type:
                event += f" ({self.event_type})"
            parts.append(event)
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def message(self) -> str:
        where = self.where()
        return f"{where}: {self.detail}" if where else self.detail


@dataclass(frozen=True, slots=True)
class Event:
    """One dated event. ``index`` is its place in the events as given."""

    index: int
    type: str
    date: date
    fields: dict[str, Any]


#: The engine's own form of an event: (date ordinal, index as given, type, the raw object).
EventRow = tuple[int, int, str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Timeline:
    """A checked timeline. ``rows`` hold the events in the order given."""

    edition: str | None
    date_of_birth_ordinal: int | None
    rows: tuple[EventRow, ...]

    @property
    def date_of_birth(self) -> date | None:
        dob = self.date_of_birth_ordinal
        return None if dob is None else date.fromordinal(dob)

    @property
    def events(self) -> tuple[Event, ...]:
        """The events in the order given."""
        return tuple(Event(i, t, date.fromordinal(o), raw) for o, i, t, raw in self.rows)

    def in_date_order(self) -> list[Event]:
        """Events in date order; events of the same day in the order given."""
        return sorted(self.events, key=lambda e: (e.date, e.index))


# The engine reads the same dates again and again: a string's ordinal is kept once checked.
_DATE_CACHE: dict[str, int] = {}
_MIN_ORDINAL: Final = FIRST_DAY.toordinal()
_MAX_ORDINAL: Final = LAST_DAY.toordinal()


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_date_ordinal(value: object) -> int:
    """The proleptic ordinal of a ``YYYY-MM-DD`` string; ValueError naming what is wrong."""
    if type(value) is str:
        ordinal = _DATE_CACHE.get(value)
        if ordinal is not None:
            return ordinal
        if len(value) != 10 or value[4] != "-" or value[7] != "-" or not (
            value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit()
        ):
            raise ValueError(f"must be a date written YYYY-MM-DD; got {value!r}")
        try:
            ordinal = date.fromisoformat(value).toordinal()
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
        if not (_MIN_ORDINAL <= ordinal <= _MAX_ORDINAL):
            raise ValueError(
                f"{value} is outside the dates Safeguard can count working days for "
                f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})"
            )
        if len(_DATE_CACHE) < 200_000:
            _DATE_CACHE[value] = ordinal
        return ordinal
    raise ValueError(f"must be a date written YYYY-MM-DD; got {_type_name(value)}")


def parse_date(value: object) -> date:
    return date.fromordinal(parse_date_ordinal(value))


def _check_fields(
    raw: dict[str, Any], index: int, event_type: str, specs: dict[str, FieldSpec]
) -> None:
    for name, spec in specs.items():
        if name not in raw:
            if spec.required:
                raise TimelineError(
                    f"is missing; a {event_type} event needs '{name}' ({spec.description})",
                    pointer=f"/events/{index}/{name}",
                    event_index=index,
                    event_type=event_type,
                    field=name,
                )
            continue
        value = raw[name]
        kind = spec.kind
        if kind == "bool":
            ok = type(value) is bool
            expected = "true or false"
        elif kind == "enum":
            ok = type(value) is str and value in spec.choices
            expected = "one of " + ", ".join(spec.choices)
        else:
            ok = type(value) is str
            expected = "text"
        if not ok:
            got = repr(value) if isinstance(value, str) else _type_name(value)
            raise TimelineError(
                f"must be {expected}; got {got}",
                pointer=f"/events/{index}/{name}",
                event_index=index,
                event_type=event_type,
                field=name,
            )


def parse_timeline(data: object) -> Timeline:
    """Check a timeline (the JSON value) against the contract and return it.

    Unknown members are ignored, so a timeline may carry its own identifiers. Raises
    :class:`TimelineError` at the first fault, naming the event and the field.
    """
    if not isinstance(data, dict):
        raise TimelineError(f"a timeline must be a JSON object; got {_type_name(data)}")

    edition = data.get("edition")
    if edition is not None and edition not in EDITION_IDS:
        raise TimelineError(
            "must be \"2015\" or \"2018\" (or left out, to apply the edition in force on "
            f"each event's date); got {edition!r}",
            pointer="/edition",
            field="edition",
        )

    date_of_birth: int | None = None
    child = data.get("child")
    if child is not None:
        if not isinstance(child, dict):
            raise TimelineError(
                f"must be an object; got {_type_name(child)}", pointer="/child", field="child"
            )
        dob = child.get("date_of_birth")
        if dob is not None:
            try:
                date_of_birth = parse_date_ordinal(dob)
            except ValueError as exc:
                raise TimelineError(
                    str(exc), pointer="/child/date_of_birth", field="child.date_of_birth"
                ) from None

    if "events" not in data:
        raise TimelineError("is missing; a timeline needs a list of events", pointer="/events",
                            field="events")
    raw_events = data["events"]
    if not isinstance(raw_events, list):
        raise TimelineError(
            f"must be an array of events; got {_type_name(raw_events)}",
            pointer="/events",
            field="events",
        )

    rows: list[EventRow] = []
    event_types = EVENT_TYPES
    for index, raw in enumerate(raw_events):
        if not isinstance(raw, dict):
            raise TimelineError(
                f"must be an object with a type and a date; got {_type_name(raw)}",
                pointer=f"/events/{index}",
                event_index=index,
            )
        event_type = raw.get("type")
        specs = event_types.get(event_type) if type(event_type) is str else None
        if specs is None:
            if "type" not in raw:
                detail = "is missing"
            elif type(event_type) is not str:
                detail = f"must be a string; got {_type_name(event_type)}"
            else:
                detail = f"{event_type!r} is not an event type of the timeline format"
            raise TimelineError(
                detail, pointer=f"/events/{index}/type", event_index=index, field="type"
            )
        event_type = cast(str, event_type)
        if "date" not in raw:
            raise TimelineError(
                "is missing",
                pointer=f"/events/{index}/date",
                event_index=index,
                event_type=event_type,
                field="date",
            )
        try:
            ordinal = parse_date_ordinal(raw["date"])
        except ValueError as exc:
            raise TimelineError(
                str(exc),
                pointer=f"/events/{index}/date",
                event_index=index,
                event_type=event_type,
                field="date",
            ) from None
        if specs:
            _check_fields(raw, index, event_type, specs)
        rows.append((ordinal, index, event_type, raw))
    return Timeline(edition, date_of_birth, tuple(rows))
