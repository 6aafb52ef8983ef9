"""The assessment pages: the task list and the engine's timescale, the GOV.UK error pattern
with nothing changed on bad input, edit conflicts, and 404s for other areas."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from safeguard.assessments.models import Assessment, ChildInNeedPlan
from safeguard.assessments.services import assessment_start, assessment_update
from safeguard.cases.models import Case
from safeguard.earlyhelp.models import EarlyHelpAssessment

from .conftest import RECEIVED
from .test_services import SECTIONS

pytestmark = [pytest.mark.django_db]


def day(prefix: str, d: date) -> dict[str, str]:
    return {f"{prefix}-day": str(d.day), f"{prefix}-month": str(d.month),
            f"{prefix}-year": str(d.year)}


@pytest.fixture
def assessment(north, referral):
    return assessment_start(actor=north["social_worker"].user, case_id=referral.case_id,
                            referral_id=referral.pk, kind="s17", started_on=RECEIVED)


@pytest.fixture
def recorded(north, assessment):
    return assessment_update(actor=north["social_worker"].user, assessment_id=assessment.pk,
                             **SECTIONS)


def test_start_an_assessment_from_the_referral(client: Client, north, referral) -> None:
    client.force_login(north["social_worker"].user)
    page = client.get(f"/assessments/cases/{referral.case_id}/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Start an assessment" in html and "decision: Assessment under section 17" in html
    response = client.post(f"/assessments/cases/{referral.case_id}/new/",
                           {"kind": "s17", "referral": str(referral.pk),
                            **day("started_on", date(2026, 9, 1))})
    a = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessments/{a.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Assessment started" in html
    assert 'id="due-date">2 November 2026' in html and "16 working days overdue" in html
    assert "govuk-task-list" in html and "You have completed 0 of 6 sections." in html


def test_bad_start_shows_the_errors_and_saves_nothing(client: Client, north, referral) -> None:
    client.force_login(north["social_worker"].user)
    response = client.post(f"/assessments/cases/{referral.case_id}/new/",
                           {"referral": str(referral.pk), **day("started_on", date(2026, 8, 1))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Start an assessment" in html and "govuk-error-summary" in html
    assert "Select the kind of assessment" in html
    assert 'value="2026"' in html
    response = client.post(f"/assessments/cases/{referral.case_id}/new/",
                           {"kind": "s17", "referral": str(referral.pk),
                            **day("started_on", date(2026, 8, 1))})
    html = response.content.decode()
    assert "<title>Error: Start an assessment" in html
    assert "Start date must be on or after the date the referral was received" in html
    assert 'href="#id_started_on-day"' in html
    assert not Assessment.objects.exists()


def test_late_completion_needs_the_reason(client: Client, north, recorded) -> None:
    client.force_login(north["social_worker"].user)
    url = f"/assessments/{recorded.pk}/complete/"
    page = client.get(url).content.decode()
    assert "due by <strong>2 November 2026</strong>" in page
    form = {"version": str(recorded.version), "outcome": "no_further_action",
            **day("completed_on", date(2026, 11, 23))}
    response = client.post(url, form)
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: Complete the assessment" in html
    assert 'href="#id_reason_late"' in html
    assert "Enter the reason the assessment took longer than 45 working days" in html
    recorded.refresh_from_db()
    assert recorded.completed_on is None
    response = client.post(url, {**form, "reason_late": "Family in hospital"})
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.completed_on == date(2026, 11, 23) and recorded.reason_late
    html = client.get(f"/assessments/{recorded.pk}/").content.decode()
    assert "Completed 15 working days late" in html and "Family in hospital" in html


def test_factors_21_alone_on_the_page(client: Client, north, assessment) -> None:
    client.force_login(north["social_worker"].user)
    response = client.post(f"/assessments/{assessment.pk}/factors/",
                           {"version": "1", "factors": ["21", "3B"]})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in html
    assert "No factors identified’ on its own" in html
    assessment.refresh_from_db()
    assert assessment.factors == []


def test_two_people_editing_one_section(client: Client, north, assessment) -> None:
    first, second = Client(), Client()
    first.force_login(north["social_worker"].user)
    second.force_login(north["social_worker_2"].user)
    url = f"/assessments/{assessment.pk}/sections/wishes_and_feelings/"
    assert 'name="version" value="1"' in first.get(url).content.decode()
    assert second.get(url).status_code == 200
    assert first.post(url, {"version": "1", "text": "Wants to stay"}).status_code == 302
    response = second.post(url, {"version": "1", "text": "Wants to leave"})
    html = response.content.decode()
    assert response.status_code == 200 and "Someone else changed this record" in html
    assert "Wants to leave" in html  # what they typed is kept for them
    assessment.refresh_from_db()
    assert assessment.wishes_and_feelings == "Wants to stay"


def test_other_areas_and_partners_get_404(client: Client, north, south, assessment) -> None:
    client.force_login(south["social_worker"].user)
    for url in (f"/assessments/{assessment.pk}/", f"/assessments/{assessment.pk}/complete/",
                f"/assessments/cases/{assessment.case_id}/new/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/assessments/{assessment.pk}/sections/wishes_and_feelings/",
                       {"version": "1", "text": "x"}).status_code == 404
    # The school sees the case it referred, not social care's assessment (need to know).
    client.force_login(north["school_dsl"].user)
    assert client.get(f"/cases/{assessment.case_id}/").status_code == 200
    assert client.get(f"/assessments/{assessment.pk}/").status_code == 404
    assert client.post(f"/assessments/{assessment.pk}/sections/wishes_and_feelings/",
                       {"version": "1", "text": "x"}).status_code == 404
    assessment.refresh_from_db()
    assert assessment.wishes_and_feelings == ""


def test_a_plan_from_the_pages(client: Client, north, recorded) -> None:
    client.force_login(north["social_worker"].user)
    client.post(f"/assessments/{recorded.pk}/complete/", {
        "version": str(recorded.version), "outcome": "child_in_need_plan",
        "reason_late": "Family away", **day("completed_on", date(2026, 11, 20))})
    url = f"/assessments/{recorded.pk}/child-in-need-plan/"
    bad = client.post(url, {"summary": "", **day("started_on", date(2026, 11, 21))})
    assert "<title>Error:" in bad.content.decode() and not ChildInNeedPlan.objects.exists()
    response = client.post(url, {
        "summary": "Family support", "agencies": [str(north.trust.pk)],
        "outcome": "Ava sleeps in her own bed", "measure": "Five nights a week",
        **day("started_on", date(2026, 11, 21)), **day("next_review_on", date(2027, 1, 5))})
    plan = ChildInNeedPlan.objects.get()
    assert response["Location"] == f"/assessments/child-in-need-plans/{plan.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Ava sleeps in her own bed" in html and "5 January 2027" in html
    response = client.post(f"/assessments/child-in-need-plans/{plan.pk}/reviews/new/", {
        "version": str(plan.version), "progress": "Better", "sufficient_progress": "yes",
        **day("held_on", date(2026, 11, 24)), **day("next_review_on", date(2027, 2, 1))})
    assert response.status_code == 302 and plan.reviews.count() == 1


def test_close_with_a_step_down_from_the_page(client: Client, north, recorded) -> None:
    client.force_login(north["social_worker"].user)
    client.post(f"/assessments/{recorded.pk}/complete/", {
        "version": str(recorded.version), "outcome": "early_help",
        "reason_late": "Family away", **day("completed_on", date(2026, 11, 20))})
    url = f"/assessments/cases/{recorded.case_id}/close/"
    page = client.get(url).content.decode()
    assert 'value="RC9" checked' in page
    case = Case.objects.get()
    form = {"version": str(case.version), "reason": "RC9", **day("closed_on", date(2026, 11, 23)),
            "consent_given": "no", "needs": "Parenting support"}
    response = client.post(url, form)
    html = response.content.decode()
    assert "<title>Error:" in html and "it cannot start without consent" in html
    assert "Choose a lead practitioner" in html
    assert Case.objects.get().closed_on is None
    response = client.post(url, {**form, "consent_given": "yes", "consent_from": "parents",
                                 "consent_given_by": "Jo Turner",
                                 **day("consent_recorded_on", date(2026, 11, 23)),
                                 "lead_practitioner": str(north["early_help"].pk)})
    early = EarlyHelpAssessment.objects.get()
    assert response["Location"] == f"/early-help/{early.pk}/"
    assert Case.objects.get().closure_reason == "RC9"
