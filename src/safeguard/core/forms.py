"""Django forms rendered with the GOV.UK Design System.

A form subclasses :class:`GovukForm`; templates render each field with the ``field`` macro
of ``core/fields.html``, which picks the GOV.UK component for the field's widget, and the
error summary with ``error_summary(form)``::

    {% from "core/fields.html" import field, error_summary %}
    {{ error_summary(form) }}
    {{ field(form["concerns"]) }}

Service errors (:class:`~safeguard.core.services.Invalid`) go onto the form with
:meth:`GovukForm.add_service_errors`, so a rule enforced in a service shows against the
field it concerns. Dates are asked for as day, month and year (:class:`GovukDateField`)
with the Design System's error messages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.boundfield import BoundField

from safeguard.core.services import EditConflict, Invalid

_PARTS = ("day", "month", "year")
#: The most a text area takes: as much as a draft keeps (``core.drafts.MAX_VALUE_CHARS``).
MAX_TEXT = 20_000
HIDDEN_FIELD_ERROR = ("This page was out of date or has been changed. Open it again and make "
                      "your changes again")


class GovukDateWidget(forms.MultiWidget):
    template_name = ""  # rendered by the GOV.UK macro, never by Django

    def __init__(self) -> None:
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()])

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return [str(data.get(f"{name}-{part}", "")).strip() for part in _PARTS]


class GovukDateField(forms.Field):
    """A date asked for as day, month and year, with GOV.UK's error messages."""

    widget = GovukDateWidget

    def __init__(self, *, label: str, earliest: date | None = date(1900, 1, 1),
                 latest: date | None = None, **kwargs: Any) -> None:
        self.earliest = earliest
        self.latest = latest
        super().__init__(label=label, **kwargs)
        self.error_parts: tuple[str, ...] = _PARTS

    def clean(self, value: Any) -> date | None:
        parts = list(value) if isinstance(value, list | tuple) else ["", "", ""]
        label = str(self.label)
        if not any(parts):
            if self.required:
                noun = label[0].lower() + label[1:]
                # "Enter the date of the conference", as GOV.UK words it.
                raise ValidationError(f"Enter {'the ' if noun.startswith('date ') else ''}{noun}")
            return None
        missing = [name for name, part in zip(_PARTS, parts, strict=True) if not part]
        if missing:
            self.error_parts = tuple(missing)
            raise ValidationError(f"{label} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(p) for p in parts)
            if len(parts[2]) != 4:
                self.error_parts = ("year",)
                raise ValidationError("Year must include 4 numbers")
            result = date(year, month, day)
        except (ValueError, TypeError):
            self.error_parts = _PARTS
            raise ValidationError(f"{label} must be a real date") from None
        if self.earliest and result < self.earliest:
            raise ValidationError(f"{label} must be after {self.earliest.year}")
        if self.latest and result > self.latest:
            raise ValidationError(f"{label} must be today or in the past")
        return result


def yes_no(label: str, *, required: bool = True, help_text: str = "") -> forms.TypedChoiceField:
    """A yes or no question as radios, cleaned to True or False."""
    return forms.TypedChoiceField(
        label=label, choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect,
        coerce=lambda v: v == "yes", required=required, help_text=help_text,
        error_messages={"required": f"Select yes if {label[0].lower() + label[1:].rstrip('?')}"},
    )


class GovukForm(forms.Form):
    """A form whose fields render as GOV.UK components (see ``core/fields.html``)."""

    #: Maps a service's field names to this form's, where they differ.
    service_fields: dict[str, str] = {}
    #: A hidden version for optimistic concurrency (set ``versioned = True``).
    versioned = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.versioned:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        self.govuk_messages()

    def govuk_messages(self) -> None:
        """Django's error messages in GOV.UK's words, for every field the form has (call it
        again after adding fields): "Enter …" or "Select …" for a missing answer, the same
        "Select …" for a choice that is not one of the options, and "… must be 200
        characters or fewer" for text that is too long. A text area takes at most
        :data:`MAX_TEXT` characters (a draft keeps no more)."""
        default = forms.Field.default_error_messages["required"]
        for f in self.fields.values():
            if isinstance(f, GovukDateField):
                continue
            label = str(f.label or "").removesuffix(" (optional)")
            subject = label if label and not label.endswith("?") else "Your answer"
            label = label[0].lower() + label[1:].rstrip("?") if label else "an answer"
            choice = isinstance(f, forms.ChoiceField)
            message: Any = f.error_messages.get("required")
            if message == default:  # the form did not give its own
                message = f"{'Select' if choice else 'Enter'} {label}"
                if f.required:
                    f.error_messages["required"] = message
            if choice and f.error_messages.get("invalid_choice") in (
                    forms.ChoiceField.default_error_messages["invalid_choice"],
                    forms.MultipleChoiceField.default_error_messages["invalid_choice"]):
                f.error_messages["invalid_choice"] = message
            if isinstance(f, forms.CharField) and not isinstance(f.widget, forms.HiddenInput):
                if f.max_length is None and isinstance(f.widget, forms.Textarea):
                    f.max_length = MAX_TEXT
                    f.validators.append(MaxLengthValidator(MAX_TEXT))
                if f.max_length is not None:
                    f.error_messages.setdefault(
                        "max_length", f"{subject} must be {f.max_length:,} characters or fewer")

    def add_service_errors(self, error: Invalid | EditConflict) -> None:
        """Put a service's verdict onto the form, against the fields it names."""
        if isinstance(error, EditConflict):
            self.add_error(None, str(error))
            return
        for name, message in error.errors.items():
            field = self.service_fields.get(name, name)
            self.add_error(field if field in self.fields else None, message)

    def full_clean(self) -> None:
        super().full_clean()
        # A hidden field (a record's version, say) is not the person's to correct: an error
        # in one is the form's, shown at the top of the page rather than beside nothing.
        if not self.is_bound:
            return
        for name in [n for n in self.errors if n in self.fields
                     and isinstance(self.fields[n].widget, forms.HiddenInput)]:
            del self.errors[name]
            self.add_error(None, HIDDEN_FIELD_ERROR)

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's items, each linking to its field: one for each field, the
        message shown beside it (GOV.UK shows one error for a field)."""
        items = []
        for name, errors in self.errors.items():
            if name == "__all__":
                items += [{"text": str(message), "href": "#main-content"} for message in errors]
            elif errors:
                items.append({"text": str(errors[0]), "href": f"#{self.anchor(name)}"})
        return items

    def anchor(self, name: str) -> str:
        field = self.fields[name]
        if isinstance(field, GovukDateField):
            return f"id_{name}-{field.error_parts[0]}"
        if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"id_{name}"
        return f"id_{name}"


def govuk_params(bound: BoundField) -> dict[str, Any]:
    """The GOV.UK component (``kind``) and its macro parameters for one bound field."""
    field = bound.field
    name = bound.html_name
    error = bound.errors[0] if bound.errors else None
    params: dict[str, Any] = {"id": f"id_{bound.name}", "name": name}
    label_text = str(field.label or "")
    if field.help_text:
        params["hint"] = {"text": str(field.help_text)}
    if error:
        params["errorMessage"] = {"text": str(error)}
    widget = field.widget
    if isinstance(field, GovukDateField):
        values = bound.value() if bound.form.is_bound else GovukDateWidget().decompress(
            bound.value())
        if not isinstance(values, list | tuple):
            values = GovukDateWidget().decompress(values)
        widths = {"day": 2, "month": 2, "year": 4}
        parts = field.error_parts if error else ()
        params.update({
            "namePrefix": name,
            "fieldset": {"legend": {"text": label_text, "classes": "govuk-fieldset__legend--s"}},
            "items": [
                {"name": part, "value": values[i] if values[i] is not None else "",
                 "classes": f"govuk-input--width-{widths[part]}"
                 + (" govuk-input--error" if part in parts else ""), "id": f"id_{name}-{part}"}
                for i, part in enumerate(_PARTS)
            ],
        })
        params.pop("name")
        return {"kind": "date", "params": params}
    if isinstance(widget, forms.HiddenInput):
        return {"kind": "hidden", "params": {"name": name, "value": bound.value() or ""}}
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        multiple = isinstance(widget, forms.CheckboxSelectMultiple)
        value = bound.value()
        chosen = {str(v) for v in value} if multiple and value else {str(value)} if value not in (
            None, "") else set()
        if isinstance(field, forms.TypedChoiceField) and isinstance(value, bool):
            chosen = {"yes" if value else "no"}
        params.pop("id")
        params["idPrefix"] = f"id_{bound.name}"
        params["fieldset"] = {"legend": {"text": label_text,
                                         "classes": "govuk-fieldset__legend--s"}}
        params["items"] = [
            {"value": str(v), "text": str(label), "checked": str(v) in chosen}
            for v, label in field.choices  # type: ignore[attr-defined]
            if str(v) != ""
        ]
        if not multiple and len(params["items"]) == 2:
            params["classes"] = "govuk-radios--inline"
        return {"kind": "checkboxes" if multiple else "radios", "params": params}
    params["label"] = {"text": label_text, "classes": "govuk-label--s"}
    value = bound.value()
    params["value"] = "" if value is None else str(value)
    if isinstance(widget, forms.Select):
        params["items"] = [
            {"value": str(v), "text": str(label), "selected": str(v) == params["value"]}
            for v, label in field.choices  # type: ignore[attr-defined]
        ]
        return {"kind": "select", "params": params}
    if isinstance(widget, forms.Textarea):
        return {"kind": "textarea", "params": params}
    if isinstance(widget, forms.EmailInput):
        params["type"] = "email"
        params["spellcheck"] = False
    return {"kind": "input", "params": params}
