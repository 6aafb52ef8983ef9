"""A demo area's year of activity, planned before anything is recorded.

Pure Python (no database): from a seed, a scale and today's date it plans households, the
referrals of their children and what follows each one — decisions, assessments, strategy
discussions, section 47 enquiries, conferences, child protection plans — as dated
:class:`Step` objects, which :mod:`safeguard.demo.build` then records through the services.

The proportions are England's (shared/design/england-data.md): an average local authority
has about 4,000 referrals a year (police 28%, schools 21% …; 22% of them re-referrals),
1,500 section 47 enquiries, 470 initial child protection conferences and 320 children on a
plan at the year's end; 86% of assessments end within 45 working days, 81% of initial
conferences are held within 15 working days of the strategy discussion.

Every story is planned to its end; steps dated after today are left out, so work planned
for later is open today — some of it overdue, as in any real area.

Deadlines are never worked out here: where an event must fall before or after one, the
statutory engine gives the due date (``safeguard.statutory.duties``) and the event is placed
relative to it; other spacing uses the engine's working-day calendar.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from faker import Faker

from safeguard.demo.identifiers import (
    UPN_LA_NUMBERS,
    synthetic_nhs_number,
    synthetic_upn,
)
from safeguard.statutory.calendar import england
from safeguard.statutory.duties import (
    add_months,
    assessment_due,
    first_core_group_due,
    first_review_conference_due,
    initial_conference_due,
    next_review_conference_due,
    plan_end_at_18_due,
    referral_decision_due,
    transfer_in_conference_due,
)

#: An average English local authority's year (england-data.md: England ÷ 153).
REFERRALS_PER_YEAR = 4000
#: Plans started in the year before the demo's year, some still running into it.
EARLIER_PLANS_PER_YEAR = 250
WINDOW_DAYS = 365

# ---- the proportions -------------------------------------------------------------------------

#: Referral sources (DfE CIN census codes): police 28%, schools 21%, the largest two.
SOURCE_WEIGHTS: dict[str, float] = {
    "6": 28, "2A": 21, "2B": 1, "3A": 3, "3B": 3, "3C": 1, "3D": 2, "3E": 3, "3F": 3,
    "4": 2, "5A": 5, "5B": 3, "5C": 2, "5D": 3, "1A": 7, "1B": 1, "1C": 1, "1D": 2, "7": 2,
    "8": 4, "9": 2, "10": 1,
}
#: Decision on next steps. With the escalations below: ~37% of referrals reach section 47
#: enquiries, 7% no further action (national: 6.5%).
OUTCOME_WEIGHTS = {"no_further_action": 7.0, "early_help": 6.0, "assessment": 52.8,
                   "strategy_discussion": 33.0, "immediate_protection": 1.2}
#: Working days from receipt to the decision (0: the same day): most within one.
DECISION_DELAY_WEIGHTS = {0: 50, 1: 42, 2: 5, 3: 2, 5: 1}
#: Outcome of a section 17 assessment (escalation: a strategy discussion during it).
S17_OUTCOME_WEIGHTS = {"no_further_action": 44, "early_help": 14, "child_in_need_plan": 28,
                       "escalate": 11, "looked_after": 3}
RE_REFERRAL_SHARE = 0.29  # of new referral slots: ~22% of all referrals once pools fill
SIBLING_GROUP_WEIGHTS = {1: 72, 2: 20, 3: 8}
S47_FROM_DISCUSSION = 0.92
ICPC_FROM_S47 = 0.31
ICPC_FROM_IMMEDIATE_PROTECTION = 0.6
PLAN_FROM_ICPC = 0.86
#: ICPC timeliness, working days from the strategy discussion (national bands).
ICPC_BANDS = ((0.0865, (5, 10)), (0.7272, (11, 15)), (0.0892, (16, 20)), (0.0971, (21, 35)))
ASSESSMENT_ON_TIME = 0.8  # drawn; with those ending at a conference, ~86% end on time
#: Working days from referral to a timely assessment's end, by quantile (median 33, IQR
#: 17-43 nationally, of all assessments; these are the timely 86%).
ASSESSMENT_WD_QUANTILES = ((0.0, 3), (0.29, 17), (0.58, 33), (0.875, 43), (1.0, 45))
#: Plan length at its end (national): ≤3 m, 3-6 m, 6-12 m, 1-2 y, 2+ y.
PLAN_LENGTH_BANDS = ((0.159, (60, 92)), (0.110, (93, 182)), (0.435, (183, 365)),
                     (0.252, (366, 730)), (0.044, (731, 900)))
CATEGORY_WEIGHTS = {"NEG": 50, "EMO": 36, "PHY": 7, "SAB": 4, "MUL": 3}
AGE_WEIGHTS = ((0, 10), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5), (6, 5), (7, 5), (8, 5),
               (9, 5), (10, 6), (11, 6), (12, 6), (13, 7), (14, 7), (15, 6), (16, 5), (17, 2))
ETHNICITY_WEIGHTS = {
    "WBRI": 66, "WOTH": 6, "WIRI": 0.5, "WIRT": 0.3, "WROM": 0.7, "MWBC": 2.5, "MWBA": 1,
    "MWAS": 1.5, "MOTH": 2.5, "AIND": 1.5, "APKN": 3, "ABAN": 1, "AOTH": 1.5, "BCRB": 1,
    "BAFR": 3.5, "BOTH": 1, "CHNE": 0.3, "OOTH": 3, "REFU": 0.5, "NOBT": 2.7,
}
FACTOR_WEIGHTS = {
    "3B": 20, "3C": 6, "4B": 16, "2B": 8, "1B": 7, "16A": 10, "17A": 12, "18C": 5,
    "5B": 3, "6B": 3, "4A": 6, "15A": 3, "10A": 3, "11A": 2, "24A": 2, "13A": 1,
    "14A": 3, "7A": 1, "19C": 1, "20": 3,
}

#: Which partner enters a referral of each source itself (share), the rest being phoned
#: or sent in and recorded by the front door.
SELF_RECORDED = {"6": ("police", 0.5), "2A": ("school", 0.6), "3A": ("gp", 0.4),
                 "3B": ("health", 0.5), "3C": ("health", 0.5), "3D": ("health", 0.5),
                 "3E": ("health", 0.6), "3F": ("health", 0.5), "5D": ("early_help", 0.7)}
#: The referring agency of a source, when it is one of the area's agencies.
SOURCE_AGENCY = {"6": "police", "2A": "school", "3A": "gp", "3B": "trust", "3C": "trust",
                 "3D": "gp", "3E": "trust", "3F": "trust", "5D": "early_years"}

CONCERNS: dict[str, list[str]] = {
    "6": [
        "Police attended a domestic abuse incident at the family home; the child was present "
        "and frightened. Alcohol was a factor.",
        "The child was found by officers late at night away from home with older young people "
        "known for exploitation.",
        "Police protection notice: an adult in the household was arrested for assault; the "
        "child disclosed being hit with a belt.",
        "Officers conducting a welfare check found the home in a very poor state, with little "
        "food and the child unsupervised.",
        "Third domestic abuse call-out in two months; the younger children were upstairs.",
    ],
    "2A": [
        "The child came to school with bruising to the upper arm and gave inconsistent "
        "accounts of how it happened.",
        "Persistent absence, arriving hungry and in unwashed uniform; the family has not "
        "engaged with the school's offers of support.",
        "The child disclosed to a teaching assistant that a parent's partner shouts and throws "
        "things, and that they are scared to go home.",
        "Marked change in behaviour, self-harm seen in PE, and worrying messages on the "
        "child's phone from an adult.",
    ],
    "health": [
        "Attended the emergency department with an injury that does not fit the explanation "
        "given; the child is not yet mobile.",
        "Missed health appointments and immunisations; the parent appeared under the influence "
        "at the last home visit.",
        "Concerns about the mother's mental health after the birth and the care of the baby.",
        "The child presented with an overdose; a parent disclosed domestic abuse at home.",
    ],
    "other": [
        "A neighbour reports hearing shouting and a child crying late at night several times "
        "a week.",
        "A relative is worried that the parent is drinking heavily and leaving the children "
        "alone.",
        "The family are in temporary accommodation with damp and overcrowding; the parent is "
        "struggling to cope.",
        "Concerns passed on by adult services: a parent with a serious drug problem cares for "
        "young children.",
        "An anonymous caller says the child is often outside alone and looks thin and unkempt.",
        "Early help work has not brought change: the family's needs are now more complex and "
        "the child's situation is worse.",
    ],
}
DECISION_REASONS = {
    "no_further_action": "The information does not suggest the child is in need or at risk "
                         "of significant harm; universal services will continue to support.",
    "early_help": "The family would benefit from early help; the threshold for an assessment "
                  "by children's social care is not met.",
    "assessment": "The child may be in need: an assessment under section 17 is needed to "
                  "understand the child's needs and the family's capacity to meet them.",
    "strategy_discussion": "There is reasonable cause to suspect the child is suffering, or "
                           "is likely to suffer, significant harm: a strategy discussion is "
                           "to be held today.",
    "immediate_protection": "The child is at immediate risk: protective action was taken and "
                            "a strategy discussion follows at once.",
}
FEEDBACK = {
    "no_further_action": "Thank you for the referral. The threshold for children's social care "
                         "is not met; we suggest continued support from your service.",
    "early_help": "Thank you for the referral. The family is offered early help through the "
                  "Family Hub; we will let you know the lead practitioner.",
    "assessment": "Thank you for the referral. A social worker will assess the child's needs "
                  "and may contact you for information.",
    "strategy_discussion": "Thank you for the referral. A strategy discussion is being held; "
                           "you may be asked to contribute.",
    "immediate_protection": "Thank you for the referral. Immediate action was taken to keep "
                            "the child safe.",
}
NOT_INFORMED = ("Telling the family before the strategy discussion could put the child at "
                "greater risk; police advised against it.")


# ---- what is planned ---------------------------------------------------------------------


@dataclass
class AdultSpec:
    given_name: str
    family_name: str
    sex: str
    date_of_birth: date
    relationship: str  # RelationshipKind
    parental_responsibility: bool


@dataclass
class ChildSpec:
    key: int
    given_name: str
    family_name: str
    sex: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    nhs_number: str
    upn: str
    ethnicity: str
    household: HouseholdSpec

    def as_referral_child(self) -> dict[str, Any]:
        """The ``child`` of ``referral_create``."""
        return {
            "given_name": self.given_name, "family_name": self.family_name,
            "date_of_birth": self.date_of_birth,
            "expected_date_of_birth": self.expected_date_of_birth, "sex": self.sex,
            "nhs_number": self.nhs_number, "upn": self.upn,
            "address": self.household.address, "postcode": self.household.postcode,
        }


@dataclass
class HouseholdSpec:
    key: int
    address: str
    postcode: str
    adults: list[AdultSpec] = field(default_factory=list)
    children: list[ChildSpec] = field(default_factory=list)


@dataclass
class Story:
    """One referral of one child and what follows it. ``ids`` collects the records made."""

    key: int
    child: ChildSpec
    team: int
    worker: int
    earlier: bool = False  # before the demo's year (a plan still running into it)
    ids: dict[str, int] = field(default_factory=dict)


#: The order of a story's steps on one day. A referral's household is recorded straight
#: after it, before a brother's or sister's referral of the same day, which then finds the
#: child the household recorded.
ORDER = {
    "referral": 0, "household": 0, "moved_in_notice": 2, "decision": 3, "authorise": 4,
    "allocate": 5, "immediate_protection": 6, "assessment_start": 7, "strategy_discussion": 8,
    "s47_outcome": 9, "conference": 10, "core_group": 11, "plan_end": 12,
    "assessment_complete": 13, "assessment_authorise": 14, "case_close": 15,
    "cin_plan_start": 16, "cin_plan_review": 17, "cin_plan_end": 18, "early_help_start": 19,
    "early_help_plan": 20, "early_help_review": 21, "early_help_close": 22, "return_home": 23,
}


@dataclass
class Step:
    day: date
    order: int
    seq: int
    kind: str
    story: Story
    data: dict[str, Any]

    def sort_key(self) -> tuple[date, int, int]:
        return (self.day, self.order, self.seq)


@dataclass
class AreaPlan:
    la_code: str
    today: date
    start: date
    steps: list[Step]
    households: list[HouseholdSpec]
    stories: list[Story]
    teams: int
    counts: dict[str, int]


@dataclass
class Staffing:
    """How many generated staff an area has (besides its personas), from the scale."""

    teams: int
    social_workers_per_team: int
    front_door: int
    chairs: int
    police: int
    health: int
    early_help: int
    schools: int
    gps: int

    @classmethod
    def for_scale(cls, scale: float) -> Staffing:
        def n(per_la: float, least: int) -> int:
            return max(least, round(per_la * scale))

        return cls(teams=n(7, 1), social_workers_per_team=6, front_door=n(6, 2),
                   chairs=n(4, 1), police=n(6, 2), health=n(6, 2), early_help=n(5, 1),
                   schools=n(24, 4), gps=n(8, 1))


# ---- the planner ---------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _band(rng: random.Random, bands: tuple[tuple[float, tuple[int, int]], ...]) -> int:
    choice = rng.choices([b for _, b in bands], weights=[w for w, _ in bands])[0]
    return rng.randint(*choice)


class Planner:
    def __init__(self, *, la_code: str, town: str, scale: float, seed: int, today: date,
                 staffing: Staffing) -> None:
        self.la_code = la_code
        self.town = town
        self.scale = scale
        self.today = today
        self.start = today - timedelta(days=WINDOW_DAYS)
        self.rng = random.Random(f"safeguard-demo:{seed}:{la_code}")  # noqa: S311 - not secret
        self.fake = Faker("en_GB")
        self.fake.seed_instance(self.rng.randrange(2**31))
        self.cal = england()
        self.staffing = staffing
        self.steps: list[Step] = []
        self.households: list[HouseholdSpec] = []
        self.stories: list[Story] = []
        self.children: list[ChildSpec] = []
        self._names: set[tuple[str, str, date | None]] = set()
        # Identifiers: no two children share one, within the area or with another area.
        self._ids: set[str] = set()
        self._nhs_prefix = f"9{la_code[-2:]}"
        self._upn_las = UPN_LA_NUMBERS[int(la_code[-1]) % 2::2]
        self._seq = 0
        self._finished: list[tuple[date, int, ChildSpec]] = []  # heap: free to re-refer
        self._started: dict[int, Step] = {}  # story key: its assessment's start
        self.counts: dict[str, int] = {"re_referrals": 0}

    # -- dates --

    def wd_after(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n = 0: the day itself, or the next working
        day when it is not one)."""
        if n <= 0:
            return self.cal.next_working_day_on_or_after(day)
        return self.cal.working_days_after(day, n)

    def wd_before(self, day: date, n: int) -> date:
        if n <= 0:
            return day if self.cal.is_working_day(day) else self.cal.working_days_before(day, 1)
        return self.cal.working_days_before(day, n)

    # -- steps --

    def add(self, day: date, kind: str, story: Story, /, **data: Any) -> date:
        self._seq += 1
        step = Step(day, ORDER[kind], self._seq, kind, story, data)
        self.steps.append(step)
        if kind == "assessment_start":
            self._started[story.key] = step
        return day

    # -- people --

    def _dob_for_age(self, age: int, on: date) -> date:
        born = on - timedelta(days=365 * age + self.rng.randrange(1, 365))
        return born

    def new_household(self, first_child_age: int, on: date, unborn: bool) -> HouseholdSpec:
        fake, rng = self.fake, self.rng
        family = fake.last_name()
        address = f"{fake.building_number()} {fake.street_name()}\n{self.town}"
        household = HouseholdSpec(len(self.households) + 1, address, fake.postcode())
        self.households.append(household)
        ethnicity = _pick(rng, ETHNICITY_WEIGHTS)
        eldest_age = first_child_age + rng.choice([0, 0, 0, 2, 3, 5])
        mother_age = max(17, min(50, eldest_age + rng.randint(18, 34)))
        household.adults.append(AdultSpec(fake.first_name_female(), family, "F",
                                          self._dob_for_age(mother_age, on), "mother", True))
        kind = rng.random()
        if kind < 0.55:
            household.adults.append(AdultSpec(fake.first_name_male(), family, "M",
                                              self._dob_for_age(mother_age + rng.randint(-3, 8),
                                                                on), "father", True))
        elif kind < 0.8:
            household.adults.append(AdultSpec(fake.first_name_male(), fake.last_name(), "M",
                                              self._dob_for_age(mother_age + rng.randint(-5, 10),
                                                                on), "partner_of_parent", False))
        elif kind < 0.88:
            household.adults.append(AdultSpec(fake.first_name_female(), family, "F",
                                              self._dob_for_age(mother_age + 24, on),
                                              "grandparent", False))
        # The children: the referred child first, then brothers and sisters.
        ages = [first_child_age]
        for _ in range(_pick(rng, {0: 35, 1: 35, 2: 20, 3: 10})):
            gap = rng.randint(1, 6)
            older = rng.random() < 0.5 and ages[0] + gap <= 17
            ages.append(min(ages) - gap if not older and min(ages) - gap >= 0 else ages[0] + gap)
        for i, age in enumerate(ages):
            self._new_child(household, ethnicity, age if age <= 17 else 17, on,
                            unborn=unborn and i == 0)
        return household

    def _new_child(self, household: HouseholdSpec, ethnicity: str, age: int, on: date, *,
                   unborn: bool) -> ChildSpec:
        fake, rng = self.fake, self.rng
        family = household.adults[0].family_name if rng.random() < 0.85 else fake.last_name()
        if unborn:  # named at birth; known by the expected date until then
            sex, given, born = "U", "", None
            expected: date | None = self.today + timedelta(days=rng.randint(20, 150))
        else:
            expected = None
            while True:  # no two children alike by name and date of birth
                sex = rng.choice("FM")
                given = fake.first_name_female() if sex == "F" else fake.first_name_male()
                born = self._dob_for_age(age, on)
                if (given, family, born) not in self._names:
                    break
            self._names.add((given, family, born))
        nhs = synthetic_nhs_number(rng, prefix=self._nhs_prefix, used=self._ids) \
            if not unborn and rng.random() < 0.8 else ""
        upn = ""
        if born is not None and age >= 5 and rng.random() < 0.7:
            upn = synthetic_upn(rng, born.year + 5, la_numbers=self._upn_las, used=self._ids)
        child = ChildSpec(len(self.children) + 1, given, family, sex, born, expected, nhs, upn,
                          ethnicity, household)
        household.children.append(child)
        self.children.append(child)
        return child

    # -- the year --

    def referral_days(self, count: int, start: date, end: date) -> list[date]:
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        weights = [1.0 if self.cal.is_working_day(d) else 0.12 for d in days]
        return sorted(self.rng.choices(days, weights=weights, k=count))

    def plan(self) -> AreaPlan:
        rng = self.rng
        staffing = self.staffing
        self._plan_earlier_plans()
        target = max(1, round(REFERRALS_PER_YEAR * self.scale))
        days = self.referral_days(target, self.start, self.today)
        i = 0
        while i < len(days):  # one referral a slot; brothers and sisters take one each
            day = days[i]
            child = self._free_child(day) if rng.random() < RE_REFERRAL_SHARE else None
            if child is not None:
                self.counts["re_referrals"] += 1
                group = [child]
            else:
                unborn = day >= self.today - timedelta(days=120) and rng.random() < 0.03
                age = 0 if unborn else _pick(rng, dict(AGE_WEIGHTS))
                household = self.new_household(age, day, unborn)
                group = household.children[:min(_pick(rng, SIBLING_GROUP_WEIGHTS),
                                                 len(days) - i)]
            shared = self._shared_path(day)
            for child in group:
                self._plan_story(child, day, shared)
            i += len(group)
        self.steps.sort(key=Step.sort_key)
        self.counts.update(referrals=sum(1 for s in self.stories if not s.earlier),
                           stories=len(self.stories), households=len(self.households),
                           children=len(self.children), steps=len(self.steps))
        return AreaPlan(self.la_code, self.today, self.start, self.steps, self.households,
                        self.stories, staffing.teams, self.counts)

    def _free_child(self, day: date) -> ChildSpec | None:
        """A child whose last episode ended at least two weeks before ``day``."""
        heap = self._finished
        ready: list[tuple[date, int, ChildSpec]] = []
        while heap and heap[0][0] <= day - timedelta(days=14):
            ready.append(heapq.heappop(heap))
        if not ready:
            return None
        pick = ready.pop(self.rng.randrange(len(ready)))
        for item in ready:
            heapq.heappush(heap, item)
        return pick[2]

    def _shared_path(self, day: date) -> dict[str, Any]:
        """What brothers and sisters referred together share: the decision and its timing."""
        rng = self.rng
        return {
            "outcome": _pick(rng, OUTCOME_WEIGHTS),
            "delay": _pick(rng, DECISION_DELAY_WEIGHTS),
            "source": _pick(rng, SOURCE_WEIGHTS),
            "team": (team := rng.randrange(self.staffing.teams)),
            "worker": self._worker(team),
        }

    def _worker(self, team: int) -> int:
        """A social worker of the team, by index (the first team has the two personas too)."""
        return self.rng.randrange(self.staffing.social_workers_per_team + (2 if team == 0
                                                                          else 0))

    def _story(self, child: ChildSpec, team: int, worker: int | None = None, *,
               earlier: bool = False) -> Story:
        if worker is None:
            worker = self._worker(team)
        story = Story(len(self.stories) + 1, child, team, worker, earlier)
        self.stories.append(story)
        return story

    # -- one referral and what follows --

    def _referral(self, story: Story, received: date, source: str) -> None:
        rng = self.rng
        recorder = "front_door"
        if source in SELF_RECORDED and rng.random() < SELF_RECORDED[source][1]:
            recorder = SELF_RECORDED[source][0]
        group = source if source in ("6", "2A") else ("health" if source.startswith("3")
                                                       else "other")
        self.add(received, "referral", story, source=source, recorder=recorder,
                 agency=SOURCE_AGENCY.get(source), concerns=rng.choice(CONCERNS[group]),
                 referrer_name=self.fake.name() if recorder == "front_door" else "",
                 pick=rng.randrange(1 << 30))
        self.add(received, "household", story)

    def _decision(self, story: Story, received: date, outcome: str, delay: int) -> date:
        rng = self.rng
        due = referral_decision_due(received)
        decided = self.wd_after(received, delay)
        assert (decided <= due) == (delay <= 1)
        informed = outcome not in ("strategy_discussion", "immediate_protection") or \
            rng.random() < 0.9
        self.add(decided, "decision", story, outcome=outcome, reasons=DECISION_REASONS[outcome],
                 feedback=FEEDBACK[outcome], family_informed=informed,
                 pick=rng.randrange(1 << 30))
        self.add(decided if rng.random() < 0.7 else self.wd_after(decided, 1), "authorise",
                 story)
        return decided

    def _assessment_end(self, received: date, not_before: date) -> date:
        """When an assessment ends: 86% on or before its due date (asked of the engine)."""
        rng = self.rng
        due = assessment_due(received)
        if rng.random() < ASSESSMENT_ON_TIME:
            q = rng.random()
            for (q0, w0), (q1, w1) in zip(ASSESSMENT_WD_QUANTILES, ASSESSMENT_WD_QUANTILES[1:],
                                          strict=False):
                if q <= q1:
                    wd = round(w0 + (w1 - w0) * (q - q0) / (q1 - q0))
                    break
            end = max(self.wd_after(received, max(1, wd)), not_before)
            if end > due >= not_before:
                end = due  # pushed past the due date by an event before it: end on it
            return end
        return self.wd_after(max(due, not_before), int(rng.triangular(1, 45, 3)))

    def _plan_story(self, child: ChildSpec, received: date, shared: dict[str, Any]) -> None:
        rng = self.rng
        story = self._story(child, shared["team"], shared["worker"])
        source = shared["source"] if child is child.household.children[0] or \
            rng.random() < 0.9 else _pick(rng, SOURCE_WEIGHTS)
        outcome = shared["outcome"]
        if child.date_of_birth is None and outcome == "immediate_protection":
            outcome = "strategy_discussion"
        self._referral(story, received, source)
        decided = self._decision(story, received, outcome, shared["delay"])
        finished: date | None = None
        if outcome == "no_further_action":
            finished = decided
        elif outcome == "early_help":
            start = self.wd_after(decided, rng.randint(1, 8))
            self.add(start, "early_help_start", story, consent_on=self.wd_before(start, 1),
                     pick=rng.randrange(1 << 30))
            finished = self._early_help(story, start)
        else:
            self.add(decided, "allocate", story)
            if outcome == "assessment":
                finished = self._s17(story, received, decided)
            elif outcome == "strategy_discussion":
                held = self.wd_after(decided, rng.choice([0, 0, 0, 1]))
                finished = self._protection(story, received, held, start_assessment=True)
            else:
                self.add(received, "immediate_protection", story,
                         kind=rng.choice(["police_protection", "police_protection", "epo"]))
                held = max(self.wd_after(received, rng.choice([0, 1])), decided)
                finished = self._protection(story, received, held, start_assessment=True,
                                            after_protection=True)
        if finished is not None and finished <= self.today and child.date_of_birth:
            heapq.heappush(self._finished, (finished, child.key, child))

    def _s17(self, story: Story, received: date, decided: date) -> date | None:
        rng = self.rng
        started = self.wd_after(decided, rng.choice([0, 0, 1, 2]))
        self.add(started, "assessment_start", story, kind="s17",
                 seen=self.wd_after(started, rng.randint(1, 7)), alone=rng.random() < 0.6)
        result = _pick(rng, S17_OUTCOME_WEIGHTS)
        end = self._assessment_end(received, self.wd_after(started, 2))
        if child_unborn(story) and result == "escalate":
            result = "child_in_need_plan"
        if result == "escalate":
            held = self.wd_after(started, rng.randint(2, 20))
            return self._protection(story, received, held, start_assessment=False,
                                    planned_end=end)
        finished = self._complete(story, end, result, received)
        if result == "looked_after" and rng.random() < 0.4:
            self.add(end + timedelta(days=rng.randint(40, 200)), "return_home", story,
                     planned=rng.random() < 0.6)
        return finished

    def _complete(self, story: Story, day: date, outcome: str, received: date) -> date | None:
        """The assessment ends on ``day`` with ``outcome``, is authorised, and what follows:
        the case closed (no further action, or early help), or a child in need plan. Returns
        the day the case closed, if it did."""
        rng = self.rng
        factors = sorted({_pick(self.rng, FACTOR_WEIGHTS) for _ in range(rng.randint(1, 3))})
        if outcome == "no_further_action" and rng.random() < 0.3:
            factors = ["21"]
        start = self._started[story.key].data
        start["seen"] = min(start["seen"], day)  # the child is seen before it ends
        start["completed"] = day
        self.add(day, "assessment_complete", story, outcome=outcome, factors=factors,
                 late=day > assessment_due(received), seen=start["seen"], alone=start["alone"])
        authorised = self.wd_after(day, _pick(rng, {0: 40, 1: 30, 2: 20, 3: 10}))
        self.add(authorised, "assessment_authorise", story)
        if outcome == "no_further_action":
            self.add(authorised, "case_close", story, reason="RC8")
            return authorised
        if outcome == "early_help":
            self.add(authorised, "case_close", story, reason="RC9",
                     pick=rng.randrange(1 << 30))
            return self._early_help(story, authorised)
        if outcome == "child_in_need_plan":
            self._cin_plan(story, self.wd_after(day, rng.randint(0, 5)))
        return None

    def _early_help(self, story: Story, started: date) -> date:
        """An early help plan agreed, reviewed and closed; returns the day it closed."""
        rng = self.rng
        agreed = self.wd_after(started, rng.randint(5, 15))
        review = agreed + timedelta(days=rng.randint(42, 70))
        self.add(agreed, "early_help_plan", story, next_review=review)
        closed = review + timedelta(days=rng.randint(30, 150))
        self.add(review, "early_help_review", story,
                 next_review=review + timedelta(days=rng.randint(42, 70)))
        self.add(closed, "early_help_close", story,
                 reason=_pick(rng, {"outcomes_met": 75, "consent_withdrawn": 10, "moved": 5,
                                    "other": 10}))
        return closed

    def _cin_plan(self, story: Story, started: date) -> None:
        """A child in need plan: reviews about every three months, ending when the child's
        needs are met."""
        rng = self.rng
        ends = started + timedelta(days=rng.randint(120, 420))
        review = started + timedelta(days=rng.randint(70, 98))
        self.add(started, "cin_plan_start", story, next_review=review)
        while review < ends:
            following = review + timedelta(days=rng.randint(70, 98))
            self.add(review, "cin_plan_review", story, next_review=following,
                     sufficient=following >= ends)
            review = following
        self.add(ends, "cin_plan_end", story,
                 reason=_pick(rng, {"needs_met": 80, "early_help": 8, "moved": 4, "other": 8}))

    def _protection(self, story: Story, received: date, held: date, *, start_assessment: bool,
                    after_protection: bool = False, planned_end: date | None = None
                    ) -> date | None:
        """A strategy discussion and what follows it."""
        rng = self.rng
        if start_assessment:
            self.add(held, "assessment_start", story, kind="s47",
                     seen=self.wd_after(held, rng.randint(0, 2)), alone=rng.random() < 0.5)
        s47 = after_protection or rng.random() < S47_FROM_DISCUSSION
        self.add(held, "strategy_discussion", story, s47=s47,
                 criminal=rng.random() < (0.6 if after_protection else 0.3),
                 pick=rng.randrange(1 << 30))
        end = planned_end or self._assessment_end(received, self.wd_after(held, 3))
        if not s47:
            result = _pick(rng, {"no_further_action": 45, "early_help": 15,
                                 "child_in_need_plan": 40})
            return self._complete(story, max(end, self.wd_after(held, 2)), result, received)
        conference = rng.random() < (ICPC_FROM_IMMEDIATE_PROTECTION if after_protection
                                     else ICPC_FROM_S47)
        if not conference:
            outcome_on = self.wd_after(held, rng.randint(4, 14))
            self.add(outcome_on, "s47_outcome", story, substantiated=False, conference=False)
            result = _pick(rng, {"no_further_action": 50, "early_help": 20,
                                 "child_in_need_plan": 30})
            return self._complete(story, max(end, outcome_on), result, received)
        icpc, wd = self._icpc_day(held)
        outcome_on = self.wd_after(held, rng.randint(3, max(3, min(wd - 1, 8))))
        outcome_on = min(outcome_on, icpc)
        self.add(outcome_on, "s47_outcome", story, substantiated=True, conference=True)
        born = story.child.date_of_birth
        plan = rng.random() < PLAN_FROM_ICPC and not (
            born and plan_end_at_18_due(born) <= icpc + timedelta(days=60))
        self.add(icpc, "conference", story, kind="initial", plan=plan,
                 category=_pick(rng, CATEGORY_WEIGHTS) if plan else "",
                 pick=rng.randrange(1 << 30))
        self._complete(story, max(outcome_on, min(end, icpc)),
                       "child_protection_conference", received)
        if plan:
            self._plan(story, icpc)
        return None

    def _icpc_day(self, held: date) -> tuple[date, int]:
        """When the initial conference is held after the strategy discussion on ``held``:
        on or before the engine's due date (81%) or after it. (day, working days after)."""
        due = initial_conference_due(held)
        wd = _band(self.rng, ICPC_BANDS)
        icpc = self.wd_after(held, wd) if wd <= 15 else self.wd_after(due, wd - 15)
        assert (icpc <= due) == (wd <= 15)
        return icpc, wd

    def _plan(self, story: Story, started: date, length: int | None = None) -> None:
        """A child protection plan from ``started``: core groups, reviews, its end."""
        rng = self.rng
        length = length or _band(rng, PLAN_LENGTH_BANDS)
        target_end = started + timedelta(days=length)
        born = story.child.date_of_birth
        at_18 = plan_end_at_18_due(born) if born else None
        # Core groups: the first within 10 working days (93%), then every six to eight weeks.
        due = first_core_group_due(started)
        meeting = (self.wd_after(started, rng.randint(3, 10)) if rng.random() < 0.93
                   else self.wd_after(due, rng.randint(1, 6)))
        # Reviews: the first within three months, later ones within six (the engine's dates).
        review_due = first_review_conference_due(started)
        moved = rng.random() < 0.03
        while True:
            review = (self.wd_before(review_due, rng.randint(0, 12)) if rng.random() < 0.9
                      else self.wd_after(review_due, rng.randint(1, 12)))
            early = target_end < review - timedelta(days=20)
            day = self.wd_after(target_end, 0) if early else review
            if at_18 is not None and at_18 <= day:
                while meeting < at_18:
                    self.add(meeting, "core_group", story)
                    meeting = self.wd_after(meeting, rng.randint(28, 40))
                self.add(at_18, "plan_end", story, reason="eighteen")
                return
            while meeting < day:
                self.add(meeting, "core_group", story)
                meeting = self.wd_after(meeting, rng.randint(28, 40))
            if early or day >= target_end:
                if moved:
                    self.add(day, "plan_end", story, reason="moved",
                             receiving=self.wd_before(day, rng.randint(0, 5)))
                else:
                    self.add(day, "conference", story, kind="review", plan=False,
                             pick=rng.randrange(1 << 30))
                return
            self.add(day, "conference", story, kind="review", plan=True,
                     pick=rng.randrange(1 << 30))
            review_due = next_review_conference_due(day)

    # -- plans begun before the demo's year --

    def _plan_earlier_plans(self) -> None:
        """Plans that started in the year before the demo's and were still running at its
        start: with them, the number of children on a plan at the end is like England's."""
        rng = self.rng
        count = round(EARLIER_PLANS_PER_YEAR * self.scale)
        first = add_months(self.start, -12)
        for day in self.referral_days(count, first - timedelta(days=30), self.start):
            length = _band(rng, PLAN_LENGTH_BANDS)
            icpc = self.wd_after(day, 15)
            if icpc + timedelta(days=length) <= self.start:
                continue  # it ended before the demo's year: nothing of it shows
            household = self.new_household(_pick(rng, dict(AGE_WEIGHTS[1:14])), day, False)
            story = self._story(household.children[0], rng.randrange(self.staffing.teams),
                                earlier=True)
            source = _pick(rng, SOURCE_WEIGHTS)
            self._referral(story, day, source)
            decided = self._decision(story, day, "strategy_discussion", 0)
            self.add(decided, "allocate", story)
            self.add(decided, "assessment_start", story, kind="s47", seen=decided,
                     alone=rng.random() < 0.5)
            self.add(decided, "strategy_discussion", story, s47=True, criminal=False,
                     pick=rng.randrange(1 << 30))
            icpc, wd = self._icpc_day(decided)
            self.add(self.wd_after(decided, min(wd - 1, 5)), "s47_outcome", story,
                     substantiated=True, conference=True)
            self.add(icpc, "conference", story, kind="initial", plan=True,
                     category=_pick(rng, CATEGORY_WEIGHTS), pick=rng.randrange(1 << 30))
            self._complete(story, icpc, "child_protection_conference", day)
            self._plan(story, icpc, length)

    # -- a child on another area's plan moving in --

    def plan_moves_in(self, count: int) -> None:
        rng = self.rng
        for day in self.referral_days(count, self.start, self.today):
            household = self.new_household(_pick(rng, dict(AGE_WEIGHTS[1:14])), day, False)
            story = self._story(household.children[0], rng.randrange(self.staffing.teams))
            self._referral(story, day, "5C")
            category = _pick(rng, CATEGORY_WEIGHTS)
            self.add(day, "moved_in_notice", story, category=category,
                     plan_started=day - timedelta(days=rng.randint(60, 300)))
            decided = self._decision(story, day, "assessment", 0)
            self.add(decided, "allocate", story)
            self.add(decided, "assessment_start", story, kind="s17", seen=decided, alone=False)
            due = transfer_in_conference_due(day)
            held = (self.wd_before(due, rng.randint(0, 6)) if rng.random() < 0.85
                    else self.wd_after(due, rng.randint(1, 5)))
            self.add(held, "conference", story, kind="transfer_in", plan=True,
                     category=category, pick=rng.randrange(1 << 30))
            self._complete(story, held, "child_protection_conference", day)
            self._plan(story, held)

    # -- work due now, for the personas --

    def plan_due_now(self) -> None:
        """A few cases of the personas' team with work due this week or overdue today, so
        the personas' work lists show what a real caseload shows. Placed against the
        engine's due dates."""
        rng = self.rng
        today = self.today

        def story_for(worker: int, received: date, outcome: str) -> Story:
            household = self.new_household(_pick(rng, dict(AGE_WEIGHTS[3:15])), received, False)
            story = self._story(household.children[0], 0, worker)
            self._referral(story, received, _pick(rng, SOURCE_WEIGHTS))
            decided = self._decision(story, received, outcome, 0)
            self.add(decided, "allocate", story)
            return story

        def assessment(worker: int, working_days_ago: int) -> None:
            received = self.wd_before(today, working_days_ago)
            story = story_for(worker, received, "assessment")
            self.add(received, "assessment_start", story, kind="s17",
                     seen=self.wd_after(received, 3), alone=True)

        def enquiry(worker: int, working_days_ago: int) -> Story:
            held = self.wd_before(today, working_days_ago)
            story = story_for(worker, held, "strategy_discussion")
            self.add(held, "assessment_start", story, kind="s47", seen=held, alone=False)
            self.add(held, "strategy_discussion", story, s47=True, criminal=True,
                     pick=rng.randrange(1 << 30))
            self.add(self.wd_after(held, 3), "s47_outcome", story, substantiated=True,
                     conference=True)
            return story

        def on_plan(worker: int, icpc: date) -> None:
            story = enquiry(worker, self.cal.working_days_between(icpc, today) + 12)
            held = self.wd_before(icpc, 12)
            assert initial_conference_due(held) >= icpc
            self.add(icpc, "conference", story, kind="initial", plan=True, category="NEG",
                     pick=rng.randrange(1 << 30))
            self._complete(story, icpc, "child_protection_conference", held)
            if first_core_group_due(icpc) < today:
                self.add(self.wd_after(icpc, 6), "core_group", story)

        assessment(0, 49)  # overdue: 45 working days passed four days ago
        assessment(0, 43)  # due in two working days
        assessment(1, 46)  # overdue by one
        enquiry(0, 12)  # initial conference due in three working days
        enquiry(1, 17)  # initial conference overdue by two
        on_plan(0, self.wd_before(today, 8))  # first core group due in two working days
        on_plan(1, self.wd_before(add_months(today, -3) + timedelta(days=5), 0))  # review soon
        # At the front door: a referral received three working days ago still undecided.
        late = self.wd_before(today, 3)
        household = self.new_household(_pick(rng, dict(AGE_WEIGHTS)), late, False)
        self._referral(self._story(household.children[0], 0), late, "2A")


def child_unborn(story: Story) -> bool:
    return story.child.date_of_birth is None


def plan_area(*, la_code: str, town: str, scale: float, seed: int, today: date) -> AreaPlan:
    """Plan one area's demo data (deterministic for the same arguments)."""
    staffing = Staffing.for_scale(scale)
    planner = Planner(la_code=la_code, town=town, scale=scale, seed=seed, today=today,
                      staffing=staffing)
    planner.plan_moves_in(max(1, round(4 * scale)))
    planner.plan_due_now()
    area = planner.plan()
    area.steps = [s for s in area.steps if s.day <= today]
    area.counts["steps"] = len(area.steps)
    return area


__all__ = ["AreaPlan", "Staffing", "Step", "Story", "plan_area"]
