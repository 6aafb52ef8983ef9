"""``safeguard demo``'s data: two local authorities with a year of synthetic casework,
recorded through the services — the one write path — as the personas and their generated
colleagues would record it.

- What happens is planned first (:mod:`safeguard.demo.plan`: seeded, so the same seed, scale
  and day give the same data), then each step is recorded by the service a person would use
  (``referral_create``, ``strategy_discussion_record``, ``conference_record`` …), acting as
  the member of staff who would do it, with ``Context(source="demo")``, inside
  :func:`safeguard.cases.services.obligations_recomputed_at_end` so each case's obligations
  are computed once, at the end.
- Each area is built in one database transaction, and marked built by an entry in the audit
  trail (action ``demo-build``, object ``demo.area`` and the area's LA code) written in the
  same transaction. A build that stops half-way (Ctrl+C, a crash, a power cut) leaves
  nothing of that area behind, so the next run builds it again from the start; an area
  already marked built is reused, never built twice.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from safeguard.agencies.models import Agency, Staff
from safeguard.core.dates import today as today_in_england
from safeguard.core.models import AuditEntry
from safeguard.core.services import Context, ServiceError, audit
from safeguard.core.statistics import refresh_planner_statistics
from safeguard.demo.areas import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    PERSONAS,
    Area,
    build_area,
)
from safeguard.demo.plan import AreaPlan, Staffing, Step, Story, plan_area
from safeguard.demo.staff import AreaStaff, build_staff
from safeguard.statutory.duties import plan_end_at_18_due

#: The demo's two areas: (name, DfE LA code, username prefix).
AREAS = (("Northshire", "901", "north"), ("Southshire", "902", "south"))
MARKER_ACTION = "demo-build"
MARKER_TYPE = "demo.area"
DEFAULT_SEED = 2026
#: Where children on another area's plan come from, for transfer-in conferences.
OTHER_AREA = "Westshire County Council"
CONTEXT = Context(source="demo")

Out = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


@dataclass
class AreaReport:
    name: str
    la_code: str
    built: bool  # False: it was there already, and reused
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    steps: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    marker: dict[str, Any] = field(default_factory=dict)


def marker_of(la_code: str) -> dict[str, Any] | None:
    """The detail of the audit entry marking the area's demo data built, or None."""
    entry = AuditEntry.objects.filter(action=MARKER_ACTION, object_type=MARKER_TYPE,
                                      object_id=la_code).order_by("id").first()
    return dict(entry.detail) if entry is not None else None


def build_demo(*, scale: float = 1.0, seed: int = DEFAULT_SEED, out: Out = _print,
               areas: tuple[tuple[str, str, str], ...] = AREAS,
               on_step: Callable[[AreaPlan, int], None] | None = None) -> list[AreaReport]:
    """Build (or reuse) the demo data of each area. ``on_step(plan, i)`` is called before
    each step is recorded (the tests use it to stop a build half-way)."""
    reports = []
    for name, la_code, prefix in areas:
        found = marker_of(la_code)
        if found is not None:
            out(f"{name}: the demo data is already there (built for {found.get('day')}, seed "
                f"{found.get('seed')}, scale {found.get('scale')}): reused.")
            if found.get("seed") != seed or found.get("scale") != scale:
                out(f"{name}: to build it again with seed {seed} and scale {scale}, start from "
                    "an empty database (a new SAFEGUARD_VAR, or remove var/safeguard.sqlite3).")
            reports.append(AreaReport(name, la_code, built=False, marker=found))
            continue
        reports.append(_build_area(name, la_code, prefix, scale=scale, seed=seed, out=out,
                                   on_step=on_step))
    return reports


