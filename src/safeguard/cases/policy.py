"""Who may see and do what with a case: the one access policy.

Every selector and service asks here; views never decide access themselves.

- Children's social care staff of the responsible local authority see its cases.
- Staff of partner agencies see only the cases their agency is involved in (referrer,
  strategy discussion, conference, core group …), while the involvement lasts. Staff of a
  local authority outside its children's social care (a partnership officer) are partners
  too, involved only where named: the authority's own involvements are not theirs.
- A restricted case is seen only by the people named on it: the allocated worker and their
  manager, and staff named in an involvement.
- A person with no staff record, or an inactive one, sees nothing.

- **Break-glass**: staff of an agency in the case's local authority area may open a case
  they could not otherwise see by saying why (``safeguard.cases.services.break_glass``).
  It lets them read it, never change it, for ``BREAK_GLASS_HOURS``; the reason is audited
  and the case's managers are alerted.

- **Parts of a case by need to know** (:func:`case_parts`): social care staff of the
  responsible authority see the whole case. A partner who sees a case sees its summary, its
  chronology (dates and kinds of events, never their content) and its obligations, and of
  the child protection records only those their agency took part in: a strategy discussion
  (its decisions, the criminal investigation, its actions) only if the agency attended it;
  immediate protection their agency took or that led to such a discussion; a section 47
  enquiry that followed such a discussion, that the agency asked a conference of, or that
  led to a conference it was invited to; a conference only if invited; a child protection
  plan only if the agency is in its core group or was invited to a conference that started
  or reviewed it — and of the plan's actions only those the agency owns; of the decisions
  to share information, those their agency made or was the recipient of. So a school's
  designated safeguarding lead sees the plan and the school's actions, not the police's
  investigative notes. Break-glass opens a case to a partner on these same terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safeguard.agencies.models import Role, Staff, staff_record
from safeguard.cases.models import BreakGlass, Case, Involvement
from safeguard.core.compiled import Reads
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


#: How long a break-glass access lasts: a working shift, after which the person must give a
#: reason again.
BREAK_GLASS_HOURS = 8
BREAK_GLASS_TIME = timedelta(hours=BREAK_GLASS_HOURS)


def staff_of(user: Any) -> Staff | None:
    """The acting person's active staff record, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        staff = staff_record(user)
    except Staff.DoesNotExist:
        return None
    return staff if staff.active and user.is_active else None


def _named_on(staff_id: int) -> Q:
    return (
        Q(allocated_worker_id=staff_id)
        | Q(allocated_worker__manager_id=staff_id)
        | Q(Exists(Involvement.objects.filter(case=OuterRef("pk"), staff_id=staff_id,
                                             until__isnull=True)))
    )


def _partner_involvement(staff: Staff) -> dict[str, int]:
    """What makes a case one a partner is involved in: an involvement of their agency. Staff
    of a local authority outside its children's social care (a partnership officer) are
    partners too, but the authority's own involvements (its allocated worker, its staff at a
    strategy discussion or conference) are its children's social care's, not theirs: they
    are involved only where named."""
    if staff.agency.is_local_authority:
        return {"staff_id": staff.pk}
    return {"agency_id": staff.agency_id}


def visible_rule(*, staff_id: int, social_care_la_id: int | None,
                 partner: dict[str, int] | None, now: Any) -> Q:
    """:func:`cases_visible_to`'s rule, from plain values (so a read can build its SQL once
    for everyone in the same position: ``safeguard.core.compiled``): the staff record's id;
    the local authority whose children's social care they work in, or None; otherwise what
    involves a partner in a case (``_partner_involvement``); and the time now (break-glass
    accesses end)."""
    if social_care_la_id is not None:
        allowed = Q(local_authority_id=social_care_la_id)
    else:
        allowed = Q(Exists(Involvement.objects.filter(case=OuterRef("pk"), until__isnull=True,
                                                      **(partner or {}))))
    broken_glass = Exists(BreakGlass.objects.filter(case=OuterRef("pk"), staff_id=staff_id,
                                                    until__gt=now))
    return (allowed & (Q(restricted=False) | _named_on(staff_id))) | Q(broken_glass)


