"""Recording decisions to share or withhold information (WT2018 1.23-1.27).

:func:`sharing_record` is the one write path; an action that shares information out of
Safeguard (an export, a conference report sent to an agency) calls it inside its own
transaction, so the record is made as part of the action and never as a separate chore.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from safeguard.agencies.models import Agency
from safeguard.cases.policy import require, require_view, staff_of
from safeguard.core.dates import format_date, today
from safeguard.core.services import Context, Invalid, NotAllowed, audit
from safeguard.sharing.models import (
    Article6Basis,
    ConferenceReportRecipient,
    ConferenceReportSent,
    Decision,
    Paragraph18Reason,
    SharingDecision,
)


def check_sharing(
    *, decision: str, what: str, purpose: str, with_agency_id: int | None, with_whom: str,
    consent_sought: bool | None, consent_given: bool | None, consent_not_sought_reason: str,
    article_6_basis: str, paragraph_18_reason: str, person_told: bool | None,
    person_not_told_reason: str, decided_on: date,
) -> dict[str, str]:
    """What is missing or wrong in a sharing decision, by field (empty when complete)."""
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Select whether the information is shared"
    if not what.strip():
        errors["what"] = "Enter what information is shared or asked for"
    if not purpose.strip():
        errors["purpose"] = "Enter the purpose of sharing"
    if with_agency_id is None and not with_whom.strip():
        errors["with_agency"] = "Choose the agency, or enter who, the information is shared with"
    elif len(with_whom.strip()) > 200:
        errors["with_whom"] = "Person or role must be 200 characters or fewer"
    if decided_on > today():
        errors["decided_on"] = "Date of the decision must be today or in the past"
    if consent_sought is None:
        errors["consent_sought"] = "Select yes if consent was sought"
    elif consent_sought and consent_given is None:
        errors["consent_given"] = "Select yes if consent was given"
    elif not consent_sought and not consent_not_sought_reason.strip():
        errors["consent_not_sought_reason"] = "Enter why consent was not sought"
    without_consent = decision == Decision.SHARE and not (consent_sought and consent_given)
    if without_consent:
        if article_6_basis not in Article6Basis.values or article_6_basis == Article6Basis.CONSENT:
            errors["article_6_basis"] = (
                "Select the lawful basis under Article 6 of the UK GDPR for sharing without "
                "consent"
            )
        if paragraph_18_reason not in Paragraph18Reason.values:
            errors["paragraph_18_reason"] = (
                "Select why the information is shared without consent (Data Protection Act "
                "2018, Schedule 1, paragraph 18)"
            )
    elif article_6_basis and article_6_basis not in Article6Basis.values:
        errors["article_6_basis"] = "Select a lawful basis from the list"
    if person_told is None:
        errors["person_told"] = "Select yes if the child or family was told"
    elif not person_told and not person_not_told_reason.strip():
        errors["person_not_told_reason"] = "Enter why the child or family was not told"
    return errors


@transaction.atomic
def sharing_record(
    *, actor: Any, case_id: int, decision: str, what: str, purpose: str,
    with_agency_id: int | None = None, with_whom: str = "", consent_sought: bool | None,
    consent_given: bool | None = None, consent_not_sought_reason: str = "",
    article_6_basis: str = "", paragraph_18_reason: str = "", person_told: bool | None,
    person_not_told_reason: str = "", decided_on: date | None = None,
    items: list[dict[str, Any]] | None = None, action: str = "",
    context: Context | None = None,
) -> SharingDecision:
    """Record a decision to share information from a case, or not to. Anyone who may see
    the case may record their own agency's decision."""
    case = require_view(actor, case_id)
    if getattr(case, "via_break_glass", None) is not None:
        raise NotAllowed("You opened this case by break-glass: you may read it, not change it")
    staff = staff_of(actor)
    if staff is None:
        raise NotAllowed()
    decided_on = decided_on or today()
    errors = check_sharing(
        decision=decision, what=what, purpose=purpose, with_agency_id=with_agency_id,
        with_whom=with_whom, consent_sought=consent_sought, consent_given=consent_given,
        consent_not_sought_reason=consent_not_sought_reason, article_6_basis=article_6_basis,
        paragraph_18_reason=paragraph_18_reason, person_told=person_told,
        person_not_told_reason=person_not_told_reason, decided_on=decided_on,
    )
    with_agency = Agency.objects.filter(pk=with_agency_id).first() if with_agency_id else None
    if with_agency_id and with_agency is None:
        errors["with_agency"] = "Choose an agency from the list"
    if errors:
        raise Invalid(errors)
    record = SharingDecision.objects.create(
        case=case, decision=decision, decided_on=decided_on, decided_by=staff,
        decided_by_role=staff.role, decided_by_agency=staff.agency, what=what,
        items=items or [], with_agency=with_agency, with_whom=with_whom, purpose=purpose,
        consent_sought=bool(consent_sought), consent_given=consent_given if consent_sought
        else None, consent_not_sought_reason="" if consent_sought else consent_not_sought_reason,
        article_6_basis=article_6_basis, paragraph_18_reason=paragraph_18_reason,
        person_told=bool(person_told),
        person_not_told_reason="" if person_told else person_not_told_reason,
        action=action, created_by=actor,
    )
    audit(actor=actor, action="share" if decision == Decision.SHARE else "withhold",
          obj=record, case_id=case.pk, context=context,
          detail={"with_agency": with_agency_id, "items": len(items or []),
                  "without_consent": record.without_consent})
    return record


