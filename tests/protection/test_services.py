"""Child protection services: the pathway from a strategy discussion to the end of a plan,
every refusal the guidance calls for, and the obligations the engine gives after each step.

Due dates are never counted here: they come from the engine's own functions
(``safeguard.statutory.duties``) and must match what the case stores."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from safeguard.agencies.models import Role, Staff
from safeguard.cases.models import Involvement, Obligation
from safeguard.cases.policy import WHOLE_CASE, can_view_case
from safeguard.cases.services import case_allocate
from safeguard.cases.timeline import case_timeline
from safeguard.core.models import AuditEntry
from safeguard.core.services import EditConflict, Invalid, NotAllowed
from safeguard.protection import selectors
from safeguard.protection.models import (
    ChildProtectionPlan,
    Conference,
    ConferenceInvitee,
    CoreGroupMeeting,
    ImmediateProtection,
    PlanEndNotification,
    Section47Enquiry,
    StrategyAction,
    StrategyAttendee,
    StrategyDiscussion,
)
from safeguard.protection.services import (
    MISSING_HEALTH,
    MISSING_POLICE,
    MISSING_SOCIAL_CARE,
    conference_record,
    conference_request_record,
    core_group_meeting_record,
    immediate_protection_record,
    moved_in_notice_record,
    plan_action_add,
    plan_action_complete,
    plan_end,
    plan_outcomes_update,
    return_home_record,
    s47_outcome_record,
    strategy_discussion_record,
)
from safeguard.statutory import compute_obligations, parse_timeline
from safeguard.statutory.duties import (
    first_core_group_due,
    first_review_conference_due,
    initial_conference_due,
    next_review_conference_due,
    transfer_in_conference_due,
)

from .conftest import attendees, invitees, on

pytestmark = [pytest.mark.django_db, pytest.mark.db]

STRATEGY = date(2026, 11, 3)
OUTCOME = date(2026, 11, 12)
ICPC = date(2026, 11, 17)
CORE_GROUP = date(2026, 11, 30)
REVIEW = date(2027, 2, 15)
ENDED = date(2027, 2, 26)


def duties(case) -> dict[str, tuple[date | None, str]]:
    """The case's stored obligations (the last of each duty): duty -> (due, status)."""
    return {o.duty: (o.due, o.status) for o in Obligation.objects.filter(case=case)
            .order_by("position")}


def assert_stored_match_engine(case, day: date) -> None:
    """What the case stores is exactly what the engine gives for the case's timeline."""
    engine = compute_obligations(parse_timeline(case_timeline(case)), day)
    stored = Obligation.objects.filter(case=case).order_by("position")
    assert [(o.duty, o.arose, o.due, o.status, o.met_on) for o in stored] == [
        (o.duty, o.arose, o.due, o.status, o.met_on) for o in engine]


def hold_strategy(area, case, day=STRATEGY, **changes):
    values = dict(actor=area["social_worker"].user, case_id=case.pk, held_on=day,
                  attendees=attendees(area), s47_initiated=True, criminal_investigation=True,
                  decisions="Section 47 enquiries; joint visit with the police",
                  actions=[{"action": "Joint visit", "owner_agency_id": area.police.pk,
                            "owner": "DS Bennett", "due_on": day}])
    values.update(changes)
    with on(day):
        return strategy_discussion_record(**values)


def hold_icpc(area, case, day=ICPC, **changes):
    values = dict(actor=area["chair"].user, case_id=case.pk, kind="initial", held_on=day,
                  chair_id=area["chair"].pk, invitees=invitees(area), plan_decision=True,
                  category="PHY", lead_social_worker_id=area["social_worker"].pk,
                  core_group=[{"agency_id": area.trust.pk, "staff_id": area["health"].pk},
                              {"agency_id": area.schools[0].pk, "name": "Mark Evans"}])
    values.update(changes)
    with on(day):
        return conference_record(**values)


