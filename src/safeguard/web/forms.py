"""The forms of "Check a case timeline": what a person typed, checked, and turned into a timeline.

Two forms share the page:

- :class:`KeyDatesForm` — the key dates of the chapter 1 pathway typed in as GOV.UK date
  inputs, with the answers that go with them. Only the dates filled in become events.
- :class:`TimelineFileForm` — a timeline in the contract's JSON format
  (shared/design/timeline-format.md), uploaded as a file or pasted into a text area.

Both keep every value as typed (so a page with errors shows it again), record errors in the
order the fields appear on the page, and hand the assembled timeline to the statutory
engine's :func:`~safeguard.statutory.parse_timeline`. Faults the engine finds are shown on
the field they came from. Nothing here computes a date or a deadline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from safeguard.statutory import (
    EVENT_TYPES,
    Obligation,
    Timeline,
    TimelineError,
    compute_obligations,
    obligations_document,
    parse_timeline,
)
from safeguard.statutory.calendar import FIRST_DAY, LAST_DAY, CalendarRangeError

from .dates import govuk_date

DATE_PARTS = ("day", "month", "year")
MAX_FILE_BYTES = 5 * 1024 * 1024

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}


# -- Questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DateQuestion:
    """A GOV.UK date input. ``key`` is its id and the prefix of its inputs' names."""

    key: str
    legend: str
    noun: str  # "the date the referral was received": the subject of its error messages
    hint: str = ""
    event_type: str | None = None  # the event it records, if any
    required: bool = False
    kind: str = field(default="date", init=False)

    def part_name(self, part: str) -> str:
        return f"{self.key}-{part}"


@dataclass(frozen=True)
class ChoiceQuestion:
    """GOV.UK radios: a choice of its own, or the answer that goes with a date."""

    key: str
    legend: str
    choices: tuple[tuple[str, str], ...]  # (value, label)
    error: str  # "Select ...": shown when the answer is missing or not one of the choices
    date_key: str | None = None  # the date question it goes with
    event_field: str | None = None  # the field of that date's event it fills
    inline: bool = False
    hints: tuple[tuple[str, str], ...] = ()  # (value, hint)
    kind: str = field(default="choice", init=False)


@dataclass(frozen=True)
class Section:
    heading: str
    questions: tuple[DateQuestion | ChoiceQuestion, ...]


YES_NO = (("yes", "Yes"), ("no", "No"))
_BOOLEANS = {"yes": True, "no": False}

REFERRAL_OUTCOME_LABELS = {
    "no_further_action": "No further action",
    "early_help": "Early help",
    "assessment": "Assessment",
    "strategy_discussion": "Strategy discussion",
    "immediate_protection": "Immediate protection",
}



def _referral_outcomes() -> tuple[tuple[str, str], ...]:
    """Every outcome the engine accepts, in its order, with its label."""
    spec = EVENT_TYPES["referral_decision"]["outcome"]
    return tuple((value, REFERRAL_OUTCOME_LABELS[value]) for value in spec.choices)


EDITION_BY_DATE = "by-date"
EDITION_CHOICES = (
    (EDITION_BY_DATE, "Decide by the date of each event"),
    ("2015", "Working Together 2015"),
    ("2018", "Working Together 2018"),
)

def _date(key: str, legend: str, noun: str, event_type: str) -> DateQuestion:
    return DateQuestion(key, legend, noun, event_type=event_type)


def _yes_no(key: str, legend: str, error: str, date_key: str, event_field: str) -> ChoiceQuestion:
    return ChoiceQuestion(key, legend, YES_NO, error, date_key, event_field, inline=True)


def _as_of(key: str) -> DateQuestion:
    return DateQuestion(
        key,
        "Check duties as of",
        "the date to check duties as of",
        "Usually today. A duty still open after its due date is overdue. For example, 23 11 2026",
        required=True,
    )


DATE_OF_BIRTH = DateQuestion(
    "date-of-birth",
    "Child’s date of birth (optional)",
    "the child’s date of birth",
    "Used to check that a child protection plan ends by the child’s 18th birthday. "
    "For example, 30 4 2012",
)

