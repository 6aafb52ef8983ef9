"""The early help forms, in GOV.UK patterns. Forms check what was typed; the services
decide (consent first) and their errors land on the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguard.core.dates import today
from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.earlyhelp.models import ClosureReason, ConsentFrom

Choices = list[tuple[str, str]]


class EarlyHelpStartForm(GovukForm):
    service_fields = {"child.given_name": "given_name", "child.family_name": "family_name",
                      "child.date_of_birth": "date_of_birth",
                      "child.nhs_number": "nhs_number", "child": "family_name",
                      "agencies": "agencies"}

    consent_given = yes_no(
        "Have the child and their parents or carers agreed to an early help assessment?",
        help_text="An early help assessment is undertaken with their agreement")
    consent_from = forms.ChoiceField(label="Who gave consent?", choices=ConsentFrom.choices,
                                     widget=forms.RadioSelect, required=False)
    consent_given_by = forms.CharField(label="Names of the people who gave consent",
                                       required=False, max_length=200)
    consent_recorded_on = GovukDateField(label="Date consent was given", required=False)
    given_name = forms.CharField(label="Child’s first name", required=False, max_length=100)
    family_name = forms.CharField(label="Child’s last name", max_length=100,
                                  error_messages={"required": "Enter the child’s last name"})
    date_of_birth = GovukDateField(label="Child’s date of birth", required=False)
    expected_date_of_birth = GovukDateField(label="Expected date of birth, if the child is "
                                                  "unborn", required=False)
    nhs_number = forms.CharField(label="NHS number (optional)", required=False, max_length=20)
    started_on = GovukDateField(label="Date the assessment started")
    lead_practitioner = forms.ChoiceField(label="Lead practitioner")
    agencies = forms.MultipleChoiceField(label="Other agencies working with the child and "
                                               "family", required=False,
                                         widget=forms.CheckboxSelectMultiple)
    needs = forms.CharField(label="The child’s and family’s needs",
                            widget=forms.Textarea(attrs={"rows": 6}),
                            help_text="What the assessment found, and the help needed",
                            error_messages={"required": "Enter the child’s and family’s needs "
                                                        "the assessment identified"})
    wishes_and_feelings = forms.CharField(label="The child’s wishes and feelings",
                                          widget=forms.Textarea(attrs={"rows": 4}),
                                          required=False)

    def __init__(self, *args: Any, leads: Choices, agencies: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_practitioner"].choices = [("", "Choose a lead practitioner"), *leads]
        self.fields["lead_practitioner"].error_messages["required"] = \
            "Choose a lead practitioner"
        self.fields["agencies"].choices = agencies
        self.fields["date_of_birth"].latest = today()  # type: ignore[attr-defined]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "consent_given": data["consent_given"],
            "consent_from": data.get("consent_from", ""),
            "consent_given_by": data.get("consent_given_by", ""),
            "consent_recorded_on": data.get("consent_recorded_on"),
            "child": {"given_name": data.get("given_name", ""),
                      "family_name": data["family_name"],
                      "date_of_birth": data.get("date_of_birth"),
                      "expected_date_of_birth": data.get("expected_date_of_birth"),
                      "nhs_number": data.get("nhs_number", "")},
            "started_on": data["started_on"],
            "lead_practitioner_id": int(data["lead_practitioner"]),
            "agency_ids": [int(a) for a in data.get("agencies", [])],
            "needs": data["needs"], "wishes_and_feelings": data.get("wishes_and_feelings", ""),
        }


class PlanForm(GovukForm):
    versioned = True
    started_on = GovukDateField(label="Date the plan was agreed")
    outcomes = forms.CharField(label="Outcomes for the child, and how they will be measured",
                               widget=forms.Textarea(attrs={"rows": 6}),
                               error_messages={"required": "Enter the outcomes for the child "
                                                           "and how they will be measured"})
    services = forms.CharField(label="The help to be given, and by whom", required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))
    next_review_on = GovukDateField(label="Date of the first review")

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"started_on": data["started_on"], "outcomes": data["outcomes"],
                "services": data.get("services", ""), "next_review_on": data["next_review_on"]}


class ReviewForm(GovukForm):
    versioned = True
    held_on = GovukDateField(label="Date of the review")
    progress = forms.CharField(label="Progress towards the plan’s outcomes",
                               widget=forms.Textarea(attrs={"rows": 6}),
                               error_messages={"required": "Enter the progress made towards the "
                                                           "plan’s outcomes"})
    next_review_on = GovukDateField(label="Date of the next review")

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"held_on": data["held_on"], "progress": data["progress"],
                "next_review_on": data["next_review_on"]}


class StepUpForm(GovukForm):
    versioned = True
    service_fields = {"assessment": "concerns"}
    concerns = forms.CharField(
        label="Your concerns about the child", widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Include the child’s developmental needs, the parents’ or carers’ capacity to "
                  "meet them and anything undermining it. The early help assessment is shared "
                  "with the referral.",
        error_messages={"required": "Enter the concerns about the child"})

    def service_arguments(self) -> dict[str, Any]:
        return {"concerns": self.cleaned_data["concerns"]}


class CloseForm(GovukForm):
    versioned = True
    closed_on = GovukDateField(label="Date early help ended")
    reason = forms.ChoiceField(label="Why is early help ending?", choices=ClosureReason.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select why early help is ending"})

    def service_arguments(self) -> dict[str, Any]:
        return {"closed_on": self.cleaned_data["closed_on"],
                "reason": self.cleaned_data["reason"]}