#: ``check_sharing``'s fields that the actions below fill in themselves (the person answers
#: only the purpose, consent, lawful basis and telling the family).
_ACTION_FIELDS = ("decision", "what", "with_agency", "decided_on")


def _basis_errors(*, purpose: str, consent_sought: bool | None, consent_given: bool | None,
                  consent_not_sought_reason: str, article_6_basis: str,
                  paragraph_18_reason: str, person_told: bool | None,
                  person_not_told_reason: str) -> dict[str, str]:
    """What is missing or wrong in the answers of a share made by an action (the same rules
    as a decision recorded by hand: :func:`check_sharing`)."""
    errors = check_sharing(
        decision=Decision.SHARE, what="-", purpose=purpose, with_agency_id=0, with_whom="",
        consent_sought=consent_sought, consent_given=consent_given,
        consent_not_sought_reason=consent_not_sought_reason, article_6_basis=article_6_basis,
        paragraph_18_reason=paragraph_18_reason, person_told=person_told,
        person_not_told_reason=person_not_told_reason, decided_on=today())
    return {k: v for k, v in errors.items() if k not in _ACTION_FIELDS}


def _writable_case(actor: Any, case_id: int, action: str) -> Any:
    """The case, if the acting person may see it (else :class:`NotAllowed`, as for a case
    that does not exist) and may do ``action`` on it by their own rights."""
    case = require_view(actor, case_id)
    if getattr(case, "via_break_glass", None) is not None:
        raise NotAllowed("You opened this case by break-glass: you may read it, not share it")
    require(actor, action, case)
    return case


# ---- sending a conference's report ---------------------------------------------------------


@transaction.atomic
def conference_report_send(
    *, actor: Any, conference_id: int, agency_ids: Iterable[int], purpose: str,
    consent_sought: bool | None, consent_given: bool | None = None,
    consent_not_sought_reason: str = "", article_6_basis: str = "",
    paragraph_18_reason: str = "", person_told: bool | None,
    person_not_told_reason: str = "", context: Context | None = None,
) -> ConferenceReportSent:
    """Send a child protection conference's report (initial, review or transfer-in) to some
    or all of the agencies invited to it, as one action: what was sent to whom, when and by
    whom; one complete sharing decision for each agency (its items naming the conference and
    the plan); and the audit entry. The conference chairs and the case's social workers and
    team managers send it (``record_conference``). It goes only to agencies invited to the
    conference that are still involved in the case (``selectors.invited_agencies``)."""
    from safeguard.protection.selectors import conference_for
    from safeguard.sharing.selectors import conference_report, invited_agencies

    conference = conference_for(actor, conference_id, context=context)
    case = _writable_case(actor, conference.case_id, "record_conference")
    staff = staff_of(actor)
    assert staff is not None
    errors = _basis_errors(
        purpose=purpose, consent_sought=consent_sought, consent_given=consent_given,
        consent_not_sought_reason=consent_not_sought_reason, article_6_basis=article_6_basis,
        paragraph_18_reason=paragraph_18_reason, person_told=person_told,
        person_not_told_reason=person_not_told_reason)
    invited = {i.agency.pk: i for i in invited_agencies(conference)}
    chosen: list[int] = []
    for pk in agency_ids:
        if pk not in chosen:
            chosen.append(pk)
    if not chosen:
        errors["agency_ids"] = "Select the agencies to send the report to"
    for pk in chosen:
        found = invited.get(pk)
        if found is None:
            errors["agency_ids"] = ("Choose from the agencies invited to the conference")
            break
        if not found.available:
            errors["agency_ids"] = (f"{found.why_not}: the report cannot be sent to it from "
                                    "here. Record a decision to share if it needs it")
            break
    if errors:
        raise Invalid(errors)
    report = conference_report(conference)
    sent = ConferenceReportSent.objects.create(
        conference=conference, case=case, sent_at=timezone.now(), sent_by=staff,
        sent_by_role=staff.role, report=report)
    held = format_date(conference.held_on)
    parts = ["its decision", "the category of abuse" if report["category"] else "",
             "the child protection plan", "the summary" if report["summary"] else ""]
    if report["plan"] == "In force":
        parts += ["the date of the next review", "the core group"]
    named = [p for p in parts if p]
    what = (f"The report of the {conference.get_kind_display().lower()} held on {held}: "
            + ", ".join(named[:-1]) + " and " + named[-1])
    items: list[dict[str, Any]] = [{"type": "conference", "id": conference.pk}]
    if report["plan_id"] is not None:
        items.append({"type": "child_protection_plan", "id": report["plan_id"]})
    items.append({"type": "conference_report_sent", "id": sent.pk})
    for pk in chosen:
        recipient = invited[pk]
        record = sharing_record(
            actor=actor, case_id=case.pk, decision=Decision.SHARE, what=what,
            purpose=purpose, with_agency_id=pk,
            with_whom="; ".join(recipient.names)[:200], consent_sought=consent_sought,
            consent_given=consent_given, consent_not_sought_reason=consent_not_sought_reason,
            article_6_basis=article_6_basis, paragraph_18_reason=paragraph_18_reason,
            person_told=person_told, person_not_told_reason=person_not_told_reason,
            items=items, action="conference_report", context=context)
        ConferenceReportRecipient.objects.create(sent=sent, agency=recipient.agency,
                                                 sharing_decision=record)
    # Each agency's people are emailed once this commits (safeguard.notifications).
    from safeguard.notifications.services import report_shared_queue

    report_shared_queue(sent=sent)
    audit(actor=actor, action="send_conference_report", obj=sent, case_id=case.pk,
          context=context, detail={"conference": conference.pk, "agencies": chosen})
    return sent