KEY_DATE_SECTIONS: tuple[Section, ...] = (
    Section("Child", (DATE_OF_BIRTH,)),
    Section(
        "Referral",
        (
            _date(
                "referral-received",
                "Date the referral was received",
                "the date the referral was received",
                "referral_received",
            ),
            _date(
                "referral-decision",
                "Date of the referral decision",
                "the date of the referral decision",
                "referral_decision",
            ),
            ChoiceQuestion(
                "referral-decision-outcome",
                "What was decided?",
                _referral_outcomes(),
                "Select the outcome of the referral decision",
                "referral-decision",
                "outcome",
            ),
        ),
    ),
    Section(
        "Assessment",
        (
            _date(
                "assessment-completed",
                "Date the assessment was completed",
                "the date the assessment was completed",
                "assessment_completed",
            ),
        ),
    ),
    Section(
        "Strategy discussion and section 47 enquiries",
        (
            _date(
                "strategy-discussion",
                "Date of the strategy discussion",
                "the date of the strategy discussion",
                "strategy_discussion",
            ),
            _yes_no(
                "strategy-discussion-s47",
                "Did the strategy discussion start section 47 enquiries?",
                "Select yes if the strategy discussion started section 47 enquiries",
                "strategy-discussion",
                "s47",
            ),
            _date(
                "s47-outcome",
                "Date of the outcome of the section 47 enquiries",
                "the date of the outcome of the section 47 enquiries",
                "s47_outcome",
            ),
            _yes_no(
                "s47-outcome-substantiated",
                "Were the concerns substantiated?",
                "Select yes if the section 47 enquiries substantiated the concerns",
                "s47-outcome",
                "substantiated",
            ),
        ),
    ),
    Section(
        "Child protection conference and plan",
        (
            _date(
                "initial-conference",
                "Date of the initial child protection conference",
                "the date of the initial child protection conference",
                "initial_conference",
            ),
            _yes_no(
                "initial-conference-plan",
                "Did the child become the subject of a child protection plan?",
                "Select yes if the child became the subject of a child protection plan",
                "initial-conference",
                "plan",
            ),
            _date(
                "core-group-meeting",
                "Date of the first core group meeting",
                "the date of the first core group meeting",
                "core_group_meeting",
            ),
            _date(
                "review-conference",
                "Date of the review conference",
                "the date of the review conference",
                "review_conference",
            ),
            _yes_no(
                "review-conference-plan-continues",
                "Did the child protection plan continue after the review?",
                "Select yes if the child protection plan continued after the review",
                "review-conference",
                "plan_continues",
            ),
            _date(
                "plan-ended",
                "Date the plan ended (if not at a review conference)",
                "the date the plan ended",
                "plan_ended",
            ),
        ),
    ),
    Section(
        "Edition and date",
        (
            ChoiceQuestion(
                "edition",
                "Which edition of Working Together applies?",
                EDITION_CHOICES,
                "Select which edition of Working Together applies",
                hints=(
                    (
                        EDITION_BY_DATE,
                        "The edition in force on the date of each event: 2015 from 26 March "
                        "2015, 2018 from 4 July 2018",
                    ),
                ),
            ),
            _as_of("as-of"),
        ),
    ),
)


def _questions(sections: tuple[Section, ...]) -> tuple[DateQuestion | ChoiceQuestion, ...]:
    return tuple(q for s in sections for q in s.questions)


KEY_DATE_QUESTIONS = _questions(KEY_DATE_SECTIONS)


