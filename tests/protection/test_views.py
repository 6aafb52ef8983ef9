"""The child protection pages through Django's test client: each form's GOV.UK error
pattern, what is saved, and who may see and use the pages."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from safeguard.protection.models import (
    ChildProtectionPlan,
    Conference,
    CoreGroupMeeting,
    MovedInNotice,
    PlanEndNotification,
    ReturnHome,
    StrategyDiscussion,
)

from .conftest import on
from .test_services import CORE_GROUP, ENDED, ICPC, OUTCOME, STRATEGY, hold_strategy, to_plan

pytestmark = [pytest.mark.django_db]


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def date_parts(name: str, day: date) -> dict[str, str]:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month),
            f"{name}-year": str(day.year)}


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def error_summary(response) -> list[str]:
    html = response.content.decode()
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert block, "no error summary"
    return [unescape(re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def strategy_form(area, day=STRATEGY, *, police=True) -> dict[str, str]:
    data = {**date_parts("held_on", day), "la_attendees": [str(area["social_worker"].pk)],
            "attendee_1_agency": str(area.trust.pk), "attendee_1_name": "Dr Grace Adeyemi",
            "attendee_1_role": "Named doctor", "s47_initiated": "yes",
            "criminal_investigation": "no", "decisions": "Enquiries under section 47",
            "action_1_text": "Visit the child", "action_1_owner": str(area.la.pk),
            **date_parts("action_1_due", day)}
    if police:
        data.update(attendee_2_agency=str(area.police.pk), attendee_2_name="DS Bennett")
    return data


def test_a_strategy_discussion_without_police_shows_the_error_and_saves_nothing(
        north, case) -> None:
    client = client_for(north["social_worker"])
    url = reverse("protection:strategy-new", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "<title>Record a strategy discussion – Safeguard</title>" in page.content.decode()
    with on(STRATEGY):
        response = client.post(url, strategy_form(north, police=False))
    assert response.status_code == 200
    assert "<title>Error: Record a strategy discussion" in response.content.decode()
    assert error_summary(response) == ["Add an attendee from the police"]
    assert 'href="#id_partners"' in response.content.decode()
    assert 'value="Dr Grace Adeyemi"' in response.content.decode()  # kept as typed
    assert not StrategyDiscussion.objects.exists()


def test_form_errors_name_the_rows(north, case) -> None:
    client = client_for(north["social_worker"])
    data = strategy_form(north)
    data.update(attendee_3_name="Someone", action_2_text="Chase the GP", s47_initiated="")
    with on(STRATEGY):
        response = client.post(reverse("protection:strategy-new", args=[case.pk]), data)
    assert error_summary(response) == [
        "Choose the agency of attendee 3",
        "Select yes if the discussion decided to start section 47 enquiries",
        "Choose who is responsible for action 2",
        "Enter the date action 2 is due",
    ]


def test_the_strategy_discussion_is_saved_and_shown(north, case) -> None:
    with on(STRATEGY):
        client = client_for(north["social_worker"])
        response = client.post(reverse("protection:strategy-new", args=[case.pk]),
                               strategy_form(north))
        assert response.status_code == 302
        discussion = StrategyDiscussion.objects.get()
        assert response["Location"] == reverse("protection:strategy-detail",
                                               args=[discussion.pk])
        page = client.get(response["Location"])
    body = text(page)
    assert "Strategy discussion recorded" in body
    assert "Hold the initial child protection conference" in body
    assert "Record the outcome of the enquiries" in body
    assert {a.agency for a in discussion.attendees.all()} == {north.la, north.trust,
                                                              north.police}


def test_the_pages_of_the_whole_pathway_render(north, case) -> None:
    plan = to_plan(north, case)
    discussion = StrategyDiscussion.objects.get()
    with on(CORE_GROUP):
        sw = client_for(north["social_worker"])
        for name, args in [
            ("protection:case", [case.pk]), ("protection:immediate-new", [case.pk]),
            ("protection:strategy-detail", [discussion.pk]),
            ("protection:s47-outcome", [discussion.enquiry.pk]),
            ("protection:conference-detail", [plan.started_by_id]),
            ("protection:plan-detail", [plan.pk]), ("protection:plan-outcomes", [plan.pk]),
            ("protection:plan-action-new", [plan.pk]), ("protection:core-group-new", [plan.pk]),
            ("protection:plan-end", [plan.pk]), ("protection:moved-in-new", [case.pk]),
            ("protection:return-home-new", [case.pk]),
        ]:
            response = sw.get(reverse(name, args=args))
            assert response.status_code == 200, name
        for kind in ("initial", "review", "transfer_in"):
            response = sw.get(reverse("protection:conference-new", args=[case.pk]),
                              {"kind": kind})
            assert response.status_code == 200, kind
        assert sw.get(reverse("protection:conference-new", args=[case.pk]),
                      {"kind": "nonsense"}).status_code == 404
        response = sw.post(reverse("protection:core-group-new", args=[plan.pk]),
                           {**date_parts("held_on", CORE_GROUP), "notes": "Met"})
        assert response.status_code == 302
        page = text(sw.get(reverse("protection:plan-detail", args=[plan.pk])))
    assert CoreGroupMeeting.objects.count() == 1
    assert "Hold the first core group meeting" in page and "Met" in page


def test_a_review_conference_through_the_form(north, case) -> None:
    plan = to_plan(north, case)
    url = reverse("protection:conference-new", args=[case.pk]) + "?kind=review"
    data = {**date_parts("held_on", date(2027, 2, 15)), "chair": str(north["social_worker"].pk),
            "invitee_1_agency": str(north.police.pk), "invitee_1_name": "DS Bennett",
            "invitee_1_flags": ["attended", "report_submitted"], "plan_decision": "no"}
    with on(date(2027, 2, 15)):
        client = client_for(north["chair"])
        response = client.post(url, data)
        assert error_summary(response) == ["Select the chair"]
        data["chair"] = str(north["chair"].pk)
        response = client.post(url, data)
    assert response.status_code == 302, error_summary(response)
    plan.refresh_from_db()
    assert plan.ended_on == date(2027, 2, 15) and plan.ended_by is not None
    assert PlanEndNotification.objects.filter(plan=plan).count() == 5


def test_ending_for_a_move_before_the_receiving_conference_is_refused(north, case) -> None:
    plan = to_plan(north, case)
    url = reverse("protection:plan-end", args=[plan.pk])
    data = {"reason": "moved", **date_parts("ended_on", ENDED), "version": str(plan.version)}
    with on(ENDED):
        client = client_for(north["social_worker"])
        response = client.post(url, data)
        assert error_summary(response) == [
            "Enter the date of the receiving local authority’s child protection conference: "
            "the plan may not end for a move before that conference"]
        response = client.post(url, {**data, **date_parts("receiving_conference_on", ENDED)})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.end_reason == "moved"
    # A second person's stale form is refused, not silently applied.
    with on(ENDED):
        response = client.post(reverse("protection:plan-outcomes", args=[plan.pk]),
                               {"outcomes": "x", "version": "1"})
    assert "Someone else changed this record" in text(response)


def test_moved_in_and_return_home_forms(north, case) -> None:
    with on(date(2026, 11, 4)):
        client = client_for(north["social_worker"])
        response = client.post(reverse("protection:moved-in-new", args=[case.pk]), {
            **date_parts("notified_on", date(2026, 11, 4)),
            "from_local_authority": "Southshire Council"})
        assert response.status_code == 302
        response = client.post(reverse("protection:return-home-new", args=[case.pk]), {
            **date_parts("returned_on", date(2026, 11, 4)), "planned": "no",
            "assessment": "Left the foster home", "support_plan": "Daily visits"})
        assert error_summary(response) == [
            "Select yes if there are immediate concerns about the child’s safety"]
        assert "must make enquiries under section 47" in text(response)
        response = client.post(reverse("protection:return-home-new", args=[case.pk]), {
            **date_parts("returned_on", date(2026, 11, 4)), "planned": "no",
            "immediate_concerns": "no", "assessment": "Left the foster home",
            "support_plan": "Daily visits"})
        assert response.status_code == 302
        page = text(client.get(response["Location"]))
    assert "Hold a transfer-in conference" in page
    assert MovedInNotice.objects.count() == 1 and ReturnHome.objects.count() == 1


def test_immediate_protection_prompts_the_strategy_discussion(north, case) -> None:
    with on(date(2026, 11, 2)):
        client = client_for(north["social_worker"])
        response = client.post(reverse("protection:immediate-new", args=[case.pk]), {
            "kind": "epo", **date_parts("taken_on", date(2026, 11, 2)),
            "acting_agency": str(north.la.pk), "acted_by": "Amara Okafor",
            "details": "Emergency protection order granted"})
        assert response.status_code == 302
        page = client.get(response["Location"])
    assert "A strategy discussion must now take place" in text(page)
    assert "?after=" in page.content.decode()


def test_who_may_see_and_use_the_pages(north, south, case) -> None:
    discussion = hold_strategy(north, case)
    url = reverse("protection:strategy-detail", args=[discussion.pk])
    # Another area: not found, as if it did not exist.
    assert client_for(south["social_worker"]).get(url).status_code == 404
    assert client_for(south["social_worker"]).get(
        reverse("protection:strategy-new", args=[case.pk])).status_code == 404
    # The police attended: they see it, but cannot record casework.
    police = client_for(north["police"])
    assert police.get(url).status_code == 200
    assert police.get(reverse("protection:strategy-new", args=[case.pk])).status_code == 403
    # Not signed in: sent to sign in.
    assert Client().get(url).status_code == 302


def test_a_partner_asks_for_a_conference_and_the_manager_sees_it(north, case) -> None:
    discussion = hold_strategy(north, case)
    enquiry = discussion.enquiry
    from safeguard.protection.services import s47_outcome_record

    with on(OUTCOME):
        enquiry = s47_outcome_record(actor=north["social_worker"].user, enquiry_id=enquiry.pk,
                                     outcome_on=OUTCOME, substantiated=False, conference=False)
        police = client_for(north["police"])
        page = police.get(reverse("protection:strategy-detail", args=[discussion.pk]))
        assert "Ask for a conference" in text(page)
        url = reverse("protection:conference-request", args=[enquiry.pk])
        response = police.post(url, {"reasons": "", "version": str(enquiry.version)})
        assert error_summary(response) == ["Enter why you are asking for a conference"]
        response = police.post(url, {"reasons": "A second disclosure",
                                     "version": str(enquiry.version)})
        assert response.status_code == 302
        page = text(client_for(north["manager"]).get(
            reverse("protection:conference-requests")))
    assert "Northshire Police" in page and "A second disclosure" in page
    with on(OUTCOME):
        page = text(client_for(north["manager"]).get(reverse("protection:case", args=[case.pk])))
    assert "Northshire Police asked for a child protection conference" in page


def test_the_icpc_form_starts_a_plan(north, case) -> None:
    hold_strategy(north, case)
    with on(ICPC):
        client = client_for(north["chair"])
        response = client.post(
            reverse("protection:conference-new", args=[case.pk]) + "?kind=initial", {
                **date_parts("held_on", ICPC), "chair": str(north["chair"].pk),
                "invitee_1_agency": str(north.police.pk), "invitee_1_name": "DS Bennett",
                "invitee_1_flags": ["attended", "report_submitted", "core_group"],
                "invitee_2_agency": str(north.gp.pk), "invitee_2_name": "Dr Patel",
                "plan_decision": "yes", "category": "NEG",
                "lead_social_worker": str(north["social_worker"].pk)})
    assert response.status_code == 302
    plan = ChildProtectionPlan.objects.get()
    assert plan.category == "NEG"
    assert [m.agency for m in plan.core_group.all()] == [north.la, north.police]
    assert Conference.objects.get().invitees.count() == 2
