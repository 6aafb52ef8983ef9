"""The sharing forms (WT2018 1.23-1.27), in GOV.UK patterns.

:class:`SharingBasisForm` asks what every sharing record needs — the purpose, whether consent
was sought and given, the lawful basis where information is shared without it, and whether
the child or family was told — and each form that shares something builds on it: a decision
recorded by hand (:class:`SharingForm`), a conference's report sent to agencies
(:class:`ConferenceReportForm`) and a case record exported (:class:`CaseExportForm`). The
rules of a complete record are the service's (``services.check_sharing``), shown against
these fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.sharing.models import Article6Basis, Decision, Paragraph18Reason

#: The fields of :class:`SharingBasisForm`, in the order the pages ask them.
BASIS_FIELDS = ("purpose", "consent_sought", "consent_given", "consent_not_sought_reason",
                "article_6_basis", "paragraph_18_reason", "person_told",
                "person_not_told_reason")


class SharingBasisForm(GovukForm):
    """Purpose, consent, the lawful basis without consent, and telling the family."""

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

    def basis_arguments(self) -> dict[str, Any]:
        """The service's arguments for these fields (``check_sharing``'s names)."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "consent_sought": data.get("consent_sought"),
            "consent_given": data.get("consent_given") if data.get("consent_sought") else None,
            "consent_not_sought_reason": data.get("consent_not_sought_reason", ""),
            "article_6_basis": data.get("article_6_basis", ""),
            "paragraph_18_reason": data.get("paragraph_18_reason", ""),
            "person_told": data.get("person_told"),
            "person_not_told_reason": data.get("person_not_told_reason", ""),
        }


class _RecipientForm(SharingBasisForm):
    """The agency and/or the person or role the information goes to."""

    service_fields = {"with_agency": "with_agency"}

    with_agency = forms.ChoiceField(label="Agency it is shared with", required=False)
    with_whom = forms.CharField(label="Person or role it is shared with", required=False,
                                max_length=200)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with_agency"].choices = [("", "Choose an agency"), *agencies]  # type: ignore[attr-defined]

    def recipient_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "with_agency_id": int(data["with_agency"]) if data.get("with_agency") else None,
            "with_whom": data.get("with_whom", ""),
        }


class SharingForm(_RecipientForm):
    """A decision to share or not, recorded by hand."""

    field_order = ["decision", "decided_on", "what", "items", "with_agency", "with_whom",
                   *BASIS_FIELDS]

    decision = forms.ChoiceField(
        label="Is the information to be shared?", choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the information is shared"})
    decided_on = GovukDateField(label="Date of the decision")
    what = forms.CharField(label="What information", widget=forms.Textarea,
                           help_text="Say what is shared, or what was asked for")
    items = forms.MultipleChoiceField(label="Records of the case it includes", required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]],
                 items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, agencies=agencies, **kwargs)
        self.fields["items"].choices = items  # type: ignore[attr-defined]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "decision": data["decision"], "decided_on": data["decided_on"],
            "what": data["what"], **self.recipient_arguments(), **self.basis_arguments(),
            "items": [{"ref": ref} for ref in data.get("items", [])],
        }


#: The purpose a conference's report is sent for, as the form first shows it.
REPORT_PURPOSE = ("So that each agency working with the child knows the conference’s "
                  "decision and the child protection plan, and can carry out its part of it")


class ConferenceReportForm(SharingBasisForm):
    """Send a conference's report to some or all of the agencies invited to it."""

    service_fields = {"agency_ids": "recipients"}
    field_order = ["recipients", *BASIS_FIELDS]

    recipients = forms.MultipleChoiceField(
        label="Agencies to send the report to", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the agencies to send the report to"})

    def __init__(self, *args: Any, recipients: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("purpose", REPORT_PURPOSE)
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = recipients  # type: ignore[attr-defined]

    def service_arguments(self) -> dict[str, Any]:
        return {"agency_ids": [int(pk) for pk in self.cleaned_data["recipients"]],
                **self.basis_arguments()}


class ExportFormat:
    HTML = "html"
    JSON = "json"
    CHOICES = [(HTML, "A page to print"), (JSON, "A JSON file to download")]


class CaseExportForm(_RecipientForm):
    """Export a case record for a named recipient."""

    field_order = ["with_agency", "with_whom", "sections", "format", *BASIS_FIELDS]

    sections = forms.MultipleChoiceField(
        label="What to include", widget=forms.CheckboxSelectMultiple,
        help_text="Include only what the recipient needs for the purpose",
        error_messages={"required": "Select what to include in the export"})
    format = forms.ChoiceField(
        label="Format", widget=forms.RadioSelect, choices=ExportFormat.CHOICES,
        error_messages={"required": "Select the format of the export"})

    def __init__(self, *args: Any, agencies: list[tuple[str, str]],
                 sections: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, agencies=agencies, **kwargs)
        self.fields["sections"].choices = sections  # type: ignore[attr-defined]
        self.fields["with_whom"].label = "Person, role or court it is for"
        self.fields["purpose"].help_text = ("Why the recipient needs the record: for example, "
                                            "the child has moved to their area")

    def service_arguments(self) -> dict[str, Any]:
        return {"sections": list(self.cleaned_data["sections"]),
                **self.recipient_arguments(), **self.basis_arguments()}