def _build_area(name: str, la_code: str, prefix: str, *, scale: float, seed: int, out: Out,
                on_step: Callable[[AreaPlan, int], None] | None) -> AreaReport:
    started = time.perf_counter()
    cpu = time.process_time()
    day = today_in_england()
    staffing = Staffing.for_scale(scale)
    plan = plan_area(la_code=la_code, town=name, scale=scale, seed=seed, today=day)
    c = plan.counts
    out(f"{name}: planned a year of activity to {day:%-d %B %Y}: {c['referrals']:,} referrals "
        f"({c['re_referrals']:,} re-referrals) of {c['children']:,} children in "
        f"{c['households']:,} households; {c['steps']:,} records to make.")
    report = AreaReport(name, la_code, built=True, steps=len(plan.steps))
    gc.freeze()  # what is loaded so far lives on: the collector need not scan it again
    try:
        with transaction.atomic():
            area = build_area(name, la_code, prefix)
            staff = build_staff(area, staffing, prefix=prefix, seed=seed, town=name)
            out(f"{name}: {staff.count():,} staff in {len(staff.teams) + 2} teams and "
                f"{len(staff.schools) + len(staff.gps) + 5} agencies (100%).")
            recorder = Recorder(area, staff, plan)
            from safeguard.cases.services import obligations_recomputed_at_end

            with obligations_recomputed_at_end():
                recorder.record(name, out, on_step)
                cases = len(recorder.cases)
                out(f"{name}: computing the obligations of {cases:,} cases …")
                tick = time.perf_counter()
            out(f"{name}: obligations of {cases:,} cases computed (100%, "
                f"{time.perf_counter() - tick:.0f} s).")
            # The rows are not committed yet, so autovacuum has not seen them: without fresh
            # statistics, PostgreSQL plans the area's first reads as if its tables were empty.
            refresh_planner_statistics()
            report.refused = recorder.refused
            report.marker = {
                "seed": seed, "scale": scale, "day": day.isoformat(),
                "referrals": c["referrals"], "steps": len(plan.steps),
                "refused": sum(recorder.refused.values()),
            }
            audit(actor=None, action=MARKER_ACTION, object_type=MARKER_TYPE, object_id=la_code,
                  detail=report.marker, context=CONTEXT)
    finally:
        gc.unfreeze()
    report.seconds = time.perf_counter() - started
    report.cpu_seconds = time.process_time() - cpu
    if report.refused:
        out(f"{name}: {sum(report.refused.values()):,} steps were refused by the services "
            "and left out:")
        for reason, count in report.refused.most_common(10):
            out(f"  {count:>6,} × {reason}")
    out(f"{name}: built in {report.seconds:.0f} s ({report.cpu_seconds:.0f} s of CPU time).")
    return report


# ---- recording the plan through the services -----------------------------------------------


def _actor(staff: Staff) -> Any:
    """The user of ``staff``, with the staff record (and its agency) already attached, as a
    signed-in request would have them."""
    user = staff.user
    if not hasattr(user, "_demo_staff"):
        staff.agency  # noqa: B018 - load it once
        user.staff = staff
        user._demo_staff = True
    return user