def rule_position(staff: Staff) -> tuple[str, int]:
    """Where the staff member stands in :func:`visible_rule`, as a read built once for
    everyone in the same position takes it: ``("social_care", local authority)`` for
    children's social care, else what involves a partner in a case (``("staff_id", staff
    record)`` or ``("agency_id", agency)``: ``_partner_involvement``)."""
    if staff.in_social_care:
        return "social_care", staff.agency_id
    ((key, value),) = _partner_involvement(staff).items()
    return key, value


def rule_of(position: tuple[str, int], *, staff_id: int, now: Any) -> Q:
    """:func:`visible_rule` for a :func:`rule_position`."""
    kind, value = position
    return visible_rule(staff_id=staff_id,
                        social_care_la_id=value if kind == "social_care" else None,
                        partner=None if kind == "social_care" else {kind: value}, now=now)


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Every case the acting person may see. All reads of case data start here."""
    staff = staff_of(user)
    if staff is None:
        return Case.objects.none()
    return Case.objects.filter(rule_of(rule_position(staff), staff_id=staff.pk,
                                       now=timezone.now()))


def break_glass_of(staff: Staff, case: Case) -> BreakGlass | None:
    """The person's break-glass access to the case still in force, if any."""
    return BreakGlass.objects.filter(case_id=case.pk, staff_id=staff.pk,
                                     until__gt=timezone.now()).order_by("-until").first()


def _sees(staff: Staff, case: Case, *, break_glass: bool = True) -> bool:
    """:func:`cases_visible_to`'s rule for one case already loaded: the same answer, with
    at most a query or two instead of the whole visibility query (a test keeps the two in
    step). ``break_glass=False``: by the person's own rights alone."""
    if _sees_by_right(staff, case):
        return True
    return break_glass and break_glass_of(staff, case) is not None


def may_break_glass(user: Any, case: Case) -> bool:
    """May the person open this case by break-glass? Staff of an agency in the case's local
    authority area who cannot see it by their own rights."""
    staff = staff_of(user)
    return (staff is not None and staff.local_authority_id == case.local_authority_id
            and not _sees_by_right(staff, case))


def _sees_by_right(staff: Staff, case: Case) -> bool:
    def involved(**who: Any) -> bool:
        return Involvement.objects.filter(case_id=case.pk, until__isnull=True, **who).exists()

    if staff.in_social_care:
        if case.local_authority_id != staff.agency_id:
            return False
    elif not involved(**_partner_involvement(staff)):
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
        # In children's social care, the roles that record referrals (as referral_create
        # requires); a conference chair or LADO passes a concern to the front door.
        if staff.in_social_care:
            return staff.role in ACTIONS["record_referral"]
        return staff.role in PARTNER_REFERRERS
    if action == "view_access_history":
        return case is not None and _may_view_access_history(staff, case)
    roles = ACTIONS.get(action)
    if roles is None:
        raise ValueError(f"unknown action {action!r}")
    # Break-glass opens a case to read, never to change: only the person's own rights count.
    if not staff.in_social_care and staff.role in PARTNER_ACTIONS.get(action, ()):
        return case is not None and _sees_by_right(staff, case)
    if not staff.in_social_care or staff.role not in roles:
        return False
    la = case.local_authority_id if case is not None else local_authority_id
    if la is not None and la != staff.agency_id:
        return False
    return case is None or _sees_by_right(staff, case)


def may_see_work(user: Any, scope: str) -> bool:
    """May the acting person read the duties due on their own cases (``mine``: children's
    social care staff), their team's (``team``: its team managers), or the front door's
    queue (``front_door``: children's social care staff)? Partner agencies have none of
    these: their cases are the ones they are involved in, on their home page."""
    staff = staff_of(user)
    if staff is None or not staff.in_social_care:
        return False
    if scope == "team":
        return staff.role == Role.TEAM_MANAGER
    return scope in ("mine", "front_door")


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
    found = [] if staff is None else _READS["case"].records(case_id)
    case = found[0] if found else None
    via: BreakGlass | None = None
    if case is not None and staff is not None and not _sees_by_right(staff, case):
        via = break_glass_of(staff, case)
        if via is None:
            case = None
    if case is None or staff is None:
        raise NotAllowed("You do not have access to this case, or it does not exist.")
    case.via_break_glass = via  # type: ignore[attr-defined]  # the audit records why
    return case


