"""Exporting a case record for a named recipient: the export is built from what the person
may see, and made with its complete sharing decision and audit entries; bad input or a
person without the right changes nothing."""

from __future__ import annotations

import pytest

from safeguard.core.models import AuditEntry
from safeguard.core.services import Invalid, NotAllowed
from safeguard.sharing import selectors
from safeguard.sharing.models import SharingDecision
from safeguard.sharing.services import case_export

from .conftest import WITHOUT_CONSENT

pytestmark = [pytest.mark.django_db, pytest.mark.db]

ALL = [key for key, _label in selectors.EXPORT_SECTIONS]


def export(area, case, actor="social_worker", **changes):
    values = {"sections": ALL, "with_agency_id": None, "with_whom": "", **WITHOUT_CONSENT,
              **changes}
    return case_export(actor=area[actor].user, case_id=case.pk, **values)


def test_an_export_for_the_receiving_authority(north, south, conference):
    case = conference.case
    result = export(north, case, sections=["chronology", "child_protection"],
                    with_agency_id=south.la.pk, with_whom="Duty team manager")
    doc = result.document
    assert doc["case"]["child"]["family_name"] == "Clarke"
    assert doc["for"] == {"agency": south.la.name, "person": "Duty team manager"}
    assert doc["sharing_decision_id"] == result.decision.pk
    assert set(doc) >= {"chronology", "child_protection"} and "family" not in doc
    assert any(i["event"] == "Initial child protection conference" for i in doc["chronology"])
    cp = doc["child_protection"]
    assert [c["summary"] for c in cp["conferences"]] == [
        "Bruising explained inconsistently; plan agreed"]
    record = SharingDecision.objects.get()
    assert record == result.decision
    assert record.action == "case_export" and record.with_agency == south.la
    assert record.without_consent and record.article_6_basis == "6(1)(e)"
    assert record.paragraph_18_reason == "would_prejudice"
    assert {"type": "conference", "id": conference.pk} in record.items
    assert {"type": "chronology", "id": case.pk} in record.items
    assert {"type": "person", "id": case.child_id} not in record.items
    assert "chronology" in record.what and "child protection" in record.what
    actions = list(AuditEntry.objects.filter(case_id=case.pk).order_by("pk")
                   .values_list("action", flat=True))
    assert actions[-2:] == ["export", "share"]
    # No personal data in the audit trail's details.
    assert "Clarke" not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


@pytest.mark.parametrize(("change", "field"), [
    ({"sections": []}, "sections"),
    ({"sections": ["everything"]}, "sections"),
    ({"with_whom": " "}, "with_agency"),
    ({"with_whom": "x" * 201}, "with_whom"),
    ({"article_6_basis": "6(1)(a)"}, "article_6_basis"),
    ({"paragraph_18_reason": ""}, "paragraph_18_reason"),
    ({"person_not_told_reason": ""}, "person_not_told_reason"),
    ({"consent_sought": True, "consent_given": None}, "consent_given"),
])
def test_bad_input_names_the_field_and_exports_nothing(north, conference, change, field):
    with pytest.raises(Invalid) as caught:
        export(north, conference.case, **{"with_whom": "Family court", **change})
    assert field in caught.value.errors
    assert not SharingDecision.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["export", "share"]).exists()


@pytest.mark.parametrize("who", ["police", "school_dsl", "chair", "front_door", "south"])
def test_only_the_cases_social_workers_and_managers_export(north, south, conference, who):
    area = south if who == "south" else north
    with pytest.raises(NotAllowed):
        export(area, conference.case, actor="social_worker" if who == "south" else who,
               with_whom="Family court")
    assert not SharingDecision.objects.exists()


def test_the_export_holds_only_what_the_person_may_see(north, conference):
    """The export is read through each part's selector: the school's view of the case has
    the conference and plan it took part in, not the strategy discussion's investigative
    notes or the police's actions; the social worker's has everything."""
    case = conference.case
    social_worker = selectors.case_export(north["social_worker"].user, case, ALL).document
    school = selectors.case_export(north["school_dsl"].user, case, ALL).document
    assert [d["decisions"] for d in social_worker["child_protection"]["strategy_discussions"]
            ] == ["Joint visit with the police: investigative notes"]
    assert school["child_protection"]["strategy_discussions"] == []
    assert len(school["child_protection"]["conferences"]) == 1
    assert {a["action"] for a in social_worker["child_protection"]["plans"][0]["actions"]} == {
        "Police welfare check", "Attendance checked daily"}
    assert [a["action"] for a in school["child_protection"]["plans"][0]["actions"]] == [
        "Attendance checked daily"]
    assert selectors.case_export(north["police"].user, case, ALL).document[
        "child_protection"]["strategy_discussions"] != []