def to_plan(area, case):
    """Strategy discussion, substantiated enquiries, ICPC with a plan: the plan."""
    discussion = hold_strategy(area, case)
    with on(OUTCOME):
        s47_outcome_record(actor=area["social_worker"].user, enquiry_id=discussion.enquiry.pk,
                           outcome_on=OUTCOME, substantiated=True, conference=True)
    return hold_icpc(area, case).plan_started


# ---- the pathway ---------------------------------------------------------------------------


def test_strategy_to_plan_end_with_the_obligations_at_each_step(north, case) -> None:
    sw = north["social_worker"].user
    assert not can_view_case(north["police"].user, case)

    discussion = hold_strategy(north, case)
    enquiry = discussion.enquiry
    assert enquiry.started_on == STRATEGY
    assert StrategyAttendee.objects.filter(discussion=discussion).count() == 4
    assert StrategyAction.objects.get(discussion=discussion).owner_agency == north.police
    # Attending agencies are now involved, so the police and health see the case.
    assert set(Involvement.objects.filter(case=case, kind="strategy_discussion")
               .values_list("agency", flat=True)) == {
        north.la.pk, north.police.pk, north.trust.pk, north.schools[0].pk}
    assert can_view_case(north["police"].user, case)
    assert duties(case)["icpc.hold"] == (initial_conference_due(STRATEGY), "due")
    assert_stored_match_engine(case, STRATEGY)

    with on(OUTCOME):
        s47_outcome_record(actor=sw, enquiry_id=enquiry.pk, outcome_on=OUTCOME,
                           substantiated=True, conference=True, version=enquiry.version)
    conference = hold_icpc(north, case)
    plan = conference.plan_started
    assert (plan.started_on, plan.category, plan.lead_social_worker) == (
        ICPC, "PHY", north["social_worker"])
    assert ConferenceInvitee.objects.filter(conference=conference).count() == 5
    assert list(plan.core_group.values_list("name", flat=True)) == [
        "Amara Okafor", "Grace Adeyemi", "Mark Evans"]
    assert Involvement.objects.filter(case=case, kind="core_group_member").count() == 3
    assert Involvement.objects.filter(case=case, kind="conference_invitee").count() == 5
    got = duties(case)
    assert got["icpc.hold"][1] == "met"
    assert got["cpp.core-group"] == (first_core_group_due(ICPC), "due")
    assert got["cpp.first-review"] == (first_review_conference_due(ICPC), "due")
    assert "cpp.end-at-18" in got
    assert_stored_match_engine(case, ICPC)

    # A health practitioner in the core group records its first meeting.
    with on(CORE_GROUP):
        core_group_meeting_record(actor=north["health"].user, plan_id=plan.pk,
                                  held_on=CORE_GROUP, notes="Plan developed")
        plan_outcomes_update(actor=sw, plan_id=plan.pk, outcomes="No further injuries",
                             version=plan.version)
        plan.refresh_from_db()
        action = plan_action_add(actor=sw, plan_id=plan.pk, action="Paediatric follow-up",
                                 owner_agency_id=north.trust.pk, due_on=date(2026, 12, 14),
                                 version=plan.version)
        plan.refresh_from_db()
        plan_action_complete(actor=north["health"].user, plan_id=plan.pk, action_id=action.pk,
                             done_on=CORE_GROUP, version=plan.version)
    assert duties(case)["cpp.core-group"][1] == "met"

    review = hold_icpc(north, case, REVIEW, kind="review", plan_decision=True, category="",
                       lead_social_worker_id=None, core_group=[])
    assert review.plan == plan
    got = duties(case)
    assert got["cpp.first-review"][1] == "met"
    assert got["cpp.later-reviews"] == (next_review_conference_due(REVIEW), "due")
    assert_stored_match_engine(case, REVIEW)

    plan.refresh_from_db()
    with on(ENDED):
        plan_end(actor=sw, plan_id=plan.pk, ended_on=ENDED, reason="no_longer_at_risk",
                 version=plan.version)
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason, plan.ended_by) == (ENDED, "no_longer_at_risk", None)
    # Every agency invited to the ICPC that led to the plan is notified.
    assert set(PlanEndNotification.objects.filter(plan=plan).values_list("agency", flat=True)) \
        == {north.la.pk, north.police.pk, north.trust.pk, north.gp.pk, north.schools[0].pk}
    got = duties(case)
    assert got["cpp.later-reviews"][1] == "withdrawn"
    assert got["cpp.end-at-18"][1] == "met"
    assert_stored_match_engine(case, ENDED)
    assert not Involvement.objects.filter(case=case, kind="core_group_member",
                                          until__isnull=True).exists()
    actions = list(AuditEntry.objects.filter(case_id=case.pk).values_list("object_type", "action"))
    assert ("protection.childprotectionplan", "end") in actions
    assert ("protection.conference", "create") in actions
    assert ("protection.section47enquiry", "record_outcome") in actions


