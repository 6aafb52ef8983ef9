"""The sharing decision form (WT2018 1.23-1.27), in GOV.UK patterns."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.sharing.models import Article6Basis, Decision, Paragraph18Reason


class SharingForm(GovukForm):
    service_fields = {"with_agency": "with_agency"}

    decision = forms.ChoiceField(
        label="Is the information to be shared?", choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the information is shared"})
    decided_on = GovukDateField(label="Date of the decision")
    what = forms.CharField(label="What information", widget=forms.Textarea,
                           help_text="Say what is shared, or what was asked for")
    items = forms.MultipleChoiceField(label="Records of the case it includes", required=False,
                                      widget=forms.CheckboxSelectMultiple)
    with_agency = forms.ChoiceField(label="Agency it is shared with", required=False)
    with_whom = forms.CharField(label="Person or role it is shared with", required=False)
    purpose = forms.CharField(label="Purpose", widget=forms.Textarea,
                              help_text="Why sharing it helps keep the child safe")
    consent_sought = yes_no("Was consent sought?")
    consent_given = yes_no("Was consent given?", required=False)
    consent_not_sought_reason = forms.CharField(
        label="Why was consent not sought?", widget=forms.Textarea, required=False)
    article_6_basis = forms.ChoiceField(
        label="Lawful basis (UK GDPR Article 6)", required=False, widget=forms.RadioSelect,
        choices=Article6Basis.choices,
        help_text="Needed when information is shared without consent")
    paragraph_18_reason = forms.ChoiceField(
        label="Why it is shared without consent (DPA 2018 Schedule 1 paragraph 18)",
        required=False, widget=forms.RadioSelect, choices=Paragraph18Reason.choices)
    person_told = yes_no("Has the child or family been told?")
    person_not_told_reason = forms.CharField(
        label="Why have they not been told?", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]],
                 items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with_agency"].choices = [("", "Choose an agency"), *agencies]
        self.fields["items"].choices = items

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "decision": data["decision"], "decided_on": data["decided_on"],
            "what": data["what"], "purpose": data["purpose"],
            "with_agency_id": int(data["with_agency"]) if data.get("with_agency") else None,
            "with_whom": data.get("with_whom", ""),
            "consent_sought": data.get("consent_sought"),
            "consent_given": data.get("consent_given") if data.get("consent_sought") else None,
            "consent_not_sought_reason": data.get("consent_not_sought_reason", ""),
            "article_6_basis": data.get("article_6_basis", ""),
            "paragraph_18_reason": data.get("paragraph_18_reason", ""),
            "person_told": data.get("person_told"),
            "person_not_told_reason": data.get("person_not_told_reason", ""),
            "items": [{"ref": ref} for ref in data.get("items", [])],
        }
