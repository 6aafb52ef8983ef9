"""Sharing decisions: complete records with and without consent, and declines."""

from datetime import date

import pytest
import time_machine

from safeguard.core.models import AuditEntry
from safeguard.core.services import Invalid, NotAllowed
from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create
from safeguard.sharing.models import SharingDecision
from safeguard.sharing.services import sharing_record

pytestmark = [pytest.mark.django_db, pytest.mark.db]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def setting():
    north = build_area("Northshire", "901", "north")
    south = build_area("Southshire", "902", "south")
    referral = referral_create(
        actor=north["school_dsl"].user, received_on=date(2026, 11, 23), source="2A",
        concerns="Bruising", child={"given_name": "Ava", "family_name": "Turner",
                                    "date_of_birth": date(2015, 3, 14)})
    return north, south, referral.case


COMPLETE_WITH_CONSENT = dict(
    decision="share", what="The assessment summary", purpose="To plan support",
    consent_sought=True, consent_given=True, person_told=True,
)
WITHOUT_CONSENT = dict(
    decision="share", what="Police concerns about the household", purpose="Protect the child",
    consent_sought=False, consent_not_sought_reason="It would alert the alleged abuser",
    article_6_basis="6(1)(e)", paragraph_18_reason="would_prejudice", person_told=False,
    person_not_told_reason="Police investigation under way",
)


def test_sharing_with_consent(setting) -> None:
    north, _south, case = setting
    record = sharing_record(actor=north["social_worker"].user, case_id=case.pk,
                            with_agency_id=north.police.pk, **COMPLETE_WITH_CONSENT)
    assert record.decided_by == north["social_worker"]
    assert record.decided_by_agency == north.la and record.decided_by_role == "social_worker"
    assert not record.without_consent
    assert AuditEntry.objects.filter(action="share", case_id=case.pk).exists()


def test_sharing_without_consent_records_the_lawful_basis(setting) -> None:
    north, _south, case = setting
    record = sharing_record(actor=north["social_worker"].user, case_id=case.pk,
                            with_agency_id=north.trust.pk, **WITHOUT_CONSENT)
    assert record.without_consent
    assert (record.article_6_basis, record.paragraph_18_reason) == ("6(1)(e)", "would_prejudice")


def test_a_decline_is_recorded_the_same_way(setting) -> None:
    north, _south, case = setting
    record = sharing_record(
        actor=north["social_worker"].user, case_id=case.pk, decision="withhold",
        what="Mother's health records", purpose="Requested by the housing officer",
        with_whom="Housing officer", consent_sought=True, consent_given=False,
        person_told=True)
    assert record.decision == "withhold"
    assert AuditEntry.objects.filter(action="withhold", case_id=case.pk).exists()


@pytest.mark.parametrize(("change", "fields"), [
    ({"article_6_basis": ""}, {"article_6_basis"}),
    ({"article_6_basis": "6(1)(a)"}, {"article_6_basis"}),
    ({"paragraph_18_reason": ""}, {"paragraph_18_reason"}),
    ({"consent_not_sought_reason": ""}, {"consent_not_sought_reason"}),
    ({"person_not_told_reason": ""}, {"person_not_told_reason"}),
    ({"what": " ", "purpose": ""}, {"what", "purpose"}),
    ({"consent_sought": None}, {"consent_sought"}),
    ({"decided_on": date(2026, 12, 1)}, {"decided_on"}),
])
def test_an_incomplete_record_is_refused_and_nothing_saved(setting, change, fields) -> None:
    north, _south, case = setting
    with pytest.raises(Invalid) as caught:
        sharing_record(actor=north["social_worker"].user, case_id=case.pk,
                       with_agency_id=north.police.pk, **{**WITHOUT_CONSENT, **change})
    assert set(caught.value.errors) == fields
    assert not SharingDecision.objects.exists()


def test_nobody_records_sharing_on_a_case_they_cannot_see(setting) -> None:
    _north, south, case = setting
    with pytest.raises(NotAllowed):
        sharing_record(actor=south["social_worker"].user, case_id=case.pk,
                       with_agency_id=None, with_whom="x", **COMPLETE_WITH_CONSENT)


def test_break_glass_opens_a_case_to_read_not_to_record_sharing(setting) -> None:
    from safeguard.cases.services import break_glass

    north, _south, case = setting
    police = north["police"].user
    break_glass(actor=police, case_id=case.pk,
                reason="Child in custody overnight; is there a plan?")
    with pytest.raises(NotAllowed, match="break-glass"):
        sharing_record(actor=police, case_id=case.pk, with_agency_id=north.la.pk,
                       **COMPLETE_WITH_CONSENT)
    assert not SharingDecision.objects.exists()
