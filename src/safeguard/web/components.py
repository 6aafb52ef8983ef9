"""A form's questions as the parameters of GOV.UK Frontend component macros.

Templates stay declarative: ``{{ govukDateInput(fields.date_input(question)) }}``. The
values as typed, the error message and the parts of a date to highlight all come from the
bound form, so a page with errors shows everything the person entered.
"""

from __future__ import annotations

from typing import Any

from .forms import ChoiceQuestion, DateQuestion, FieldError, TimelineForm

_PART_WIDTHS = {"day": "govuk-input--width-2", "month": "govuk-input--width-2",
                "year": "govuk-input--width-4"}
_LEGEND = "govuk-fieldset__legend--s"


class GovukFields:
    """The component parameters of one bound (or empty) form."""

    def __init__(self, form: TimelineForm) -> None:
        self.form = form

    def _error(self, key: str) -> FieldError | None:
        return self.form.errors.get(key)

    def error_summary(self) -> dict[str, Any] | None:
        """The error summary, linking to each field in error; None when all is well."""
        errors = self.form.error_list()
        if not errors:
            return None
        return {
            "titleText": "There is a problem",
            "errorList": [{"text": e.message, "href": f"#{e.anchor}"} for e in errors],
        }

    def date_input(self, question: DateQuestion) -> dict[str, Any]:
        error = self._error(question.key)
        items = []
        for part, width in _PART_WIDTHS.items():
            classes = width
            if error is not None and part in error.parts:
                classes += " govuk-input--error"
            items.append(
                {
                    "name": part,
                    "classes": classes,
                    "value": self.form.value(question.part_name(part)),
                }
            )
        params: dict[str, Any] = {
            "id": question.key,
            "namePrefix": question.key,
            "fieldset": {"legend": {"text": question.legend, "classes": _LEGEND}},
            "items": items,
        }
        if question.hint:
            params["hint"] = {"text": question.hint}
        if error is not None:
            params["errorMessage"] = {"text": error.message}
        return params

    def radios(self, question: ChoiceQuestion) -> dict[str, Any]:
        error = self._error(question.key)
        chosen = self.form.value(question.key)
        hints = dict(question.hints)
        items = []
        for value, label in question.choices:
            item: dict[str, Any] = {"value": value, "text": label, "checked": value == chosen}
            if value in hints:
                item["hint"] = {"text": hints[value]}
            items.append(item)
        params: dict[str, Any] = {
            "name": question.key,
            "idPrefix": question.key,
            "fieldset": {"legend": {"text": question.legend, "classes": _LEGEND}},
            "items": items,
        }
        if question.inline:
            params["classes"] = "govuk-radios--inline"
        if error is not None:
            params["errorMessage"] = {"text": error.message}
        return params

    def file_upload(self, key: str, label: str, hint: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "id": key,
            "name": key,
            "label": {"text": label, "classes": "govuk-label--s"},
            "hint": {"text": hint},
            "attributes": {"accept": ".json,application/json"},
        }
        error = self._error(key)
        if error is not None:
            params["errorMessage"] = {"text": error.message}
        return params

    def textarea(self, key: str, label: str, hint: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "id": key,
            "name": key,
            "label": {"text": label, "classes": "govuk-label--s"},
            "hint": {"text": hint},
            "value": self.form.value(key),
            "rows": 10,
            "spellcheck": False,
            "classes": "app-textarea--code",
        }
        error = self._error(key)
        if error is not None:
            params["errorMessage"] = {"text": error.message}
        return params
