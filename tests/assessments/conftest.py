"""Fixtures for assessments, child in need plans and households: two areas, a child
referred by a school on 28 August 2026 and decided for assessment, the clock at
24 November 2026 (the 45 working days ran out on 2 November 2026)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create, referral_decide

TODAY = "2026-11-24 10:00:00+00:00"
RECEIVED = date(2026, 8, 28)
CHILD = {"given_name": "Ava", "family_name": "Turner", "date_of_birth": date(2015, 3, 14)}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


def refer(area, *, received_on=RECEIVED, outcome="assessment", child=None):
    referral = referral_create(actor=area["school_dsl"].user, received_on=received_on,
                               source="2A", concerns="Bruising seen on arms",
                               child=child or CHILD)
    if outcome:
        referral_decide(actor=area["social_worker"].user, referral_id=referral.pk,
                        decided_on=received_on, outcome=outcome, reasons="Needs assessment",
                        feedback_to_referrer="An assessment will start", family_informed=True)
    return referral


@pytest.fixture
def referral(north):
    return refer(north)