# ---- exporting a case record ---------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    """The export as produced, and its sharing record."""

    decision: SharingDecision
    document: dict[str, Any]


@transaction.atomic
def case_export(
    *, actor: Any, case_id: int, sections: Iterable[str], purpose: str,
    with_agency_id: int | None = None, with_whom: str = "", consent_sought: bool | None,
    consent_given: bool | None = None, consent_not_sought_reason: str = "",
    article_6_basis: str = "", paragraph_18_reason: str = "", person_told: bool | None,
    person_not_told_reason: str = "", context: Context | None = None,
) -> ExportResult:
    """Export a case record for a named recipient (an agency, a person or both: the
    receiving local authority when the child moves, a court), as one action: the export is
    built from what the acting person may see (``selectors.case_export``), and its sharing
    decision (items naming each record exported) and audit entries are written in the same
    transaction. The case's social workers and team managers export (``record_casework``)."""
    from safeguard.cases.selectors import case_for
    from safeguard.sharing import selectors

    case = _writable_case(actor, case_id, "record_casework")
    staff = staff_of(actor)
    assert staff is not None
    chosen = list(dict.fromkeys(sections))
    errors: dict[str, str] = {}
    if not chosen:
        errors["sections"] = "Select what to include in the export"
    elif any(s not in selectors.SECTION_NAMES for s in chosen):
        errors["sections"] = "Choose what to include from the list"
    errors.update(_basis_errors(
        purpose=purpose, consent_sought=consent_sought, consent_given=consent_given,
        consent_not_sought_reason=consent_not_sought_reason, article_6_basis=article_6_basis,
        paragraph_18_reason=paragraph_18_reason, person_told=person_told,
        person_not_told_reason=person_not_told_reason))
    if with_agency_id is None and not with_whom.strip():
        errors["with_agency"] = "Choose the agency, or enter who, the record is for"
    elif len(with_whom.strip()) > 200:
        errors["with_whom"] = "Person, role or court must be 200 characters or fewer"
    elif with_agency_id is not None and with_agency_id not in {
            a.pk for a in selectors.export_recipients(case)}:
        errors["with_agency"] = "Choose an agency from the list"
    if errors:
        raise Invalid(errors)
    # The read itself is audited (as every read of a case is), under what it is for.
    case = case_for(actor, case.pk, context=context, purpose="export")
    export = selectors.case_export(actor, case, chosen)
    names = [selectors.SECTION_NAMES[s].split(":")[0] for s in chosen]
    what = ("An export of the case record: who the child is, the responsible authority and "
            "the agencies involved; " + "; ".join(n[:1].lower() + n[1:] for n in names))
    record = sharing_record(
        actor=actor, case_id=case.pk, decision=Decision.SHARE, what=what, purpose=purpose,
        with_agency_id=with_agency_id, with_whom=with_whom.strip(),
        consent_sought=consent_sought, consent_given=consent_given,
        consent_not_sought_reason=consent_not_sought_reason, article_6_basis=article_6_basis,
        paragraph_18_reason=paragraph_18_reason, person_told=person_told,
        person_not_told_reason=person_not_told_reason, items=export.items,
        action="case_export", context=context)
    document = {
        "format": "safeguard-case-export/1",
        "sharing_decision_id": record.pk,
        "exported_at": timezone.now(),
        "exported_by": {"name": staff.name, "role": staff.get_role_display(),
                        "agency": staff.agency.name},
        "for": {"agency": record.with_agency.name if record.with_agency else None,
                "person": record.with_whom},
        "purpose": record.purpose,
        "sections": chosen,
        **export.document,
    }
    return ExportResult(record, document)
