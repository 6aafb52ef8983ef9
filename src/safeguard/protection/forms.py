"""The forms of the child protection pages (GOV.UK Design System through ``core/forms.py``).

Forms check what a person typed; the rules of the guidance are the services' (their
:class:`~safeguard.core.services.Invalid` errors land on the fields here). Lists of people
and actions are asked for as numbered rows; ``service_values()`` turns the filled rows into
the services' lists and ``add_service_errors`` maps an error on ``attendees.2.name`` back
to the row it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from safeguard.agencies.models import Agency, Staff
from safeguard.core.forms import GovukDateField, GovukForm, yes_no
from safeguard.core.services import EditConflict, Invalid
from safeguard.protection.models import (
    AbuseCategory,
    ConferenceKind,
    ImmediateProtectionKind,
    PlanEndReason,
)

ATTENDEE_ROWS = 6
ACTION_ROWS = 3
INVITEE_ROWS = 8
FLAG_CHOICES = [("attended", "Attended"), ("report_submitted", "Report submitted"),
                ("core_group", "Core group member")]


def _agency_choices(agencies: Sequence[Agency], blank: str = "Choose an agency"
                    ) -> list[tuple[str, str]]:
    return [("", blank), *((str(a.pk), a.name) for a in agencies)]


def _set_choices(field: forms.Field, choices: list[tuple[str, str]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _staff_choices(staff: Sequence[Staff], blank: str | None = None) -> list[tuple[str, str]]:
    choices = [(str(s.pk), f"{s.name}, {s.get_role_display().lower()}") for s in staff]
    return [("", blank), *choices] if blank is not None else choices


class RowsForm(GovukForm):
    """A form with numbered rows whose service errors may name an item of a list
    (``attendees.2.name``): ``rows[list]`` gives each item's row prefix (or a whole field),
    ``row_fields[list]`` the form suffix of each of the service's field names."""

    row_fields: dict[str, dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: dict[str, list[str]] = {}

    def required_messages(self) -> None:
        """GOV.UK's messages (:meth:`GovukForm.govuk_messages`) for fields added after
        ``__init__``."""
        self.govuk_messages()

    def error_list(self) -> list[dict[str, str]]:
        """The error summary in the order the fields appear on the page."""
        order = {name: i for i, name in enumerate(self.fields)}
        items: list[dict[str, str]] = []
        for name in sorted(self.errors, key=lambda n: order.get(n, -1)):
            # One error for a field (the one shown beside it); all of the form's own.
            messages = self.errors[name] if name == "__all__" else [self.errors[name][0]]
            for message in messages:
                href = "#main-content" if name == "__all__" else f"#{self.anchor(name)}"
                items.append({"text": str(message), "href": href})
        return items

    def add_service_errors(self, error: Invalid | EditConflict) -> None:
        if isinstance(error, EditConflict):
            return super().add_service_errors(error)
        for name, message in error.errors.items():
            field = self._row_field(name) or self.service_fields.get(name, name)
            self.add_error(field if field in self.fields else None, message)
        return None

    def _row_field(self, name: str) -> str | None:
        parts = name.split(".")
        if len(parts) != 3 or parts[0] not in self.rows or not parts[1].isdigit():
            return None
        rows = self.rows[parts[0]]
        if int(parts[1]) >= len(rows):
            return None
        prefix = rows[int(parts[1])]
        if prefix in self.fields:
            return prefix
        return f"{prefix}_{self.row_fields.get(parts[0], {}).get(parts[2], parts[2])}"


def _text(label: str, *, required: bool = False, help_text: str = "", max_length: int = 200,
          error: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           max_length=max_length,
                           error_messages={"required": error} if error else None)


def _area(label: str, *, required: bool = True, help_text: str = "", error: str = ""
          ) -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.Textarea, max_length=20000,
                           error_messages={"required": error} if error else None)


def _yes_no(label: str, *, error: str, required: bool = True, help_text: str = ""
            ) -> forms.TypedChoiceField:
    field = yes_no(label, required=required, help_text=help_text)
    field.error_messages["required"] = error
    return field


