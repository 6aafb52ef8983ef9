"""The search form: a name, a date of birth, an NHS number or a unique pupil number."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguard.core.forms import GovukDateField, GovukForm
from safeguard.people.identifiers import validate_nhs_number, validate_upn


class SearchForm(GovukForm):
    name = forms.CharField(label="Name", required=False, max_length=200,
                           help_text="First name, last name or both. Spelling need not be "
                           "exact")
    date_of_birth = GovukDateField(label="Date of birth", required=False,
                                   help_text="For example, 14 3 2015")
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20,
                                 validators=[validate_nhs_number])
    upn = forms.CharField(label="Unique pupil number (UPN)", required=False, max_length=20,
                          validators=[validate_upn])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(k) for k in ("name", "date_of_birth",
                                                              "nhs_number", "upn")):
            self.add_error("name", "Enter a name, date of birth, NHS number or unique pupil "
                           "number")
        return data
