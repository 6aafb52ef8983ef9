"""Reads of child protection records. Each starts from the acting person and the access
policy: a record is found only on a case the person may see (``cases_visible_to``) and only
if it is among the parts of the case they may see (``case_parts``: a partner sees the
records their agency took part in, and of a plan's actions only their own); reading it is
recorded in the audit trail (``case_for``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, Prefetch, Q, QuerySet

from safeguard.agencies.models import Agency, Role, Staff
from safeguard.cases.models import Case, Obligation
from safeguard.cases.policy import (
    WHOLE_CASE,
    CaseParts,
    case_parts,
    cases_visible_to,
    may,
    require_view,
    staff_of,
)
from safeguard.cases.selectors import case_for
from safeguard.core.dates import today
from safeguard.core.services import Context, NotAllowed
from safeguard.protection.models import (
    ChildProtectionPlan,
    Conference,
    ConferenceInvitee,
    CoreGroupMember,
    ImmediateProtection,
    MovedInNotice,
    PlanAction,
    PlanEndNotification,
    ReturnHome,
    Section47Enquiry,
    StrategyAction,
    StrategyAttendee,
    StrategyDiscussion,
)
from safeguard.protection.services import LEAD_SOCIAL_WORKER_ROLES, SOCIAL_CARE_ATTENDEE_ROLES

M = TypeVar("M", bound=Model)

#: The statutory duties of child protection (the engine's ids), shown on these pages.
PROTECTION_DUTIES = ("icpc.hold", "cpp.core-group", "cpp.first-review", "cpp.later-reviews",
                     "cpp.end-at-18", "cpp.transfer-in")


# ---- the case and its records --------------------------------------------------------------


def protection_case(actor: Any, case_id: int, *, context: Context | None = None) -> Case:
    """The case, if the acting person may see it, with its obligations current (audited)."""
    return case_for(actor, case_id, context=context)


def _found_on_visible_case(actor: Any, queryset: Callable[[CaseParts], QuerySet[M]], pk: int,
                           context: Context | None, what: str) -> M:
    """The record, if it is on a case the person may see and among the parts of it they
    may see (read with what those parts allow); else :class:`NotAllowed`, the same answer
    as for a record that does not exist."""
    refused = NotAllowed(f"You do not have access to this {what}, or it does not exist.")
    record = queryset(WHOLE_CASE).filter(pk=pk, case__in=cases_visible_to(actor)).first()
    if record is None:
        raise refused
    parts = case_parts(actor, require_view(actor, record.case_id))  # type: ignore[attr-defined]
    if not parts.sees(record):
        raise refused
    if not parts.whole:
        record = queryset(parts).get(pk=pk)
    record.case = case_for(actor, record.case_id, context=context)  # type: ignore[attr-defined]
    record.parts = parts  # type: ignore[attr-defined]
    return record


def _discussions(parts: CaseParts = WHOLE_CASE) -> QuerySet[StrategyDiscussion]:
    return StrategyDiscussion.objects.select_related(
        "convened_by__user", "immediate_protection", "enquiry",
    ).prefetch_related(
        Prefetch("attendees", StrategyAttendee.objects.select_related("agency").order_by("id")),
        Prefetch("actions", StrategyAction.objects.select_related("owner_agency")
                 .order_by("due_on", "id")),
    )


def _conferences(parts: CaseParts = WHOLE_CASE) -> QuerySet[Conference]:
    return Conference.objects.select_related(
        "chair__user", "lead_social_worker__user", "plan", "enquiry", "moved_in_notice",
    ).prefetch_related(
        Prefetch("invitees", ConferenceInvitee.objects.select_related("agency").order_by("id")),
    )


def _plans(parts: CaseParts = WHOLE_CASE) -> QuerySet[ChildProtectionPlan]:
    """Plans with their actions (a partner: only the actions their agency owns), core
    group, meetings, end notices and reviews (a partner: those they were invited to)."""
    actions = PlanAction.objects.select_related("owner_agency")
    reviews = Conference.objects.order_by("held_on", "id")
    if not parts.whole:
        actions = actions.filter(owner_agency_id=parts.action_agency_id)
        reviews = reviews.filter(pk__in=parts.conferences)
    return ChildProtectionPlan.objects.select_related(
        "started_by", "ended_by", "lead_social_worker__user",
    ).prefetch_related(
        Prefetch("actions", actions),
        Prefetch("core_group", CoreGroupMember.objects.select_related("agency").order_by("id")),
        "core_group_meetings",
        Prefetch("end_notifications", PlanEndNotification.objects.select_related("agency")),
        Prefetch("reviews", reviews),
    )


def _immediate(parts: CaseParts = WHOLE_CASE) -> QuerySet[ImmediateProtection]:
    discussions = StrategyDiscussion.objects.all()
    if not parts.whole:
        discussions = discussions.filter(pk__in=parts.strategy_discussions)
    return ImmediateProtection.objects.select_related("acting_agency").prefetch_related(
        Prefetch("strategy_discussions", discussions))


def _enquiries(parts: CaseParts = WHOLE_CASE) -> QuerySet[Section47Enquiry]:
    return Section47Enquiry.objects.select_related(
        "strategy_discussion", "conference_requested_by",
        "conference_requested_by_staff__user", "outcome_recorded_by__user")


def strategy_discussion_for(actor: Any, discussion_id: int, *,
                            context: Context | None = None) -> StrategyDiscussion:
    return _found_on_visible_case(actor, _discussions, discussion_id, context,
                                  "strategy discussion")


def enquiry_for(actor: Any, enquiry_id: int, *, context: Context | None = None
                ) -> Section47Enquiry:
    return _found_on_visible_case(actor, _enquiries, enquiry_id, context, "enquiry")


def conference_for(actor: Any, conference_id: int, *, context: Context | None = None
                   ) -> Conference:
    return _found_on_visible_case(actor, _conferences, conference_id, context, "conference")


def plan_for(actor: Any, plan_id: int, *, context: Context | None = None
             ) -> ChildProtectionPlan:
    return _found_on_visible_case(actor, _plans, plan_id, context, "plan")


def immediate_protection_for(actor: Any, record_id: int, *, context: Context | None = None
                             ) -> ImmediateProtection:
    return _found_on_visible_case(actor, _immediate, record_id, context, "record")


# ---- panels of the case page ---------------------------------------------------------------


def protection_obligations(case: Case) -> list[Obligation]:
    """The case's child protection duties as stored (call after ``protection_case``)."""
    return list(Obligation.objects.filter(case=case, duty__in=PROTECTION_DUTIES)
                .order_by("position"))


