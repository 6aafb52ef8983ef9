"""The front door: recording a referral, deciding on it, authorising the decision
(WT2018 1.17-1.22, 1.70-1.74)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from safeguard.agencies.models import Agency, AgencyKind, Role
from safeguard.cases import rls
from safeguard.cases.models import InvolvementKind
from safeguard.cases.policy import require, require_view, staff_of
from safeguard.cases.services import involve, open_case_for, recompute_obligations
from safeguard.core.dates import today
from safeguard.core.services import Context, Invalid, NotAllowed, audit, check_version
from safeguard.people.services import find_or_add_child
from safeguard.referrals.models import REFERRAL_SOURCES, Outcome, Referral, ReferralDecision

_SOURCES = {code for code, _ in REFERRAL_SOURCES}

#: The census referral source of a referral a partner agency's practitioner makes.
_SOURCE_BY_AGENCY = {
    AgencyKind.SCHOOL: "2A", AgencyKind.EARLY_YEARS: "2B", AgencyKind.GP_PRACTICE: "3A",
    AgencyKind.HEALTH_TRUST: "3F", AgencyKind.ICB: "3F", AgencyKind.CCG: "3F",
    AgencyKind.POLICE: "6", AgencyKind.PROBATION: "7", AgencyKind.LOCAL_AUTHORITY: "5B",
    AgencyKind.OTHER: "8",
}


def source_for(staff: Any) -> str:
    """The referral source code (DfE CIN census) of a referral made by ``staff`` of a
    partner agency: an early help practitioner's is early help (5D); otherwise by agency."""
    if staff.role == Role.EARLY_HELP_PRACTITIONER:
        return "5D"
    return _SOURCE_BY_AGENCY.get(staff.agency.kind, "8")


@transaction.atomic
def referral_create(
    *, actor: Any, received_on: date | None = None, source: str = "", concerns: str,
    child: dict[str, Any], referrer_agency_id: int | None = None, referrer_name: str = "",
    referrer_contact: str = "", local_authority_id: int | None = None,
    context: Context | None = None,
) -> Referral:
    """Record a referral to children's social care.

    Front door staff record referrals for their own local authority; staff of partner
    agencies (police, health, schools, early help) make referrals to the local authority of
    their area, as the referrer: their referral is received today, and its source is their
    agency's (:func:`source_for`) unless given. ``child`` holds ``given_name``, ``family_name``,
    ``date_of_birth`` (or ``expected_date_of_birth``), and optionally ``sex``,
    ``nhs_number``, ``upn``, ``address``, ``postcode``.
    """
    staff = staff_of(actor)
    if staff is None or not (staff.in_social_care or staff.role in {
        Role.POLICE_OFFICER, Role.HEALTH_PRACTITIONER, Role.DESIGNATED_SAFEGUARDING_LEAD,
        Role.EARLY_HELP_PRACTITIONER,
    }):
        raise NotAllowed("Your role cannot make referrals.")
    errors: dict[str, str] = {}
    if staff.in_social_care:
        require(actor, "record_referral", local_authority_id=staff.agency_id)
        la = staff.agency
        # A partner agency of the area: naming it makes the case visible to its staff.
        referrer = Agency.objects.filter(
            Q(area_id=la.pk) | Q(pk=la.pk), pk=referrer_agency_id).first() \
            if referrer_agency_id else None
        if referrer_agency_id and referrer is None:
            errors["referrer_agency"] = (
                "Choose the agency that made the referral from the agencies of your area")
    else:
        la = staff.agency.area  # type: ignore[assignment]
        referrer = staff.agency
        referrer_name = referrer_name or staff.name
        source = source or source_for(staff)
        received_on = received_on or today()
        if la is None:
            raise NotAllowed("Your agency is not linked to a local authority area.")
    if received_on is None:
        errors["received_on"] = "Enter the date the referral was received"
        received_on = today()
    if local_authority_id is not None and local_authority_id != la.pk:
        errors["local_authority"] = "You can only refer to your own local authority"
    if source not in _SOURCES:
        errors["source"] = "Choose where the referral came from"
    if not concerns.strip():
        errors["concerns"] = "Enter the concerns about the child"
    if received_on > today():
        errors["received_on"] = "Date received must be today or in the past"
    person = None
    try:
        person, _created = find_or_add_child(created_by=actor, **child)
    except Invalid as exc:
        errors.update({f"child.{k}": v for k, v in exc.errors.items()})
    if errors:
        raise Invalid(errors)
    assert person is not None
    # Allowed: the child's open case is found (or opened) and the referral added to it
    # whether or not the referrer sees that case yet (a school's, until its involvement is
    # recorded; a restricted one), so row-level security steps aside for these rows only.
    with rls.system_scope():
        case, _ = open_case_for(child=person, local_authority=la, opened_on=received_on,
                                created_by=actor)
        referral = Referral.objects.create(
            case=case, received_on=received_on, source=source, referrer_agency=referrer,
            referrer_name=referrer_name, referrer_contact=referrer_contact, concerns=concerns,
            received_by=staff if staff.in_social_care else None, created_by=actor,
        )
        if referrer is not None and referrer.kind != AgencyKind.LOCAL_AUTHORITY:
            involve(case=case, agency=referrer, kind=InvolvementKind.REFERRER,
                    since=received_on, staff=None if staff.in_social_care else staff)
        audit(actor=actor, action="create", obj=referral, case_id=case.pk, context=context)
        recompute_obligations(case)
    return referral


