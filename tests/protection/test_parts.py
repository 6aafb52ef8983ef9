"""Parts of a case by need to know (``policy.case_parts``): a partner who sees a case sees
the child protection records their agency took part in, and of a plan's actions only their
own. A school's designated safeguarding lead who was not at the strategy discussion sees the
plan and the school's actions, never the police's investigative notes — on the pages and
through the API alike; social care sees everything."""

from __future__ import annotations

import pytest
from django.test import Client

from safeguard.cases.policy import case_parts
from safeguard.protection import selectors
from safeguard.protection.services import plan_action_add

from .conftest import attendees, on
from .test_services import CORE_GROUP, OUTCOME, hold_icpc, hold_strategy

pytestmark = [pytest.mark.django_db, pytest.mark.db]

NOTES = "Joint visit with the police; the partner of the mother to be interviewed under caution"


@pytest.fixture
def plan(north, case):
    """Strategy discussion without the school, enquiries, ICPC the school was invited to
    and a plan with one action for the school and one for the police."""
    from safeguard.protection.services import s47_outcome_record

    without_school = [a for a in attendees(north) if a["agency_id"] != north.schools[0].pk]
    discussion = hold_strategy(north, case, attendees=without_school, decisions=NOTES)
    with on(OUTCOME):
        s47_outcome_record(actor=north["social_worker"].user, enquiry_id=discussion.enquiry.pk,
                           outcome_on=OUTCOME, substantiated=True, conference=True)
    plan = hold_icpc(north, case).plan_started
    with on(CORE_GROUP):
        for agency, text in ((north.schools[0], "Daily check-in with Mia at school"),
                             (north.police, "Disclosure check on the mother's partner")):
            plan_action_add(actor=north["social_worker"].user, plan_id=plan.pk, action=text,
                            owner_agency_id=agency.pk)
    return plan


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_the_parts_each_person_sees(north, case, plan) -> None:
    discussion = case.strategy_discussions.get()
    school = case_parts(north["school_dsl"].user, case)
    assert not school.whole
    assert not school.sees(discussion)
    # Invited to the conference the enquiry led to: the enquiry's outcome is in its report.
    assert school.sees(discussion.enquiry)
    assert school.sees(plan) and school.sees(plan.started_by)
    police = case_parts(north["police"].user, case)
    assert police.sees(discussion) and police.sees(discussion.enquiry) and police.sees(plan)
    assert case_parts(north["social_worker"].user, case).whole

    seen = selectors.plan_for(north["school_dsl"].user, plan.pk)
    assert [a.action for a in seen.actions.all()] == ["Daily check-in with Mia at school"]
    everything = selectors.plan_for(north["social_worker"].user, plan.pk)
    assert len(everything.actions.all()) == 2


def test_the_school_sees_the_plan_but_not_the_investigative_notes(north, case, plan) -> None:
    discussion = case.strategy_discussions.get()
    school = _client(north["school_dsl"])

    page = school.get(f"/protection/cases/{case.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/protection/strategy-discussions/{discussion.pk}/" not in text
    assert NOTES not in text
    assert school.get(f"/protection/strategy-discussions/{discussion.pk}/").status_code == 404

    plan_page = school.get(f"/protection/plans/{plan.pk}/").content.decode()
    assert "Daily check-in with Mia at school" in plan_page
    assert "Disclosure check" not in plan_page

    api = school.get(f"/api/v1/protection/cases/{case.pk}")
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["strategy_discussions"] == []
    assert [a["action"] for a in body["open_plan"]["actions"]] == [
        "Daily check-in with Mia at school"]
    assert NOTES not in api.content.decode()
    refused = school.get(f"/api/v1/protection/strategy-discussions/{discussion.pk}")
    assert refused.status_code == 404
    assert NOTES not in refused.content.decode()


def test_those_at_the_discussion_and_social_care_see_it(north, case, plan) -> None:
    discussion = case.strategy_discussions.get()
    for who in ("police", "health", "social_worker"):
        client = _client(north[who])
        page = client.get(f"/protection/strategy-discussions/{discussion.pk}/")
        assert page.status_code == 200, who
        assert NOTES in page.content.decode()
    plan_page = _client(north["social_worker"]).get(f"/protection/plans/{plan.pk}/")
    assert "Disclosure check on the mother" in plan_page.content.decode()
