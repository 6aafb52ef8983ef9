"""Assessments: started from the referral that led to them, recorded, completed within or
after the engine's 45 working days (with the reason, WT2018 1.75), authorised; refusals."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard.assessments.selectors import timescale
from safeguard.assessments.services import (
    assessment_authorise,
    assessment_complete,
    assessment_start,
    assessment_update,
)
from safeguard.cases.models import Obligation
from safeguard.core.models import AuditEntry
from safeguard.core.services import EditConflict, Invalid, NotAllowed
from safeguard.statutory.duties import assessment_due

from .conftest import RECEIVED, refer

pytestmark = [pytest.mark.django_db, pytest.mark.db]

SECTIONS = {
    "child_seen_on": date(2026, 9, 3), "child_seen_alone": True,
    "wishes_and_feelings": "Ava wants to stay at home and see her dad",
    "developmental_needs": "Healthy; attends school; some anxiety",
    "parenting_capacity": "Mother caring, struggling with her mental health",
    "family_and_environment": "Supportive grandmother nearby; overcrowded flat",
    "factors": ["4B", "16A"],
}


def started(area, referral, **extra):
    return assessment_start(actor=area["social_worker"].user, case_id=referral.case_id,
                            referral_id=referral.pk, kind="s17", started_on=RECEIVED, **extra)


def recorded(area, referral):
    a = started(area, referral)
    return assessment_update(actor=area["social_worker"].user, assessment_id=a.pk,
                             version=a.version, **SECTIONS)


def assessment_obligation(case):
    return Obligation.objects.get(case=case, duty="assessment.complete")


def test_the_due_date_and_days_come_from_the_engine(north, referral) -> None:
    a = started(north, referral)
    scale = timescale(a)
    assert scale.due == assessment_due(RECEIVED) == assessment_obligation(referral.case).due
    assert scale.due == date(2026, 11, 2)
    assert scale.status == "overdue"
    assert scale.working_days_late == assessment_obligation(referral.case).working_days_late
    assert scale.working_days_late == 16


def test_an_assessment_within_45_working_days_is_met(north) -> None:
    referral = refer(north, received_on=date(2026, 11, 2))
    a = assessment_start(actor=north["social_worker"].user, case_id=referral.case_id,
                         referral_id=referral.pk, kind="s17", started_on=date(2026, 11, 2))
    assert timescale(a).status == "due"
    # Due 7 January 2027: 29 working days after 24 November (Christmas, Boxing Day on Monday
    # 28 December, New Year's Day out).
    assert timescale(a).due == date(2027, 1, 7)
    assert timescale(a).working_days_left == 29
    a = assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          version=a.version, **{**SECTIONS, "child_seen_on": date(2026, 11, 3)})
    done = assessment_complete(actor=north["social_worker"].user, assessment_id=a.pk,
                               completed_on=date(2026, 11, 24), outcome="no_further_action",
                               reason_late="ignored when on time", version=a.version)
    assert done.reason_late == ""
    ob = assessment_obligation(referral.case)
    assert (ob.status, ob.met_on, ob.working_days_late) == ("met", date(2026, 11, 24), 0)


def test_completing_late_needs_the_reason_then_the_engine_says_late(north, referral) -> None:
    a = recorded(north, referral)
    sw = north["social_worker"].user
    with pytest.raises(Invalid) as caught:
        assessment_complete(actor=sw, assessment_id=a.pk, completed_on=date(2026, 11, 23),
                            outcome="child_in_need_plan", reason_late="  ", version=a.version)
    assert set(caught.value.errors) == {"reason_late"}
    assert "2 November 2026" in caught.value.errors["reason_late"]
    assert "15 working days late" in caught.value.errors["reason_late"]
    a.refresh_from_db()
    assert a.completed_on is None and assessment_obligation(referral.case).status == "overdue"

    done = assessment_complete(actor=sw, assessment_id=a.pk, completed_on=date(2026, 11, 23),
                               outcome="child_in_need_plan",
                               reason_late="Father could only be seen after his return",
                               version=a.version)
    assert done.reason_late.startswith("Father")
    ob = assessment_obligation(referral.case)
    assert (ob.status, ob.met_on, ob.working_days_late, ob.open) == (
        "late", date(2026, 11, 23), 15, False)
    assert timescale(done).status == "late" and timescale(done).working_days_late == 15
    entry = AuditEntry.objects.filter(action="complete").get()
    assert entry.detail == {"fields": ["completed_on", "outcome", "reason_late"]}
    assert "Father" not in str(entry.content())


def test_the_manager_authorises(north, referral) -> None:
    a = recorded(north, referral)
    a = assessment_complete(actor=north["social_worker"].user, assessment_id=a.pk,
                            completed_on=date(2026, 11, 20), outcome="no_further_action",
                            reason_late="Family away", version=a.version)
    with pytest.raises(NotAllowed):
        assessment_authorise(actor=north["social_worker"].user, assessment_id=a.pk)
    a = assessment_authorise(actor=north["manager"].user, assessment_id=a.pk, version=a.version)
    assert a.authorised_by == north["manager"] and a.authorised_on == date(2026, 11, 24)


def test_factor_21_only_alone(north, referral) -> None:
    a = started(north, referral)
    with pytest.raises(Invalid) as caught:
        assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          factors=["21", "3B"], version=a.version)
    assert set(caught.value.errors) == {"factors"}
    assert "No factors identified" in caught.value.errors["factors"]
    with pytest.raises(Invalid) as caught:
        assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          factors=["99Z"], version=a.version)
    assert "99Z" in caught.value.errors["factors"]
    a.refresh_from_db()
    assert a.factors == [] and a.version == 1
    a = assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          factors=["21"], version=a.version)
    assert a.factors == ["21"]
    a = assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          factors=["16a", "3B"], version=a.version)
    assert a.factors == ["3B", "16A"]  # in the census's order


def test_a_stale_version_is_an_edit_conflict(north, referral) -> None:
    a = started(north, referral)
    assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                      wishes_and_feelings="First words", version=1)
    with pytest.raises(EditConflict):
        assessment_update(actor=north["social_worker_2"].user, assessment_id=a.pk,
                          wishes_and_feelings="Second words", version=1)
    a.refresh_from_db()
    assert a.wishes_and_feelings == "First words" and a.version == 2
    with pytest.raises(EditConflict):
        assessment_complete(actor=north["social_worker"].user, assessment_id=a.pk,
                            completed_on=date(2026, 11, 20), outcome="no_further_action",
                            version=1)


def test_other_areas_and_partners_may_not(north, south, referral) -> None:
    with pytest.raises(NotAllowed):
        assessment_start(actor=south["social_worker"].user, case_id=referral.case_id,
                         referral_id=referral.pk, kind="s17", started_on=RECEIVED)
    # The school that referred sees the case but does not record assessments.
    with pytest.raises(NotAllowed):
        assessment_start(actor=north["school_dsl"].user, case_id=referral.case_id,
                         referral_id=referral.pk, kind="s17", started_on=RECEIVED)
    a = started(north, referral)
    for actor in (south["social_worker"].user, north["school_dsl"].user,
                  north["police"].user):
        with pytest.raises(NotAllowed):
            assessment_update(actor=actor, assessment_id=a.pk, wishes_and_feelings="x")
        with pytest.raises(NotAllowed):
            assessment_complete(actor=actor, assessment_id=a.pk, completed_on=date(2026, 11, 20),
                                outcome="no_further_action")
    a.refresh_from_db()
    assert a.wishes_and_feelings == "" and a.completed_on is None


def test_starting_needs_a_decision_leading_to_an_assessment(north) -> None:
    undecided = refer(north, outcome=None, child={**CHILD_B})
    with pytest.raises(Invalid) as caught:
        assessment_start(actor=north["social_worker"].user, case_id=undecided.case_id,
                         referral_id=undecided.pk, kind="s17", started_on=RECEIVED)
    assert "Record the decision" in caught.value.errors["referral"]
    nfa = refer(north, outcome="no_further_action", child={**CHILD_C})
    with pytest.raises(Invalid) as caught:
        assessment_start(actor=north["social_worker"].user, case_id=nfa.case_id,
                         referral_id=nfa.pk, kind="s99", started_on=date(2026, 8, 1))
    assert set(caught.value.errors) == {"referral", "kind", "started_on"}


def test_completing_needs_every_section(north, referral) -> None:
    a = started(north, referral)
    with pytest.raises(Invalid) as caught:
        assessment_complete(actor=north["social_worker"].user, assessment_id=a.pk,
                            completed_on=date(2026, 11, 30), outcome="",
                            version=a.version)
    assert set(caught.value.errors) == {
        "child_seen_on", "wishes_and_feelings", "developmental_needs", "parenting_capacity",
        "family_and_environment", "factors", "outcome", "completed_on"}


def test_child_seen_needs_alone_or_not_and_a_date_in_range(north, referral) -> None:
    a = started(north, referral)
    with pytest.raises(Invalid) as caught:
        assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          child_seen_on=date(2026, 8, 1), child_seen_alone=None)
    assert set(caught.value.errors) == {"child_seen_on", "child_seen_alone"}
    a = assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          child_seen_on=date(2026, 9, 1), child_seen_alone=False)
    assert (a.child_seen_on, a.child_seen_alone) == (date(2026, 9, 1), False)


def test_a_completed_assessment_is_not_changed(north, referral) -> None:
    a = recorded(north, referral)
    a = assessment_complete(actor=north["social_worker"].user, assessment_id=a.pk,
                            completed_on=date(2026, 11, 20), outcome="no_further_action",
                            reason_late="Family away")
    with pytest.raises(Invalid):
        assessment_update(actor=north["social_worker"].user, assessment_id=a.pk,
                          wishes_and_feelings="Later words")


CHILD_B = {"given_name": "Noah", "family_name": "Reid", "date_of_birth": date(2017, 6, 2)}
CHILD_C = {"given_name": "Mia", "family_name": "Lowe", "date_of_birth": date(2012, 1, 9)}
