"""Reads of assessments and child in need plans. Each starts from the access policy
(``cases_visible_to``) or from a case the acting person may see.

The assessment's timescale (45 working days from the referral, WT2018 1.75) comes from the
statutory engine: the due date from :func:`safeguard.statutory.duties.due_date` for the
referral that led to the assessment (or, with none, the case's stored ``assessment.complete``
obligation), and the working days left or late from the engine's calendar. Nothing here
counts days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from safeguard.assessments.models import Assessment, ChildInNeedPlan
from safeguard.cases.models import Case, Obligation
from safeguard.cases.policy import cases_visible_to, staff_of
from safeguard.core.dates import today
from safeguard.core.services import NotAllowed
from safeguard.referrals.models import Outcome, Referral
from safeguard.statutory import open_obligation_status
from safeguard.statutory.calendar import england
from safeguard.statutory.duties import due_date

#: Decisions on a referral that lead to an assessment (the timeline contract's outcomes that
#: give rise to ``assessment.complete``).
LEADS_TO_ASSESSMENT = frozenset({Outcome.ASSESSMENT, Outcome.STRATEGY_DISCUSSION,
                                 Outcome.IMMEDIATE_PROTECTION})
DUTY = "assessment.complete"


@dataclass(frozen=True)
class Timescale:
    """Where an assessment stands against the 45 working days (WT2018 1.75)."""

    due: date | None
    #: due | overdue (open); met | late (completed); none (no timescale known)
    status: str
    working_days_left: int
    working_days_late: int
    source: str = "WT2018 1.75"

    @property
    def is_late(self) -> bool:
        return self.status in ("late", "overdue")


def assessment_due_date(assessment: Assessment) -> date | None:
    """The day the assessment is due: 45 working days after the referral that led to it,
    as the statutory engine counts them; with no referral, the due date of the case's stored
    ``assessment.complete`` obligation (the one this assessment met, else the oldest open)."""
    referral = assessment.referral
    if referral is not None:
        edition = assessment.case.edition or None
        return due_date(DUTY, referral.received_on, edition=edition)
    obligations = Obligation.objects.filter(case_id=assessment.case_id, duty=DUTY)
    if assessment.completed_on is not None:
        met = obligations.filter(met_on=assessment.completed_on).order_by("position").first()
        if met is not None:
            return met.due
    oldest_open = obligations.filter(open=True).order_by("position").first()
    return oldest_open.due if oldest_open is not None else None


def timescale(assessment: Assessment, *, as_of: date | None = None,
              completed_on: date | None = None) -> Timescale:
    """The assessment's due date, and the working days left or late, from the engine.
    ``completed_on`` asks how a completion on that day would stand."""
    due = assessment_due_date(assessment)
    done = completed_on or assessment.completed_on
    if due is None:
        return Timescale(None, "none", 0, 0)
    cal = england()
    if done is not None:
        if done <= due:
            return Timescale(due, "met", 0, 0)
        return Timescale(due, "late", 0, cal.working_days_between(due, done))
    day = as_of or today()
    status, late = open_obligation_status(due, day)
    left = cal.working_days_between(day, due) if status == "due" else 0
    return Timescale(due, status, left, late)


# ---- reads through the access policy ------------------------------------------------------


def assessments_visible_to(actor: Any) -> QuerySet[Assessment]:
    """Assessments are children's social care's record (the child's wishes and feelings,
    the three domains): its staff of the responsible authority see them on the cases they
    see. A partner who sees a case sees that assessments happened (the chronology, the
    duties), not the assessments (``policy.case_parts``: not the whole case)."""
    staff = staff_of(actor)
    if staff is None or not staff.in_social_care:
        return Assessment.objects.none()
    return Assessment.objects.filter(case__in=cases_visible_to(actor),
                                     case__local_authority_id=staff.agency_id)


def assessment_for(actor: Any, assessment_id: int) -> Assessment:
    """The assessment, if the acting person may see its case; else :class:`NotAllowed`."""
    found = (
        assessments_visible_to(actor).filter(pk=assessment_id)
        .select_related("case__child", "case__local_authority", "referral__decision",
                        "social_worker__user", "authorised_by__user")
        .first()
    )
    if found is None:
        raise NotAllowed("You do not have access to this assessment, or it does not exist.")
    return found


def case_assessments(actor: Any, case: Case) -> QuerySet[Assessment]:
    """The case's assessments the acting person may see (:func:`assessments_visible_to`),
    newest first (call with a case the person may see)."""
    return assessments_visible_to(actor).filter(case=case).select_related(
        "referral", "social_worker__user", "authorised_by__user")


def referrals_awaiting_assessment(case: Case) -> list[Referral]:
    """The case's referrals whose decision leads to an assessment and which have no
    assessment in progress or completed yet: the ones an assessment may be started from."""
    referrals = (
        Referral.objects.filter(case=case, decision__outcome__in=LEADS_TO_ASSESSMENT)
        .select_related("decision").order_by("-received_on", "-id")
    )
    return [r for r in referrals if not r.assessments.exists()]


def referrals_leading_to_assessment(case: Case) -> QuerySet[Referral]:
    return Referral.objects.filter(case=case, decision__outcome__in=LEADS_TO_ASSESSMENT)\
        .select_related("decision").order_by("-received_on", "-id")


def cin_plans_visible_to(actor: Any) -> QuerySet[ChildInNeedPlan]:
    """Child in need plans by need to know (``policy.case_parts``): children's social care
    staff of the responsible authority see the plans of the cases they see; a partner agency
    sees a plan it takes part in (the plan's agencies), on a case it may see; nobody else
    (staff of an authority outside its children's social care, another authority's staff
    who opened the case by break-glass) sees one."""
    staff = staff_of(actor)
    if staff is None:
        return ChildInNeedPlan.objects.none()
    plans = ChildInNeedPlan.objects.filter(case__in=cases_visible_to(actor))
    if staff.in_social_care:
        return plans.filter(case__local_authority_id=staff.agency_id)
    if staff.agency.is_local_authority:
        return ChildInNeedPlan.objects.none()
    return plans.filter(pk__in=ChildInNeedPlan.objects.filter(agencies=staff.agency_id)
                        .values("pk"))


def cin_plan_for(actor: Any, plan_id: int) -> ChildInNeedPlan:
    found = (
        cin_plans_visible_to(actor).filter(pk=plan_id)
        .select_related("case__child", "case__local_authority", "assessment")
        .prefetch_related("agencies", "outcome_rows__agency", "reviews__agencies")
        .first()
    )
    if found is None:
        raise NotAllowed("You do not have access to this plan, or it does not exist.")
    return found


def case_cin_plans(actor: Any, case: Case) -> QuerySet[ChildInNeedPlan]:
    """The case's child in need plans the acting person may see (:func:`cin_plans_visible_to`;
    call with a case the person may see)."""
    return cin_plans_visible_to(actor).filter(case=case).prefetch_related("outcome_rows")


def open_cin_plan(case: Case) -> ChildInNeedPlan | None:
    return ChildInNeedPlan.objects.filter(case=case, ended_on__isnull=True).first()


def area_agencies(case: Case) -> list[Any]:
    """The local authority and the partner agencies of its area, for choosing who takes
    part in a plan."""
    from safeguard.agencies.models import Agency

    la = case.local_authority
    return list(Agency.objects.filter(pk=la.pk)) + list(
        Agency.objects.filter(area=la).order_by("kind", "name"))


def assessors(case: Case) -> QuerySet[Any]:
    """Social workers and team managers of the case's local authority."""
    from safeguard.agencies.models import Role, Staff

    return Staff.objects.filter(
        agency_id=case.local_authority_id, active=True,
        role__in=(Role.SOCIAL_WORKER, Role.TEAM_MANAGER),
    ).select_related("user").order_by("user__last_name", "user__first_name")