def _choice(label: str, *, error: str, radios: bool = False, **kwargs: Any
            ) -> forms.ChoiceField:
    if radios:
        kwargs["widget"] = forms.RadioSelect
    return forms.ChoiceField(label=label, **kwargs,
                             error_messages={"required": error, "invalid_choice": error})


def _date(label: str, *, required: bool = True, help_text: str = "") -> GovukDateField:
    return GovukDateField(label=label, required=required,
                          help_text=help_text or "For example, 27 3 2026")


class ImmediateProtectionForm(GovukForm):
    kind = _choice("What action was taken?", radios=True,
                   choices=ImmediateProtectionKind.choices, error="Select the action taken")
    taken_on = _date("Date the action was taken")
    acting_agency = _choice("Agency that acted", error="Select the agency that acted")
    acted_by = _text("Who acted", required=True, error="Enter who acted",
                     help_text="Name and role, for example PC 1234 Jones, or the social worker")
    details = _area("What was done and why", error="Enter what was done and why",
                    help_text="Include where the child is now and whether other children in the "
                              "household were considered")

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["acting_agency"], _agency_choices(agencies))

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d["kind"], "taken_on": d["taken_on"],
                "acting_agency_id": int(d["acting_agency"]), "acted_by": d["acted_by"],
                "details": d["details"]}