def test_a_review_conference_that_ends_the_plan(north, case) -> None:
    plan = to_plan(north, case)
    review = hold_icpc(north, case, REVIEW, kind="review", plan_decision=False, category="",
                       lead_social_worker_id=None, core_group=[])
    plan.refresh_from_db()
    assert (plan.ended_on, plan.end_reason, plan.ended_by) == (REVIEW, "no_longer_at_risk", review)
    assert PlanEndNotification.objects.filter(plan=plan).count() == 5
    got = duties(case)
    assert got["cpp.first-review"][1] == "met"
    assert "cpp.later-reviews" not in got
    assert_stored_match_engine(case, REVIEW)
    # The plan has ended: no core group, no second review.
    with on(REVIEW), pytest.raises(Invalid) as caught:
        core_group_meeting_record(actor=north["social_worker"].user, plan_id=plan.pk,
                                  held_on=REVIEW)
    assert set(caught.value.errors) == {"plan"}


def test_a_strategy_discussion_without_s47_starts_no_enquiry(north, case) -> None:
    hold_strategy(north, case, s47_initiated=False, actions=[])
    assert not Section47Enquiry.objects.filter(case=case).exists()
    assert "icpc.hold" not in duties(case)


def test_a_later_discussion_in_an_open_enquiry_keeps_the_first(north, case) -> None:
    first = hold_strategy(north, case)
    second = hold_strategy(north, case, date(2026, 11, 6))
    assert Section47Enquiry.objects.filter(case=case).get().strategy_discussion == first
    assert not hasattr(second, "enquiry") or second.enquiry is None
    assert duties(case)["icpc.hold"][0] == initial_conference_due(STRATEGY)


def test_immediate_protection_then_the_strategy_discussion(north, case) -> None:
    with on(REFERRED := date(2026, 11, 2)):
        record = immediate_protection_record(
            actor=north["social_worker"].user, case_id=case.pk, kind="police_protection",
            taken_on=REFERRED, acting_agency_id=north.police.pk, acted_by="PC Jones",
            details="Child removed to a place of safety")
    assert can_view_case(north["police"].user, case)
    with pytest.raises(Invalid) as caught:
        hold_strategy(north, case, date(2026, 11, 2), immediate_protection_id=record.pk,
                      held_on=date(2026, 11, 1))
    assert caught.value.errors == {
        "held_on": "The date of the strategy discussion must be on or after the date of the "
                   "referral, 2 November 2026"}
    discussion = hold_strategy(north, case, immediate_protection_id=record.pk)
    assert discussion.immediate_protection == record
    assert ImmediateProtection.objects.get().strategy_discussions.get() == discussion


# ---- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "change", "errors"), [
    ("no police", dict(police=False), {"attendees.police": MISSING_POLICE}),
    ("no health", dict(health=False), {"attendees.health": MISSING_HEALTH}),
    ("no social worker", dict(social_care=False), {"attendees.social_care": MISSING_SOCIAL_CARE}),
    ("nobody", dict(police=False, health=False, social_care=False), {
        "attendees.police": MISSING_POLICE, "attendees.health": MISSING_HEALTH,
        "attendees.social_care": MISSING_SOCIAL_CARE}),
])
def test_a_strategy_discussion_without_the_minimum_attendees_is_refused(
        north, case, name, change, errors) -> None:
    audit_before = AuditEntry.objects.count()
    involvements_before = Involvement.objects.count()
    with pytest.raises(Invalid) as caught:
        hold_strategy(north, case, attendees=attendees(north, **change))
    assert caught.value.errors == errors, name
    assert MISSING_POLICE == "Add an attendee from the police"
    # Nothing saved.
    assert not StrategyDiscussion.objects.exists()
    assert not StrategyAttendee.objects.exists()
    assert not Section47Enquiry.objects.exists()
    assert Involvement.objects.count() == involvements_before
    assert AuditEntry.objects.count() == audit_before
    assert "icpc.hold" not in duties(case)