# ---- parts of a case by need to know -------------------------------------------------------


@dataclass(frozen=True)
class CaseParts:
    """Which parts of one case the acting person may see (the module's "parts" rule).
    ``whole``: all of it; otherwise the ids of the records of each kind they may see, and
    the agency whose plan actions they see."""

    whole: bool
    strategy_discussions: frozenset[int] = frozenset()
    immediate_protection: frozenset[int] = frozenset()
    enquiries: frozenset[int] = frozenset()
    conferences: frozenset[int] = frozenset()
    plans: frozenset[int] = frozenset()
    child_in_need_plans: frozenset[int] = frozenset()
    action_agency_id: int | None = None
    staff_id: int | None = None

    def sees(self, record: Any) -> bool:
        """May the person see this child protection record, or child in need plan, of the
        case?"""
        if self.whole:
            return True
        kinds = {
            "StrategyDiscussion": self.strategy_discussions,
            "ImmediateProtection": self.immediate_protection,
            "Section47Enquiry": self.enquiries,
            "Conference": self.conferences,
            "ChildProtectionPlan": self.plans,
            "ChildInNeedPlan": self.child_in_need_plans,
        }
        return record.pk in kinds.get(type(record).__name__, frozenset())


WHOLE_CASE = CaseParts(whole=True)
NO_PARTS = CaseParts(whole=False)


def case_parts(user: Any, case: Case) -> CaseParts:
    """The parts of ``case`` the acting person may see, who already may see the case."""
    from safeguard.assessments.models import ChildInNeedPlan
    from safeguard.protection.models import (
        ChildProtectionPlan,
        ConferenceInvitee,
        CoreGroupMember,
        ImmediateProtection,
        Section47Enquiry,
        StrategyAttendee,
    )

    staff = staff_of(user)
    if staff is None:
        return NO_PARTS
    if staff.in_social_care and staff.agency_id == case.local_authority_id:
        return WHOLE_CASE
    who = _partner_involvement(staff) if not staff.in_social_care else {"staff_id": staff.pk}
    attended = frozenset(StrategyAttendee.objects.filter(discussion__case_id=case.pk, **who)
                         .values_list("discussion_id", flat=True))
    invited = frozenset(ConferenceInvitee.objects.filter(conference__case_id=case.pk, **who)
                        .values_list("conference_id", flat=True))
    in_core_group = CoreGroupMember.objects.filter(plan__case_id=case.pk, **who)
    plans = frozenset(ChildProtectionPlan.objects.filter(case_id=case.pk).filter(
        Q(pk__in=in_core_group.values("plan_id")) | Q(started_by_id__in=invited)
        | Q(reviews__in=invited)).values_list("pk", flat=True))
    acting = ({"acting_agency_id": staff.agency_id} if "agency_id" in who
              else {"pk__in": []})
    immediate = frozenset(ImmediateProtection.objects.filter(case_id=case.pk).filter(
        Q(**acting) | Q(strategy_discussions__in=attended)).values_list("pk", flat=True))
    # A child in need plan: the agencies taking part in it (WT2018 1.64-1.67).
    cin_plans = (frozenset(ChildInNeedPlan.objects.filter(
        case_id=case.pk, agencies=staff.agency_id).values_list("pk", flat=True))
        if "agency_id" in who else frozenset[int]())
    requested = ({"conference_requested_by_id": staff.agency_id} if "agency_id" in who
                 else {"conference_requested_by_staff_id": staff.pk})
    enquiries = frozenset(Section47Enquiry.objects.filter(case_id=case.pk).filter(
        Q(strategy_discussion_id__in=attended) | Q(**requested)
        | Q(conferences__in=invited)).values_list("pk", flat=True))
    return CaseParts(
        whole=False, strategy_discussions=attended, immediate_protection=immediate,
        enquiries=enquiries, conferences=invited, plans=plans, child_in_need_plans=cin_plans,
        action_agency_id=staff.agency_id if "agency_id" in who else None, staff_id=staff.pk,
    )


# ---- who has looked at a case ------------------------------------------------------------
# The audit requirement: "Every read of case data and every change is recorded … A case's
# manager can see who looked at it; a person's own access history is visible to them."


