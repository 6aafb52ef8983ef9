"""Fixtures for sharing out of Safeguard: Northshire and Southshire, and a north child's case
taken to an initial child protection conference that started a plan (17 November 2026),
the clock then frozen on 24 November 2026."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from safeguard.demo.areas import build_area

LONDON = ZoneInfo("Europe/London")
REFERRED, STRATEGY, OUTCOME, ICPC = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 12),
                                     date(2026, 11, 17))
TODAY = date(2026, 11, 24)


def on(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=LONDON),
                               tick=False)


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")


def hold_conference(area, case):
    """Strategy discussion (the social worker, the police and health: not the school),
    substantiated enquiries, and an initial conference inviting the police, health, the GP
    and the school, with a plan whose core group is health and the school."""
    from safeguard.protection.services import (
        conference_record,
        plan_action_add,
        s47_outcome_record,
        strategy_discussion_record,
    )

    sw = area["social_worker"].user
    with on(STRATEGY):
        discussion = strategy_discussion_record(
            actor=sw, case_id=case.pk, held_on=STRATEGY, s47_initiated=True,
            criminal_investigation=True,
            attendees=[{"agency_id": area.la.pk, "staff_id": area["social_worker"].pk},
                       {"agency_id": area.police.pk, "name": "DS Sarah Bennett"},
                       {"agency_id": area.trust.pk, "staff_id": area["health"].pk}],
            decisions="Joint visit with the police: investigative notes",
            actions=[{"action": "Joint visit", "owner_agency_id": area.police.pk,
                      "due_on": STRATEGY}])
    with on(OUTCOME):
        s47_outcome_record(actor=sw, enquiry_id=discussion.enquiry.pk, outcome_on=OUTCOME,
                           substantiated=True, conference=True)
    with on(ICPC):
        conference = conference_record(
            actor=area["chair"].user, case_id=case.pk, kind="initial", held_on=ICPC,
            chair_id=area["chair"].pk, plan_decision=True, category="PHY",
            lead_social_worker_id=area["social_worker"].pk,
            summary="Bruising explained inconsistently; plan agreed",
            invitees=[
                {"agency_id": area.la.pk, "staff_id": area["social_worker"].pk,
                 "attended": True},
                {"agency_id": area.police.pk, "name": "DS Sarah Bennett",
                 "role": "Detective sergeant", "staff_id": area["police"].pk,
                 "attended": True},
                {"agency_id": area.trust.pk, "staff_id": area["health"].pk, "attended": True},
                {"agency_id": area.gp.pk, "name": "Dr Patel"},
                {"agency_id": area.schools[0].pk, "name": "Mark Evans", "role": "DSL",
                 "attended": True},
            ],
            core_group=[{"agency_id": area.trust.pk, "staff_id": area["health"].pk},
                        {"agency_id": area.schools[0].pk, "name": "Mark Evans"}])
        plan = conference.plan_started
        plan_action_add(actor=sw, plan_id=plan.pk, action="Police welfare check",
                        owner_agency_id=area.police.pk, due_on=TODAY)
        plan_action_add(actor=sw, plan_id=plan.pk, action="Attendance checked daily",
                        owner_agency_id=area.schools[0].pk, due_on=TODAY)
    return conference


@pytest.fixture
def conference(north):
    from safeguard.referrals.services import referral_create, referral_decide

    with on(REFERRED):
        referral = referral_create(
            actor=north["school_dsl"].user, received_on=REFERRED, source="2A",
            concerns="Injuries seen at school",
            child={"given_name": "Mia", "family_name": "Clarke",
                   "date_of_birth": date(2014, 5, 9)})
        referral_decide(actor=north["social_worker"].user, referral_id=referral.pk,
                        decided_on=REFERRED, outcome="strategy_discussion",
                        reasons="Reasonable cause to suspect significant harm",
                        feedback_to_referrer="A strategy discussion will be held")
    conference = hold_conference(north, referral.case)
    with on(TODAY):
        yield conference


WITH_CONSENT = dict(purpose="So each agency knows the plan", consent_sought=True,
                    consent_given=True, person_told=True)
WITHOUT_CONSENT = dict(
    purpose="The receiving authority must protect the child", consent_sought=False,
    consent_not_sought_reason="Seeking it would alert the alleged abuser",
    article_6_basis="6(1)(e)", paragraph_18_reason="would_prejudice", person_told=False,
    person_not_told_reason="Police investigation under way")
