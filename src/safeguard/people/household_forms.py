"""The household forms: someone living with the child, a relationship to the child."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.people.models import RelationshipKind, Sex

Choices = list[tuple[str, str]]
_PERSON_FIELDS = {"person.given_name": "given_name", "person.family_name": "family_name",
                  "person.is_child": "is_child", "person.date_of_birth": "date_of_birth",
                  "person.sex": "sex", "person": "person"}


class _PersonForm(GovukForm):
    """Someone already recorded with the family, or a new person."""

    service_fields = _PERSON_FIELDS
    person = forms.ChoiceField(label="Who is it?", required=False,
                               help_text="Choose someone already recorded with the family, or "
                                         "enter a new person’s details below")
    given_name = forms.CharField(label="First name", required=False, max_length=100)
    family_name = forms.CharField(label="Last name", required=False, max_length=100)
    is_child = yes_no("Is the person a child (under 18)?", required=False)
    date_of_birth = GovukDateField(label="Date of birth (if known)", required=False)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect,
                            required=False)

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Someone new (enter their details below)"),
                                         *people]

    def person_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data.get("person"):
            return {"person_id": int(data["person"])}
        is_child = data.get("is_child")
        return {"person": {"given_name": data.get("given_name", ""),
                           "family_name": data.get("family_name", ""),
                           "is_child": None if is_child in ("", None) else is_child,
                           "date_of_birth": data.get("date_of_birth"),
                           "sex": data.get("sex") or Sex.UNKNOWN}}


class HouseholdMemberForm(_PersonForm):
    relationship = forms.ChoiceField(
        label="Their relationship to the child", required=False,
        choices=[("", "No family relationship (for example, a lodger)"),
                 *RelationshipKind.choices])
    parental_responsibility = yes_no("Do they have parental responsibility for the child?")
    since = GovukDateField(label="Date they moved in (if known)", required=False)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {**self.person_arguments(), "relationship": data.get("relationship", ""),
                "parental_responsibility": data["parental_responsibility"],
                "since": data.get("since")}


class RelationshipForm(_PersonForm):
    relationship = forms.ChoiceField(
        label="Their relationship to the child",
        choices=[("", "Choose a relationship"), *RelationshipKind.choices],
        error_messages={"required": "Select the person’s relationship to the child"})
    parental_responsibility = yes_no("Do they have parental responsibility for the child?")

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {**self.person_arguments(), "relationship": data["relationship"],
                "parental_responsibility": data["parental_responsibility"]}


class MemberLeaveForm(GovukForm):
    versioned = True
    until = GovukDateField(label="Date they moved out")
