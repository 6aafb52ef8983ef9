"""Recording decisions to share or withhold information (WT2018 1.23-1.27).

:func:`sharing_record` is the one write path; an action that shares information out of
Safeguard (an export, a conference report sent to an agency) calls it inside its own
transaction, so the record is made as part of the action and never as a separate chore.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from safeguard.agencies.models import Agency
from safeguard.cases.policy import require_view, staff_of
from safeguard.core.dates import today
from safeguard.core.services import Context, Invalid, NotAllowed, audit
from safeguard.sharing.models import Article6Basis, Decision, Paragraph18Reason, SharingDecision


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