@pytest.mark.parametrize(("name", "change", "errors"), [
    ("a front door worker is not the social worker",
     lambda a: dict(attendees=[{"agency_id": a.la.pk, "staff_id": a["front_door"].pk},
                               *attendees(a, social_care=False)]),
     {"attendees.social_care"}),
    ("the local authority's staff must be named from its staff",
     lambda a: dict(attendees=[{"agency_id": a.la.pk, "name": "Someone"},
                               *attendees(a, social_care=False)]),
     {"attendees.social_care"}),
    ("an agency of another area",
     lambda a: dict(attendees=[*attendees(a), {"agency_id": 999999, "name": "X"}]),
     {"attendees.4.agency"}),
    ("a police row without a name still counts the police, and names the row",
     lambda a: dict(attendees=[{"agency_id": a.police.pk}, *attendees(a, police=False)]),
     {"attendees.0.name"}),
    ("in the future", lambda a: dict(held_on=date(2026, 11, 4)), {"held_on"}),
    ("before the referral", lambda a: dict(held_on=date(2026, 10, 30)), {"held_on"}),
    ("no decisions", lambda a: dict(decisions=" ", s47_initiated=None,
                                    criminal_investigation=None),
     {"decisions", "s47_initiated", "criminal_investigation"}),
    ("an action without owner or due date",
     lambda a: dict(actions=[{"action": "", "owner_agency_id": None}]),
     {"actions.0.action", "actions.0.owner_agency", "actions.0.due_on"}),
])
def test_strategy_discussion_refusals(north, case, name, change, errors) -> None:
    with on(STRATEGY), pytest.raises(Invalid) as caught:
        values = dict(actor=north["social_worker"].user, case_id=case.pk, held_on=STRATEGY,
                      attendees=attendees(north), s47_initiated=True,
                      criminal_investigation=False, decisions="Enquiries")
        values.update(change(north))
        strategy_discussion_record(**values)
    assert set(caught.value.errors) == errors, name
    assert not StrategyDiscussion.objects.exists()


def _chair(area, username: str) -> Staff:
    user = get_user_model().objects.create_user(username=username, first_name="Chris",
                                                last_name="Lane")
    return Staff.objects.create(user=user, agency=area.la, role=Role.CONFERENCE_CHAIR)


def test_the_chair_must_be_an_independent_conference_chair(north, case) -> None:
    discussion = hold_strategy(north, case)
    message = ("The chair must be independent of the case’s line management: choose a chair who "
               "is not the allocated worker or their manager")
    # Not a chair at all.
    with pytest.raises(Invalid) as caught:
        hold_icpc(north, case, chair_id=north["social_worker"].pk)
    assert set(caught.value.errors) == {"chair"}
    # The chair manages the allocated worker.
    managing_chair = _chair(north, "north-chair-manager")
    Staff.objects.filter(pk=north["social_worker"].pk).update(manager=managing_chair)
    with on(STRATEGY):
        case_allocate(actor=north["manager"].user, case_id=case.pk,
                      worker_id=north["social_worker"].pk)
    with pytest.raises(Invalid) as caught:
        hold_icpc(north, case, chair_id=managing_chair.pk)
    assert caught.value.errors == {"chair": message}
    # The chair is the allocated worker.
    case.refresh_from_db()
    with on(STRATEGY):
        case_allocate(actor=north["manager"].user, case_id=case.pk, worker_id=north["chair"].pk,
                      version=case.version)
    with pytest.raises(Invalid) as caught:
        hold_icpc(north, case)
    assert caught.value.errors == {"chair": message}
    assert not Conference.objects.exists() and not ChildProtectionPlan.objects.exists()
    # An independent chair is accepted.
    assert hold_icpc(north, case, chair_id=_chair(north, "north-chair-2").pk).enquiry == \
        discussion.enquiry


