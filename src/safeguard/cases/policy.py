"""Who may see and do what with a case: the one access policy.

Every selector and service asks here; views never decide access themselves.

- Children's social care staff of the responsible local authority see its cases.
- Staff of partner agencies see only the cases their agency is involved in (referrer,
  strategy discussion, conference, core group …), while the involvement lasts.
- A restricted case is seen only by the people named on it: the allocated worker and their
  manager, and staff named in an involvement.
- A person with no staff record, or an inactive one, sees nothing.

The access issue deepens this (team and role scoping, parts of a case by role,
break-glass); its shape — one policy, enforced in selectors and services — stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from safeguard.agencies.models import Role, Staff
from safeguard.cases.models import Case, Involvement
from safeguard.core.services import NotAllowed

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser

#: What each action needs: the roles that may do it, and whether partner agencies may.
ACTIONS: dict[str, frozenset[str]] = {
    "record_referral": frozenset({Role.FRONT_DOOR_WORKER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER}),
    "decide_referral": frozenset({Role.FRONT_DOOR_WORKER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER}),
    "authorise_decision": frozenset({Role.TEAM_MANAGER}),
    "record_casework": frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER}),
    "record_conference": frozenset({Role.CONFERENCE_CHAIR, Role.SOCIAL_WORKER,
                                    Role.TEAM_MANAGER}),
    "allocate": frozenset({Role.TEAM_MANAGER}),
    "record_core_group": frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER}),
    "request_conference": frozenset(),  # partner agencies only (PARTNER_ACTIONS)
}
#: Roles of partner agencies that may make a referral to children's social care.
PARTNER_REFERRERS = frozenset({
    Role.POLICE_OFFICER, Role.HEALTH_PRACTITIONER, Role.DESIGNATED_SAFEGUARDING_LEAD,
    Role.EARLY_HELP_PRACTITIONER,
})
#: Actions staff of partner agencies may take on a case their agency is involved in (the
#: service may ask more: a core group meeting, that the agency is in the plan's core group).
PARTNER_ACTIONS: dict[str, frozenset[str]] = {
    # WT2018, Outcome of section 47 enquiries: others may ask the LA to convene a conference.
    "request_conference": frozenset({Role.POLICE_OFFICER, Role.HEALTH_PRACTITIONER,
                                     Role.DESIGNATED_SAFEGUARDING_LEAD}),
    "record_core_group": PARTNER_REFERRERS,
}


def staff_of(user: Any) -> Staff | None:
    """The acting person's active staff record, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        staff = user.staff
    except Staff.DoesNotExist:
        return None
    return staff if staff.active and user.is_active else None


def _named_on(staff: Staff) -> Q:
    return (
        Q(allocated_worker=staff)
        | Q(allocated_worker__manager=staff)
        | Q(Exists(Involvement.objects.filter(case=OuterRef("pk"), staff=staff,
                                             until__isnull=True)))
    )


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Every case the acting person may see. All reads of case data start here."""
    staff = staff_of(user)
    if staff is None:
        return Case.objects.none()
    if staff.in_social_care:
        allowed = Q(local_authority_id=staff.agency_id)
    else:
        allowed = Q(
            Exists(Involvement.objects.filter(case=OuterRef("pk"), agency_id=staff.agency_id,
                                              until__isnull=True))
        )
    return Case.objects.filter(allowed & (Q(restricted=False) | _named_on(staff)))


def _sees(staff: Staff, case: Case) -> bool:
    """:func:`cases_visible_to`'s rule for one case already loaded: the same answer, with
    at most a query or two instead of the whole visibility query (a test keeps the two in
    step)."""

    def involved(**who: Any) -> bool:
        return Involvement.objects.filter(case_id=case.pk, until__isnull=True, **who).exists()

    if staff.in_social_care:
        if case.local_authority_id != staff.agency_id:
            return False
    elif not involved(agency_id=staff.agency_id):
        return False
    if not case.restricted or case.allocated_worker_id == staff.pk:
        return True
    if case.allocated_worker_id is not None and Staff.objects.filter(
            pk=case.allocated_worker_id, manager_id=staff.pk).exists():
        return True
    return involved(staff_id=staff.pk)


def can_view_case(user: Any, case: Case) -> bool:
    staff = staff_of(user)
    return staff is not None and _sees(staff, case)


def may(user: Any, action: str, case: Case | None = None, *, local_authority_id: int | None = None
        ) -> bool:
    """May the acting person do ``action`` (to ``case``, or in a local authority)?"""
    staff = staff_of(user)
    if staff is None:
        return False
    if action == "make_referral":
        return staff.in_social_care or staff.role in PARTNER_REFERRERS
    roles = ACTIONS.get(action)
    if roles is None:
        raise ValueError(f"unknown action {action!r}")
    if not staff.in_social_care and staff.role in PARTNER_ACTIONS.get(action, ()):
        return case is not None and can_view_case(user, case)
    if not staff.in_social_care or staff.role not in roles:
        return False
    la = case.local_authority_id if case is not None else local_authority_id
    if la is not None and la != staff.agency_id:
        return False
    return case is None or can_view_case(user, case)


def require(user: Any, action: str, case: Case | None = None, *,
            local_authority_id: int | None = None) -> Staff:
    """The acting staff member, or :class:`NotAllowed`."""
    if not may(user, action, case, local_authority_id=local_authority_id):
        raise NotAllowed()
    staff = staff_of(user)
    assert staff is not None
    return staff


def require_view(user: Any, case_id: int) -> Case:
    """The case, if the acting person may see it; else :class:`NotAllowed` (the same answer
    whether or not it exists, so nobody learns of a case they may not see)."""
    staff = staff_of(user)
    case = None if staff is None else Case.objects.filter(pk=case_id).select_related(
        "child", "local_authority", "team", "allocated_worker__user").first()
    if case is None or staff is None or not _sees(staff, case):
        raise NotAllowed("You do not have access to this case, or it does not exist.")
    return case
