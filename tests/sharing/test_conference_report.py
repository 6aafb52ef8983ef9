"""Sending a conference's report to the agencies invited to it: one action that records what
went to whom, a complete sharing decision for each agency and the audit entry — or, on bad
input or without the right, changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard.cases.models import Involvement, Obligation
from safeguard.core.models import AuditEntry
from safeguard.core.services import Invalid, NotAllowed
from safeguard.sharing.models import ConferenceReportSent, SharingDecision
from safeguard.sharing.selectors import invited_agencies, reports_sent
from safeguard.sharing.services import conference_report_send

from .conftest import ICPC, TODAY, WITH_CONSENT, WITHOUT_CONSENT

pytestmark = [pytest.mark.django_db, pytest.mark.db]


def send(area, conference, agencies, actor="chair", **answers):
    return conference_report_send(actor=area[actor].user, conference_id=conference.pk,
                                  agency_ids=[a.pk for a in agencies],
                                  **{**WITH_CONSENT, **answers})


def nothing_sent() -> bool:
    return (not ConferenceReportSent.objects.exists() and not SharingDecision.objects.exists()
            and not AuditEntry.objects.filter(action__in=["send_conference_report",
                                                          "share"]).exists())


def test_the_report_goes_with_a_complete_sharing_record_for_each_agency(north, conference):
    sent = send(north, conference, [north.police, north.schools[0]])
    plan = conference.plan_started
    assert sent.sent_by == north["chair"] and sent.sent_at.date() == TODAY
    assert sorted(r.agency.name for r in sent.recipients.all()) == sorted(
        [north.police.name, north.schools[0].name])
    review_due = Obligation.objects.get(case=conference.case, duty="cpp.first-review").due
    report = sent.report
    assert report["decision"] == "The child is to be the subject of a child protection plan"
    assert report["category"] == "Physical abuse" and report["plan"] == "In force"
    assert report["summary"] == "Bruising explained inconsistently; plan agreed"
    assert report["next_review_due"] == review_due.isoformat()
    assert {m["name"] for m in report["core_group"]} >= {"Mark Evans"}
    records = list(SharingDecision.objects.order_by("with_agency__name"))
    assert [r.with_agency for r in records] == sorted([north.police, north.schools[0]],
                                                       key=lambda a: a.name)
    for record in records:
        assert record.decision == "share" and record.action == "conference_report"
        assert record.decided_by == north["chair"] and record.decided_on == TODAY
        assert record.decided_by_agency == north.la
        assert {"type": "conference", "id": conference.pk} in record.items
        assert {"type": "child_protection_plan", "id": plan.pk} in record.items
        assert record.purpose == WITH_CONSENT["purpose"]
        assert record.consent_sought and record.consent_given and record.person_told
        assert "initial child protection conference held on 17 November 2026" in record.what
        assert record.conference_report.sent == sent
    police = next(r for r in records if r.with_agency == north.police)
    assert police.with_whom == "DS Sarah Bennett, Detective sergeant"
    entry = AuditEntry.objects.get(action="send_conference_report")
    assert entry.case_id == conference.case_id and entry.actor == north["chair"].user
    assert entry.detail == {"conference": conference.pk,
                            "agencies": [north.police.pk, north.schools[0].pk]}
    assert AuditEntry.objects.filter(action="share").count() == 2


def test_sent_without_consent_each_record_names_the_lawful_basis(north, conference):
    send(north, conference, [north.trust], actor="social_worker", **WITHOUT_CONSENT)
    record = SharingDecision.objects.get()
    assert record.without_consent
    assert (record.article_6_basis, record.paragraph_18_reason) == ("6(1)(e)", "would_prejudice")
    assert record.person_not_told_reason == "Police investigation under way"
    assert record.decided_by == north["social_worker"]


@pytest.mark.parametrize(("change", "agencies", "field"), [
    ({}, [], "agency_ids"),
    ({"consent_sought": None}, ["police"], "consent_sought"),
    ({**WITHOUT_CONSENT, "article_6_basis": ""}, ["police"], "article_6_basis"),
    ({**WITHOUT_CONSENT, "paragraph_18_reason": ""}, ["police"], "paragraph_18_reason"),
    ({"person_told": False}, ["police"], "person_not_told_reason"),
    ({"purpose": " "}, ["police"], "purpose"),
    ({}, ["la"], "agency_ids"),  # the authority's own record: not an invitee to send to
    ({}, ["early_years"], "agency_ids"),  # not invited
])
def test_bad_input_names_the_field_and_sends_nothing(north, conference, change, agencies,
                                                     field):
    with pytest.raises(Invalid) as caught:
        send(north, conference, [getattr(north, a) for a in agencies], **change)
    assert field in caught.value.errors
    assert nothing_sent()


def test_an_agency_no_longer_involved_is_not_offered_and_is_refused(north, conference):
    Involvement.objects.filter(case=conference.case, agency=north.gp).update(
        until=date(2026, 11, 20))
    offered = {i.agency: i for i in invited_agencies(conference)}
    assert north.la not in offered
    assert offered[north.police].available
    assert not offered[north.gp].available
    assert offered[north.gp].why_not == f"{north.gp.name} is no longer involved in the case"
    with pytest.raises(Invalid) as caught:
        send(north, conference, [north.police, north.gp])
    assert "no longer involved" in caught.value.errors["agency_ids"]
    assert nothing_sent()


@pytest.mark.parametrize("who", ["police", "health", "front_door", "south"])
def test_only_the_chair_and_the_cases_social_workers_send_it(north, south, conference, who):
    actor = south["social_worker"] if who == "south" else north[who]
    with pytest.raises(NotAllowed):
        conference_report_send(actor=actor.user, conference_id=conference.pk,
                               agency_ids=[north.police.pk], **WITH_CONSENT)
    assert nothing_sent()


def test_each_recipient_sees_only_what_was_sent_to_it(north, conference):
    send(north, conference, [north.police, north.schools[0]])
    mine = reports_sent(north["police"].user, conference)
    assert [[r.agency for r in s.recipients_shown] for s in mine] == [[north.police]]
    assert reports_sent(north["health"].user, conference) == []
    everything = reports_sent(north["manager"].user, conference)
    assert len(everything[0].recipients_shown) == 2
    assert ICPC.isoformat() == everything[0].report["held_on"]