def open_plan(case: Case) -> ChildProtectionPlan | None:
    """The child's current child protection plan, with its actions, core group, meetings."""
    return _plans().filter(case=case, ended_on__isnull=True).order_by("-started_on").first()


def strategy_discussions(case: Case) -> list[StrategyDiscussion]:
    return list(_discussions().filter(case=case).order_by("-held_on", "-id"))


def conferences(case: Case) -> list[Conference]:
    return list(_conferences().filter(case=case).order_by("-held_on", "-id"))


@dataclass
class ProtectionSummary:
    """Everything about protecting the child on one case, newest first."""

    case: Case
    immediate: list[ImmediateProtection] = field(default_factory=list)
    strategy_discussions: list[StrategyDiscussion] = field(default_factory=list)
    enquiries: list[Section47Enquiry] = field(default_factory=list)
    conferences: list[Conference] = field(default_factory=list)
    open_plan: ChildProtectionPlan | None = None
    past_plans: list[ChildProtectionPlan] = field(default_factory=list)
    moved_in: list[MovedInNotice] = field(default_factory=list)
    returns_home: list[ReturnHome] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)


def protection_summary(case: Case, parts: CaseParts) -> ProtectionSummary:
    """The protection panel of a case (call after ``protection_case``), with the records
    among ``parts`` (``case_parts`` of the acting person)."""
    def shown(records: Any) -> list[Any]:
        return [r for r in records if parts.sees(r)]

    plans = shown(_plans(parts).filter(case=case).order_by("-started_on", "-id"))
    return ProtectionSummary(
        case=case,
        immediate=shown(ImmediateProtection.objects.filter(case=case)
                        .select_related("acting_agency").order_by("-taken_on", "-id")),
        strategy_discussions=shown(strategy_discussions(case)),
        enquiries=shown(Section47Enquiry.objects.filter(case=case)
                        .select_related("conference_requested_by")
                        .order_by("-started_on", "-id")),
        conferences=shown(conferences(case)),
        open_plan=next((p for p in plans if p.is_active), None),
        past_plans=[p for p in plans if not p.is_active],
        moved_in=list(MovedInNotice.objects.filter(case=case).order_by("-notified_on", "-id")),
        returns_home=list(ReturnHome.objects.filter(case=case).order_by("-returned_on", "-id")),
        obligations=protection_obligations(case),
    )


