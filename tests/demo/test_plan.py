"""The demo's plan (no database): deterministic, at England's scale, with timeliness like
England's, and its deadlines where the statutory engine puts them."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from safeguard.demo.identifiers import synthetic_nhs_number, synthetic_upn
from safeguard.demo.plan import plan_area
from safeguard.people.identifiers import validate_nhs_number, validate_upn
from safeguard.statutory.calendar import england
from safeguard.statutory.duties import (
    assessment_due,
    initial_conference_due,
    referral_decision_due,
)

TODAY = date(2026, 5, 20)


@pytest.fixture(scope="module")
def year():
    return plan_area(la_code="901", town="Northshire", scale=1.0, seed=2026, today=TODAY)


def _digest(plan) -> list[tuple]:
    return [(s.day, s.kind, s.story.key, s.story.child.given_name, sorted(s.data.items(),
             key=str)) for s in plan.steps]


def test_the_same_seed_scale_and_day_give_the_same_plan() -> None:
    one = plan_area(la_code="902", town="Southshire", scale=0.05, seed=3, today=TODAY)
    two = plan_area(la_code="902", town="Southshire", scale=0.05, seed=3, today=TODAY)
    other = plan_area(la_code="902", town="Southshire", scale=0.05, seed=4, today=TODAY)
    assert str(_digest(one)) == str(_digest(two))
    assert str(_digest(one)) != str(_digest(other))


def test_nothing_is_planned_after_today(year) -> None:
    assert max(s.day for s in year.steps) <= TODAY
    assert [s.sort_key() for s in year.steps] == sorted(s.sort_key() for s in year.steps)


def test_a_year_at_the_scale_of_an_average_english_local_authority(year) -> None:
    start = TODAY - timedelta(days=365)
    steps = [s for s in year.steps if s.day > start]
    kinds = Counter(s.kind for s in steps)
    referrals = [s for s in steps if s.kind == "referral"]
    assert 3900 <= len(referrals) <= 4100
    s47 = sum(1 for s in steps if s.kind == "strategy_discussion" and s.data["s47"])
    assert 1350 <= s47 <= 1650
    icpc = sum(1 for s in steps if s.kind == "conference" and s.data["kind"] == "initial")
    assert 400 <= icpc <= 540
    sources = Counter(s.data["source"] for s in referrals)
    assert 0.25 <= sources["6"] / len(referrals) <= 0.31  # police 28%
    assert 0.18 <= sources["2A"] / len(referrals) <= 0.24  # schools 21%
    assert 0.18 <= year.counts["re_referrals"] / year.counts["referrals"] <= 0.26  # 22.6%
    assert kinds["household"] == len(referrals)


def test_children_on_a_plan_at_the_end_are_like_englands(year) -> None:
    started: dict[int, date] = {}
    ended: set[int] = set()
    for s in year.steps:
        if s.kind == "conference" and s.data["kind"] != "review" and s.data["plan"]:
            started[s.story.key] = s.day
        elif (s.kind == "conference" and s.data["kind"] == "review" and not s.data["plan"]) \
                or s.kind == "plan_end":
            ended.add(s.story.key)
    on_plan = len(set(started) - ended)
    assert 260 <= on_plan <= 390  # England: ≈320 an average local authority


def test_timeliness_is_placed_against_the_engines_due_dates(year) -> None:
    received: dict[int, date] = {}
    discussion: dict[int, date] = {}
    decisions = on_time_decisions = assessments = on_time_assessments = 0
    icpcs = on_time_icpcs = 0
    for s in year.steps:
        key = s.story.key
        if s.kind == "referral":
            received[key] = s.day
        elif s.kind == "decision":
            decisions += 1
            on_time_decisions += s.day <= referral_decision_due(received[key])
        elif s.kind == "assessment_complete":
            assessments += 1
            late = s.day > assessment_due(received[key])
            assert s.data["late"] == late
            on_time_assessments += not late
        elif s.kind == "strategy_discussion" and s.data["s47"] and key not in discussion:
            discussion[key] = s.day
        elif s.kind == "conference" and s.data["kind"] == "initial":
            icpcs += 1
            on_time_icpcs += s.day <= initial_conference_due(discussion[key])
    assert on_time_decisions / decisions >= 0.88  # most within one working day
    assert 0.83 <= on_time_assessments / assessments <= 0.89  # England: 85.7%
    assert 0.76 <= on_time_icpcs / icpcs <= 0.87  # England: 81.4%


def test_conferences_and_discussions_fall_on_working_days(year) -> None:
    cal = england()
    for s in year.steps:
        if s.kind in ("strategy_discussion", "conference", "decision"):
            assert cal.is_working_day(s.day), (s.kind, s.day)


def test_synthetic_identifiers_are_valid_and_never_issued() -> None:
    import random

    rng = random.Random(1)
    for _ in range(200):
        nhs = synthetic_nhs_number(rng)
        validate_nhs_number(nhs)
        assert nhs[0] == "9"
        validate_upn(synthetic_upn(rng, 2019))


def test_each_story_moves_through_the_pathway_in_order(year) -> None:
    """What a service needs recorded first comes first: the decision before the assessment
    or discussion, the discussion before the enquiry's outcome, the conference before the
    plan's core groups."""
    needs = {
        "decision": {"referral"}, "authorise": {"decision"}, "allocate": {"decision"},
        "assessment_start": {"decision"}, "strategy_discussion": {"decision"},
        "s47_outcome": {"strategy_discussion"}, "assessment_complete": {"assessment_start"},
        "assessment_authorise": {"assessment_complete"}, "case_close": {"assessment_complete"},
        "cin_plan_start": {"assessment_complete"}, "core_group": {"conference"},
        "plan_end": {"conference"}, "early_help_plan": set(),
    }
    seen: dict[int, set[str]] = {}
    for step in year.steps:
        done = seen.setdefault(step.story.key, set())
        missing = needs.get(step.kind, set()) - done
        assert not missing, (step.kind, step.day, missing)
        done.add(step.kind)


def test_no_two_children_share_an_identifier_even_across_areas(year) -> None:
    south = plan_area(la_code="902", town="Southshire", scale=1.0, seed=2026, today=TODAY)
    children = [c for plan in (year, south) for h in plan.households for c in h.children]
    nhs = [c.nhs_number for c in children if c.nhs_number]
    upns = [c.upn for c in children if c.upn]
    assert len(nhs) > 5000 and len(upns) > 3000
    assert len(set(nhs)) == len(nhs)
    assert len(set(upns)) == len(upns)
    for number in nhs[:500]:
        validate_nhs_number(number)
    for number in upns[:500]:
        validate_upn(number)
