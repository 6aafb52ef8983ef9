"""The front door's forms: making a referral, and the decision on next steps.

Forms check what was typed; the services decide what is allowed (their
:class:`~safeguard.core.services.Invalid` errors go back onto these fields through
``service_fields``). Nothing here computes a deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from safeguard.core.dates import today
from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.people.identifiers import validate_nhs_number, validate_upn
from safeguard.people.models import Sex
from safeguard.referrals.models import REFERRAL_SOURCES, Outcome

#: The decision's outcomes in the words of WT2018 1.71 and flow chart 1, as radio hints.
OUTCOME_HINTS = {
    Outcome.IMMEDIATE_PROTECTION: "The child requires immediate protection and urgent action "
    "is required",
    Outcome.STRATEGY_DISCUSSION: "There is reasonable cause to suspect the child is suffering, "
    "or likely to suffer, significant harm: hold a strategy discussion about section 47 "
    "enquiries",
    Outcome.ASSESSMENT: "The child is in need and should be assessed under section 17 of the "
    "Children Act 1989",
    Outcome.EARLY_HELP: "No further children's social care involvement at this stage: early "
    "help or other services for the child and family",
    Outcome.NO_FURTHER_ACTION: "The threshold for children's social care is not met and no "
    "other services are needed now: give the referrer the reasons",
}
OUTCOME_ORDER = [Outcome.IMMEDIATE_PROTECTION, Outcome.STRATEGY_DISCUSSION, Outcome.ASSESSMENT,
                 Outcome.EARLY_HELP, Outcome.NO_FURTHER_ACTION]

_CHILD_FIELDS = ("given_name", "family_name", "date_of_birth", "expected_date_of_birth", "sex",
                 "nhs_number", "upn", "address", "postcode")


class ReferralForm(GovukForm):
    """A referral to children's social care: by a partner agency's practitioner, or
    recorded by front door staff when it came by phone or email (``recording``)."""

    received_on = GovukDateField(label="Date the referral was received",
                                 help_text="For example, 23 11 2026")
    source = forms.ChoiceField(label="Referral source", choices=[("", "Choose a source"),
                                                                  *REFERRAL_SOURCES],
                               help_text="As the children in need census records it",
                               error_messages={"required": "Choose where the referral came "
                                               "from"})
    referrer_agency = forms.ChoiceField(label="Referring agency (optional)", required=False,
                                        help_text="Leave blank if the referrer is not an "
                                        "agency, for example a relative")
    referrer_name = forms.CharField(label="Referrer’s name (optional)", required=False,
                                    max_length=200)
    referrer_contact = forms.CharField(
        label="How can children’s social care contact the referrer? (optional)",
        required=False, max_length=200, help_text="A phone number or email address")

    given_name = forms.CharField(label="First name (if known)", max_length=100, required=False)
    family_name = forms.CharField(label="Last name", max_length=100,
                                  error_messages={"required": "Enter the child’s last name"})
    date_of_birth = GovukDateField(label="Date of birth", required=False,
                                   help_text="For example, 14 3 2015. Leave blank if the child "
                                   "is not born yet")
    expected_date_of_birth = GovukDateField(
        label="Expected date of birth", required=False, earliest=None,
        help_text="Only if the child is not born yet")
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect,
                            required=False)
    nhs_number = forms.CharField(label="NHS number (optional)", required=False, max_length=20,
                                 help_text="10 digits, like 943 476 5919",
                                 validators=[validate_nhs_number])
    upn = forms.CharField(label="Unique pupil number (UPN) (optional)", required=False,
                          max_length=20, help_text="13 characters, like B801200005001",
                          validators=[validate_upn])
    address = forms.CharField(label="Address (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label="Postcode (optional)", required=False, max_length=10)

    concerns = forms.CharField(
        label="What are your concerns about the child?", widget=forms.Textarea,
        help_text="What you have seen or been told, when, and by whom; anything the child "
        "said, in their words; what you know of the family",
        error_messages={"required": "Enter the concerns about the child"})

    service_fields = {f"child.{name}": name for name in _CHILD_FIELDS}

    def __init__(self, *args: Any, recording: bool, agencies: Sequence[tuple[str, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recording = recording
        if recording:
            self.fields["concerns"].label = "What are the referrer’s concerns about the child?"
            self.fields["received_on"].latest = today()  # type: ignore[attr-defined]
            self.fields["received_on"].initial = today()
            self.fields["referrer_agency"].choices = [  # type: ignore[attr-defined]
                ("", "Not an agency"), *agencies]
        else:
            for name in ("received_on", "source", "referrer_agency", "referrer_name"):
                del self.fields[name]
            self.fields["referrer_contact"].label = (
                "How can children’s social care contact you? (optional)")
            self.fields["referrer_contact"].help_text = (
                "A phone number or email address, if not your usual ones")
        self.fields["date_of_birth"].latest = today()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "date_of_birth" in data and "expected_date_of_birth" in data:
            born, expected = data["date_of_birth"], data["expected_date_of_birth"]
            if born is None and expected is None:
                self.add_error("date_of_birth", "Enter the child’s date of birth, or the "
                               "expected date of birth if the child is not born yet")
            elif born is not None and expected is not None:
                self.add_error("expected_date_of_birth", "Enter an expected date of birth "
                               "only if the child is not born yet")
        return data

    def child_section(self) -> list[str]:
        return list(_CHILD_FIELDS)

    def service_arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        child = {name: d.get(name) or ("" if name not in ("date_of_birth",
                                                          "expected_date_of_birth") else None)
                 for name in _CHILD_FIELDS}
        child["sex"] = d.get("sex") or Sex.UNKNOWN
        args: dict[str, Any] = {
            "concerns": d["concerns"], "child": child,
            "referrer_contact": d.get("referrer_contact", ""),
        }
        if self.recording:
            args.update({
                "received_on": d["received_on"], "source": d["source"],
                "referrer_agency_id": int(d["referrer_agency"]) if d.get("referrer_agency")
                else None,
                "referrer_name": d.get("referrer_name", ""),
            })
        return args


class DecisionForm(GovukForm):
    """The decision on next steps (WT2018 1.71), feedback to the referrer (1.22) and whether
    the family was told (1.73). Versioned: an edit names the version it started from."""

    versioned = True

    decided_on = GovukDateField(label="Date of the decision")
    outcome = forms.ChoiceField(
        label="What is the decision on next steps?", widget=forms.RadioSelect,
        choices=[(o.value, o.label) for o in OUTCOME_ORDER],
        error_messages={"required": "Select the decision on next steps"})
    reasons = forms.CharField(label="Reasons for the decision", widget=forms.Textarea,
                              error_messages={"required": "Enter the reasons for the decision"})
    feedback_to_referrer = forms.CharField(
        label="Feedback to the referrer", widget=forms.Textarea, required=False,
        help_text="What you will tell the referrer about the decision and the reasons for it. "
        "If the threshold for social care was not met, say why and what other help there is")
    feedback_given_on = GovukDateField(label="Date the feedback was given (optional)",
                                       required=False)
    family_informed = yes_no("Has the family been told what will happen?")
    family_not_informed_reason = forms.CharField(
        label="Why has the family not been told?", widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For example, telling them may jeopardise a police investigation or place the "
        "child at risk of significant harm")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].latest = today()  # type: ignore[attr-defined]
        self.fields["feedback_given_on"].latest = today()  # type: ignore[attr-defined]
        self.fields["decided_on"].initial = self.fields["decided_on"].initial or today()
        self.fields["decided_on"].help_text = "For example, 24 11 2026"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("family_informed") is False and not (
                data.get("family_not_informed_reason") or "").strip():
            self.add_error("family_not_informed_reason", "Enter why the family has not been told")
        return data

    @classmethod
    def initial_from(cls, decision: Any) -> dict[str, Any]:
        """The form's starting answers for changing an existing decision."""
        return {
            "decided_on": decision.decided_on, "outcome": decision.outcome,
            "reasons": decision.reasons, "feedback_to_referrer": decision.feedback_to_referrer,
            "feedback_given_on": decision.feedback_given_on,
            "family_informed": "yes" if decision.family_informed else "no",
            "family_not_informed_reason": decision.family_not_informed_reason,
            "version": decision.version,
        }

    def service_arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "decided_on": d["decided_on"], "outcome": d["outcome"], "reasons": d["reasons"],
            "feedback_to_referrer": d.get("feedback_to_referrer", ""),
            "feedback_given_on": d.get("feedback_given_on"),
            "family_informed": d["family_informed"],
            "family_not_informed_reason": d.get("family_not_informed_reason", ""),
            "version": d.get("version") if d.get("version") is not None else 0,
        }


class AuthoriseForm(GovukForm):
    versioned = True