def open_enquiry(case: Case) -> Section47Enquiry | None:
    """The latest section 47 enquiry with no initial conference yet."""
    return (Section47Enquiry.objects.filter(case=case).exclude(conferences__kind="initial")
            .order_by("-started_on", "-id").first())


def conference_requests(actor: Any) -> list[Section47Enquiry]:
    """Requests by other agencies for a conference the local authority decided against,
    with no initial conference held since: for the authority's managers to answer."""
    staff = staff_of(actor)
    if staff is None or not staff.in_social_care:
        return []
    return list(
        Section47Enquiry.objects.filter(
            case__in=cases_visible_to(actor), conference_requested_by__isnull=False,
        ).exclude(conference_decision=True).exclude(conferences__kind="initial")
        .select_related("case__child", "conference_requested_by")
        .order_by("conference_requested_on", "id")
    )


# ---- choices for the forms -----------------------------------------------------------------


def agency_choices(case: Case) -> list[Agency]:
    """The agencies of the case's area still in being: the authority first, then partners."""
    day = today()
    la = case.local_authority_id
    agencies = Agency.objects.filter(Q(pk=la) | Q(area_id=la)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    return sorted(agencies, key=lambda a: (a.pk != la, a.name))


def social_care_staff(case: Case) -> list[Staff]:
    """The authority's social workers and team managers (strategy discussion attendees)."""
    return list(Staff.objects.filter(
        agency_id=case.local_authority_id, active=True, role__in=SOCIAL_CARE_ATTENDEE_ROLES,
    ).select_related("user"))


def chair_choices(case: Case) -> list[Staff]:
    return list(Staff.objects.filter(agency_id=case.local_authority_id, active=True,
                                     role=Role.CONFERENCE_CHAIR).select_related("user"))


def lead_social_worker_choices(case: Case) -> list[Staff]:
    return list(Staff.objects.filter(agency_id=case.local_authority_id, active=True,
                                     role__in=LEAD_SOCIAL_WORKER_ROLES).select_related("user"))


@dataclass(frozen=True)
class Permissions:
    """What the acting person may do on the case's protection pages (to show the links)."""

    casework: bool
    conference: bool
    core_group: bool
    request_conference: bool


def permissions(actor: Any, case: Case, plan: ChildProtectionPlan | None = None) -> Permissions:
    staff = staff_of(actor)
    core_group = may(actor, "record_core_group", case)
    if core_group and staff is not None and not staff.in_social_care:
        core_group = plan is not None and plan.core_group.filter(
            Q(staff=staff) | Q(agency_id=staff.agency_id)).exists()
    return Permissions(
        casework=may(actor, "record_casework", case),
        conference=may(actor, "record_conference", case),
        core_group=core_group,
        request_conference=may(actor, "request_conference", case),
    )
