"""Assessments under the Children Act 1989 (s17 and s47), child in need plans, and closing a
case after an assessment (WT2018 1.38-1.77).

One function per operation, keyword-only, in a transaction: it checks access with the policy,
validates (raising :class:`Invalid` naming each field, with nothing changed), checks the
version of a record it edits (:class:`EditConflict`), makes the change, writes the audit entry
(field names only, never their values) and has the case's obligations recomputed by the
statutory engine.

The 45 working-day timescale is the engine's (``selectors.timescale``): completing an
assessment later than that needs the reason recorded (WT2018 1.75).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction

from safeguard.agencies.models import Agency, Role, Staff
from safeguard.assessments.models import (
    ASSESSMENT_FACTORS,
    NO_FACTORS,
    Assessment,
    AssessmentKind,
    AssessmentOutcome,
    ChildInNeedPlan,
    ChildInNeedPlanOutcome,
    ChildInNeedPlanReview,
    CinPlanEndReason,
)
from safeguard.assessments.selectors import LEADS_TO_ASSESSMENT, timescale
from safeguard.cases.models import Case, ClosureReason
from safeguard.cases.policy import require, require_view
from safeguard.cases.services import recompute_obligations
from safeguard.core.dates import format_date, today
from safeguard.core.services import Context, Invalid, NotAllowed, audit, check_version
from safeguard.referrals.models import Referral

FACTOR_CODES = [code for code, _ in ASSESSMENT_FACTORS]
#: The record's sections, as the task list shows them (the three domains of the assessment
#: framework, WT2018 1.52, and the child's wishes and feelings).
SECTIONS = {
    "wishes_and_feelings": "The child's wishes and feelings",
    "developmental_needs": "The child's developmental needs",
    "parenting_capacity": "Parenting capacity",
    "family_and_environment": "Family and environmental factors",
}
#: Who may be the social worker of an assessment.
ASSESSOR_ROLES = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER})


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Not given": an update leaves the field as it is.
UNSET: Any = _Unset()


# ---- shared --------------------------------------------------------------------------------


def _lock_assessment(actor: Any, assessment_id: int) -> Assessment:
    """The assessment, locked for the change, if the acting person may see its case."""
    found = Assessment.objects.filter(pk=assessment_id).values_list("case_id", flat=True).first()
    if found is None:
        raise NotAllowed("You do not have access to this assessment, or it does not exist.")
    case = require_view(actor, found)
    assessment = Assessment.objects.select_for_update().get(pk=assessment_id)
    assessment.case = case
    return assessment


def _lock_plan(actor: Any, plan_id: int) -> ChildInNeedPlan:
    found = ChildInNeedPlan.objects.filter(pk=plan_id).values_list("case_id", flat=True).first()
    if found is None:
        raise NotAllowed("You do not have access to this plan, or it does not exist.")
    case = require_view(actor, found)
    plan = ChildInNeedPlan.objects.select_for_update().get(pk=plan_id)
    plan.case = case
    return plan


def _not_after_today(errors: dict[str, str], field: str, day: date | None, label: str) -> None:
    if day is not None and day > today():
        errors[field] = f"{label} must be today or in the past"


def _agencies_of_area(case: Case, agency_ids: Iterable[int], errors: dict[str, str],
                      field: str) -> list[Agency]:
    ids = list(dict.fromkeys(int(i) for i in agency_ids))
    found = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    la = case.local_authority_id
    if any(i not in found or found[i].local_authority_id != la for i in ids):
        errors[field] = "Choose agencies of the local authority's area"
        return []
    return [found[i] for i in ids]


def _bump(record: Any) -> None:
    record.version += 1
    record.save()


def clean_factors(factors: Iterable[str]) -> tuple[list[str], str | None]:
    """The factors identified as census codes in the census order, or an error message.
    "21 No factors identified" may only be used alone."""
    chosen = [str(f).strip().upper() for f in factors if str(f).strip()]
    unknown = [f for f in chosen if f not in FACTOR_CODES]
    if unknown:
        return [], f"{', '.join(unknown)} is not a factor code of the children in need census"
    if NO_FACTORS in chosen and len(set(chosen)) > 1:
        return [], ("Select ‘No factors identified’ on its own, or unselect it and keep the "
                    "factors identified")
    return [c for c in FACTOR_CODES if c in chosen], None


def missing_sections(assessment: Assessment) -> dict[str, str]:
    """What must be recorded before the assessment can be completed, by field."""
    missing: dict[str, str] = {}
    unborn = assessment.case.child.is_unborn
    if not unborn and assessment.child_seen_on is None:
        missing["child_seen_on"] = "Record when the child was seen before completing the assessment"
    for field, label in SECTIONS.items():
        if field == "wishes_and_feelings" and unborn:
            continue
        if not getattr(assessment, field).strip():
            missing[field] = f"Record {label[0].lower() + label[1:]} before completing the " \
                             "assessment"
    if not assessment.factors:
        missing["factors"] = "Record the factors identified before completing the assessment"
    return missing


# ---- assessments ---------------------------------------------------------------------------


@transaction.atomic
def assessment_start(
    *, actor: Any, case_id: int, referral_id: int | None, kind: str, started_on: date,
    social_worker_id: int | None = None, context: Context | None = None,
) -> Assessment:
    """Start an assessment (s17, or s47) after the decision on the referral that led to it
    (WT2018 1.71)."""
    case = require_view(actor, case_id)
    staff = require(actor, "record_casework", case)
    errors: dict[str, str] = {}
    if not case.is_open:
        raise Invalid({"case": "The case is closed: an assessment cannot be started"})
    if kind not in AssessmentKind.values:
        errors["kind"] = "Select the kind of assessment"
    referral = None
    if referral_id is None:
        errors["referral"] = "Choose the referral that led to the assessment"
    else:
        referral = Referral.objects.filter(pk=referral_id, case=case).select_related(
            "decision").first()
        if referral is None:
            errors["referral"] = "Choose a referral of this case"
        elif not hasattr(referral, "decision"):
            errors["referral"] = "Record the decision on the referral before starting an " \
                                 "assessment"
        elif referral.decision.outcome not in LEADS_TO_ASSESSMENT:
            errors["referral"] = (
                f"The decision on this referral was ‘{referral.decision.get_outcome_display()}’"
                ": it does not lead to an assessment")
        elif Assessment.objects.filter(referral=referral, kind=kind,
                                       completed_on__isnull=True).exists():
            errors["referral"] = "An assessment of this kind is already in progress for this " \
                                 "referral"
    if referral is not None and started_on < referral.received_on:
        errors["started_on"] = "Start date must be on or after the date the referral was " \
                               f"received ({format_date(referral.received_on)})"
    _not_after_today(errors, "started_on", started_on, "Start date")
    worker = None
    if social_worker_id is not None:
        worker = Staff.objects.filter(pk=social_worker_id, agency_id=case.local_authority_id,
                                      active=True, role__in=ASSESSOR_ROLES).first()
        if worker is None:
            errors["social_worker"] = "Choose a social worker of this local authority"
    if errors:
        raise Invalid(errors)
    if worker is None:
        worker = case.allocated_worker or (staff if staff.role in ASSESSOR_ROLES else None)
    assessment = Assessment.objects.create(
        case=case, referral=referral, kind=kind, started_on=started_on, social_worker=worker,
        created_by=actor,
    )
    audit(actor=actor, action="create", obj=assessment, case_id=case.pk, context=context,
          detail={"fields": ["kind", "referral", "started_on", "social_worker"]})
    recompute_obligations(case)
    return assessment


@transaction.atomic
def assessment_update(
    *, actor: Any, assessment_id: int, version: int | None = None,
    child_seen_on: date | None = UNSET, child_seen_alone: bool | None = UNSET,
    wishes_and_feelings: str = UNSET, developmental_needs: str = UNSET,
    parenting_capacity: str = UNSET, family_and_environment: str = UNSET,
    factors: list[str] = UNSET, social_worker_id: int | None = UNSET,
    context: Context | None = None,
) -> Assessment:
    """Record parts of an assessment in progress: the child seen (date, and whether alone),
    their wishes and feelings, the three domains of the assessment framework (WT2018 1.52)
    and the factors identified (children in need census codes). Only the parts given
    change."""
    assessment = _lock_assessment(actor, assessment_id)
    case = assessment.case
    require(actor, "record_casework", case)
    check_version(assessment, version)
    if assessment.is_complete:
        raise Invalid({"assessment": "This assessment is complete: it can no longer be changed"})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if child_seen_on is not UNSET or child_seen_alone is not UNSET:
        seen_on = assessment.child_seen_on if child_seen_on is UNSET else child_seen_on
        alone = assessment.child_seen_alone if child_seen_alone is UNSET else child_seen_alone
        earliest = assessment.referral.received_on if assessment.referral else \
            assessment.started_on
        if seen_on is None and alone is not None:
            errors["child_seen_on"] = "Enter the date the child was seen"
        elif seen_on is not None:
            if case.child.is_unborn:
                errors["child_seen_on"] = "An unborn child cannot be recorded as seen"
            elif seen_on < earliest:
                errors["child_seen_on"] = (
                    "Date the child was seen must be on or after "
                    f"{format_date(earliest)}, when the referral was received")
            _not_after_today(errors, "child_seen_on", seen_on, "Date the child was seen")
            if alone is None:
                errors["child_seen_alone"] = "Select yes if the child was seen alone"
        values["child_seen_on"] = seen_on
        values["child_seen_alone"] = alone
    for field, given in (("wishes_and_feelings", wishes_and_feelings),
                         ("developmental_needs", developmental_needs),
                         ("parenting_capacity", parenting_capacity),
                         ("family_and_environment", family_and_environment)):
        if given is not UNSET:
            if not str(given).strip():
                label = SECTIONS[field]
                errors[field] = f"Enter {label[0].lower() + label[1:]}"
            values[field] = str(given).strip()
    if factors is not UNSET:
        cleaned, problem = clean_factors(factors or [])
        if problem:
            errors["factors"] = problem
        elif not cleaned:
            errors["factors"] = "Select the factors identified, or ‘No factors identified’"
        values["factors"] = cleaned
    if social_worker_id is not UNSET:
        worker = None
        if social_worker_id is not None:
            worker = Staff.objects.filter(
                pk=social_worker_id, agency_id=case.local_authority_id, active=True,
                role__in=ASSESSOR_ROLES).first()
            if worker is None:
                errors["social_worker"] = "Choose a social worker of this local authority"
        values["social_worker"] = worker
    if errors:
        raise Invalid(errors)
    changed = [name for name, value in values.items() if getattr(assessment, name) != value]
    if not changed:
        return assessment
    for name in changed:
        setattr(assessment, name, values[name])
    _bump(assessment)
    audit(actor=actor, action="update", obj=assessment, case_id=case.pk, context=context,
          detail={"fields": sorted(changed)})
    recompute_obligations(case)
    return assessment


@transaction.atomic
def assessment_complete(
    *, actor: Any, assessment_id: int, completed_on: date, outcome: str,
    reason_late: str = "", version: int | None = None, context: Context | None = None,
) -> Assessment:
    """Complete the assessment: the decision on next steps. Later than the 45 working days
    (the engine's due date), the reason must be recorded (WT2018 1.75)."""
    assessment = _lock_assessment(actor, assessment_id)
    case = assessment.case
    require(actor, "record_casework", case)
    check_version(assessment, version)
    if assessment.is_complete:
        raise Invalid({"assessment": "This assessment is already complete"})
    errors = missing_sections(assessment)
    if outcome not in AssessmentOutcome.values:
        errors["outcome"] = "Select the outcome of the assessment"
    if completed_on < assessment.started_on:
        errors["completed_on"] = ("Date completed must be on or after the start of the "
                                  f"assessment ({format_date(assessment.started_on)})")
    _not_after_today(errors, "completed_on", completed_on, "Date completed")
    reason = reason_late.strip()
    if "completed_on" not in errors:
        scale = timescale(assessment, completed_on=completed_on)
        if scale.status == "late" and not reason:
            days = scale.working_days_late
            errors["reason_late"] = (
                "Enter the reason the assessment took longer than 45 working days: it was due "
                f"by {format_date(scale.due)} and is {days} working "
                f"day{'s' if days != 1 else ''} late (Working Together 2018, 1.75)")
        elif scale.status != "late":
            reason = ""
    if errors:
        raise Invalid(errors)
    assessment.completed_on = completed_on
    assessment.outcome = outcome
    assessment.reason_late = reason
    assessment.authorised_by = None
    assessment.authorised_on = None
    _bump(assessment)
    audit(actor=actor, action="complete", obj=assessment, case_id=case.pk, context=context,
          detail={"fields": ["completed_on", "outcome"] + (["reason_late"] if reason else [])})
    recompute_obligations(case)
    return assessment


@transaction.atomic
def assessment_authorise(
    *, actor: Any, assessment_id: int, version: int | None = None,
    context: Context | None = None,
) -> Assessment:
    """A team manager authorises the completed assessment and its outcome."""
    assessment = _lock_assessment(actor, assessment_id)
    case = assessment.case
    staff = require(actor, "authorise_decision", case)
    check_version(assessment, version)
    if not assessment.is_complete:
        raise Invalid({"assessment": "Complete the assessment before it is authorised"})
    if assessment.authorised_by_id is not None:
        raise Invalid({"assessment": "This assessment has already been authorised"})
    assessment.authorised_by = staff
    assessment.authorised_on = today()
    _bump(assessment)
    audit(actor=actor, action="authorise", obj=assessment, case_id=case.pk, context=context)
    return assessment


# ---- child in need plans -------------------------------------------------------------------


def _clean_outcomes(case: Case, outcomes: Iterable[Mapping[str, Any]], errors: dict[str, str],
                    *, prefix: str, earliest: date) -> list[dict[str, Any]]:
    rows = []
    for i, given in enumerate(outcomes):
        where = f"{prefix}{i}." if prefix else ""
        outcome = str(given.get("outcome") or "").strip()
        measure = str(given.get("measure") or "").strip()
        if not outcome:
            errors[f"{where}outcome"] = "Enter the outcome for the child"
        if not measure:
            errors[f"{where}measure"] = "Enter how everyone will know the outcome is achieved"
        agency = None
        agency_id = given.get("agency_id")
        if agency_id not in (None, ""):
            found = _agencies_of_area(case, [int(agency_id)], errors, f"{where}agency")
            agency = found[0] if found else None
        target_on = given.get("target_on")
        if target_on is not None and target_on < earliest:
            errors[f"{where}target_on"] = "Target date must be on or after " \
                                          f"{format_date(earliest)}"
        rows.append({"outcome": outcome, "measure": measure, "agency": agency,
                     "target_on": target_on})
    return rows


@transaction.atomic
def cin_plan_start(
    *, actor: Any, assessment_id: int, started_on: date, summary: str,
    outcomes: list[Mapping[str, Any]], agency_ids: Iterable[int] = (),
    next_review_on: date | None = None, context: Context | None = None,
) -> ChildInNeedPlan:
    """Start a child in need plan after an assessment whose outcome was one (WT2018 1.64):
    what services and actions, by whom and for what purpose; measurable outcomes for the
    child (1.65); the agencies taking part; the first review point agreed (1.66)."""
    assessment = _lock_assessment(actor, assessment_id)
    case = assessment.case
    require(actor, "record_casework", case)
    if not assessment.is_complete or assessment.outcome != AssessmentOutcome.CHILD_IN_NEED_PLAN:
        raise Invalid({"assessment": "A child in need plan starts after an assessment whose "
                                     "outcome is a child in need plan"})
    if not case.is_open:
        raise Invalid({"case": "The case is closed: a plan cannot be started"})
    if ChildInNeedPlan.objects.filter(case=case, ended_on__isnull=True).exists():
        raise Invalid({"assessment": "The child already has a child in need plan: review it, "
                                     "or end it before starting another"})
    errors: dict[str, str] = {}
    assert assessment.completed_on is not None
    if started_on < assessment.completed_on:
        errors["started_on"] = ("Start date must be on or after the assessment was completed "
                                f"({format_date(assessment.completed_on)})")
    _not_after_today(errors, "started_on", started_on, "Start date")
    if not summary.strip():
        errors["summary"] = "Enter the services and actions of the plan, by whom and for " \
                            "what purpose"
    rows = _clean_outcomes(case, outcomes, errors, prefix="outcomes.", earliest=started_on)
    if not rows:
        errors["outcomes"] = "Add at least one measurable outcome for the child"
    agencies = _agencies_of_area(case, agency_ids, errors, "agencies")
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the first review agreed with the family " \
                                   "and the practitioners"
    elif next_review_on <= started_on:
        errors["next_review_on"] = "Date of the first review must be after the plan starts"
    if errors:
        raise Invalid(errors)
    plan = ChildInNeedPlan.objects.create(
        case=case, assessment=assessment, started_on=started_on, outcomes=summary.strip(),
        next_review_on=next_review_on, created_by=actor,
    )
    plan.agencies.set(agencies)
    ChildInNeedPlanOutcome.objects.bulk_create(
        ChildInNeedPlanOutcome(plan=plan, added_on=started_on, **row) for row in rows)
    audit(actor=actor, action="create", obj=plan, case_id=case.pk, context=context,
          detail={"fields": ["started_on", "summary", "outcomes", "agencies",
                             "next_review_on"], "outcomes": len(rows)})
    recompute_obligations(case)
    return plan


@transaction.atomic
def cin_plan_add_outcome(
    *, actor: Any, plan_id: int, outcome: str, measure: str, agency_id: int | None = None,
    target_on: date | None = None, version: int | None = None, context: Context | None = None,
) -> ChildInNeedPlanOutcome:
    """Add a measurable outcome to an open child in need plan."""
    plan = _lock_plan(actor, plan_id)
    case = plan.case
    require(actor, "record_casework", case)
    check_version(plan, version)
    if not plan.is_open:
        raise Invalid({"plan": "The plan has ended"})
    errors: dict[str, str] = {}
    [row] = _clean_outcomes(case, [{"outcome": outcome, "measure": measure,
                                    "agency_id": agency_id, "target_on": target_on}],
                            errors, prefix="", earliest=plan.started_on)
    if errors:
        raise Invalid(errors)
    added = ChildInNeedPlanOutcome.objects.create(plan=plan, added_on=today(), **row)
    _bump(plan)
    audit(actor=actor, action="update", obj=plan, case_id=case.pk, context=context,
          detail={"fields": ["outcomes"]})
    return added


@transaction.atomic
def cin_plan_review(
    *, actor: Any, plan_id: int, held_on: date, progress: str,
    sufficient_progress: bool | None, next_review_on: date | None,
    agency_ids: Iterable[int] = (), version: int | None = None,
    context: Context | None = None,
) -> ChildInNeedPlanReview:
    """Review the plan with the practitioners and the family: is progress sufficient and
    sustained for the child (WT2018 1.66), and when is the next review point."""
    plan = _lock_plan(actor, plan_id)
    case = plan.case
    require(actor, "record_casework", case)
    check_version(plan, version)
    if not plan.is_open:
        raise Invalid({"plan": "The plan has ended: it cannot be reviewed"})
    errors: dict[str, str] = {}
    if held_on < plan.started_on:
        errors["held_on"] = "Date of the review must be on or after the plan started " \
                            f"({format_date(plan.started_on)})"
    _not_after_today(errors, "held_on", held_on, "Date of the review")
    if not progress.strip():
        errors["progress"] = "Enter the progress made towards the outcomes"
    if sufficient_progress is None:
        errors["sufficient_progress"] = "Select yes if the progress is sufficient and sustained"
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review"
    elif next_review_on <= held_on:
        errors["next_review_on"] = "Date of the next review must be after this review"
    agencies = _agencies_of_area(case, agency_ids, errors, "agencies")
    if errors:
        raise Invalid(errors)
    review = ChildInNeedPlanReview.objects.create(
        plan=plan, held_on=held_on, progress=progress.strip(),
        sufficient_progress=sufficient_progress, next_review_on=next_review_on,
        created_by=actor,
    )
    review.agencies.set(agencies)
    plan.next_review_on = next_review_on
    _bump(plan)
    audit(actor=actor, action="create", obj=review, case_id=case.pk, context=context,
          detail={"fields": ["held_on", "progress", "sufficient_progress", "next_review_on",
                             "agencies"]})
    recompute_obligations(case)
    return review


@transaction.atomic
def cin_plan_end(
    *, actor: Any, plan_id: int, ended_on: date, end_reason: str,
    version: int | None = None, context: Context | None = None,
) -> ChildInNeedPlan:
    """End the child in need plan, with the reason."""
    plan = _lock_plan(actor, plan_id)
    case = plan.case
    require(actor, "record_casework", case)
    check_version(plan, version)
    if not plan.is_open:
        raise Invalid({"plan": "The plan has already ended"})
    errors: dict[str, str] = {}
    if end_reason not in CinPlanEndReason.values:
        errors["end_reason"] = "Select why the plan is ending"
    if ended_on < plan.started_on:
        errors["ended_on"] = "End date must be on or after the plan started " \
                             f"({format_date(plan.started_on)})"
    _not_after_today(errors, "ended_on", ended_on, "End date")
    if errors:
        raise Invalid(errors)
    plan.ended_on = ended_on
    plan.end_reason = end_reason
    plan.next_review_on = None
    _bump(plan)
    audit(actor=actor, action="end", obj=plan, case_id=case.pk, context=context,
          detail={"fields": ["ended_on", "end_reason"]})
    recompute_obligations(case)
    return plan


# ---- closing a case after an assessment ----------------------------------------------------

#: The census reasons for closure "after assessment".
AFTER_ASSESSMENT = (ClosureReason.RC8, ClosureReason.RC9)


@transaction.atomic
def case_close_after_assessment(
    *, actor: Any, case_id: int, closed_on: date, reason: str,
    early_help: Mapping[str, Any] | None = None, version: int | None = None,
    context: Context | None = None,
) -> Case:
    """Close the case after an assessment: RC8 (no further action) or RC9 (referred to early
    help). With RC9 the child steps down to early help: ``early_help`` opens the early help
    assessment in the same change (``lead_practitioner_id``, ``started_on``, the consent —
    ``consent_given``, ``consent_from``, ``consent_given_by``, ``consent_recorded_on`` — and
    ``needs``; see :func:`safeguard.earlyhelp.services.early_help_start`), and the case closes
    only if it opens. Returns the case; the early help assessment is linked to it
    (``stepped_down_from``)."""
    from safeguard.earlyhelp.services import open_early_help

    case = require_view(actor, case_id)
    staff = require(actor, "record_casework", case)
    case = Case.objects.select_for_update().select_related("child", "local_authority").get(
        pk=case.pk)
    check_version(case, version)
    if not case.is_open:
        raise Invalid({"case": "The case is already closed"})
    errors: dict[str, str] = {}
    if reason not in AFTER_ASSESSMENT:
        errors["reason"] = "Select why the case is closing after the assessment"
    assessments = Assessment.objects.filter(case=case)
    completed = assessments.filter(completed_on__isnull=False).order_by("-completed_on").first()
    if completed is None:
        errors["case"] = "Complete an assessment before closing the case after assessment"
    elif assessments.filter(completed_on__isnull=True).exists():
        errors["case"] = "An assessment is still in progress: complete it before closing the case"
    if ChildInNeedPlan.objects.filter(case=case, ended_on__isnull=True).exists():
        errors["case"] = "The child has a child in need plan: end it before closing the case"
    if _open_protection_plan(case):
        errors["case"] = "The child is the subject of a child protection plan: the case cannot " \
                         "close after assessment"
    if completed is not None and completed.completed_on and closed_on < completed.completed_on:
        errors["closed_on"] = ("Date closed must be on or after the assessment was completed "
                               f"({format_date(completed.completed_on)})")
    _not_after_today(errors, "closed_on", closed_on, "Date closed")
    early = None
    if reason == ClosureReason.RC9:
        if early_help is None:
            errors["early_help"] = "Record the early help assessment the child is referred to"
        else:
            try:
                early = open_early_help(actor=actor, staff=staff, child=case.child,
                                        local_authority=case.local_authority,
                                        stepped_down_from=case, check_only=True, **early_help)
            except Invalid as exc:
                errors.update({f"early_help.{k}": v for k, v in exc.errors.items()})
    if errors:
        raise Invalid(errors)
    case.closed_on = closed_on
    case.closure_reason = reason
    case.version += 1
    case.save(update_fields=["closed_on", "closure_reason", "version", "updated_at"])
    audit(actor=actor, action="close", obj=case, case_id=case.pk, context=context,
          detail={"fields": ["closed_on", "closure_reason"]})
    if reason == ClosureReason.RC9 and early_help is not None:
        early = open_early_help(actor=actor, staff=staff, child=case.child,
                                local_authority=case.local_authority, stepped_down_from=case,
                                context=context, **early_help)
    recompute_obligations(case)
    case.stepped_down_to = early  # type: ignore[attr-defined]
    return case


def _open_protection_plan(case: Case) -> bool:
    from safeguard.protection.models import ChildProtectionPlan

    return ChildProtectionPlan.objects.filter(case=case, ended_on__isnull=True).exists()
