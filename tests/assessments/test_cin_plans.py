"""Child in need plans after an assessment: measurable outcomes, agencies, reviews, end; and
closing a case after assessment (RC8, or RC9 stepping down to early help)."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard.assessments.services import (
    assessment_complete,
    assessment_start,
    assessment_update,
    case_close_after_assessment,
    cin_plan_add_outcome,
    cin_plan_end,
    cin_plan_review,
    cin_plan_start,
)
from safeguard.cases.models import Case
from safeguard.core.services import EditConflict, Invalid, NotAllowed
from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.earlyhelp.selectors import early_help_visible_to

from .conftest import RECEIVED
from .test_services import SECTIONS

pytestmark = [pytest.mark.django_db, pytest.mark.db]


def completed(area, referral, outcome="child_in_need_plan"):
    sw = area["social_worker"].user
    a = assessment_start(actor=sw, case_id=referral.case_id, referral_id=referral.pk,
                         kind="s17", started_on=RECEIVED)
    a = assessment_update(actor=sw, assessment_id=a.pk, **SECTIONS)
    return assessment_complete(actor=sw, assessment_id=a.pk, completed_on=date(2026, 10, 20),
                               outcome=outcome)


def plan_for(area, assessment, **extra):
    values = dict(
        started_on=date(2026, 10, 22), summary="Family support twice a week; school nurse",
        outcomes=[{"outcome": "Ava attends school every day", "measure": "Attendance above 95%",
                   "agency_id": area.schools[0].pk, "target_on": date(2027, 1, 31)}],
        agency_ids=[area.schools[0].pk, area.trust.pk], next_review_on=date(2026, 12, 3))
    values.update(extra)
    return cin_plan_start(actor=area["social_worker"].user, assessment_id=assessment.pk,
                          **values)


def test_a_plan_with_outcomes_reviews_and_an_end(north, referral) -> None:
    plan = plan_for(north, completed(north, referral))
    assert [o.outcome for o in plan.outcome_rows.all()] == ["Ava attends school every day"]
    assert set(plan.agencies.all()) == {north.schools[0], north.trust}
    sw = north["social_worker"].user
    cin_plan_add_outcome(actor=sw, plan_id=plan.pk, outcome="Mother gets help with anxiety",
                         measure="Registered with talking therapies", version=plan.version)
    plan.refresh_from_db()
    review = cin_plan_review(actor=sw, plan_id=plan.pk, held_on=date(2026, 11, 20),
                             progress="Attendance 97%", sufficient_progress=True,
                             next_review_on=date(2027, 1, 15), agency_ids=[north.trust.pk],
                             version=plan.version)
    plan.refresh_from_db()
    assert plan.next_review_on == date(2027, 1, 15) and review.sufficient_progress is True
    with pytest.raises(EditConflict):
        cin_plan_end(actor=sw, plan_id=plan.pk, ended_on=date(2026, 11, 24),
                     end_reason="needs_met", version=1)
    plan = cin_plan_end(actor=sw, plan_id=plan.pk, ended_on=date(2026, 11, 24),
                        end_reason="needs_met", version=plan.version)
    assert plan.ended_on == date(2026, 11, 24) and plan.next_review_on is None


def test_a_plan_needs_an_assessment_for_one_and_measurable_outcomes(north, referral) -> None:
    nfa = completed(north, referral, outcome="no_further_action")
    with pytest.raises(Invalid) as caught:
        plan_for(north, nfa)
    assert set(caught.value.errors) == {"assessment"}


def test_bad_plans_are_refused_naming_the_fields(north, south, referral) -> None:
    a = completed(north, referral)
    with pytest.raises(Invalid) as caught:
        plan_for(north, a, started_on=date(2026, 10, 1), summary=" ",
                 outcomes=[{"outcome": "", "measure": "", "agency_id": south.police.pk}],
                 agency_ids=[south.trust.pk], next_review_on=None)
    assert set(caught.value.errors) == {
        "started_on", "summary", "outcomes.0.outcome", "outcomes.0.measure",
        "outcomes.0.agency", "agencies", "next_review_on"}
    with pytest.raises(Invalid) as caught:
        plan_for(north, a, outcomes=[])
    assert set(caught.value.errors) == {"outcomes"}
    with pytest.raises(NotAllowed):
        plan_for(south, a)
    assert not a.childinneedplan_set.exists()


def test_review_refusals(north, referral) -> None:
    plan = plan_for(north, completed(north, referral))
    with pytest.raises(Invalid) as caught:
        cin_plan_review(actor=north["social_worker"].user, plan_id=plan.pk,
                        held_on=date(2026, 10, 1), progress="", sufficient_progress=None,
                        next_review_on=date(2026, 9, 1))
    assert set(caught.value.errors) == {"held_on", "progress", "sufficient_progress",
                                        "next_review_on"}
    assert not plan.reviews.exists()


def test_close_after_assessment_with_no_further_action(north, referral) -> None:
    completed(north, referral, outcome="no_further_action")
    case = case_close_after_assessment(actor=north["social_worker"].user,
                                       case_id=referral.case_id, closed_on=date(2026, 10, 21),
                                       reason="RC8", version=referral.case.version)
    assert (case.closed_on, case.closure_reason) == (date(2026, 10, 21), "RC8")
    with pytest.raises(Invalid):
        case_close_after_assessment(actor=north["social_worker"].user,
                                    case_id=referral.case_id, closed_on=date(2026, 10, 21),
                                    reason="RC8")


def test_step_down_opens_early_help_with_consent(north, referral) -> None:
    completed(north, referral, outcome="early_help")
    sw = north["social_worker"].user
    early = {"started_on": date(2026, 10, 22), "consent_given": False,
             "lead_practitioner_id": north["early_help"].pk, "needs": "Parenting support"}
    with pytest.raises(Invalid) as caught:
        case_close_after_assessment(actor=sw, case_id=referral.case_id,
                                    closed_on=date(2026, 10, 21), reason="RC9",
                                    early_help=early)
    assert set(caught.value.errors) == {"early_help.consent_given"}
    assert Case.objects.get(pk=referral.case_id).closed_on is None
    assert not EarlyHelpAssessment.objects.exists()

    early.update(consent_given=True, consent_from="child_and_parents",
                 consent_given_by="Ava and her mother", consent_recorded_on=date(2026, 10, 21))
    case = case_close_after_assessment(actor=sw, case_id=referral.case_id,
                                       closed_on=date(2026, 10, 21), reason="RC9",
                                       early_help=early)
    assert case.closure_reason == "RC9"
    record = EarlyHelpAssessment.objects.get()
    assert record.stepped_down_from_id == case.pk and record.child_id == case.child_id
    assert record.lead_practitioner == north["early_help"]
    assert record.local_authority == north.la
    # The lead practitioner (family hub) now sees it; the police do not.
    assert early_help_visible_to(north["early_help"].user).filter(pk=record.pk).exists()
    assert not early_help_visible_to(north["police"].user).exists()


def test_close_refused_with_an_assessment_in_progress_or_an_open_plan(north, referral) -> None:
    a = completed(north, referral)
    plan_for(north, a)
    with pytest.raises(Invalid) as caught:
        case_close_after_assessment(actor=north["social_worker"].user,
                                    case_id=referral.case_id, closed_on=date(2026, 11, 1),
                                    reason="RC8")
    assert "child in need plan" in caught.value.errors["case"]
    with pytest.raises(NotAllowed):
        case_close_after_assessment(actor=north["school_dsl"].user, case_id=referral.case_id,
                                    closed_on=date(2026, 11, 1), reason="RC8")


def test_a_partner_sees_a_child_in_need_plan_only_if_it_takes_part(north, referral) -> None:
    """Need to know (``policy.case_parts``): the school takes part in the plan and sees it; the
    police, involved in the case but not in the plan, see that a plan is in force on the case
    page, not the plan — on the pages and through the API alike."""
    from django.test import Client

    from safeguard.assessments.selectors import cin_plan_for
    from safeguard.cases.services import involve

    plan = plan_for(north, completed(north, referral), agency_ids=[north.schools[0].pk])
    involve(case=referral.case, agency=north.police, kind="other", since=RECEIVED)

    def client(persona: str) -> Client:
        c = Client()
        c.force_login(north[persona].user)
        return c

    school, police = client("school_dsl"), client("police")
    assert cin_plan_for(north["school_dsl"].user, plan.pk) == plan
    with pytest.raises(NotAllowed):
        cin_plan_for(north["police"].user, plan.pk)
    detail = f"/assessments/child-in-need-plans/{plan.pk}/"
    assert school.get(detail).status_code == 200
    assert police.get(detail).status_code == 404
    api = f"/api/v1/assessments/cases/{referral.case_id}"
    assert [p["id"] for p in school.get(api).json()["child_in_need_plans"]] == [plan.pk]
    assert police.get(api).json()["child_in_need_plans"] == []
    assert police.get(f"/api/v1/assessments/child-in-need-plans/{plan.pk}").status_code == 404
    case_page = police.get(f"/cases/{referral.case_id}/").content.decode()
    assert "Child in need plan" in case_page and detail not in case_page
    assert detail in school.get(f"/cases/{referral.case_id}/").content.decode()
    # Social care of the responsible authority see it whatever the plan's agencies.
    assert client("social_worker").get(detail).status_code == 200