# -- Errors and bound forms ----------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """An error on one field: its message, the id the error summary links to and, for a
    date, the parts (day, month, year) to highlight."""

    message: str
    anchor: str
    parts: frozenset[str] = frozenset()


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def parse_date_parts(question: DateQuestion, values: Mapping[str, str]) -> date | FieldError | None:
    """Read a GOV.UK date input: a date, an error in GOV.UK's words, or None when blank."""
    raw = {part: values.get(question.part_name(part), "").strip() for part in DATE_PARTS}
    subject = _capitalised(question.noun)
    first = question.part_name

    def error(message: str, parts: list[str] | tuple[str, ...] = DATE_PARTS) -> FieldError:
        return FieldError(message, first(parts[0]), frozenset(parts))

    missing = [part for part in DATE_PARTS if not raw[part]]
    if len(missing) == len(DATE_PARTS):
        return error(f"Enter {question.noun}") if question.required else None
    if missing:
        return error(f"{subject} must include a {_and_list(missing)}", missing)

    real_date = f"{subject} must be a real date"
    day_text, month_text, year_text = raw["day"], raw["month"].lower().rstrip("."), raw["year"]
    if not day_text.isdigit():
        return error(real_date, ["day"])
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text)
    if month is None or not 1 <= month <= 12:
        return error(real_date, ["month"])
    if not year_text.isdigit():
        return error(real_date, ["year"])
    if len(year_text) != 4:
        return error(f"{subject} must include a year with 4 numbers", ["year"])
    try:
        value = date(int(year_text), month, int(day_text))
    except ValueError:
        return error(real_date, ["day"])
    if not FIRST_DAY <= value <= LAST_DAY:
        return error(
            f"{subject} must be between {govuk_date(FIRST_DAY)} and {govuk_date(LAST_DAY)}"
        )
    return value


def date_values(question: DateQuestion, value: date) -> dict[str, str]:
    """The inputs of a date question filled with ``value`` (for a default)."""
    return {
        question.part_name("day"): str(value.day),
        question.part_name("month"): str(value.month),
        question.part_name("year"): str(value.year),
    }


@dataclass(frozen=True)
class Check:
    """The engine's answer for a valid form."""

    timeline_data: dict[str, Any]
    as_of: date
    obligations: list[Obligation]
    document: dict[str, Any]  # the contract's output document, warnings included


OUT_OF_CALENDAR = (
    "A deadline falls after {last}, the last day Safeguard can count working days to. "
    "Enter earlier dates"
)


class TimelineForm:
    """What both forms share: the values as typed, errors in page order, the result."""

    form_id: str
    field_order: tuple[str, ...]

    def __init__(self, values: Mapping[str, str], *, bound: bool) -> None:
        self.values: dict[str, str] = dict(values)
        self.bound = bound
        self.errors: dict[str, FieldError] = {}
        self.timeline: Timeline | None = None
        self.timeline_data: dict[str, Any] | None = None
        self.as_of: date | None = None

    def add_error(self, key: str, error: FieldError) -> None:
        self.errors.setdefault(key, error)

    def error_list(self) -> list[FieldError]:
        """Errors in the order their fields appear on the page."""
        order = {key: i for i, key in enumerate(self.field_order)}
        keys = sorted(self.errors, key=lambda k: order.get(k, len(order)))
        return [self.errors[k] for k in keys]

    def is_valid(self) -> bool:
        return self.bound and not self.errors and self.timeline is not None

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def _read_date(self, question: DateQuestion) -> date | None:
        result = parse_date_parts(question, self.values)
        if isinstance(result, FieldError):
            self.add_error(question.key, result)
            return None
        return result

    def _parse(self, data: object) -> None:
        """Ask the engine to check the timeline; its faults go on the field they came from."""
        try:
            self.timeline = parse_timeline(data)
        except TimelineError as err:
            self._engine_error(err)
        else:
            if isinstance(data, dict):
                self.timeline_data = data

    def check(self) -> Check | None:
        """Ask the engine for the obligations of a valid form.

        None, with an error on the form, when the engine cannot count a deadline (one that
        falls outside its working-day calendar, say).
        """
        if self.timeline is None or self.timeline_data is None or self.as_of is None:
            raise ValueError("check() needs a valid form")
        try:
            obligations = compute_obligations(self.timeline, self.as_of)
            document = obligations_document(self.timeline_data, self.as_of)
        except TimelineError as err:
            self._engine_error(err)
            return None
        except CalendarRangeError:
            self._calendar_error(OUT_OF_CALENDAR.format(last=govuk_date(LAST_DAY)))
            return None
        return Check(self.timeline_data, self.as_of, obligations, document)

    def _engine_error(self, err: TimelineError) -> None:
        raise NotImplementedError

    def _calendar_error(self, message: str) -> None:
        raise NotImplementedError