class StrategyDiscussionForm(RowsForm):
    """A strategy discussion: who attended (the authority's staff by name, partners by
    agency), what was decided, and the actions agreed."""

    service_fields = {"attendees.social_care": "la_attendees", "attendees.police": "partners",
                      "attendees.health": "partners", "immediate_protection": "held_on"}
    row_fields = {"attendees": {"staff": "agency"},
                  "actions": {"action": "text", "owner_agency": "owner", "due_on": "due"}}

    def __init__(self, *args: Any, la: Agency, la_staff: Sequence[Staff],
                 partners: Sequence[Agency], agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["held_on"] = _date("Date of the strategy discussion")
        f["la_attendees"] = forms.MultipleChoiceField(
            label=f"Who attended from {la.name} children’s social care?",
            choices=_staff_choices(la_staff), widget=forms.CheckboxSelectMultiple,
            required=False, help_text="A social worker or team manager must attend")
        f["partners"] = forms.CharField(required=False, widget=forms.HiddenInput,
                                        label="Attendees from other agencies")
        for i in range(1, ATTENDEE_ROWS + 1):
            f[f"attendee_{i}_agency"] = forms.ChoiceField(
                label="Agency", choices=_agency_choices(partners), required=False)
            f[f"attendee_{i}_name"] = _text("Name")
            f[f"attendee_{i}_role"] = _text("Role or job title")
        f["s47_initiated"] = _yes_no(
            "Did the discussion decide to start section 47 enquiries?",
            error="Select yes if the discussion decided to start section 47 enquiries")
        f["criminal_investigation"] = _yes_no(
            "Will there be a criminal investigation?",
            error="Select yes if there will be a criminal investigation")
        f["decisions"] = _area(
            "What was decided", error="Enter what was decided",
            help_text="Include the level of risk, what will be shared with the child and "
                      "family, and whether legal action is needed")
        for j in range(1, ACTION_ROWS + 1):
            f[f"action_{j}_text"] = _text("Action", max_length=2000)
            f[f"action_{j}_owner"] = forms.ChoiceField(
                label="Agency responsible", choices=_agency_choices(agencies), required=False)
            f[f"action_{j}_owner_name"] = _text("Person responsible (optional)")
            f[f"action_{j}_due"] = _date("Due by", required=False)
        f["immediate_protection"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
        self.la_id = la.pk
        self.required_messages()

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        for i in range(1, ATTENDEE_ROWS + 1):
            agency, name = d.get(f"attendee_{i}_agency"), d.get(f"attendee_{i}_name")
            if name and not agency:
                self.add_error(f"attendee_{i}_agency", f"Choose the agency of attendee {i}")
            elif agency and not name:
                self.add_error(f"attendee_{i}_name", f"Enter the name of attendee {i}")
        for j in range(1, ACTION_ROWS + 1):
            text, owner = d.get(f"action_{j}_text"), d.get(f"action_{j}_owner")
            due = d.get(f"action_{j}_due")
            if (text or owner or due) and f"action_{j}_due" not in self.errors:
                if not text:
                    self.add_error(f"action_{j}_text", f"Enter action {j}")
                if not owner:
                    self.add_error(f"action_{j}_owner", f"Choose who is responsible for action {j}")
                if not due:
                    self.add_error(f"action_{j}_due", f"Enter the date action {j} is due")
        return d

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        attendees: list[dict[str, Any]] = []
        rows: list[str] = []
        for staff_id in d.get("la_attendees") or []:
            attendees.append({"agency_id": self.la_id, "staff_id": int(staff_id)})
            rows.append("la_attendees")
        for i in range(1, ATTENDEE_ROWS + 1):
            if d.get(f"attendee_{i}_agency"):
                attendees.append({"agency_id": int(d[f"attendee_{i}_agency"]),
                                  "name": d[f"attendee_{i}_name"],
                                  "role": d[f"attendee_{i}_role"]})
                rows.append(f"attendee_{i}")
        actions: list[dict[str, Any]] = []
        action_rows: list[str] = []
        for j in range(1, ACTION_ROWS + 1):
            if d.get(f"action_{j}_text"):
                actions.append({"action": d[f"action_{j}_text"],
                                "owner_agency_id": int(d[f"action_{j}_owner"]),
                                "owner": d[f"action_{j}_owner_name"],
                                "due_on": d[f"action_{j}_due"]})
                action_rows.append(f"action_{j}")
        self.rows = {"attendees": rows, "actions": action_rows}
        return {"held_on": d["held_on"], "attendees": attendees,
                "s47_initiated": d["s47_initiated"],
                "criminal_investigation": d["criminal_investigation"],
                "decisions": d["decisions"], "actions": actions,
                "immediate_protection_id": d.get("immediate_protection")}

    def attendee_rows(self) -> list[dict[str, Any]]:
        return [{"number": i, "agency": self[f"attendee_{i}_agency"],
                 "name": self[f"attendee_{i}_name"], "role": self[f"attendee_{i}_role"]}
                for i in range(1, ATTENDEE_ROWS + 1)]

    def action_rows(self) -> list[dict[str, Any]]:
        return [{"number": j, "text": self[f"action_{j}_text"],
                 "owner": self[f"action_{j}_owner"], "owner_name": self[f"action_{j}_owner_name"],
                 "due": self[f"action_{j}_due"]} for j in range(1, ACTION_ROWS + 1)]


class S47OutcomeForm(GovukForm):
    versioned = True
    outcome_on = _date("Date of the outcome")
    substantiated = _yes_no("Were the concerns of significant harm substantiated?",
                            error="Select yes if the concerns were substantiated")
    conference = _yes_no(
        "Will the local authority convene an initial child protection conference?",
        error="Select yes if the local authority will convene an initial conference",
        help_text="If not, other agencies involved with the child can ask for one")
    notes = _area("Reasons and next steps", required=False,
                  help_text="For example, the support that will be offered")

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"outcome_on": d["outcome_on"], "substantiated": d["substantiated"],
                "conference": d["conference"], "notes": d["notes"], "version": d.get("version")}


class ConferenceRequestForm(GovukForm):
    versioned = True
    reasons = _area("Why are you asking for a conference?",
                    error="Enter why you are asking for a conference",
                    help_text="Say what your serious concerns about the child’s safety are")
    service_fields = {"enquiry": "reasons"}


KIND_TITLES: dict[str, str] = {
    ConferenceKind.INITIAL: "Record an initial child protection conference",
    ConferenceKind.REVIEW: "Record a child protection review conference",
    ConferenceKind.TRANSFER_IN: "Record a transfer-in conference",
}


class ConferenceForm(RowsForm):
    """A conference: when, chair, who was invited (with attendance, reports, the core
    group), the decision and, when a plan starts, its category and lead social worker."""

    row_fields = {"invitees": {"staff": "agency"}, "core_group": {"staff": "agency"}}

    def __init__(self, *args: Any, kind: str, agencies: Sequence[Agency],
                 chairs: Sequence[Staff], leads: Sequence[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        f = self.fields
        f["held_on"] = _date("Date of the conference")
        f["chair"] = _choice(
            "Chair", error="Select the chair", choices=_staff_choices(chairs, "Choose the chair"),
            help_text="The chair must be independent of the case’s line management")
        f["invitees"] = forms.CharField(required=False, widget=forms.HiddenInput,
                                        label="Invitees")
        for i in range(1, INVITEE_ROWS + 1):
            f[f"invitee_{i}_agency"] = forms.ChoiceField(
                label="Agency", choices=_agency_choices(agencies), required=False)
            f[f"invitee_{i}_name"] = _text("Name")
            f[f"invitee_{i}_role"] = _text("Role or job title")
            f[f"invitee_{i}_flags"] = forms.MultipleChoiceField(
                label=f"Invitee {i}", choices=FLAG_CHOICES, required=False,
                widget=forms.CheckboxSelectMultiple)
        review = kind == ConferenceKind.REVIEW
        f["plan_decision"] = _yes_no(
            "Does the child protection plan continue?" if review
            else "Is the child to be the subject of a child protection plan?",
            error="Select yes if the child protection plan continues" if review
            else "Select yes if the child is to be the subject of a child protection plan")
        f["category"] = forms.ChoiceField(
            label="Category of abuse", widget=forms.RadioSelect, required=False,
            choices=AbuseCategory.choices,
            help_text="Needed when the child becomes the subject of a plan" if not review
            else "Only if the conference changed it")
        f["lead_social_worker"] = forms.ChoiceField(
            label="Lead social worker", required=False,
            choices=_staff_choices(leads, "Choose the lead social worker"),
            help_text="Needed when the child becomes the subject of a plan" if not review
            else "Only if it changes")
        if review:
            f["end_reason"] = forms.ChoiceField(
                label="If the plan ends, why?", widget=forms.RadioSelect, required=False,
                choices=PlanEndReason.choices,
                help_text="If you do not say, the plan ends because the child is no longer at "
                          "risk of significant harm")
            f["receiving_conference_on"] = _date(
                "Date of the receiving local authority’s conference", required=False,
                help_text="Only if the child moved: the plan may not end before it")
        f["summary"] = _area("Summary of the conference’s decisions and recommendations",
                             required=False)
        self.required_messages()

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        for i in range(1, INVITEE_ROWS + 1):
            agency, name = d.get(f"invitee_{i}_agency"), d.get(f"invitee_{i}_name")
            if name and not agency:
                self.add_error(f"invitee_{i}_agency", f"Choose the agency of invitee {i}")
            elif agency and not name:
                self.add_error(f"invitee_{i}_name", f"Enter the name of invitee {i}")
        return d

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        invitees, core_group, rows, core_rows = [], [], [], []
        for i in range(1, INVITEE_ROWS + 1):
            if not d.get(f"invitee_{i}_agency"):
                continue
            flags = set(d.get(f"invitee_{i}_flags") or [])
            person = {"agency_id": int(d[f"invitee_{i}_agency"]), "name": d[f"invitee_{i}_name"],
                      "role": d[f"invitee_{i}_role"]}
            invitees.append({**person, "attended": "attended" in flags,
                             "report_submitted": "report_submitted" in flags})
            rows.append(f"invitee_{i}")
            if "core_group" in flags:
                core_group.append(person)
                core_rows.append(f"invitee_{i}")
        self.rows = {"invitees": rows, "core_group": core_rows}
        values = {
            "kind": self.kind, "held_on": d["held_on"], "chair_id": int(d["chair"]),
            "invitees": invitees, "plan_decision": d["plan_decision"],
            "category": d.get("category") or "",
            "lead_social_worker_id": int(d["lead_social_worker"]) if d.get(
                "lead_social_worker") else None,
            "core_group": core_group, "summary": d.get("summary") or "",
        }
        if self.kind == ConferenceKind.REVIEW:
            values["end_reason"] = d.get("end_reason") or ""
            values["receiving_conference_on"] = d.get("receiving_conference_on")
        return values

    def invitee_rows(self) -> list[dict[str, Any]]:
        return [{"number": i, "agency": self[f"invitee_{i}_agency"],
                 "name": self[f"invitee_{i}_name"], "role": self[f"invitee_{i}_role"],
                 "flags": self[f"invitee_{i}_flags"]} for i in range(1, INVITEE_ROWS + 1)]


class CoreGroupMeetingForm(GovukForm):
    held_on = _date("Date of the meeting")
    notes = _area("Decisions and actions agreed", required=False,
                  help_text="Include the written views of anyone who could not attend")


class PlanOutcomesForm(GovukForm):
    versioned = True
    outcomes = _area("Outcomes of the plan", error="Enter the outcomes of the plan",
                     help_text="What needs to change, by how much and by when, for the child to "
                               "be safe and have their needs met")


class PlanActionForm(GovukForm):
    versioned = True
    action = _area("Action", error="Enter the action")
    owner_agency = _choice("Agency responsible", error="Select the agency responsible")
    owner = _text("Person responsible (optional)")
    due_on = _date("Due by (optional)", required=False)

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["owner_agency"], _agency_choices(agencies))

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"action": d["action"], "owner_agency_id": int(d["owner_agency"]),
                "owner": d["owner"], "due_on": d["due_on"], "version": d.get("version")}


class PlanEndForm(GovukForm):
    versioned = True
    reason = _choice("Why is the plan ending?", radios=True, choices=PlanEndReason.choices,
                     error="Select why the plan is ending")
    ended_on = _date("Date the plan ended")
    receiving_conference_on = _date(
        "Date of the receiving local authority’s conference", required=False,
        help_text="Only if the child moved permanently to another local authority area: the "
                  "plan may not end before the receiving authority’s conference. For example, "
                  "27 3 2026")

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"reason": d["reason"], "ended_on": d["ended_on"],
                "receiving_conference_on": d.get("receiving_conference_on"),
                "version": d.get("version")}