@pytest.mark.parametrize(("name", "change", "errors"), [
    ("no category when a plan starts", dict(category=""), {"category"}),
    ("no lead social worker", dict(lead_social_worker_id=None), {"lead_social_worker"}),
    ("a chair as lead social worker", "chair-as-lead", {"lead_social_worker"}),
    ("no invitees", dict(invitees=[]), {"invitees"}),
    ("no decision", dict(plan_decision=None), {"plan_decision"}),
    ("before the enquiries started", dict(held_on=date(2026, 11, 2)), {"held_on"}),
    ("in the future", dict(held_on=date(2026, 11, 18)), {"held_on"}),
    ("a review with no plan", dict(kind="review"), {"kind"}),
    ("a transfer-in with no notice of a move", dict(kind="transfer_in"), {"kind"}),
])
def test_conference_refusals(north, case, name, change, errors) -> None:
    hold_strategy(north, case)
    if change == "chair-as-lead":
        change = dict(lead_social_worker_id=north["chair"].pk)
    with pytest.raises(Invalid) as caught:
        hold_icpc(north, case, **change)
    assert set(caught.value.errors) == errors, name
    assert not Conference.objects.exists()


def test_an_initial_conference_needs_enquiries_and_no_plan(north, case) -> None:
    with pytest.raises(Invalid) as caught:
        hold_icpc(north, case)
    assert set(caught.value.errors) == {"kind"}
    to_plan(north, case)
    with pytest.raises(Invalid) as caught:
        hold_icpc(north, case, date(2026, 11, 20))
    assert "already the subject of a child protection plan" in caught.value.errors["kind"]


def test_ending_a_plan_for_a_move_waits_for_the_receiving_conference(north, case) -> None:
    plan = to_plan(north, case)
    sw = north["social_worker"].user
    cases = [
        (dict(receiving_conference_on=None), "receiving_conference_on"),
        (dict(receiving_conference_on=date(2027, 3, 1)), "receiving_conference_on"),  # future
        (dict(receiving_conference_on=date(2027, 2, 27)), "ended_on"),  # after the end
    ]
    with on(date(2027, 2, 27)):
        for change, field in cases:
            with pytest.raises(Invalid) as caught:
                plan_end(actor=sw, plan_id=plan.pk, ended_on=ENDED, reason="moved", **change)
            assert set(caught.value.errors) == {field}, change
        plan.refresh_from_db()
        assert plan.is_active and not PlanEndNotification.objects.exists()
        assert caught.value.errors["ended_on"] == (
            "The plan may not end before the receiving local authority’s conference on "
            "27 February 2027")
        plan_end(actor=sw, plan_id=plan.pk, ended_on=date(2027, 2, 27), reason="moved",
                 receiving_conference_on=date(2027, 2, 26), version=plan.version)
    plan.refresh_from_db()
    assert (plan.end_reason, plan.receiving_conference_on) == ("moved", date(2027, 2, 26))
    assert PlanEndNotification.objects.filter(plan=plan).count() == 5
    # The first review fell due on 17 February and was never held: ending the plan does not
    # hide the breach.
    assert duties(case)["cpp.first-review"] == (first_review_conference_due(ICPC), "missed")


