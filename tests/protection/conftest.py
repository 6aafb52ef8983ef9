"""Fixtures for child protection: a demo area and a child's case with a referral decided for
a strategy discussion, and helpers to walk the pathway."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from safeguard.demo.areas import build_area
from safeguard.referrals.services import referral_create, referral_decide

LONDON = ZoneInfo("Europe/London")
CHILD = {"given_name": "Mia", "family_name": "Clarke", "date_of_birth": date(2014, 5, 9)}
REFERRED = date(2026, 11, 2)


def on(day: date):
    """Freeze the clock at noon in London on ``day``."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=LONDON),
                               tick=False)


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


@pytest.fixture
def case(north):
    """A school's referral received and decided for a strategy discussion on 2 Nov 2026."""
    with on(REFERRED):
        referral = referral_create(actor=north["school_dsl"].user, received_on=REFERRED,
                                   source="2A", concerns="Injuries seen at school", child=CHILD)
        referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                        decided_on=REFERRED, outcome="strategy_discussion",
                        reasons="Reasonable cause to suspect significant harm",
                        feedback_to_referrer="A strategy discussion will be held")
    return referral.case


def attendees(area, *, police: bool = True, health: bool = True, social_care: bool = True):
    """Strategy discussion attendees: the social worker, the police and the NHS trust."""
    rows = []
    if social_care:
        rows.append({"agency_id": area.la.pk, "staff_id": area["social_worker"].pk})
    if police:
        rows.append({"agency_id": area.police.pk, "name": "DS Sarah Bennett",
                     "role": "Detective sergeant", "staff_id": area["police"].pk})
    if health:
        rows.append({"agency_id": area.trust.pk, "name": "Dr Grace Adeyemi",
                     "role": "Named doctor", "staff_id": area["health"].pk})
    rows.append({"agency_id": area.schools[0].pk, "name": "Mark Evans", "role": "DSL"})
    return rows


def invitees(area):
    return [
        {"agency_id": area.la.pk, "staff_id": area["social_worker"].pk, "attended": True,
         "report_submitted": True},
        {"agency_id": area.police.pk, "name": "DS Sarah Bennett", "attended": True,
         "report_submitted": True},
        {"agency_id": area.trust.pk, "staff_id": area["health"].pk, "attended": True,
         "report_submitted": False},
        {"agency_id": area.gp.pk, "name": "Dr Patel", "attended": False,
         "report_submitted": True},
        {"agency_id": area.schools[0].pk, "name": "Mark Evans", "attended": True,
         "report_submitted": True},
    ]
