"""Reads of case data. Each takes the acting person and starts from the access policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from safeguard.cases import rls
from safeguard.cases.models import Case, Obligation
from safeguard.cases.policy import (
    WHOLE_CASE,
    CaseParts,
    cases_visible_to,
    may_see_work,
    require_view,
    staff_of,
)
from safeguard.cases.services import ensure_obligations_current
from safeguard.core.compiled import CompiledBatch, CompiledRead, CompiledRecords, Reads
from safeguard.core.dates import today
from safeguard.core.services import Context, NotAllowed, audit
from safeguard.statutory import open_obligation_status


def case_for(actor: Any, case_id: int, *, context: Context | None = None,
             purpose: str = "view") -> Case:
    """The case, if the acting person may see it, with its obligations current. The read is
    recorded in the audit trail."""
    case = require_view(actor, case_id)
    ensure_obligations_current(case)
    via = getattr(case, "via_break_glass", None)
    audit(actor=actor, action=purpose, obj=case, case_id=case.pk, context=context,
          reason=via.reason if via is not None else "",
          detail={"break_glass": via.pk} if via is not None else None)
    return case


def case_obligations(case: Case) -> list[Obligation]:
    """The case's obligations in the engine's order (call after :func:`case_for`)."""
    return _RECORDS["obligations"].records(case.pk)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ChronologyItem:
    day: date
    title: str
    agency: str
    detail: str
    kind: str


class CaseRecords:
    """The records of one case that several parts of the case page show, each kind read
    once (call after :func:`case_for`): its referrals with their decisions, its child
    protection plans and its child in need plans. :func:`chronology`, :func:`open_plans`
    and :func:`case_referrals` take one to share the reads."""

    def __init__(self, case: Case) -> None:
        self.case = case

    @cached_property
    def referrals(self) -> list[Any]:
        """Newest first, each with ``decision_or_none`` and its referrer agency."""
        decisions = {d.referral_id: d for d in _RECORDS["decisions"].records(self.case.pk)}
        rows = _RECORDS["referrals"].records(self.case.pk)
        for r in rows:
            r.case = self.case  # already loaded, with its child
            r.decision_or_none = decisions.get(r.pk)
        return rows

    @cached_property
    def protection_plans(self) -> list[Any]:
        """Child protection plans, latest started first."""
        return _RECORDS["protection_plans"].records(self.case.pk)

    @cached_property
    def child_in_need_plans(self) -> list[Any]:
        """Child in need plans, latest started first."""
        return _RECORDS["child_in_need_plans"].records(self.case.pk)


def _case_records() -> dict[str, Any]:
    """The records of one case the case page shows, by case id, each read by SQL built once
    (:class:`CaseRecords`), with the fields the page shows."""
    from safeguard.assessments.models import ChildInNeedPlan
    from safeguard.cases.models import Involvement
    from safeguard.earlyhelp.models import EarlyHelpPlan
    from safeguard.protection.models import ChildProtectionPlan
    from safeguard.referrals.models import Referral, ReferralDecision

    return {
        "obligations": CompiledRecords(
            Obligation, tuple(f.attname for f in Obligation._meta.concrete_fields
                              if f.attname != "id"),
            lambda pk: Obligation.objects.filter(case_id=pk).order_by("position")),
        # The agencies and practitioners involved now, with the names the page shows.
        "involvements": CompiledRecords(
            Involvement, ("case_id", "agency_id", "staff_id", "kind", "since"),
            lambda pk: Involvement.objects.filter(case_id=pk, until__isnull=True)
            .order_by("agency__name", "kind", "since"),
            related={"agency": ("name",), "staff": ("user_id",),
                     "staff__user": ("first_name", "last_name", "username")}),
        "referrals": CompiledRecords(
            Referral, ("case_id", "received_on", "source", "referrer_name",
                       "referrer_agency_id"),
            lambda pk: Referral.objects.filter(case_id=pk).order_by("-received_on", "-id"),
            related={"referrer_agency": ("name",)}),
        "decisions": CompiledRecords(
            ReferralDecision, ("referral_id", "decided_on", "outcome", "authorised_by_id",
                               "authorised_on"),
            lambda pk: ReferralDecision.objects.filter(referral__case_id=pk).order_by("id")),
        "protection_plans": CompiledRecords(
            ChildProtectionPlan, ("case_id", "started_on", "category", "ended_on",
                                  "end_reason"),
            lambda pk: ChildProtectionPlan.objects.filter(case_id=pk)
            .order_by("-started_on", "id")),
        "child_in_need_plans": CompiledRecords(
            ChildInNeedPlan, ("case_id", "started_on", "ended_on"),
            lambda pk: ChildInNeedPlan.objects.filter(case_id=pk)
            .order_by("-started_on", "-id")),
        # By the child's id: an early help plan is the child's, not a case's.
        "early_help_plans": CompiledRead(
            lambda pk: EarlyHelpPlan.objects.filter(assessment__child_id=pk,
                                                    ended_on__isnull=True)
            .order_by("-started_on", "-id").values_list("started_on", "assessment_id")),
    }


def _labels(model: Any, field: str) -> dict[Any, str]:
    """A choice field's labels by value (what ``get_<field>_display()`` shows)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _chronology_reads() -> dict[str, CompiledBatch]:
    """The chronology's reads of one case's records, by case id, sent as one statement built
    once (a case page makes them all on every view), each part in its own order."""
    from safeguard.assessments.models import Assessment, ChildInNeedPlanReview
    from safeguard.protection.models import (
        Conference,
        CoreGroupMeeting,
        ImmediateProtection,
        MovedInNotice,
        ReturnHome,
        Section47Enquiry,
        StrategyDiscussion,
    )

    def by_id(row: tuple[Any, ...]) -> Any:
        return row[0]

    def by_day(at: int, *, latest_first: bool = False) -> Callable[[tuple[Any, ...]], Any]:
        def key(row: tuple[Any, ...]) -> Any:
            day = row[at].toordinal()
            return (-day, row[0]) if latest_first else (day, row[0])
        return key

    return {"case": CompiledBatch({
        "immediate_protection": (lambda pk: ImmediateProtection.objects.filter(case_id=pk)
                                 .values_list("id", "kind", "taken_on", "acting_agency__name"),
                                 ("int", "text", "date", "text"), by_id),
        # Latest started first, then as recorded.
        "assessments": (lambda pk: Assessment.objects.filter(case_id=pk).values_list(
            "id", "kind", "started_on", "child_seen_on", "child_seen_alone", "completed_on",
            "outcome"), ("int", "text", "date", "date", "bool", "date", "text"),
            by_day(2, latest_first=True)),
        "strategy_discussions": (lambda pk: StrategyDiscussion.objects.filter(case_id=pk)
                                 .values_list("id", "held_on", "s47_initiated"),
                                 ("int", "date", "bool"), by_day(1)),
        "s47_enquiries": (lambda pk: Section47Enquiry.objects.filter(case_id=pk).values_list(
            "id", "outcome_on", "substantiated", "conference_requested_on",
            "conference_requested_by__name"), ("int", "date", "bool", "date", "text"), by_id),
        "conferences": (lambda pk: Conference.objects.filter(case_id=pk)
                        .values_list("id", "kind", "held_on", "category"),
                        ("int", "text", "date", "text"), by_day(2)),
        "core_group_meetings": (lambda pk: CoreGroupMeeting.objects.filter(plan__case_id=pk)
                                .values_list("id", "held_on"), ("int", "date"), by_day(1)),
        # Latest held first (then the latest recorded).
        "cin_plan_reviews": (lambda pk: ChildInNeedPlanReview.objects.filter(plan__case_id=pk)
                             .values_list("id", "held_on"), ("int", "date"),
                             lambda row: (-row[1].toordinal(), -row[0])),
        "moved_in_notices": (lambda pk: MovedInNotice.objects.filter(case_id=pk)
                             .values_list("id", "notified_on", "from_local_authority"),
                             ("int", "date", "text"), by_id),
        "returns_home": (lambda pk: ReturnHome.objects.filter(case_id=pk)
                         .values_list("id", "returned_on", "planned"),
                         ("int", "date", "bool"), by_id),
    })}