def test_other_plan_end_refusals(north, case) -> None:
    plan = to_plan(north, case)
    sw = north["social_worker"].user
    with on(ENDED):
        for values, field in [
            (dict(reason="eighteen", ended_on=ENDED), "reason"),  # born 2014
            (dict(reason="bored", ended_on=ENDED), "reason"),
            (dict(reason="died", ended_on=date(2026, 11, 16)), "ended_on"),  # before the plan
            (dict(reason="died", ended_on=date(2027, 2, 27)), "ended_on"),  # future
        ]:
            with pytest.raises(Invalid) as caught:
                plan_end(actor=sw, plan_id=plan.pk, **values)
            assert set(caught.value.errors) == {field}, values
        with pytest.raises(EditConflict):
            plan_end(actor=sw, plan_id=plan.pk, ended_on=ENDED, reason="left_uk",
                     version=plan.version - 1)
        plan_end(actor=sw, plan_id=plan.pk, ended_on=ENDED, reason="left_uk")
        with pytest.raises(Invalid) as caught:
            plan_end(actor=sw, plan_id=plan.pk, ended_on=ENDED, reason="died")
        assert set(caught.value.errors) == {"plan"}
    assert duties(case)["cpp.end-at-18"][1] == "met"


def test_core_group_meetings_need_a_current_plan_and_a_member(north, case) -> None:
    plan = to_plan(north, case)
    with on(CORE_GROUP):
        # The police attended the conference but are not in the core group.
        with pytest.raises(NotAllowed):
            core_group_meeting_record(actor=north["police"].user, plan_id=plan.pk,
                                      held_on=CORE_GROUP)
        with pytest.raises(Invalid) as caught:
            core_group_meeting_record(actor=north["social_worker"].user, plan_id=plan.pk,
                                      held_on=date(2026, 11, 16))
        assert set(caught.value.errors) == {"held_on"}
        # The school is in the core group (by agency): its DSL may record.
        core_group_meeting_record(actor=north["school_dsl"].user, plan_id=plan.pk,
                                  held_on=CORE_GROUP)
        # Marking an action done: only the agency that owns it, or the local authority.
        action = plan_action_add(actor=north["social_worker"].user, plan_id=plan.pk,
                                 action="Attendance", owner_agency_id=north.trust.pk)
        with pytest.raises(NotAllowed):
            plan_action_complete(actor=north["school_dsl"].user, plan_id=plan.pk,
                                 action_id=action.pk, done_on=CORE_GROUP)
    assert CoreGroupMeeting.objects.count() == 1
    with on(ENDED):
        plan_end(actor=north["social_worker"].user, plan_id=plan.pk, ended_on=ENDED,
                 reason="no_longer_at_risk")
        with pytest.raises(Invalid) as caught:
            core_group_meeting_record(actor=north["social_worker"].user, plan_id=plan.pk,
                                      held_on=ENDED)
    assert caught.value.errors["plan"].endswith("a core group meets only while the plan lasts")
    with pytest.raises(NotAllowed):
        core_group_meeting_record(actor=north["social_worker"].user, plan_id=999999,
                                  held_on=ENDED)


def test_other_areas_and_other_roles_cannot_record(north, south, case) -> None:
    with pytest.raises(NotAllowed):
        hold_strategy(north, case, actor=south["social_worker"].user)
    with pytest.raises(NotAllowed):  # a front door worker does not record casework
        hold_strategy(north, case, actor=north["front_door"].user)
    with pytest.raises(NotAllowed):  # the school may see the case but not record this
        hold_strategy(north, case, actor=north["school_dsl"].user)
    discussion = hold_strategy(north, case)
    with pytest.raises(NotAllowed):
        with on(OUTCOME):
            s47_outcome_record(actor=north["police"].user, enquiry_id=discussion.enquiry.pk,
                               outcome_on=OUTCOME, substantiated=True, conference=True)
    with pytest.raises(NotAllowed):
        selectors.strategy_discussion_for(south["manager"].user, discussion.pk)