class Recorder:
    """Records an area's plan, step by step, through the services."""

    def __init__(self, area: Area, staff: AreaStaff, plan: AreaPlan) -> None:
        self.area = area
        self.staff = staff
        self.plan = plan
        self.refused: Counter[str] = Counter()
        self.cases: set[int] = set()
        self.person_of: dict[int, int] = {}  # planned child: person id
        self.households_done: set[int] = set()
        self.partner_agency = {
            "police": [area.police], "school": staff.schools, "trust": [area.trust],
            "gp": staff.gps, "early_years": [area.early_years],
        }

    # -- who acts --

    def worker(self, story: Story) -> Staff:
        team = self.staff.teams[story.team]
        return team.workers[story.worker % len(team.workers)]

    def manager(self, story: Story) -> Staff:
        return self.staff.teams[story.team].manager

    @staticmethod
    def one(pool: list[Staff], pick: int) -> Staff:
        return pool[pick % len(pool)]

    # -- the loop --

    def record(self, name: str, out: Out, on_step: Callable[[AreaPlan, int], None] | None
               ) -> None:
        steps = self.plan.steps
        total = len(steps)
        started = time.perf_counter()
        next_tenth = 1
        for i, step in enumerate(steps):
            if on_step is not None:
                on_step(self.plan, i)
            story = step.story
            if "refused" not in story.ids:
                try:
                    getattr(self, f"do_{step.kind}")(step, story, step.data)
                except ServiceError as exc:
                    story.ids["refused"] = 1
                    self.refused[f"{step.kind}: {exc}"[:160]] += 1
            while (i + 1) * 10 >= next_tenth * total and next_tenth <= 10:
                out(f"{name}: recorded {i + 1:,} of {total:,} ({next_tenth * 10}%, "
                    f"{time.perf_counter() - started:.0f} s)")
                next_tenth += 1

    # -- the front door --

    def do_referral(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.referrals.services import referral_create

        pick = d["pick"]
        recorder = d["recorder"]
        agency: Agency | None = None
        if d["agency"]:
            agency = self.one(self.partner_agency[d["agency"]], pick)  # type: ignore[arg-type]
        if recorder == "front_door":
            actor = self.one(self.staff.front_door, pick)
        elif recorder == "school":
            actor = self.staff.dsl[self.staff.schools.index(agency)]  # type: ignore[arg-type]
        elif recorder == "gp":
            actor = self.staff.gp[self.staff.gps.index(agency)]  # type: ignore[arg-type]
        else:
            actor = self.one({"police": self.staff.police, "health": self.staff.trust,
                              "early_help": self.staff.early_help}[recorder], pick)
        referral = referral_create(
            actor=_actor(actor), received_on=step.day, source=d["source"],
            concerns=d["concerns"], child=story.child.as_referral_child(),
            referrer_agency_id=agency.pk if agency and recorder == "front_door" else None,
            referrer_name=d["referrer_name"] if agency is None else "", context=CONTEXT)
        story.ids["referral"] = referral.pk
        story.ids["case"] = referral.case_id
        self.cases.add(referral.case_id)
        self.person_of[story.child.key] = referral.case.child_id

    def do_household(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        """The child's household the first time one of its children is referred: the
        adults and their relationship to the child, and the brothers and sisters."""
        from safeguard.people.household_services import household_member_add

        household = story.child.household
        if household.key in self.households_done:
            return
        self.households_done.add(household.key)
        actor = _actor(self.worker(story))
        case_id = story.ids["case"]
        for adult in household.adults:
            household_member_add(
                actor=actor, case_id=case_id, relationship=adult.relationship,
                parental_responsibility=adult.parental_responsibility,
                person={"given_name": adult.given_name, "family_name": adult.family_name,
                        "is_child": False, "date_of_birth": adult.date_of_birth,
                        "sex": adult.sex},
                context=CONTEXT)
        now = self.plan.today
        for child in household.children:
            if child is story.child:
                continue
            known = self.person_of.get(child.key)
            if known is not None:
                household_member_add(actor=actor, case_id=case_id, person_id=known,
                                     relationship="sibling", context=CONTEXT)
                continue
            born = child.date_of_birth
            adult = born is not None and plan_end_at_18_due(born) <= now  # 18 by now
            member = household_member_add(
                actor=actor, case_id=case_id, relationship="sibling",
                person={"given_name": child.given_name, "family_name": child.family_name,
                        "is_child": not adult, "date_of_birth": born, "sex": child.sex},
                context=CONTEXT)
            self.person_of[child.key] = member.person_id

    def do_decision(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.referrals.services import referral_decide

        informed = d["family_informed"]
        referral_decide(
            actor=_actor(self.one(self.staff.front_door, d["pick"])),
            referral_id=story.ids["referral"], decided_on=step.day, outcome=d["outcome"],
            reasons=d["reasons"], feedback_to_referrer=d["feedback"],
            feedback_given_on=step.day, family_informed=informed,
            family_not_informed_reason="" if informed else _NOT_INFORMED, context=CONTEXT)

    def do_authorise(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.referrals.services import decision_authorise

        manager = self.staff.front_door_manager
        assert manager is not None
        decision_authorise(actor=_actor(manager), referral_id=story.ids["referral"],
                           context=CONTEXT)

    def do_allocate(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.cases.services import case_allocate

        team = self.staff.teams[story.team]
        case_allocate(actor=_actor(team.manager), case_id=story.ids["case"],
                      worker_id=self.worker(story).pk, team_id=team.team.pk, context=CONTEXT)

    # -- assessments --

    def do_assessment_start(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.assessments.services import assessment_start, assessment_update

        worker = self.worker(story)
        assessment = assessment_start(
            actor=_actor(worker), case_id=story.ids["case"], referral_id=story.ids["referral"],
            kind=d["kind"], started_on=step.day, social_worker_id=worker.pk, context=CONTEXT)
        story.ids["assessment"] = assessment.pk
        completed = d.get("completed")
        if (completed is None or completed > self.plan.today) and not _unborn(story) and \
                d["seen"] <= self.plan.today:
            # Still in progress today: the child has been seen.
            assessment_update(actor=_actor(worker), assessment_id=assessment.pk,
                              child_seen_on=d["seen"], child_seen_alone=d["alone"],
                              context=CONTEXT)

    def do_assessment_complete(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.assessments.services import assessment_complete, assessment_update

        actor = _actor(self.worker(story))
        seen: dict[str, Any] = {}
        if not _unborn(story):
            seen = {"child_seen_on": d["seen"], "child_seen_alone": d["alone"],
                    "wishes_and_feelings": _WISHES}
        assessment_update(
            actor=actor, assessment_id=story.ids["assessment"], **seen,
            developmental_needs=_DEVELOPMENT, parenting_capacity=_PARENTING,
            family_and_environment=_FAMILY, factors=d["factors"], context=CONTEXT)
        assessment_complete(
            actor=actor, assessment_id=story.ids["assessment"], completed_on=step.day,
            outcome=d["outcome"], reason_late=_REASON_LATE if d["late"] else "",
            context=CONTEXT)

    def do_assessment_authorise(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.assessments.services import assessment_authorise

        assessment_authorise(actor=_actor(self.manager(story)),
                             assessment_id=story.ids["assessment"], context=CONTEXT)

    def do_case_close(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.assessments.services import case_close_after_assessment

        early_help = None
        if d["reason"] == "RC9":
            lead = self.one(self.staff.early_help, d["pick"])
            story.ids["early_help_lead"] = lead.pk
            early_help = {
                "lead_practitioner_id": lead.pk, "started_on": step.day,
                "consent_given": True, "consent_from": "child_and_parents",
                "consent_given_by": _parent(story), "consent_recorded_on": step.day,
                "needs": _EARLY_HELP_NEEDS,
            }
        case = case_close_after_assessment(
            actor=_actor(self.worker(story)), case_id=story.ids["case"], closed_on=step.day,
            reason=d["reason"], early_help=early_help, context=CONTEXT)
        early = getattr(case, "stepped_down_to", None)
        if early is not None:
            story.ids["early_help"] = early.pk

    def do_cin_plan_start(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.assessments.services import cin_plan_start

        school = self.one(self.staff.schools, story.child.key)
        plan = cin_plan_start(
            actor=_actor(self.worker(story)), assessment_id=story.ids["assessment"],
            started_on=step.day, summary=_CIN_SUMMARY,
            outcomes=[{"outcome": o, "measure": m, "agency_id": school.pk if i == 0 else None,
                       "target_on": d["next_review"]}
                      for i, (o, m) in enumerate(_CIN_OUTCOMES)],
            agency_ids=[school.pk, self.area.gp.pk], next_review_on=d["next_review"],
            context=CONTEXT)
        story.ids["cin_plan"] = plan.pk

    def do_cin_plan_review(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.assessments.services import cin_plan_review

        cin_plan_review(
            actor=_actor(self.worker(story)), plan_id=story.ids["cin_plan"], held_on=step.day,
            progress=_CIN_PROGRESS, sufficient_progress=d["sufficient"],
            next_review_on=d["next_review"], context=CONTEXT)

    def do_cin_plan_end(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.assessments.services import cin_plan_end

        cin_plan_end(actor=_actor(self.worker(story)), plan_id=story.ids["cin_plan"],
                     ended_on=step.day, end_reason=d["reason"], context=CONTEXT)

    # -- early help --

    def do_early_help_start(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.earlyhelp.services import early_help_start

        lead = self.one(self.staff.early_help, d["pick"])
        story.ids["early_help_lead"] = lead.pk
        record = early_help_start(
            actor=_actor(lead), started_on=step.day, consent_given=True,
            consent_from="child_and_parents", consent_given_by=_parent(story),
            consent_recorded_on=d["consent_on"], needs=_EARLY_HELP_NEEDS,
            wishes_and_feelings=_WISHES if not _unborn(story) else "",
            child=story.child.as_referral_child(), context=CONTEXT)
        story.ids["early_help"] = record.pk

    def _early_help_lead(self, story: Story) -> Any:
        lead = next(s for s in self.staff.early_help if s.pk == story.ids["early_help_lead"])
        return _actor(lead)

    def do_early_help_plan(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.earlyhelp.services import early_help_plan_record

        early_help_plan_record(
            actor=self._early_help_lead(story), assessment_id=story.ids["early_help"],
            started_on=step.day, outcomes=_EARLY_HELP_OUTCOMES, services=_EARLY_HELP_SERVICES,
            next_review_on=d["next_review"], context=CONTEXT)

    def do_early_help_review(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.earlyhelp.services import early_help_review

        early_help_review(
            actor=self._early_help_lead(story), assessment_id=story.ids["early_help"],
            held_on=step.day, progress=_CIN_PROGRESS, next_review_on=d["next_review"],
            context=CONTEXT)

    def do_early_help_close(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.earlyhelp.services import early_help_close

        early_help_close(actor=self._early_help_lead(story),
                         assessment_id=story.ids["early_help"], closed_on=step.day,
                         reason=d["reason"], context=CONTEXT)

    # -- protection --

    def _health(self, story: Story, pick: int) -> Staff:
        return self.one(self.staff.trust, pick) if pick % 3 else \
            self.staff.gp[self.staff.gps.index(self.one(self.staff.gps, story.child.key))]

    def _school_dsl(self, story: Story) -> Staff | None:
        born = story.child.date_of_birth
        if born is None or (self.plan.today - born).days < 4 * 365:
            return None
        return self.one(self.staff.dsl, story.child.key)

    def do_immediate_protection(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.services import immediate_protection_record

        police = d["kind"] == "police_protection"
        officer = self.one(self.staff.police, story.key)
        record = immediate_protection_record(
            actor=_actor(self.worker(story)), case_id=story.ids["case"], kind=d["kind"],
            taken_on=step.day,
            acting_agency_id=self.area.police.pk if police else self.area.la.pk,
            acted_by=officer.name if police else self.worker(story).name,
            details=_IMMEDIATE[d["kind"]], context=CONTEXT)
        story.ids["immediate_protection"] = record.pk

    def do_strategy_discussion(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.models import Section47Enquiry
        from safeguard.protection.services import strategy_discussion_record

        worker = self.worker(story)
        officer = self.one(self.staff.police, story.key)
        health = self._health(story, d["pick"])
        attendees = [
            {"agency_id": self.area.la.pk, "staff_id": worker.pk},
            {"agency_id": officer.agency_id, "staff_id": officer.pk},
            {"agency_id": health.agency_id, "staff_id": health.pk},
        ]
        dsl = self._school_dsl(story)
        if dsl is not None and d["pick"] % 2:
            attendees.append({"agency_id": dsl.agency_id, "staff_id": dsl.pk})
        due = step.day + timedelta(days=2)
        discussion = strategy_discussion_record(
            actor=_actor(worker), case_id=story.ids["case"], held_on=step.day,
            attendees=attendees, s47_initiated=d["s47"], criminal_investigation=d["criminal"],
            decisions=_SD_DECISIONS[bool(d["s47"])],
            actions=[{"action": "Visit the child and see them alone", "owner_agency_id":
                      self.area.la.pk, "owner": worker.name, "due_on": step.day},
                     {"action": "Share police records of call-outs to the address",
                      "owner_agency_id": officer.agency_id, "owner": officer.name,
                      "due_on": due}],
            immediate_protection_id=story.ids.get("immediate_protection"), context=CONTEXT)
        story.ids["discussion"] = discussion.pk
        if d["s47"]:
            enquiry = Section47Enquiry.objects.filter(strategy_discussion=discussion).first()
            if enquiry is not None:
                story.ids["enquiry"] = enquiry.pk

    def do_s47_outcome(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.services import s47_outcome_record

        s47_outcome_record(
            actor=_actor(self.worker(story)), enquiry_id=story.ids["enquiry"],
            outcome_on=step.day, substantiated=d["substantiated"], conference=d["conference"],
            notes=_S47_NOTES[bool(d["substantiated"])], context=CONTEXT)

    def do_conference(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.models import ChildProtectionPlan
        from safeguard.protection.services import conference_record

        pick = d["pick"]
        chair = self.one(self.staff.chairs, story.key)
        worker = self.worker(story)
        officer = self.one(self.staff.police, story.key)
        health = self._health(story, pick)
        dsl = self._school_dsl(story)
        invitees = [
            {"agency_id": self.area.la.pk, "staff_id": worker.pk, "attended": True,
             "report_submitted": True},
            {"agency_id": officer.agency_id, "staff_id": officer.pk, "attended": pick % 5 != 0,
             "report_submitted": True},
            {"agency_id": health.agency_id, "staff_id": health.pk, "attended": pick % 4 != 0,
             "report_submitted": pick % 7 != 0},
        ]
        core_group = [{"agency_id": health.agency_id, "staff_id": health.pk}]
        if dsl is not None:
            invitees.append({"agency_id": dsl.agency_id, "staff_id": dsl.pk, "attended": True,
                             "report_submitted": pick % 3 != 0})
            core_group.append({"agency_id": dsl.agency_id, "staff_id": dsl.pk})
        starts = d["kind"] != "review" and d["plan"]
        conference = conference_record(
            actor=_actor(chair), case_id=story.ids["case"], kind=d["kind"], held_on=step.day,
            chair_id=chair.pk, invitees=invitees, plan_decision=d["plan"],
            category=d.get("category", "") if starts else "",
            lead_social_worker_id=worker.pk if starts else None,
            core_group=core_group if starts else (), summary=_CONFERENCE[d["kind"], d["plan"]],
            context=CONTEXT)
        if starts:
            plan = ChildProtectionPlan.objects.filter(started_by=conference).first()
            if plan is not None:
                story.ids["plan"] = plan.pk

    def do_core_group(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.services import core_group_meeting_record

        core_group_meeting_record(actor=_actor(self.worker(story)), plan_id=story.ids["plan"],
                                  held_on=step.day, notes=_CORE_GROUP, context=CONTEXT)

    def do_plan_end(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.services import plan_end

        plan_end(actor=_actor(self.worker(story)), plan_id=story.ids["plan"],
                 ended_on=step.day, reason=d["reason"],
                 receiving_conference_on=d.get("receiving"), context=CONTEXT)

    def do_moved_in_notice(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.services import moved_in_notice_record

        moved_in_notice_record(
            actor=_actor(self.worker(story)), case_id=story.ids["case"], notified_on=step.day,
            from_local_authority=OTHER_AREA, moved_on=step.day - timedelta(days=7),
            plan_started_on=d["plan_started"], category=d["category"],
            notes="The family moved into the area; the child is on a child protection plan "
                  "there.", context=CONTEXT)

    def do_return_home(self, step: Step, story: Story, d: dict[str, Any]) -> None:
        from safeguard.protection.services import return_home_record

        return_home_record(
            actor=_actor(self.worker(story)), case_id=story.ids["case"], returned_on=step.day,
            planned=d["planned"], immediate_concerns=None if d["planned"] else False,
            assessment=_RETURN_ASSESSMENT, support_plan=_RETURN_SUPPORT, context=CONTEXT)


def _unborn(story: Story) -> bool:
    return story.child.date_of_birth is None


def _parent(story: Story) -> str:
    adult = story.child.household.adults[0]
    return f"{adult.given_name} {adult.family_name}"


# ---- what people write (synthetic, with no names in it) ------------------------------------

_NOT_INFORMED = ("Telling the family before the strategy discussion could put the child at "
                 "greater risk; police advised against it.")
_WISHES = ("Seen at home and at school. The child says they want the shouting to stop and "
           "would like to see their dad more. Drew a picture of home with the family in it.")
_DEVELOPMENT = ("Meeting most milestones; school reports concentration difficulties and "
                "attendance of 86%. Dental check overdue.")
_PARENTING = ("Mother loves the children and wants help; struggles with routines when unwell. "
              "Basic care mostly met; supervision inconsistent in the evenings.")
_FAMILY = ("Private rented flat, overcrowded; rent arrears. Maternal grandmother nearby and "
           "supportive. History of domestic abuse by a former partner.")
_REASON_LATE = ("The family cancelled two visits and information from the GP arrived late; "
                "the manager agreed an extension to complete the assessment safely.")
_CIN_SUMMARY = ("Social worker visits every four weeks; family support worker twice a week "
                "for routines; school to monitor attendance; GP to review mother's "
                "medication.")
_CIN_OUTCOMES = (
    ("The child attends school every day and on time", "Attendance above 95% each half term"),
    ("Mother manages morning and bedtime routines", "Routines kept on 5 days in 7, checked at "
                                                    "visits"),
)
_CIN_PROGRESS = ("Attendance has improved and routines are more settled; some missed "
                 "appointments. The family is engaging with the plan.")
_EARLY_HELP_NEEDS = ("Parenting support with routines and boundaries; help with housing and "
                     "debts; the child's anxiety about school.")
_EARLY_HELP_OUTCOMES = ("The child goes to school without distress (school reports weekly); "
                        "the family has a budget and a housing plan.")
_EARLY_HELP_SERVICES = ("Family support worker weekly; school pastoral support; Citizens "
                        "Advice appointment for debts.")
_IMMEDIATE = {
    "police_protection": "Officers removed the child to a place of safety under section 46 "
                         "after finding them alone at night with an intoxicated adult.",
    "epo": "Emergency protection order granted by the court after a serious non-accidental "
           "injury; the child is in hospital.",
    "other": "The child was moved to a relative's home with the parents' agreement.",
}
_SD_DECISIONS = {
    True: "Threshold for section 47 enquiries met. Joint visit by social worker and police "
          "today; health to share records and arrange a medical if needed.",
    False: "Threshold for section 47 enquiries not met. Continue the assessment of the "
           "child's needs under section 17, with a safety plan agreed with the parents.",
}
_S47_NOTES = {
    True: "Concerns substantiated: the child is likely to suffer significant harm. An initial "
          "child protection conference is to be convened.",
    False: "Concerns not substantiated. The child's needs will be met through a plan of "
           "support; no conference is needed.",
}
_CONFERENCE = {
    ("initial", True): "The child is likely to suffer significant harm: a child protection plan "
                       "is needed. Core group to meet within 10 working days.",
    ("initial", False): "The child is not at continuing risk of significant harm; support "
                        "continues under a child in need plan.",
    ("transfer_in", True): "The child remains at risk of significant harm after the move: the "
                           "plan continues here.",
    ("transfer_in", False): "The risks have reduced since the move: no plan is needed here.",
    ("review", True): "Progress is not yet sustained: the plan continues, with its outcomes "
                      "updated.",
    ("review", False): "The child is no longer at continuing risk of significant harm: the plan "
                       "ends, with support as a child in need.",
}
_RETURN_ASSESSMENT = ("The child wants to live at home. The parent has completed a parenting "
                      "course and is abstinent; home conditions are good.")
_RETURN_SUPPORT = ("Weekly social work visits for three months; family support; school and "
                   "health visitor to share any concerns at once.")
_CORE_GROUP = ("Reviewed the plan's actions: home conditions improved, school attendance "
               "steady; the next visit is agreed.")


# ---- what the command prints at the end ----------------------------------------------------


def personas_table() -> list[tuple[str, str, str, str]]:
    """(username, name, role, agency) of every persona of the demo's areas that exists."""
    from django.contrib.auth import get_user_model

    users = get_user_model()
    rows = []
    for _name, _code, prefix in AREAS:
        for key, *_ in PERSONAS:
            user = users.objects.filter(username=f"{prefix}-{key}").select_related(
                "staff__agency").first()
            if user is None or not hasattr(user, "staff"):
                continue
            rows.append((user.username, user.get_full_name(), user.staff.get_role_display(),
                         user.staff.agency.name))
    return rows


def print_personas(out: Out = _print) -> None:
    rows = personas_table()
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    out("")
    out("Sign in as any of these people (each area has one of each):")
    for username, name, role, agency in rows:
        out(f"  {username:<{widths[0]}}  {name:<{widths[1]}}  {role:<{widths[2]}}  {agency}")
    out(f"The password of every demo account is: {DEMO_PASSWORD}")
    out("Team managers, conference chairs, designated officers (LADO) and partnership "
        "officers also enter a code from an authenticator app. Add this demo key to your app "
        f"(the same for every demo account): {DEMO_TOTP_SECRET}")


def volumes(la_code: str) -> dict[str, Any]:
    """What the area's demo data holds, measured the way the national statistics are: the
    year to today, timeliness as the statutory engine judged it (stored obligations)."""
    from safeguard.cases.models import Obligation
    from safeguard.protection.models import ChildProtectionPlan, Conference, Section47Enquiry
    from safeguard.referrals.models import Referral, ReferralDecision

    la = Agency.objects.get(la_code=la_code)
    day = today_in_england()
    start = day - timedelta(days=365)
    in_la = {"case__local_authority": la}
    referrals = Referral.objects.filter(**in_la, received_on__gt=start)
    count = referrals.count()
    earlier = Referral.objects.filter(**in_la, received_on__lte=start)
    by_child: dict[int, list[date]] = {}
    for child, received in Referral.objects.filter(**in_la).values_list(
            "case__child_id", "received_on").order_by("received_on"):
        by_child.setdefault(child, []).append(received)
    re_referrals = sum(
        1 for dates in by_child.values() for i, d in enumerate(dates)
        if d > start and i > 0 and (d - dates[i - 1]).days <= 365)
    sources = Counter(referrals.values_list("source", flat=True))
    decisions = ReferralDecision.objects.filter(referral__case__local_authority=la,
                                                referral__received_on__gt=start)
    obligations = Obligation.objects.filter(**in_la, arose__gt=start)

    def share(duty: str) -> float | None:
        closed = Counter(obligations.filter(duty=duty, status__in=("met", "late"))
                         .values_list("status", flat=True))
        total = closed["met"] + closed["late"]
        return closed["met"] / total if total else None

    return {
        "referrals": count,
        "earlier_referrals": earlier.count(),
        "re_referral_share": re_referrals / count if count else 0.0,
        "source_share": {k: v / count for k, v in sources.items()} if count else {},
        "decisions": decisions.count(),
        "s47": Section47Enquiry.objects.filter(**in_la, started_on__gt=start).count(),
        "icpc": Conference.objects.filter(**in_la, kind="initial", held_on__gt=start).count(),
        "on_plan": ChildProtectionPlan.objects.filter(**in_la, ended_on__isnull=True).count(),
        "assessments_on_time": share("assessment.complete"),
        "icpc_on_time": share("icpc.hold"),
        "decisions_on_time": share("referral.decision"),
        "overdue": obligations.filter(status="overdue").count(),
    }


def print_volumes(out: Out = _print) -> None:
    for name, code, _prefix in AREAS:
        if not Agency.objects.filter(la_code=code).exists():
            continue
        v = volumes(code)
        if not v["referrals"]:
            continue

        def pct(x: float | None) -> str:
            return "–" if x is None else f"{x:.0%}"

        out(f"{name}: in the year to today {v['referrals']:,} referrals "
            f"({pct(v['re_referral_share'])} re-referrals, police "
            f"{pct(v['source_share'].get('6', 0))}, schools "
            f"{pct(v['source_share'].get('2A', 0))}), {v['s47']:,} section 47 enquiries, "
            f"{v['icpc']:,} initial conferences; {v['on_plan']:,} children on a plan now. "
            f"On time: decisions {pct(v['decisions_on_time'])}, assessments "
            f"{pct(v['assessments_on_time'])}, initial conferences {pct(v['icpc_on_time'])}; "
            f"{v['overdue']:,} items overdue today.")

