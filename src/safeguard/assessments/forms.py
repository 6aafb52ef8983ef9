"""The assessment, child in need plan and case closure forms, in GOV.UK patterns. Forms
check what was typed; the services decide (their errors land on the fields)."""

from __future__ import annotations

from typing import Any

from django import forms

from safeguard.assessments.models import (
    ASSESSMENT_FACTORS,
    AssessmentKind,
    AssessmentOutcome,
    CinPlanEndReason,
)
from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.earlyhelp.models import ConsentFrom

Choices = list[tuple[str, str]]


class AssessmentStartForm(GovukForm):
    kind = forms.ChoiceField(label="What kind of assessment is it?",
                             choices=AssessmentKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of assessment"})
    referral = forms.ChoiceField(label="Which referral led to it?", widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the referral that led to "
                                                             "the assessment"})
    started_on = GovukDateField(label="Date the assessment started")
    social_worker = forms.ChoiceField(label="Social worker", required=False)

    def __init__(self, *args: Any, referrals: Choices, workers: Choices,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = referrals
        self.fields["social_worker"].choices = [("", "The allocated worker"), *workers]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"kind": data["kind"], "referral_id": int(data["referral"]),
                "started_on": data["started_on"],
                "social_worker_id": int(data["social_worker"]) if data.get("social_worker")
                else None}


class ChildSeenForm(GovukForm):
    versioned = True
    child_seen_on = GovukDateField(label="Date the child was seen")
    child_seen_alone = yes_no("Was the child seen alone?",
                              help_text="Where possible, children should be seen alone")

    def service_arguments(self) -> dict[str, Any]:
        return {"child_seen_on": self.cleaned_data["child_seen_on"],
                "child_seen_alone": self.cleaned_data["child_seen_alone"]}


class SectionForm(GovukForm):
    """One section of the assessment record, as free text."""

    versioned = True
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args: Any, field_name: str, label: str, hint: str = "",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_name = field_name
        self.service_fields = {field_name: "text"}
        self.fields["text"].label = label
        self.fields["text"].help_text = hint
        self.fields["text"].error_messages["required"] = \
            f"Enter {label[0].lower() + label[1:]}"

    def service_arguments(self) -> dict[str, Any]:
        return {self.field_name: self.cleaned_data["text"]}


class FactorsForm(GovukForm):
    versioned = True
    factors = forms.MultipleChoiceField(
        label="Factors identified at the assessment", widget=forms.CheckboxSelectMultiple,
        choices=[(code, f"{label} ({code})") for code, label in ASSESSMENT_FACTORS],
        help_text="Select all that apply. Select ‘No factors identified’ only on its own.",
        error_messages={"required": "Select the factors identified, or ‘No factors "
                                    "identified’"})

    def service_arguments(self) -> dict[str, Any]:
        return {"factors": self.cleaned_data["factors"]}


class CompleteForm(GovukForm):
    versioned = True
    completed_on = GovukDateField(label="Date the assessment was completed")
    outcome = forms.ChoiceField(label="What is the outcome of the assessment?",
                                choices=AssessmentOutcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Select the outcome of the "
                                                            "assessment"})
    reason_late = forms.CharField(
        label="Reason the assessment took longer than 45 working days", required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if the assessment is completed after its due date (Working Together "
                  "2018, 1.75)")

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"completed_on": data["completed_on"], "outcome": data["outcome"],
                "reason_late": data.get("reason_late", "")}


class AuthoriseForm(GovukForm):
    versioned = True


class CinPlanForm(GovukForm):
    service_fields = {"outcomes.0.outcome": "outcome", "outcomes.0.measure": "measure",
                      "outcomes.0.agency": "outcome_agency",
                      "outcomes.0.target_on": "target_on", "outcomes": "outcome"}

    started_on = GovukDateField(label="Date the plan started")
    summary = forms.CharField(
        label="Services and actions", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What services are to be delivered and what actions taken, by whom and for "
                  "what purpose",
        error_messages={"required": "Enter the services and actions of the plan"})
    agencies = forms.MultipleChoiceField(label="Agencies taking part in the plan",
                                         widget=forms.CheckboxSelectMultiple, required=False)
    outcome = forms.CharField(label="First outcome for the child",
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What will be better for the child. You can add more "
                                        "outcomes after starting the plan.",
                              error_messages={"required": "Enter the outcome for the child"})
    measure = forms.CharField(label="How will everyone know it has been achieved?",
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Enter how everyone will know the "
                                                          "outcome is achieved"})
    outcome_agency = forms.ChoiceField(label="Agency leading on this outcome", required=False)
    target_on = GovukDateField(label="Target date for this outcome", required=False)
    next_review_on = GovukDateField(label="Date of the first review",
                                    help_text="As agreed with the child, the family and the "
                                              "practitioners")

    def __init__(self, *args: Any, agencies: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = agencies
        self.fields["outcome_agency"].choices = [("", "Choose an agency"), *agencies]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "started_on": data["started_on"], "summary": data["summary"],
            "agency_ids": [int(a) for a in data.get("agencies", [])],
            "outcomes": [{"outcome": data["outcome"], "measure": data["measure"],
                          "agency_id": int(data["outcome_agency"])
                          if data.get("outcome_agency") else None,
                          "target_on": data.get("target_on")}],
            "next_review_on": data["next_review_on"],
        }