class KeyDatesForm(TimelineForm):
    """The key dates of a case, typed in. Only the dates filled in become events."""

    form_id = "dates"
    sections = KEY_DATE_SECTIONS
    questions = KEY_DATE_QUESTIONS
    field_order = tuple(q.key for q in KEY_DATE_QUESTIONS)

    def __init__(self, data: Mapping[str, str] | None = None, *, today: date) -> None:
        if data is None:
            as_of = self._question("as-of")
            assert isinstance(as_of, DateQuestion)
            initial = {"edition": EDITION_BY_DATE, **date_values(as_of, today)}
            super().__init__(initial, bound=False)
            return
        super().__init__({k: v for k, v in data.items() if isinstance(v, str)}, bound=True)
        self._event_keys: list[str] = []
        self._clean()

    def _clean(self) -> None:
        dates: dict[str, date] = {}
        for question in self.questions:
            if isinstance(question, DateQuestion):
                value = self._read_date(question)
                if value is not None:
                    dates[question.key] = value
        answers: dict[str, str | bool] = {}
        for question in self.questions:
            if isinstance(question, ChoiceQuestion):
                answer = self._read_choice(question, dates)
                if answer is not None:
                    answers[question.key] = answer
        if self.errors:
            return
        self.as_of = dates.pop("as-of")
        self._parse(self._timeline_data(dates, answers))

    def _read_choice(
        self, question: ChoiceQuestion, dates: dict[str, date]
    ) -> str | bool | None:
        raw = self.value(question.key).strip()
        valid = {value for value, _ in question.choices}
        if question.date_key is None:  # a choice of its own: the edition
            if raw not in valid:
                self.add_error(question.key, FieldError(question.error, question.key))
                return None
            return raw
        date_question = self._question(question.date_key)
        assert isinstance(date_question, DateQuestion)
        date_given = question.date_key in dates or question.date_key in self.errors
        if raw and raw not in valid:
            self.add_error(question.key, FieldError(question.error, question.key))
            return None
        if date_given and not raw:
            self.add_error(question.key, FieldError(question.error, question.key))
            return None
        if raw and not date_given:
            # An answer about an event with no date: the date is what is missing.
            self.add_error(
                date_question.key,
                FieldError(
                    f"Enter {date_question.noun}",
                    date_question.part_name("day"),
                    frozenset(DATE_PARTS),
                ),
            )
            return None
        if not raw:
            return None
        return _BOOLEANS.get(raw, raw)

    def _timeline_data(
        self, dates: dict[str, date], answers: dict[str, str | bool]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        edition = answers.get("edition")
        if isinstance(edition, str) and edition != EDITION_BY_DATE:
            data["edition"] = edition
        if DATE_OF_BIRTH.key in dates:
            data["child"] = {"date_of_birth": dates[DATE_OF_BIRTH.key].isoformat()}
        events: list[dict[str, Any]] = []
        for question in self.questions:
            if not isinstance(question, DateQuestion) or question.event_type is None:
                continue
            if question.key not in dates:
                continue
            event: dict[str, Any] = {
                "type": question.event_type,
                "date": dates[question.key].isoformat(),
            }
            for companion in self._companions(question.key):
                assert companion.event_field is not None
                event[companion.event_field] = answers[companion.key]
            events.append(event)
            self._event_keys.append(question.key)
        data["events"] = events
        return data

    def _companions(self, date_key: str) -> list[ChoiceQuestion]:
        return [
            q
            for q in self.questions
            if isinstance(q, ChoiceQuestion) and q.date_key == date_key
        ]

    def _engine_error(self, err: TimelineError) -> None:
        # A fault the engine finds (a deadline it cannot count, say) is shown on the
        # question that made the event, or on the answer that goes with it, in the words
        # of that question rather than the timeline's event numbers.
        key, anchor, subject = DATE_OF_BIRTH.key, DATE_OF_BIRTH.part_name("day"), None
        if err.field == "edition":
            key = anchor = "edition"
            subject = "the edition"
        elif err.event_index is not None and err.event_index < len(self._event_keys):
            date_question = self._question(self._event_keys[err.event_index])
            assert isinstance(date_question, DateQuestion)
            key, anchor, subject = (
                date_question.key, date_question.part_name("day"), date_question.noun
            )
            for companion in self._companions(date_question.key):
                if companion.event_field == err.field:
                    key = anchor = companion.key
        elif err.field == "child.date_of_birth":
            subject = DATE_OF_BIRTH.noun
        message = f"Safeguard cannot check {subject}: {err.detail}" if subject else _capitalised(
            str(err)
        )
        self.add_error(key, FieldError(message, anchor))

    def _question(self, key: str) -> DateQuestion | ChoiceQuestion:
        return next(q for q in self.questions if q.key == key)

    def _calendar_error(self, message: str) -> None:
        # The latest event is the one whose deadline runs past the calendar.
        assert self.timeline is not None
        latest = max(self.timeline.events, key=lambda e: (e.date, e.index))
        key = self._event_keys[latest.index]
        self.add_error(key, FieldError(message, f"{key}-day", frozenset(DATE_PARTS)))


class TimelineFileForm(TimelineForm):
    """A timeline in the contract's JSON format: an uploaded file, or pasted text."""

    form_id = "file"
    FILE = "timeline-file"
    TEXT = "timeline-json"
    AS_OF = _as_of("file-as-of")
    field_order = (FILE, TEXT, AS_OF.key)

    def __init__(
        self,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, UploadedFile[bytes]] | None = None,
        *,
        today: date,
    ) -> None:
        if data is None:
            super().__init__(date_values(self.AS_OF, today), bound=False)
            return
        super().__init__({k: v for k, v in data.items() if isinstance(v, str)}, bound=True)
        self.source_key = self.TEXT
        upload = (files or {}).get(self.FILE)
        text = self.value(self.TEXT)
        document = self._read_source(upload, text)
        self.as_of = self._read_date(self.AS_OF)
        if document is not None and not self.errors:
            self._parse(document)

    def _read_source(self, upload: UploadedFile[bytes] | None, text: str) -> object | None:
        has_text = bool(text.strip())
        if upload is None and not has_text:
            self.add_error(
                self.FILE,
                FieldError("Select a timeline file, or paste the timeline JSON", self.FILE),
            )
            return None
        if upload is not None and has_text:
            self.add_error(
                self.FILE,
                FieldError(
                    "Select a timeline file or paste the timeline JSON, not both", self.FILE
                ),
            )
            return None
        if upload is not None:
            self.source_key = self.FILE
            return self._read_upload(upload)
        return self._load(text, "The pasted timeline")

    def _read_upload(self, upload: UploadedFile[bytes]) -> object | None:
        problem = None
        if not upload.size:
            problem = "The selected file is empty"
        elif upload.size > MAX_FILE_BYTES:
            problem = "The selected file must be smaller than 5MB"
        else:
            try:
                return self._load(upload.read().decode("utf-8-sig"), "The selected file")
            except UnicodeDecodeError:
                problem = "The selected file must be a JSON file"
        self.add_error(self.FILE, FieldError(problem, self.FILE))
        return None

    def _load(self, text: str, what: str) -> object | None:
        try:
            document: object = json.loads(text)
        except json.JSONDecodeError as exc:
            self.add_error(
                self.source_key,
                FieldError(
                    f"{what} is not valid JSON: {exc.msg.lower()} at line {exc.lineno}, "
                    f"column {exc.colno}",
                    self.source_key,
                ),
            )
            return None
        return document

    def _engine_error(self, err: TimelineError) -> None:
        self.add_error(
            self.source_key, FieldError(_capitalised(str(err)), self.source_key)
        )

    def _calendar_error(self, message: str) -> None:
        self.add_error(self.source_key, FieldError(message, self.source_key))

