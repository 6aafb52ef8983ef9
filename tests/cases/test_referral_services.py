"""The front door's services: a referral recorded, decided and authorised."""

from datetime import date

import pytest
import time_machine

from safeguard.cases.models import Obligation
from safeguard.cases.policy import cases_visible_to
from safeguard.core.models import AuditEntry
from safeguard.core.services import Invalid, NotAllowed
from safeguard.demo.areas import build_area
from safeguard.referrals.services import decision_authorise, referral_create, referral_decide

pytestmark = [pytest.mark.django_db, pytest.mark.db]

CHILD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)}


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


@time_machine.travel("2026-11-24 10:00:00+00:00", tick=False)
def test_a_school_referral_decided_within_a_day(north, south) -> None:
    dsl = north["school_dsl"].user
    referral = referral_create(actor=dsl, received_on=date(2026, 11, 23), source="2A",
                               concerns="Bruising seen on arms", child=CHILD)
    case = referral.case
    assert case.local_authority == north.la
    assert list(Obligation.objects.filter(case=case).values_list("duty", "due", "status")) == [
        ("referral.decision", date(2026, 11, 24), "due")]
    # The school sees the case it referred; the other area does not.
    assert cases_visible_to(dsl).filter(pk=case.pk).exists()
    assert not cases_visible_to(south["social_worker"].user).filter(pk=case.pk).exists()
    assert not cases_visible_to(north["police"].user).filter(pk=case.pk).exists()

    sw = north["social_worker"].user
    referral_decide(actor=sw, referral_id=referral.pk, decided_on=date(2026, 11, 24),
                    outcome="assessment", reasons="Needs assessment",
                    feedback_to_referrer="An assessment will start", family_informed=True)
    rows = list(Obligation.objects.filter(case=case).values_list("duty", "status"))
    assert rows == [("referral.decision", "met"), ("assessment.complete", "due")]
    decision = decision_authorise(actor=north["manager"].user, referral_id=referral.pk)
    assert decision.authorised_by == north["manager"]
    assert AuditEntry.objects.filter(case_id=case.pk).count() == 3


@time_machine.travel("2026-11-24 10:00:00+00:00", tick=False)
def test_bad_input_changes_nothing(north) -> None:
    with pytest.raises(Invalid) as caught:
        referral_create(actor=north["front_door"].user, received_on=date(2026, 11, 30),
                        source="ZZ", concerns=" ", child={**CHILD, "nhs_number": "1234567890"})
    assert set(caught.value.errors) == {"received_on", "source", "concerns", "child.nhs_number"}
    assert not cases_visible_to(north["front_door"].user).exists()


@time_machine.travel("2026-11-24 10:00:00+00:00", tick=False)
def test_only_managers_authorise_and_other_areas_cannot_decide(north, south) -> None:
    referral = referral_create(actor=north["front_door"].user, received_on=date(2026, 11, 23),
                               source="6", concerns="Domestic abuse incident", child=CHILD)
    with pytest.raises(NotAllowed):
        referral_decide(actor=south["social_worker"].user, referral_id=referral.pk,
                        decided_on=date(2026, 11, 23), outcome="no_further_action", reasons="x")
    referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                    decided_on=date(2026, 11, 23), outcome="early_help", reasons="x")
    with pytest.raises(NotAllowed):
        decision_authorise(actor=north["social_worker"].user, referral_id=referral.pk)