def case_manager_ids(case: Case) -> set[int]:
    """The staff who manage the case: the allocated worker's manager, and the team managers
    of the case's team; when it has neither, every team manager of its local authority (so
    an unallocated case at the front door still has someone who sees who looked at it).
    The same people ``safeguard.cases.services.case_managers`` alerts of a break-glass."""
    found: set[int] = set()
    if case.allocated_worker_id is not None:
        found.update(pk for (pk,) in _READS["worker_manager"].rows(case.allocated_worker_id)
                     if pk is not None)
    if case.team_id is not None:
        found.update(pk for (pk,) in _READS["team_managers"].rows(case.local_authority_id,
                                                                   case.team_id))
    if not found:
        found.update(pk for (pk,) in _READS["managers"].rows(case.local_authority_id))
    return found


def case_manager_reads(case: Case) -> list[tuple[Any, tuple[Any, ...]]]:
    """The reads :func:`case_manager_ids` will make of ``case``, with their arguments, to be
    made ahead with a page's others (``compiled.reading_ahead``); the local authority's
    every manager only where the case has neither worker nor team (elsewhere it is read
    only if those find no one)."""
    reads: list[tuple[Any, tuple[Any, ...]]] = []
    if case.allocated_worker_id is not None:
        reads.append((_READS["worker_manager"], (case.allocated_worker_id,)))
    if case.team_id is not None:
        reads.append((_READS["team_managers"], (case.local_authority_id, case.team_id)))
    if not reads:
        reads.append((_READS["managers"], (case.local_authority_id,)))
    return reads


def _policy_reads() -> dict[str, Any]:
    """The policy's reads by id whose SQL is built once (``safeguard.core.compiled``: every
    view of a case makes them): the case with what its pages show of it, and its managers."""
    from django.contrib.auth import get_user_model

    from safeguard.agencies.models import Agency, Team
    from safeguard.core.compiled import CompiledRead, CompiledRecords
    from safeguard.people.models import Person

    def every(model: Any) -> tuple[str, ...]:
        return tuple(f.attname for f in model._meta.concrete_fields if f.attname != "id")

    managers = Staff.objects.filter(role=Role.TEAM_MANAGER, active=True)
    return {
        # As .select_related("child", "local_authority", "team", "allocated_worker__user").
        "case": CompiledRecords(
            Case, every(Case), lambda pk: Case.objects.filter(pk=pk),
            related={"child": every(Person), "local_authority": every(Agency),
                     "team": every(Team), "allocated_worker": every(Staff),
                     "allocated_worker__user": every(get_user_model())}),
        "worker_manager": CompiledRead(lambda pk: Staff.objects.filter(
            pk=pk, manager__active=True).values_list("manager_id")),
        "team_managers": CompiledRead(lambda la, team: managers.filter(
            agency_id=la, team_id=team).values_list("pk"), kinds=("id", "id")),
        "managers": CompiledRead(lambda la: managers.filter(agency_id=la).values_list("pk")),
    }


_READS = Reads(_policy_reads)


def _may_view_access_history(staff: Staff, case: Case) -> bool:
    """Who has looked at a case is seen by its managers (:func:`case_manager_ids`) in the
    responsible local authority's children's social care, who see the case by their own
    rights (a restricted case: only those named on it; break-glass never counts)."""
    return (staff.in_social_care and staff.agency_id == case.local_authority_id
            and staff.pk in case_manager_ids(case) and _sees_by_right(staff, case))


def require_access_history(user: Any, case_id: int) -> Case:
    """The case, if the acting person may see who has looked at it; else
    :class:`NotAllowed`, the same answer as for a case they cannot see or that does not
    exist."""
    staff = staff_of(user)
    case = None if staff is None else Case.objects.filter(pk=case_id).select_related(
        "local_authority").first()
    if case is None or staff is None or not _may_view_access_history(staff, case):
        raise NotAllowed("You do not have access to this case, or it does not exist.")
    return case


def may_view_own_access_history(user: Any) -> bool:
    """Everyone signed in sees their own access history (the audit requirement), whether
    or not they still hold an active staff record: it is about them."""
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active