class CinOutcomeForm(GovukForm):
    versioned = True
    service_fields = {"agency": "agency"}
    outcome = forms.CharField(label="Outcome for the child",
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What will be better for the child",
                              error_messages={"required": "Enter the outcome for the child"})
    measure = forms.CharField(label="How will everyone know it has been achieved?",
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Enter how everyone will know the "
                                                          "outcome is achieved"})
    agency = forms.ChoiceField(label="Agency leading on this outcome", required=False)
    target_on = GovukDateField(label="Target date", required=False)

    def __init__(self, *args: Any, agencies: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "Choose an agency"), *agencies]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"outcome": data["outcome"], "measure": data["measure"],
                "agency_id": int(data["agency"]) if data.get("agency") else None,
                "target_on": data.get("target_on")}


class CinReviewForm(GovukForm):
    versioned = True
    held_on = GovukDateField(label="Date of the review")
    agencies = forms.MultipleChoiceField(label="Agencies that took part",
                                         widget=forms.CheckboxSelectMultiple, required=False)
    progress = forms.CharField(label="Progress towards the outcomes",
                               widget=forms.Textarea(attrs={"rows": 6}),
                               error_messages={"required": "Enter the progress made towards "
                                                           "the outcomes"})
    sufficient_progress = yes_no(
        "Is the progress sufficient and sustained for the child?",
        help_text="The test is whether any improvements in adult behaviour are sufficient and "
                  "sustained (Working Together 2018, 1.66)")
    next_review_on = GovukDateField(label="Date of the next review")

    def __init__(self, *args: Any, agencies: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = agencies

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"held_on": data["held_on"], "progress": data["progress"],
                "sufficient_progress": data["sufficient_progress"],
                "next_review_on": data["next_review_on"],
                "agency_ids": [int(a) for a in data.get("agencies", [])]}


class CinPlanEndForm(GovukForm):
    versioned = True
    ended_on = GovukDateField(label="Date the plan ended")
    end_reason = forms.ChoiceField(label="Why is the plan ending?",
                                   choices=CinPlanEndReason.choices, widget=forms.RadioSelect,
                                   error_messages={"required": "Select why the plan is ending"})

    def service_arguments(self) -> dict[str, Any]:
        return {"ended_on": self.cleaned_data["ended_on"],
                "end_reason": self.cleaned_data["end_reason"]}


class CaseCloseForm(GovukForm):
    """Closing the case after an assessment; with RC9, the early help assessment it steps
    down to (its fields are answered only then)."""

    versioned = True
    service_fields = {f"early_help.{name}": name for name in (
        "started_on", "consent_given", "consent_from", "consent_given_by",
        "consent_recorded_on", "needs", "lead_practitioner")} | {
        "early_help.agencies": "agencies", "early_help": "lead_practitioner"}

    reason = forms.ChoiceField(
        label="Why is the case closing?", widget=forms.RadioSelect,
        choices=[("RC8", "Closed after assessment, no further action (RC8)"),
                 ("RC9", "Closed after assessment, referred to early help (RC9)")],
        error_messages={"required": "Select why the case is closing after the assessment"})
    closed_on = GovukDateField(label="Date the case closed")
    lead_practitioner = forms.ChoiceField(label="Lead practitioner", required=False)
    started_on = GovukDateField(label="Date the early help assessment starts", required=False)
    consent_given = yes_no("Have the child and their parents or carers agreed to early help?",
                           required=False)
    consent_from = forms.ChoiceField(label="Who gave consent?", choices=ConsentFrom.choices,
                                     widget=forms.RadioSelect, required=False)
    consent_given_by = forms.CharField(label="Names of the people who gave consent",
                                       required=False, max_length=200)
    consent_recorded_on = GovukDateField(label="Date consent was given", required=False)
    needs = forms.CharField(label="The child’s and family’s needs", required=False,
                            widget=forms.Textarea(attrs={"rows": 5}),
                            help_text="From the assessment: what early help should address")

    def __init__(self, *args: Any, leads: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_practitioner"].choices = [("", "Choose a lead practitioner"), *leads]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {"reason": data["reason"], "closed_on": data["closed_on"]}
        if data["reason"] == "RC9":
            values["early_help"] = {
                "started_on": data.get("started_on") or data["closed_on"],
                "consent_given": None if data.get("consent_given") in ("", None)
                else data["consent_given"],
                "consent_from": data.get("consent_from", ""),
                "consent_given_by": data.get("consent_given_by", ""),
                "consent_recorded_on": data.get("consent_recorded_on"),
                "needs": data.get("needs", ""),
                "lead_practitioner_id": int(data["lead_practitioner"])
                if data.get("lead_practitioner") else None,
            }
        return values