def test_an_agency_asks_for_the_conference_the_la_decided_against(north, case) -> None:
    discussion = hold_strategy(north, case)
    enquiry = discussion.enquiry
    police = north["police"].user
    with on(OUTCOME):
        with pytest.raises(Invalid) as caught:
            conference_request_record(actor=police, enquiry_id=enquiry.pk, reasons="Worried")
        assert set(caught.value.errors) == {"enquiry"}
        enquiry = s47_outcome_record(actor=north["social_worker"].user, enquiry_id=enquiry.pk,
                                     outcome_on=OUTCOME, substantiated=False, conference=False)
        assert "icpc.hold" in duties(case) and duties(case)["icpc.hold"][1] == "withdrawn"
        with pytest.raises(EditConflict):
            s47_outcome_record(actor=north["social_worker"].user, enquiry_id=enquiry.pk,
                               outcome_on=OUTCOME, substantiated=False, conference=False,
                               version=1)
        with pytest.raises(NotAllowed):  # the local authority does not ask itself
            conference_request_record(actor=north["social_worker"].user, enquiry_id=enquiry.pk,
                                      reasons="x")
        with pytest.raises(Invalid) as caught:
            conference_request_record(actor=police, enquiry_id=enquiry.pk, reasons=" ")
        assert set(caught.value.errors) == {"reasons"}
        assert selectors.conference_requests(north["manager"].user) == []
        conference_request_record(actor=police, enquiry_id=enquiry.pk,
                                  reasons="Second disclosure to officers", version=enquiry.version)
    enquiry.refresh_from_db()
    assert (enquiry.conference_requested_by, enquiry.conference_requested_on) == (
        north.police, OUTCOME)
    assert selectors.conference_requests(north["manager"].user) == [enquiry]
    assert selectors.conference_requests(north["police"].user) == []
    # The local authority convenes the conference after all; the request is answered.
    hold_icpc(north, case)
    assert selectors.conference_requests(north["manager"].user) == []


def test_a_child_on_another_plan_moves_in(north, case) -> None:
    notified = date(2026, 11, 4)
    with on(notified):
        with pytest.raises(Invalid) as caught:
            moved_in_notice_record(actor=north["social_worker"].user, case_id=case.pk,
                                   notified_on=notified, from_local_authority="Northshire Council",
                                   moved_on=date(2026, 11, 5))
        assert set(caught.value.errors) == {"from_local_authority", "moved_on"}
        moved_in_notice_record(actor=north["social_worker"].user, case_id=case.pk,
                               notified_on=notified, from_local_authority="Southshire Council",
                               moved_on=date(2026, 11, 2), category="NEG")
    assert duties(case)["cpp.transfer-in"] == (transfer_in_conference_due(notified), "due")
    held = date(2026, 11, 16)
    conference = hold_icpc(north, case, held, kind="transfer_in", category="NEG")
    assert conference.moved_in_notice is not None
    plan = conference.plan_started
    assert (plan.started_on, plan.category) == (held, "NEG")
    got = duties(case)
    assert got["cpp.transfer-in"][1] == "met"
    assert got["cpp.core-group"] == (first_core_group_due(held), "due")
    assert_stored_match_engine(case, held)


def test_a_child_returns_home_from_care(north, case) -> None:
    day = date(2026, 11, 10)
    with on(day):
        with pytest.raises(Invalid) as caught:
            return_home_record(actor=north["social_worker"].user, case_id=case.pk,
                               returned_on=day, planned=False, assessment="", support_plan="")
        assert set(caught.value.errors) == {"immediate_concerns", "assessment", "support_plan"}
        record = return_home_record(actor=north["social_worker"].user, case_id=case.pk,
                                    returned_on=day, planned=False, immediate_concerns=True,
                                    assessment="Mother removed the child", support_plan="Visits")
    assert record.immediate_concerns is True
    assert AuditEntry.objects.filter(object_type="protection.returnhome").count() == 1


def test_the_case_page_panels(north, case) -> None:
    plan = to_plan(north, case)
    summary = selectors.protection_summary(case, WHOLE_CASE)
    assert summary.open_plan == plan
    assert [c.kind for c in summary.conferences] == ["initial"]
    assert len(summary.strategy_discussions) == 1
    assert {o.duty for o in summary.obligations} >= {"icpc.hold", "cpp.core-group"}
    assert selectors.open_plan(case).core_group.count() == 3
    assert selectors.permissions(north["health"].user, case, plan).core_group
    assert not selectors.permissions(north["police"].user, case, plan).core_group
