"""Early help (WT2018 1.1-1.16): an inter-agency assessment undertaken with the agreement of
the child and their parents or carers, a lead practitioner, a plan with outcomes and regular
reviews; stepping up to children's social care, and stepping down from it.

One function per operation, keyword-only, in a transaction: access (``selectors``), checks
(:class:`Invalid` naming each field, nothing changed), version (:class:`EditConflict`), the
change, the audit entry (field names only).

Consent: an early help assessment never starts without the consent recorded — who gave it
and when (1.9). A referral to children's social care (the step-up) needs no consent: "if at
any time it is considered that the child may be a child in need … or has suffered significant
harm or is likely to do so, a referral should be made immediately" (1.10), by any
practitioner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction

from safeguard.agencies.models import Agency, Staff
from safeguard.cases.models import Case, InvolvementKind
from safeguard.cases.policy import staff_of
from safeguard.cases.services import involve
from safeguard.core.dates import format_date, today
from safeguard.core.services import Context, Invalid, NotAllowed, audit, check_version
from safeguard.earlyhelp.models import (
    ClosureReason,
    ConsentFrom,
    EarlyHelpAssessment,
    EarlyHelpPlan,
    EarlyHelpReview,
)
from safeguard.earlyhelp.selectors import (
    LEAD_ROLES,
    children_visible_to,
    early_help_visible_to,
    may_change,
    may_start_early_help,
)
from safeguard.people.models import Person
from safeguard.people.services import find_or_add_child
from safeguard.referrals.models import Referral

NO_CONSENT = (
    "An early help assessment needs the agreement of the child and their parents or carers "
    "(Working Together 2018, 1.9): it cannot start without consent. If the child may be in "
    "need or at risk of significant harm, make a referral to children’s social care — that "
    "does not need consent (1.10)"
)
#: The referral source code of a step-up (children in need census: 5D early help).
STEP_UP_SOURCE = "5D"


def _not_after_today(errors: dict[str, str], field: str, day: date | None, label: str) -> None:
    if day is not None and day > today():
        errors[field] = f"{label} must be today or in the past"


def open_early_help(
    *, actor: Any, staff: Staff, child: Person, local_authority: Agency, started_on: date,
    consent_given: bool | None, consent_from: str = "", consent_given_by: str = "",
    consent_recorded_on: date | None = None, lead_practitioner_id: int | None = None,
    needs: str = "", wishes_and_feelings: str = "", agency_ids: Iterable[int] = (),
    stepped_down_from: Case | None = None, check_only: bool = False,
    context: Context | None = None,
) -> EarlyHelpAssessment | None:
    """Check, and unless ``check_only`` make, an early help assessment for ``child`` in the
    ``local_authority``'s area. The callers have checked who may do it; this checks the
    record (consent first). Raises :class:`Invalid`."""
    errors: dict[str, str] = {}
    if consent_given is None:
        errors["consent_given"] = ("Select yes if the child and their parents or carers agreed "
                                   "to the early help assessment")
    elif not consent_given:
        errors["consent_given"] = NO_CONSENT
    else:
        if consent_from not in ConsentFrom.values:
            errors["consent_from"] = "Select who gave consent"
        if not consent_given_by.strip():
            errors["consent_given_by"] = "Enter the name of the person or people who gave consent"
        if consent_recorded_on is None:
            errors["consent_recorded_on"] = "Enter the date consent was given"
        elif consent_recorded_on > today():
            errors["consent_recorded_on"] = "Date consent was given must be today or in the past"
        elif consent_recorded_on > started_on:
            errors["consent_recorded_on"] = ("Date consent was given must be on or before the "
                                             "start of the assessment")
    _not_after_today(errors, "started_on", started_on, "Start date")
    if not needs.strip():
        errors["needs"] = "Enter the child’s and family’s needs the assessment identified"
    la_id = local_authority.pk
    lead = staff if lead_practitioner_id is None else Staff.objects.filter(
        pk=lead_practitioner_id, active=True).select_related("agency").first()
    if lead is None or lead.role not in LEAD_ROLES or lead.local_authority_id != la_id:
        errors["lead_practitioner"] = ("Choose a lead practitioner in an early help role in the "
                                       "local authority’s area")
    ids = list(dict.fromkeys(int(i) for i in agency_ids))
    agencies = list(Agency.objects.filter(pk__in=ids))
    if len(agencies) != len(ids) or any(a.local_authority_id != la_id for a in agencies):
        errors["agencies"] = "Choose agencies of the local authority’s area"
    if errors:
        raise Invalid(errors)
    if check_only:
        return None
    assert lead is not None
    record = EarlyHelpAssessment.objects.create(
        child=child, local_authority=local_authority, agency=lead.agency,
        lead_practitioner=lead, started_on=started_on, consent_given=True,
        consent_from=consent_from, consent_given_by=consent_given_by.strip(),
        consent_recorded_on=consent_recorded_on, needs=needs.strip(),
        wishes_and_feelings=wishes_and_feelings.strip(), stepped_down_from=stepped_down_from,
        created_by=actor,
    )
    record.contributing_agencies.set([a for a in agencies if a.pk != lead.agency_id])
    audit(actor=actor, action="create", obj=record,
          case_id=stepped_down_from.pk if stepped_down_from else None, context=context,
          detail={"fields": ["child", "lead_practitioner", "started_on", "consent", "needs",
                             "wishes_and_feelings", "agencies"],
                  "step_down": stepped_down_from is not None})
    return record


@transaction.atomic
def early_help_start(
    *, actor: Any, started_on: date, consent_given: bool | None, consent_from: str = "",
    consent_given_by: str = "", consent_recorded_on: date | None = None,
    needs: str = "", wishes_and_feelings: str = "", lead_practitioner_id: int | None = None,
    agency_ids: Iterable[int] = (), child: Mapping[str, Any] | None = None,
    child_id: int | None = None, context: Context | None = None,
) -> EarlyHelpAssessment:
    """Start an inter-agency early help assessment (WT2018 1.7-1.9), with the consent of the
    child and their parents or carers recorded. The child is one already known to the acting
    person (``child_id``) or given as for a referral (``child``: ``given_name``,
    ``family_name``, ``date_of_birth`` or ``expected_date_of_birth``, optional ``sex``,
    ``nhs_number``, ``upn``, ``address``, ``postcode``)."""
    staff = staff_of(actor)
    if not may_start_early_help(staff):
        raise NotAllowed("Your role cannot start early help assessments.")
    assert staff is not None
    la_id = staff.local_authority_id
    local_authority = Agency.objects.filter(pk=la_id).first() if la_id else None
    if local_authority is None:
        raise NotAllowed("Your agency is not linked to a local authority area.")
    errors: dict[str, str] = {}
    person: Person | None = None
    if child_id is not None:
        person = children_visible_to(actor).filter(pk=child_id).first()
        if person is None:
            errors["child"] = "Choose a child you have access to"
    elif child is None:
        errors["child"] = "Enter the child’s details"
    else:
        try:
            person, _created = find_or_add_child(created_by=actor, **child)
        except Invalid as exc:
            errors.update({f"child.{k}": v for k, v in exc.errors.items()})
    try:
        open_early_help(
            actor=actor, staff=staff, child=person or Person(), local_authority=local_authority,
            started_on=started_on, consent_given=consent_given, consent_from=consent_from,
            consent_given_by=consent_given_by, consent_recorded_on=consent_recorded_on,
            lead_practitioner_id=lead_practitioner_id, needs=needs,
            wishes_and_feelings=wishes_and_feelings, agency_ids=agency_ids, check_only=True)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    assert person is not None
    record = open_early_help(
        actor=actor, staff=staff, child=person, local_authority=local_authority,
        started_on=started_on, consent_given=consent_given, consent_from=consent_from,
        consent_given_by=consent_given_by, consent_recorded_on=consent_recorded_on,
        lead_practitioner_id=lead_practitioner_id, needs=needs,
        wishes_and_feelings=wishes_and_feelings, agency_ids=agency_ids, context=context)
    assert record is not None
    return record


def _lock(actor: Any, assessment_id: int) -> tuple[EarlyHelpAssessment, Staff]:
    """The record, locked, if the acting person may see and change it."""
    if not early_help_visible_to(actor).filter(pk=assessment_id).exists():
        raise NotAllowed("You do not have access to this early help record, or it does not "
                         "exist.")
    record = EarlyHelpAssessment.objects.select_for_update().get(pk=assessment_id)
    staff = staff_of(actor)
    if not may_change(staff, record):
        raise NotAllowed("Only the lead practitioner, their agency or children’s social care "
                         "of the area can change this early help record.")
    assert staff is not None
    return record, staff


def _open(record: EarlyHelpAssessment) -> None:
    if not record.is_open:
        raise Invalid({"assessment": "This early help record is closed"})


@transaction.atomic
def early_help_plan_record(
    *, actor: Any, assessment_id: int, started_on: date, outcomes: str, services: str = "",
    next_review_on: date | None = None, version: int | None = None,
    context: Context | None = None,
) -> EarlyHelpPlan:
    """Agree the early help plan: outcomes for the child and how they are measured, the help
    given and by whom, and when it is first reviewed (WT2018 1.12: "regular review")."""
    record, _staff = _lock(actor, assessment_id)
    check_version(record, version)
    _open(record)
    if EarlyHelpPlan.objects.filter(assessment=record).exists():
        raise Invalid({"assessment": "This early help assessment already has a plan"})
    errors: dict[str, str] = {}
    if started_on < record.started_on:
        errors["started_on"] = ("Date the plan was agreed must be on or after the assessment "
                                f"started ({format_date(record.started_on)})")
    _not_after_today(errors, "started_on", started_on, "Date the plan was agreed")
    if not outcomes.strip():
        errors["outcomes"] = "Enter the outcomes for the child and how they will be measured"
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the first review"
    elif next_review_on <= started_on:
        errors["next_review_on"] = "Date of the first review must be after the plan is agreed"
    if errors:
        raise Invalid(errors)
    plan = EarlyHelpPlan.objects.create(
        assessment=record, started_on=started_on, outcomes=outcomes.strip(),
        services=services.strip(), next_review_on=next_review_on, created_by=actor)
    if record.completed_on is None:
        record.completed_on = started_on
    record.version += 1
    record.save()
    audit(actor=actor, action="create", obj=plan, context=context,
          detail={"fields": ["started_on", "outcomes", "services", "next_review_on"]})
    return plan


@transaction.atomic
def early_help_review(
    *, actor: Any, assessment_id: int, held_on: date, progress: str,
    next_review_on: date | None = None, version: int | None = None,
    context: Context | None = None,
) -> EarlyHelpReview:
    """Review the early help plan: progress towards its outcomes, and the next review."""
    record, _staff = _lock(actor, assessment_id)
    check_version(record, version)
    _open(record)
    plan = EarlyHelpPlan.objects.select_for_update().filter(assessment=record).first()
    if plan is None:
        raise Invalid({"assessment": "Agree the early help plan before reviewing it"})
    errors: dict[str, str] = {}
    if held_on < plan.started_on:
        errors["held_on"] = ("Date of the review must be on or after the plan was agreed "
                             f"({format_date(plan.started_on)})")
    _not_after_today(errors, "held_on", held_on, "Date of the review")
    if not progress.strip():
        errors["progress"] = "Enter the progress made towards the plan’s outcomes"
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review"
    elif next_review_on <= held_on:
        errors["next_review_on"] = "Date of the next review must be after this review"
    if errors:
        raise Invalid(errors)
    review = EarlyHelpReview.objects.create(plan=plan, held_on=held_on,
                                            progress=progress.strip(),
                                            next_review_on=next_review_on, created_by=actor)
    plan.next_review_on = next_review_on
    plan.version += 1
    plan.save()
    record.version += 1
    record.save()
    audit(actor=actor, action="create", obj=review, context=context,
          detail={"fields": ["held_on", "progress", "next_review_on"]})
    return review


@transaction.atomic
def early_help_close(
    *, actor: Any, assessment_id: int, closed_on: date, reason: str,
    version: int | None = None, context: Context | None = None,
) -> EarlyHelpAssessment:
    """Close the early help record (and end its plan), with the reason."""
    record, _staff = _lock(actor, assessment_id)
    check_version(record, version)
    _open(record)
    errors: dict[str, str] = {}
    if reason not in ClosureReason.values:
        errors["reason"] = "Select why early help is ending"
    if closed_on < record.started_on:
        errors["closed_on"] = ("Date closed must be on or after the assessment started "
                               f"({format_date(record.started_on)})")
    _not_after_today(errors, "closed_on", closed_on, "Date closed")
    if errors:
        raise Invalid(errors)
    record.closed_on = closed_on
    record.closure_reason = reason
    record.version += 1
    record.save()
    EarlyHelpPlan.objects.filter(assessment=record, ended_on__isnull=True).update(
        ended_on=closed_on)
    audit(actor=actor, action="close", obj=record, context=context,
          detail={"fields": ["closed_on", "closure_reason"]})
    return record


def _child_details(person: Person) -> dict[str, Any]:
    return {
        "given_name": person.given_name, "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "expected_date_of_birth": person.expected_date_of_birth, "sex": person.sex,
        "nhs_number": person.nhs_number, "upn": person.upn, "address": person.address,
        "postcode": person.postcode,
    }


@transaction.atomic
def early_help_step_up(
    *, actor: Any, assessment_id: int, concerns: str, version: int | None = None,
    context: Context | None = None,
) -> Referral:
    """Step up: refer the child to children's social care from the early help record, with
    the concerns (WT2018 1.10, 1.20: the early help assessment supports the referral). No
    consent is needed to refer. The referral is linked to the record, and the lead
    practitioner is involved in the case."""
    from safeguard.referrals.services import referral_create

    if not early_help_visible_to(actor).filter(pk=assessment_id).exists():
        raise NotAllowed("You do not have access to this early help record, or it does not "
                         "exist.")
    record = EarlyHelpAssessment.objects.select_for_update(of=("self",)).select_related(
        "child", "lead_practitioner__agency").get(pk=assessment_id)
    check_version(record, version)
    _open(record)
    if record.stepped_up_to_id is not None:
        raise Invalid({"assessment": "The child has already been referred to children’s social "
                                     "care from this early help record"})
    if not concerns.strip():
        raise Invalid({"concerns": "Enter the concerns about the child"})
    try:
        referral = referral_create(
            actor=actor, received_on=today(), source=STEP_UP_SOURCE, concerns=concerns.strip(),
            child=_child_details(record.child), context=context,
        )
    except Invalid as exc:
        # The child's details come from the record; say so rather than name a hidden field.
        raise Invalid({("concerns" if k == "concerns" else "assessment"): v
                       for k, v in exc.errors.items()}) from exc
    if record.local_authority_id and referral.case.local_authority_id != record.local_authority_id:
        raise NotAllowed("You can only refer to the local authority of the early help record.")
    lead = record.lead_practitioner
    if lead is not None and not lead.agency.is_local_authority:
        involve(case=referral.case, agency=lead.agency, staff=lead,
                kind=InvolvementKind.LEAD_PRACTITIONER, since=referral.received_on)
    record.stepped_up_to = referral
    record.version += 1
    record.save()
    audit(actor=actor, action="step_up", obj=record, case_id=referral.case_id, context=context,
          detail={"fields": ["stepped_up_to"], "referral": referral.pk})
    return referral