class MovedInForm(GovukForm):
    notified_on = _date("Date you were notified of the move")
    from_local_authority = _text("Local authority the child moved from", required=True,
                                 error="Enter the local authority the child moved from")
    moved_on = _date("Date of the move (optional)", required=False)
    plan_started_on = _date("Date the other authority’s plan started (optional)",
                            required=False)
    category = forms.ChoiceField(label="Category of abuse of that plan (optional)",
                                 required=False,
                                 choices=[("", "Not known"), *AbuseCategory.choices])
    notes = _area("Notes (optional)", required=False)


class ReturnHomeForm(GovukForm):
    returned_on = _date("Date the child returned home")
    planned = _yes_no("Was the return home planned?",
                      error="Select yes if the return home was planned",
                      help_text="Planned as part of the care planning process")
    immediate_concerns = _yes_no(
        "If it was not planned, are there immediate concerns about the child’s safety?",
        error="Select yes if there are immediate concerns about the child’s safety",
        required=False)
    assessment = _area("Assessment of the child’s and family’s needs",
                       error="Enter the assessment of the child’s and family’s needs",
                       help_text="Include what services and support they need")
    support_plan = _area("Plan of services and support",
                         error="Enter the plan of services and support",
                         help_text="The timeline and decisions for ongoing support, and how its "
                                   "impact will be reviewed")

    def clean_immediate_concerns(self) -> bool | None:
        value = self.cleaned_data.get("immediate_concerns")
        return None if value in ("", None) else bool(value)