def _referral_for(actor: Any, referral_id: int) -> Referral:
    referral = Referral.objects.filter(pk=referral_id).select_related("case").first()
    if referral is None:
        raise NotAllowed("You do not have access to this referral, or it does not exist.")
    require_view(actor, referral.case_id)
    return referral


@transaction.atomic
def referral_decide(
    *, actor: Any, referral_id: int, decided_on: date, outcome: str, reasons: str,
    feedback_to_referrer: str = "", feedback_given_on: date | None = None,
    family_informed: bool = True, family_not_informed_reason: str = "",
    version: int | None = None, context: Context | None = None,
) -> ReferralDecision:
    """Record the decision on next steps (WT2018 1.71), with feedback to the referrer and
    the family told — or the reason they were not (WT2018 1.73). A change to an existing
    decision must name the version it was made against."""
    referral = _referral_for(actor, referral_id)
    staff = require(actor, "decide_referral", referral.case)
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose the decision on next steps"
    if not reasons.strip():
        errors["reasons"] = "Enter the reasons for the decision"
    if decided_on < referral.received_on:
        errors["decided_on"] = (
            "Decision date must be on or after the date the referral was received"
        )
    elif decided_on > today():
        errors["decided_on"] = "Decision date must be today or in the past"
    if not family_informed and not family_not_informed_reason.strip():
        errors["family_not_informed_reason"] = "Enter why the family has not been told"
    if feedback_given_on is not None and feedback_given_on < decided_on:
        errors["feedback_given_on"] = "Feedback date must be on or after the decision"
    if outcome == Outcome.NO_FURTHER_ACTION and referral.referrer_agency_id and \
            not feedback_to_referrer.strip():
        errors["feedback_to_referrer"] = (
            "Enter the feedback to the referrer, with the reasons the threshold was not met"
        )
    if errors:
        raise Invalid(errors)
    values = dict(
        decided_on=decided_on, outcome=outcome, reasons=reasons,
        feedback_to_referrer=feedback_to_referrer, feedback_given_on=feedback_given_on,
        family_informed=family_informed,
        family_not_informed_reason="" if family_informed else family_not_informed_reason,
    )
    existing = ReferralDecision.objects.select_for_update().filter(referral=referral).first()
    if existing is None:
        decision = ReferralDecision.objects.create(referral=referral, recorded_by=staff,
                                                   created_by=actor, **values)
        Referral.objects.filter(pk=referral.pk).update(awaiting_decision=False)
        referral.awaiting_decision = False
        action = "create"
    else:
        check_version(existing, version)
        for name, value in values.items():
            setattr(existing, name, value)
        existing.recorded_by = staff
        existing.authorised_by = None
        existing.authorised_on = None
        existing.version += 1
        existing.save()
        decision, action = existing, "update"
    audit(actor=actor, action=action, obj=decision, case_id=referral.case_id,
          detail={"fields": sorted(values)}, context=context)
    recompute_obligations(referral.case)
    return decision


@transaction.atomic
def decision_authorise(
    *, actor: Any, referral_id: int, version: int | None = None,
    context: Context | None = None,
) -> ReferralDecision:
    """A manager authorises the decision on a referral."""
    referral = _referral_for(actor, referral_id)
    staff = require(actor, "authorise_decision", referral.case)
    decision = ReferralDecision.objects.select_for_update().filter(referral=referral).first()
    if decision is None:
        raise Invalid({"decision": "There is no decision to authorise yet"})
    check_version(decision, version)
    decision.authorised_by = staff
    decision.authorised_on = today()
    decision.version += 1
    decision.save()
    audit(actor=actor, action="authorise", obj=decision, case_id=referral.case_id,
          context=context)
    return decision
