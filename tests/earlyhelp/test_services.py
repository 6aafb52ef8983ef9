"""Early help: consent before the assessment, a lead practitioner, a plan, reviews, closure,
and stepping up to children's social care (no consent needed)."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard.cases.models import Involvement, Obligation
from safeguard.cases.policy import cases_visible_to
from safeguard.core.services import EditConflict, Invalid, NotAllowed
from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.earlyhelp.selectors import early_help_visible_to
from safeguard.earlyhelp.services import (
    early_help_close,
    early_help_plan_record,
    early_help_review,
    early_help_start,
    early_help_step_up,
)
from safeguard.people.models import Person
from safeguard.referrals.models import Referral

pytestmark = [pytest.mark.django_db, pytest.mark.db]

CHILD = {"given_name": "Leo", "family_name": "Hart", "date_of_birth": date(2019, 5, 1)}


CONSENT = {"consent_given": True, "consent_from": "child_and_parents",
           "consent_given_by": "Leo and his mother, Jo Hart",
           "consent_recorded_on": date(2026, 11, 2)}


def start(area, actor_key="early_help", **extra):
    values = {"started_on": date(2026, 11, 3), **CONSENT, "needs": "Speech delay; housing",
              "child": CHILD}
    values.update(extra)
    return early_help_start(actor=area[actor_key].user, **values)


def test_without_consent_nothing_starts(north) -> None:
    with pytest.raises(Invalid) as caught:
        start(north, consent_given=False)
    assert set(caught.value.errors) == {"consent_given"}
    assert "1.10" in caught.value.errors["consent_given"]
    with pytest.raises(Invalid) as caught:
        start(north, consent_from="", consent_given_by=" ", consent_recorded_on=None)
    assert set(caught.value.errors) == {"consent_from", "consent_given_by",
                                        "consent_recorded_on"}
    with pytest.raises(Invalid) as caught:
        start(north, consent_recorded_on=date(2026, 11, 10))  # after the start
    assert set(caught.value.errors) == {"consent_recorded_on"}
    assert not EarlyHelpAssessment.objects.exists()
    assert not Person.objects.exists()


def test_consent_lead_plan_reviews_and_close(north, south) -> None:
    record = start(north, lead_practitioner_id=north["school_dsl"].pk,
                   agency_ids=[north.gp.pk], wishes_and_feelings="Likes nursery")
    assert record.consent_given and record.consent_given_by.startswith("Leo")
    assert record.lead_practitioner == north["school_dsl"]
    assert record.agency == north.schools[0]
    assert list(record.contributing_agencies.all()) == [north.gp]
    # Who sees it: the lead and the lead's agency, the agencies contributing, the area's
    # children's social care; not the police, not the other area.
    for key in ("school_dsl", "social_worker", "manager"):
        assert early_help_visible_to(north[key].user).filter(pk=record.pk).exists(), key
    assert early_help_visible_to(north["early_help"].user).count() == 0
    assert not early_help_visible_to(north["police"].user).exists()
    assert not early_help_visible_to(south["social_worker"].user).exists()

    lead = north["school_dsl"].user
    with pytest.raises(Invalid) as caught:
        early_help_review(actor=lead, assessment_id=record.pk, held_on=date(2026, 11, 20),
                          progress="x", next_review_on=date(2026, 12, 20))
    assert "plan" in caught.value.errors["assessment"]
    plan = early_help_plan_record(actor=lead, assessment_id=record.pk,
                                  started_on=date(2026, 11, 10),
                                  outcomes="Leo uses 50 words by March (speech therapist)",
                                  services="Speech and language therapy",
                                  next_review_on=date(2026, 12, 8), version=record.version)
    record.refresh_from_db()
    assert record.completed_on == date(2026, 11, 10)
    with pytest.raises(EditConflict):
        early_help_review(actor=lead, assessment_id=record.pk, held_on=date(2026, 11, 20),
                          progress="Good", next_review_on=date(2026, 12, 20), version=1)
    early_help_review(actor=lead, assessment_id=record.pk, held_on=date(2026, 11, 20),
                      progress="20 new words", next_review_on=date(2027, 1, 5),
                      version=record.version)
    plan.refresh_from_db()
    assert plan.next_review_on == date(2027, 1, 5) and plan.reviews.count() == 1
    with pytest.raises(NotAllowed):  # sees nothing of it
        early_help_close(actor=south["social_worker"].user, assessment_id=record.pk,
                         closed_on=date(2026, 11, 24), reason="outcomes_met")
    record.refresh_from_db()
    record = early_help_close(actor=lead, assessment_id=record.pk, closed_on=date(2026, 11, 24),
                              reason="outcomes_met", version=record.version)
    plan.refresh_from_db()
    assert record.closed_on == plan.ended_on == date(2026, 11, 24)


def test_the_police_cannot_start_and_the_lead_must_be_of_the_area(north, south) -> None:
    with pytest.raises(NotAllowed):
        start(north, actor_key="police")
    with pytest.raises(Invalid) as caught:
        start(north, lead_practitioner_id=south["early_help"].pk, agency_ids=[south.gp.pk])
    assert set(caught.value.errors) == {"lead_practitioner", "agencies"}


def test_step_up_refers_without_consent_and_links_the_referral(north) -> None:
    record = start(north)
    with pytest.raises(Invalid) as caught:
        early_help_step_up(actor=north["early_help"].user, assessment_id=record.pk,
                           concerns=" ")
    assert set(caught.value.errors) == {"concerns"}
    assert not Referral.objects.exists()
    referral = early_help_step_up(actor=north["early_help"].user, assessment_id=record.pk,
                                  concerns="Disclosed being hit by mother's partner",
                                  version=record.version)
    record.refresh_from_db()
    assert record.stepped_up_to == referral and referral.source == "5D"
    assert referral.case.child_id == record.child_id  # the same child, not a new record
    assert referral.received_on == date(2026, 11, 24)
    assert Obligation.objects.get(case=referral.case).duty == "referral.decision"
    # The family hub that referred and leads early help is involved and sees the case.
    assert Involvement.objects.filter(case=referral.case, agency=north.early_years).exists()
    assert cases_visible_to(north["early_help"].user).filter(pk=referral.case_id).exists()
    with pytest.raises(Invalid):
        early_help_step_up(actor=north["early_help"].user, assessment_id=record.pk,
                           concerns="Again")
