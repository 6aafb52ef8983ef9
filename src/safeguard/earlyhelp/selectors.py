"""Reads of early help records, each from :func:`early_help_visible_to`.

An early help record is not a case of children's social care, so its access rule lives here,
in the same shape as the case policy: it is seen by the lead practitioner, by staff of the
lead practitioner's agency and of the agencies contributing to it, and by the children's
social care staff of the local authority area (who discuss concerns with early help
practitioners, WT2018 1.9, and take step-ups and step-downs). Nobody else sees it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from safeguard.agencies.models import Role, Staff
from safeguard.cases.models import Case
from safeguard.cases.policy import cases_visible_to, staff_of
from safeguard.core.services import NotAllowed
from safeguard.earlyhelp.models import EarlyHelpAssessment
from safeguard.people.models import Person

#: Partner roles that may start and lead early help (WT2018 1.8: a GP, family support worker,
#: school nurse, teacher, health visitor or SENCO could be the lead practitioner).
LEAD_ROLES = frozenset({Role.EARLY_HELP_PRACTITIONER, Role.DESIGNATED_SAFEGUARDING_LEAD,
                        Role.HEALTH_PRACTITIONER})
#: Children's social care roles that may record early help (a step-down, or on the early
#: help decision on a referral).
SOCIAL_CARE_ROLES = frozenset({Role.FRONT_DOOR_WORKER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER})


def early_help_visible_to(actor: Any) -> QuerySet[EarlyHelpAssessment]:
    """Every early help record the acting person may see. All reads start here."""
    staff = staff_of(actor)
    if staff is None:
        return EarlyHelpAssessment.objects.none()
    through = EarlyHelpAssessment.contributing_agencies.through
    allowed = (
        Q(lead_practitioner=staff) | Q(agency_id=staff.agency_id)
        | Q(Exists(through.objects.filter(earlyhelpassessment_id=OuterRef("pk"),
                                          agency_id=staff.agency_id)))
    )
    if staff.in_social_care:
        allowed |= Q(local_authority_id=staff.agency_id)
    return EarlyHelpAssessment.objects.filter(allowed)


def may_start_early_help(staff: Staff | None) -> bool:
    if staff is None:
        return False
    if staff.in_social_care:
        return staff.role in SOCIAL_CARE_ROLES
    return staff.role in LEAD_ROLES


def may_change(staff: Staff | None, record: EarlyHelpAssessment) -> bool:
    """The lead practitioner, early help roles of the lead agency, and children's social care
    of the area may change an early help record."""
    if staff is None:
        return False
    if record.lead_practitioner_id == staff.pk:
        return True
    if staff.in_social_care:
        return staff.role in SOCIAL_CARE_ROLES and staff.agency_id == record.local_authority_id
    return staff.role in LEAD_ROLES and staff.agency_id == record.agency_id


def early_help_for(actor: Any, assessment_id: int) -> EarlyHelpAssessment:
    """The early help record, if the acting person may see it; else :class:`NotAllowed`."""
    found = (
        early_help_visible_to(actor).filter(pk=assessment_id)
        .select_related("child", "agency", "local_authority", "lead_practitioner__user",
                        "lead_practitioner__agency", "stepped_down_from", "stepped_up_to__case")
        .prefetch_related("contributing_agencies")
        .first()
    )
    if found is None:
        raise NotAllowed("You do not have access to this early help record, or it does not "
                         "exist.")
    return found


def name_linked_cases(actor: Any, records: list[EarlyHelpAssessment]) -> None:
    """Set each record's ``step_down_case_id`` and ``step_up_case_id``: the case it was
    stepped down from, or stepped up to by its referral, if the acting person may see that
    case; else None. A case a person may not see is never named to them."""
    linked = {r.stepped_down_from_id for r in records} | {
        r.stepped_up_to.case_id for r in records if r.stepped_up_to_id}
    linked.discard(None)
    visible = set(cases_visible_to(actor).filter(pk__in=linked).values_list("pk", flat=True))
    for r in records:
        r.step_down_case_id = (  # type: ignore[attr-defined]
            r.stepped_down_from_id if r.stepped_down_from_id in visible else None)
        r.step_up_case_id = (  # type: ignore[attr-defined]
            r.stepped_up_to.case_id if r.stepped_up_to_id
            and r.stepped_up_to.case_id in visible else None)


def early_help_read(actor: Any, assessment_id: int, *, context: Any = None
                    ) -> EarlyHelpAssessment:
    """:func:`early_help_for`, the read recorded in the audit trail, with
    :func:`name_linked_cases`; the entry is filed under the stepped-down case only if the
    person may see it (else their own access history would name it to them)."""
    from safeguard.core.services import audit

    record = early_help_for(actor, assessment_id)
    name_linked_cases(actor, [record])
    audit(actor=actor, action="view", obj=record, context=context,
          case_id=record.step_down_case_id)  # type: ignore[attr-defined]
    return record


def early_help_list(actor: Any) -> QuerySet[EarlyHelpAssessment]:
    """The early help records the acting person may see, open ones first."""
    return (
        early_help_visible_to(actor)
        .select_related("child", "agency", "lead_practitioner__user")
        .order_by("closed_on", "-started_on", "-id")
    )


def early_help_of_case(actor: Any, case: Case) -> QuerySet[EarlyHelpAssessment]:
    """The early help records of the case's child that the acting person may see (for the
    case page), including any opened on a step-down from this case."""
    return early_help_visible_to(actor).filter(
        Q(child_id=case.child_id) | Q(stepped_down_from=case)
    ).select_related("agency", "lead_practitioner__user")


def plan_of(record: EarlyHelpAssessment) -> Any:
    from safeguard.earlyhelp.models import EarlyHelpPlan

    return EarlyHelpPlan.objects.filter(assessment=record).prefetch_related("reviews").first()


def lead_practitioners(local_authority_id: int) -> QuerySet[Staff]:
    """Who may lead early help in the area: active staff in early help roles of the local
    authority or its partner agencies."""
    return (
        Staff.objects.filter(active=True, role__in=LEAD_ROLES)
        .filter(Q(agency_id=local_authority_id) | Q(agency__area_id=local_authority_id))
        .select_related("user", "agency")
        .order_by("agency__name", "user__last_name", "user__first_name")
    )


def children_visible_to(actor: Any) -> QuerySet[Person]:
    """Children the acting person may already see: of a case or an early help record."""
    return Person.objects.filter(
        Q(pk__in=cases_visible_to(actor).values("child_id"))
        | Q(pk__in=early_help_visible_to(actor).values("child_id"))
    )


def area_agencies(local_authority_id: int) -> list[Any]:
    """The local authority and the partner agencies of its area."""
    from safeguard.agencies.models import Agency

    return list(Agency.objects.filter(pk=local_authority_id)) + list(
        Agency.objects.filter(area_id=local_authority_id).order_by("kind", "name"))