_CHRONOLOGY = Reads(_chronology_reads)
_RECORDS = Reads(_case_records)


def chronology(case: Case, records: CaseRecords | None = None) -> list[ChronologyItem]:
    """Every recorded event of the case in date order, with the agency it came from.

    Events of the same day keep a fixed order: first by the kind of record, in this order —
    referrals received, referral decisions (then their authorisation), immediate
    protection, assessments (started, child seen, completed), strategy discussions,
    section 47 outcomes, conferences requested by another agency, conferences, core group
    meetings, child protection plans started, child protection plans ended, child in need
    plans (started, ended), child in need plan reviews, notices that the child moved in,
    returns home — then, within a kind, in the order of the records: referrals newest
    first (then the latest recorded), decisions, immediate protection, section 47
    enquiries, notices and returns home in the order they were recorded, assessments,
    plans and reviews latest started (or held) first, strategy discussions, conferences
    and core group meetings as held."""
    from safeguard.assessments.models import Assessment
    from safeguard.protection.models import ChildProtectionPlan, Conference, ImmediateProtection
    from safeguard.referrals.models import Referral, ReferralDecision

    records = records if records is not None else CaseRecords(case)
    la = case.local_authority.name
    items: list[ChronologyItem] = []
    add = items.append
    sources = _labels(Referral, "source")
    referrals = records.referrals
    for r in referrals:
        source = sources.get(r.source, r.source)
        add(ChronologyItem(r.received_on, "Referral received",
                           r.referrer_agency.name if r.referrer_agency else source,
                           source, "referral"))
    outcomes = _labels(ReferralDecision, "outcome")
    decisions = sorted((r.decision_or_none for r in referrals if r.decision_or_none),
                       key=lambda d: d.pk)
    for d in decisions:
        add(ChronologyItem(d.decided_on,
                           f"Referral decision: {outcomes.get(d.outcome, d.outcome)}", la,
                           "", "decision"))
        if d.authorised_on:
            add(ChronologyItem(d.authorised_on, "Referral decision authorised", la, "",
                               "decision"))
    kinds = _labels(ImmediateProtection, "kind")
    found = _CHRONOLOGY["case"].rows(case.pk)
    for _pk, kind, taken_on, agency in found["immediate_protection"]:
        add(ChronologyItem(taken_on, kinds.get(kind, kind), agency, "", "immediate_protection"))
    kinds, assessment_outcomes = _labels(Assessment, "kind"), _labels(Assessment, "outcome")
    for _pk, kind, started, seen, alone, completed, outcome in found["assessments"]:
        add(ChronologyItem(started, f"Assessment started ({kinds.get(kind, kind)})", la, "",
                           "assessment"))
        if seen:
            add(ChronologyItem(seen, "Child seen" + (" alone" if alone else ""), la, "",
                               "assessment"))
        if completed:
            add(ChronologyItem(completed, "Assessment completed", la,
                               assessment_outcomes.get(outcome, outcome) if outcome else "",
                               "assessment"))
    for _pk, held, s47 in found["strategy_discussions"]:
        add(ChronologyItem(held, "Strategy discussion", la,
                           "Section 47 enquiries started" if s47
                           else "No section 47 enquiries", "strategy_discussion"))
    enquiries = found["s47_enquiries"]
    for _pk, outcome_on, substantiated, _requested, _by in enquiries:
        if outcome_on is not None:
            add(ChronologyItem(outcome_on, "Section 47 enquiry outcome", la,
                               "Concerns substantiated" if substantiated
                               else "Concerns not substantiated", "s47"))
    for _pk, _outcome, _substantiated, requested, by in enquiries:
        if requested is not None:
            add(ChronologyItem(requested, "Conference requested by another agency", by or la,
                               "", "s47"))
    kinds, categories = _labels(Conference, "kind"), _labels(Conference, "category")
    for _pk, kind, held, category in found["conferences"]:
        add(ChronologyItem(held, kinds.get(kind, kind), la,
                           categories.get(category, category) if category else "",
                           "conference"))
    for _pk, held in found["core_group_meetings"]:
        add(ChronologyItem(held, "Core group meeting", la, "", "core_group"))
    categories = _labels(ChildProtectionPlan, "category")
    end_reasons = _labels(ChildProtectionPlan, "end_reason")
    for p in records.protection_plans:
        add(ChronologyItem(p.started_on, "Child protection plan started", la,
                           categories.get(p.category, p.category) if p.category else "",
                           "plan"))
    for p in records.protection_plans:
        if p.ended_on is not None:
            add(ChronologyItem(p.ended_on, "Child protection plan ended", la,
                               end_reasons.get(p.end_reason, p.end_reason), "plan"))
    for p2 in records.child_in_need_plans:
        add(ChronologyItem(p2.started_on, "Child in need plan started", la, "", "cin_plan"))
        if p2.ended_on:
            add(ChronologyItem(p2.ended_on, "Child in need plan ended", la, "", "cin_plan"))
    for _pk, held in found["cin_plan_reviews"]:
        add(ChronologyItem(held, "Child in need plan review", la, "", "cin_plan"))
    for _pk, notified, from_la in found["moved_in_notices"]:
        add(ChronologyItem(notified, "Notified that the child moved in", from_la, "",
                           "moved_in"))
    for _pk, returned, planned in found["returns_home"]:
        add(ChronologyItem(returned, "Returned home from care", la,
                           "Planned" if planned else "Unplanned", "return_home"))
    items.sort(key=lambda i: i.day)  # stable: the same day keeps the order above
    return items


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A duty on a work list as the work pages and the API show it: its case and child, the
    case's allocated worker by name, and its status from the engine (``open_obligation_status``).
    Made from the list's rows, not from records: the lists are long, and making the records
    (a duty, its case, child, worker and user each) cost the team's page more than a
    millisecond."""

    obligation_id: int
    duty: str
    title: str
    due: date | None
    case_id: int
    case_reference: str
    child_name: str
    worker_id: int | None
    worker_name: str | None
    status: str
    working_days_late: int


def _due_obligations(actor: Any, scope: str, within_days: int) -> QuerySet[Obligation]:
    """The open obligations due within ``within_days`` or overdue on the cases allocated to
    the acting person (``mine``) or to their team (``team``)."""
    staff = staff_of(actor)
    if staff is None:
        return Obligation.objects.none()
    cases: QuerySet[Case] = cases_visible_to(actor).filter(closed_on__isnull=True)
    if scope == "mine":
        cases = cases.filter(allocated_worker=staff)
    elif scope == "team":
        cases = cases.filter(team_id=staff.team_id) if staff.team_id else cases.none()
    return _due_on(cases, today() + timedelta(days=within_days))


def _due_on(cases: QuerySet[Case], horizon: date) -> QuerySet[Obligation]:
    """The open obligations due by ``horizon`` (or overdue) on ``cases``, most urgent first.

    On SQLite, driven from the open obligations due by the horizon (the open duties'
    ``due, case`` index), each kept if its case is one of ``cases``: asked of a team's every
    case instead, SQLite checks the access rule on thousands of cases to find the few with a
    duty due. PostgreSQL goes from the cases to their open duties (``case, due``). ``open``
    is in the SQL as itself, not a parameter, so that a prepared statement's plan may use
    the indexes of the open duties."""
    return (Obligation.objects.filter(open=True, due__lte=horizon)
            .filter(Exists(cases.filter(pk=OuterRef("case_id"))))
            .order_by("due", "case_id", "position"))


def _due_rows_read(scope: str) -> CompiledRecords:
    """:func:`_due_obligations` for children's social care staff (the only ones with work
    lists), with what a row of the work pages shows (cases/work.html), by SQL built once:
    arguments (local authority, staff record, team or staff record, horizon, now)."""
    from django.contrib.auth import get_user_model

    from safeguard.cases.policy import visible_rule

    def build(la_id: int, staff_id: int, whose: int, horizon: date, now: Any) -> QuerySet[Any]:
        cases = Case.objects.filter(visible_rule(
            staff_id=staff_id, social_care_la_id=la_id, partner=None, now=now),
            closed_on__isnull=True)
        cases = (cases.filter(team_id=whose) if scope == "team"
                 else cases.filter(allocated_worker_id=whose))
        return _due_on(cases, horizon)

    user_fields = tuple(f for f in ("first_name", "last_name", "username")
                        if f in {x.name for x in get_user_model()._meta.concrete_fields})
    return CompiledRecords(
        Obligation, ("case_id", "due", "duty", "title"), build,
        related={"case": ("reference", "child_id", "allocated_worker_id"),
                 "case__child": ("given_name", "family_name"),
                 "case__allocated_worker": ("user_id",),
                 "case__allocated_worker__user": user_fields},
        kinds=("id", "id", "id", "date", "datetime"), many=True)


_DUE_ROWS = Reads(lambda: {scope: _due_rows_read(scope) for scope in ("mine", "team")})


def _work_item(ob: Obligation, day: date) -> WorkItem:
    case, worker = ob.case, ob.case.allocated_worker
    return WorkItem(ob.pk, ob.duty, ob.title, ob.due, case.pk, case.reference,
                    case.child.full_name, case.allocated_worker_id,
                    worker.name if worker is not None else None,
                    *open_obligation_status(ob.due, day))


def _work_items(obligations: QuerySet[Obligation], day: date) -> list[WorkItem]:
    return [_work_item(ob, day) for ob in obligations.select_related(
        "case__child", "case__allocated_worker__user")]


def _due_rows(actor: Any, scope: str, within_days: int
              ) -> tuple[list[tuple[Any, date, int | None]], Callable[[Any, date], WorkItem]]:
    """:func:`_due_obligations`'s duties as (row, due, allocated worker id), and what makes
    a row's :class:`WorkItem` on a day: for the readers of work lists (children's social
    care: ``may_see_work``) by SQL built once."""
    from django.utils import timezone

    staff = staff_of(actor)
    if staff is None or not staff.in_social_care or (scope == "team" and not staff.team_id):
        obligations = list(_due_obligations(actor, scope, within_days).select_related(
            "case__child", "case__allocated_worker__user").only(*_WORK_ROW_FIELDS))
        return ([(ob, ob.due, ob.case.allocated_worker_id) for ob in obligations],
                _work_item)
    read = _DUE_ROWS[scope]
    whose = staff.team_id if scope == "team" else staff.pk
    found = read.rows(staff.agency_id, staff.pk, whose,
                      today() + timedelta(days=within_days), timezone.now())
    due, worker = read.index("due"), read.index("case__allocated_worker_id")
    return [(row, row[due], row[worker]) for row in found], _work_item_of_row(read)


def _work_item_of_row(read: CompiledRecords) -> Callable[[tuple[Any, ...], date], WorkItem]:
    """What makes a :class:`WorkItem` from a row of ``read`` (``_due_rows_read``)."""
    from safeguard.agencies.models import Staff
    from safeguard.people.models import full_name_of

    columns = read.columns
    at = columns.index

    def user_part(name: str) -> int | None:  # a custom user model may not have it
        column = f"case__allocated_worker__user__{name}"
        return at(column) if column in columns else None

    (ob, duty, title, due, case, reference, given, family, worker, first, last,
     username) = (at("id"), at("duty"), at("title"), at("due"), at("case_id"),
                  at("case__reference"), at("case__child__given_name"),
                  at("case__child__family_name"), at("case__allocated_worker_id"),
                  user_part("first_name"), user_part("last_name"), user_part("username"))

    def part(row: tuple[Any, ...], i: int | None) -> str:
        return "" if i is None else row[i] or ""

    def item(row: tuple[Any, ...], day: date) -> WorkItem:
        worker_id = row[worker]
        return WorkItem(
            row[ob], row[duty], row[title], row[due], row[case], row[reference],
            full_name_of(row[given], row[family]), worker_id,
            None if worker_id is None else Staff.name_of(
                part(row, first), part(row, last), part(row, username)),
            *open_obligation_status(row[due], day))

    return item


def _require_work(actor: Any, scope: str) -> None:
    if not may_see_work(actor, scope):
        raise NotAllowed("My work is for children's social care, and my team's for its "
                         "team managers" if scope in ("mine", "team")
                         else f"Unknown scope {scope!r}")


def work_items(actor: Any, *, scope: str = "mine", within_days: int = 7) -> list[WorkItem]:
    """Open obligations due within ``within_days`` or overdue, on the cases allocated to the
    acting person (``mine``) or to their team (``team``), most overdue first.
    :class:`NotAllowed` for anyone else (``may_see_work``)."""
    _require_work(actor, scope)
    return _work_items(_due_obligations(actor, scope, within_days), today())


# ---- lists and the case page -------------------------------------------------------------


def case_list(actor: Any, *, limit: int | None = None, offset: int = 0,
              open_only: bool = False) -> list[Case]:
    """The cases the acting person may see, most recently opened first."""
    cases = cases_visible_to(actor).select_related(
        "child", "local_authority", "team", "allocated_worker__user").order_by(
        "-opened_on", "-id")
    if open_only:
        cases = cases.filter(closed_on__isnull=True)
    if limit is not None:
        return list(cases[offset:offset + limit])
    return list(cases[offset:])


def case_count(actor: Any, *, open_only: bool = False) -> int:
    cases = cases_visible_to(actor)
    if open_only:
        cases = cases.filter(closed_on__isnull=True)
    return cases.count()


@dataclass(frozen=True)
class FamilyMember:
    """Someone in the child's household or related to them (WT2018 1.53: siblings are
    always considered)."""

    person: Any
    relationship: str
    in_household: bool
    parental_responsibility: bool
    sibling: bool
    case_id: int | None  # the person's own case here, when the acting person may see it


_SIBLINGS = {"sibling", "half_sibling"}
#: What the case page shows of each family member (cases/detail.html), read and no more.
_FAMILY_PERSON_FIELDS = ("given_name", "family_name", "date_of_birth", "is_child")


def _family_person_fields() -> list[str]:
    """``id`` and ``_FAMILY_PERSON_FIELDS`` in the model's order (as ``Model.from_db`` takes
    the values of a part-loaded record)."""
    from safeguard.people.models import Person

    wanted = {"id", *_FAMILY_PERSON_FIELDS}
    return [f.attname for f in Person._meta.concrete_fields if f.attname in wanted]


def _family_reads() -> dict[str, CompiledRead]:
    """The family's reads by the child's id (:func:`family_of`), each compiled once."""
    from safeguard.people.models import HouseholdMember, Relationship

    def person(prefix: str) -> list[str]:
        return [f"{prefix}__{f}" for f in _family_person_fields()[1:]]

    return {
        # Who lives with the child now, in any of the child's households now.
        "household": CompiledRead(lambda pk: (
            HouseholdMember.objects.filter(
                household_id__in=HouseholdMember.objects.filter(
                    person_id=pk, until__isnull=True).values("household_id"),
                until__isnull=True).exclude(person_id=pk)
            .values_list("person_id", *person("person")))),
        # The child's relatives, as recorded of the child.
        "relatives": CompiledRead(lambda pk: (
            Relationship.objects.filter(child_id=pk)
            .values_list("person_id", *person("person"), "kind",
                         "has_parental_responsibility"))),
        # The other children the child is recorded as related to.
        "related_children": CompiledRead(lambda pk: (
            Relationship.objects.filter(person_id=pk)
            .values_list("child_id", *person("child"), "kind"))),
    }


def _family_cases_read(kind: str) -> CompiledRead:
    """The open cases, among those the person may see, of the child's family (whoever
    :func:`family_of` finds: the household now, the relatives and related children), the
    newest first, as (child, case): arguments (the person's ``rule_position`` value, staff
    record, the child, now), one read for each kind of position."""
    from safeguard.cases.policy import rule_of
    from safeguard.people.models import HouseholdMember, Relationship

    def build(value: int, staff_id: int, pk: int, now: Any) -> QuerySet[Any]:
        household = HouseholdMember.objects.filter(
            household_id__in=HouseholdMember.objects.filter(
                person_id=pk, until__isnull=True).values("household_id"),
            until__isnull=True).exclude(person_id=pk).values_list("person_id", flat=True)
        # One IN over a UNION, not three INs joined by OR: PostgreSQL cannot use the index
        # on the case's child for an OR of subqueries, and read every open case (20 ms at
        # ×10) to test each against them.
        family = household.union(
            Relationship.objects.filter(child_id=pk).values_list("person_id", flat=True),
            Relationship.objects.filter(person_id=pk).values_list("child_id", flat=True))
        return (Case.objects.filter(rule_of((kind, value), staff_id=staff_id, now=now),
                                    child_id__in=family, closed_on__isnull=True)
                .order_by("-pk").values_list("child_id", "pk"))

    return CompiledRead(build, kinds=("id", "id", "id", "datetime"))


_FAMILY = Reads(lambda: {**_family_reads(), **{
    f"cases:{kind}": _family_cases_read(kind)
    for kind in ("social_care", "staff_id", "agency_id")}})


def _family_cases(actor: Any, child_id: int, now: Any) -> tuple[Any, tuple[Any, ...]] | None:
    """The read of the family's open cases for the acting person, with its arguments (None
    for someone who sees no case)."""
    from safeguard.cases.policy import rule_position

    staff = staff_of(actor)
    if staff is None:
        return None
    kind, value = rule_position(staff)
    return _FAMILY[f"cases:{kind}"], (value, staff.pk, child_id, now)


def family_of(actor: Any, case: Case, *, now: Any = None) -> list[FamilyMember]:
    """The child's household members and relationships, siblings first, each with their
    own open case if the person may see it (as at ``now``: by default, now). Call after
    :func:`case_for`."""
    from django.utils import timezone

    from safeguard.people.models import Person

    child = case.child
    db = Case.objects.db
    fields = _family_person_fields()
    n = len(fields)

    def person_of(row: tuple[Any, ...]) -> Any:
        return Person.from_db(db, fields, row[:n])

    in_household = {row[0]: person_of(row) for row in _FAMILY["household"].rows(child.pk)}
    related: dict[int, tuple[Any, str, bool]] = {}
    for row in _FAMILY["relatives"].rows(child.pk):
        related[row[0]] = (person_of(row), row[n], bool(row[n + 1]))
    for row in _FAMILY["related_children"].rows(child.pk):
        # The child is the ``kind`` of another child: a sibling is a sibling both ways.
        if row[0] not in related:
            kind = row[n] if row[n] in _SIBLINGS else "other"
            related[row[0]] = (person_of(row), kind, False)
    people: dict[int, Any] = {**in_household, **{pk: v[0] for pk, v in related.items()}}
    family_cases = _family_cases(actor, child.pk, now or timezone.now()) if people else None
    own_cases = {} if family_cases is None else dict(family_cases[0].rows(*family_cases[1]))
    labels = dict(_relationship_labels())
    members = []
    for pk, person in people.items():
        kind, pr = (related[pk][1], related[pk][2]) if pk in related else ("", False)
        sibling = kind in _SIBLINGS or (not kind and person.is_child)
        label = labels.get(kind, "") if kind else (
            "Child in the household" if person.is_child else "Adult in the household")
        members.append(FamilyMember(person, label, pk in in_household, pr, sibling,
                                    own_cases.get(pk)))
    members.sort(key=lambda m: (not m.sibling, not m.person.is_child, m.person.family_name,
                                m.person.given_name))
    return members


def _relationship_labels() -> list[tuple[str, str]]:
    from safeguard.people.models import RelationshipKind

    return [(str(v), str(label)) for v, label in RelationshipKind.choices]


def case_page_reads(actor: Any, case: Case, now: Any) -> list[tuple[Any, tuple[Any, ...]]]:
    """The compiled reads the case page makes of ``case`` for the acting person (its
    duties, referrals, plans, agencies, family and their cases, chronology and managers),
    with their arguments: made together by ``compiled.reading_ahead`` (after
    :func:`case_for` has let the person see the case; ``now`` as given to
    :func:`family_of`)."""
    from safeguard.cases.policy import case_manager_reads

    by_case = ("obligations", "decisions", "referrals", "protection_plans",
               "child_in_need_plans", "involvements")
    family_cases = _family_cases(actor, case.child_id, now)
    return [*((_RECORDS[name], (case.pk,)) for name in by_case),
            (_RECORDS["early_help_plans"], (case.child_id,)),
            (_CHRONOLOGY["case"], (case.pk,)),
            *((_FAMILY[name], (case.child_id,))
              for name in ("household", "relatives", "related_children")),
            *([family_cases] if family_cases is not None else []),
            *case_manager_reads(case)]


def involvements_of(case: Case) -> list[Any]:
    """The agencies and practitioners involved in the case now."""
    return _RECORDS["involvements"].records(case.pk)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class OpenPlan:
    kind: str
    started_on: date
    detail: str
    url_name: str  # where the plan is read, when that page exists
    url_arg: int


def open_plans(case: Case, records: CaseRecords | None = None, *,
               parts: CaseParts = WHOLE_CASE) -> list[OpenPlan]:
    """The child's plans in force: child protection, child in need, early help. Anyone who
    sees the case sees that a child protection or child in need plan is in force (and a
    child protection plan's category); a link to the plan itself only if it is among their
    ``parts`` (``case_parts``)."""
    from safeguard.protection.models import ChildProtectionPlan

    records = records if records is not None else CaseRecords(case)
    categories = _labels(ChildProtectionPlan, "category")
    plans = [
        OpenPlan("Child protection plan", p.started_on,
                 f"Category: {categories.get(p.category, p.category)}" if p.category else "",
                 "protection:plan-detail" if parts.sees(p) else "", p.pk)
        for p in records.protection_plans if p.ended_on is None
    ]
    plans += [
        OpenPlan("Child in need plan", p.started_on, "",
                 "assessments:cin-plan-detail" if parts.sees(p) else "", p.pk)
        for p in records.child_in_need_plans if p.ended_on is None
    ]
    plans += [
        OpenPlan("Early help plan", started_on, "", "earlyhelp:assessment-detail",
                 assessment_id)
        for started_on, assessment_id in _RECORDS["early_help_plans"].rows(case.child_id)
    ]
    return sorted(plans, key=lambda p: p.started_on)


def case_referrals(case: Case, records: CaseRecords | None = None) -> list[Any]:
    """The case's referrals, newest first, each with its decision (or None)."""
    return (records if records is not None else CaseRecords(case)).referrals


def allocatable_workers(case: Case) -> list[Any]:
    """Social workers (and managers) of the case's local authority, active, by name."""
    from safeguard.agencies.models import Role, Staff

    return list(
        Staff.objects.filter(agency=case.local_authority, active=True,
                             role__in=[Role.SOCIAL_WORKER, Role.TEAM_MANAGER])
        .select_related("user", "team").order_by("user__last_name", "user__first_name"))


def local_authority_teams(case: Case) -> list[Any]:
    from safeguard.agencies.models import Team

    return list(Team.objects.filter(agency=case.local_authority).order_by("name"))


# ---- my work and my team -------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerLoad:
    """One worker's (or, with ``worker_id`` None, the unallocated cases') duties due."""

    worker_id: int | None
    name: str
    count: int
    overdue: int


@dataclass(frozen=True)
class WorkGroups:
    """Duties overdue, due today and due in the next 7 days. Each list holds the most
    urgent ``shown`` (all, without a limit); ``totals`` counts every one of each."""

    overdue: list[WorkItem]
    due_today: list[WorkItem]
    due_this_week: list[WorkItem]
    today: date
    totals: dict[str, int] = field(default_factory=dict)
    workers: list[WorkerLoad] = field(default_factory=list)
    worker: WorkerLoad | None = None  # the worker chosen, if any

    @property
    def count(self) -> int:
        return sum(self.totals.values())

    @property
    def truncated(self) -> bool:
        return (len(self.overdue) + len(self.due_today) + len(self.due_this_week)
                < self.count)

    def by_worker(self) -> list[tuple[str, int, int]]:
        """(worker's name, duties, overdue), by name, the unallocated cases last."""
        return [(w.name, w.count, w.overdue) for w in self.workers]


#: What a row of the work pages shows (cases/work.html), read and no more: the rows are
#: many, and each column read is work for every one of them.
_WORK_ROW_FIELDS = (
    "due", "duty", "title", "case__reference", "case__child__given_name",
    "case__child__family_name", "case__allocated_worker__user__first_name",
    "case__allocated_worker__user__last_name", "case__allocated_worker__user__username",
)

#: How many of each group the team's page shows at once: the most urgent (a manager then
#: chooses a worker to see all of theirs).
TEAM_PAGE_ROWS = 25


def work_groups(actor: Any, *, scope: str = "mine", worker_id: int | None = None,
                limit: int | None = None) -> WorkGroups:
    """The acting person's (or their team's) open duties: overdue (the most working days
    late first), due today, and due in the rest of this week (the next 7 days), each most
    urgent first; with ``worker_id`` (a worker with duties among them), all of that worker's;
    else, with ``limit``, at most that many of each group are read in full (the counts, by group
    and by worker, are of all). Statuses come from the engine (``open_obligation_status``).
    :class:`NotAllowed` for anyone who may not see them (``may_see_work``)."""
    _require_work(actor, scope)
    day = today()
    # Each duty's status from the engine, once: (row, due, worker, status, working days late).
    fetched, item_of = _due_rows(actor, scope, 7)
    rows = [(row, due, worker, *open_obligation_status(due, day))
            for row, due, worker in fetched]
    loads: dict[int | None, list[int]] = {}
    first_of: dict[int, Any] = {}  # a row of each worker's, to name them from
    for row, _due, worker, status, _late in rows:
        counts = loads.setdefault(worker, [0, 0])
        counts[0] += 1
        counts[1] += status == "overdue"
        if worker is not None:
            first_of.setdefault(worker, row)
    names = {w: item_of(row, day).worker_name or "" for w, row in first_of.items()}
    workers = sorted((WorkerLoad(w, names.get(w, "") if w is not None else "", n, late)
                      for w, (n, late) in loads.items()),
                     key=lambda w: (w.worker_id is None, w.name))
    chosen = next((w for w in workers if w.worker_id is not None and w.worker_id == worker_id),
                  None)
    if chosen is not None:
        rows = [r for r in rows if r[2] == chosen.worker_id]
    groups: dict[str, list[tuple[Any, int, date]]] = {"overdue": [], "today": [], "week": []}
    for row, due, _worker, status, late in rows:
        key = "overdue" if status == "overdue" else "today" if due == day else "week"
        if key != "week" or (due is not None and due > day):
            groups[key].append((row, late, due))
    groups["overdue"].sort(key=lambda g: (-g[1], g[2] or day))
    if chosen is not None:
        limit = None  # all of one worker's
    # Items (the page's rows) of the shown duties only.
    shown = {key: [item_of(row, day) for row, _late, _due in g[:limit]]
             for key, g in groups.items()}
    return WorkGroups(
        shown["overdue"], shown["today"], shown["week"], day,
        totals={key: len(g) for key, g in groups.items()}, workers=workers, worker=chosen)


def my_case_alerts(actor: Any) -> list[Any]:
    """The alerts the acting person (a case's manager) has not yet marked as seen, newest
    first: who opened which case by break-glass, when and why."""
    from safeguard.cases.models import CaseAlert
    from safeguard.cases.policy import staff_of

    staff = staff_of(actor)
    if staff is None:
        return []
    # The alert is its recipient's, but its case may be one they do not see (a restricted
    # case they are not named on): row-level security steps aside for the case's reference
    # and the access the alert tells of, for their own alerts only.
    with rls.system_scope():
        return list(CaseAlert.objects.filter(recipient=staff, seen_at__isnull=True)
                    .select_related("case", "break_glass__staff__user",
                                    "break_glass__staff__agency")
                    .order_by("-created_at")[:50])
