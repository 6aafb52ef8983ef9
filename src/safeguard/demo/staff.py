"""The people who do an area's work in the demo: the personas of :mod:`safeguard.demo.areas`
and, around them, generated colleagues — front door workers, social work teams with their
managers, conference chairs, police officers, health practitioners, a designated
safeguarding lead in every school, early help practitioners — so the work is spread as in a
real local authority. All names are synthetic (Faker, en_GB); everyone signs in with the
demo password, and those whose role must give a second factor with the demo key.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from faker import Faker

from safeguard.agencies.models import Agency, AgencyKind, Role, Staff, Team
from safeguard.demo.areas import Area, _demo_password_hash, give_demo_device
from safeguard.demo.plan import Staffing

#: Names of the generated social work teams (then numbered, at large scales).
LOCALITIES = ("Central", "East", "West", "Riverside", "Valley", "Coast", "Market Towns",
              "North", "South", "Moorland", "Harbour", "Forest")
SCHOOL_KINDS = ("Primary School", "Junior School", "Infant School", "Academy",
                "Church of England Primary School", "Roman Catholic Primary School",
                "High School", "College", "Community School")


@dataclass
class SocialWorkTeam:
    team: Team
    manager: Staff
    workers: list[Staff]


@dataclass
class AreaStaff:
    """Everyone who acts in an area's demo, by what they do."""

    area: Area
    front_door: list[Staff] = field(default_factory=list)
    front_door_manager: Staff | None = None
    teams: list[SocialWorkTeam] = field(default_factory=list)
    chairs: list[Staff] = field(default_factory=list)
    police: list[Staff] = field(default_factory=list)
    trust: list[Staff] = field(default_factory=list)
    gp: list[Staff] = field(default_factory=list)
    dsl: list[Staff] = field(default_factory=list)  # one per school, in school order
    schools: list[Agency] = field(default_factory=list)
    gps: list[Agency] = field(default_factory=list)
    early_help: list[Staff] = field(default_factory=list)

    def count(self) -> int:
        people = {s.pk for s in (*self.front_door, *self.chairs, *self.police, *self.trust,
                                 *self.gp, *self.dsl, *self.early_help)}
        for team in self.teams:
            people.update({team.manager.pk, *(w.pk for w in team.workers)})
        if self.front_door_manager is not None:
            people.add(self.front_door_manager.pk)
        return len(people)


class _Hiring:
    def __init__(self, area: Area, prefix: str, seed: int) -> None:
        self.area = area
        self.prefix = prefix
        rng = random.Random(f"safeguard-demo-staff:{seed}:{area.la.la_code}")  # noqa: S311
        self.fake = Faker("en_GB")
        self.fake.seed_instance(rng.randrange(2**31))

    def staff(self, key: str, role: str, agency: Agency, *, team: Team | None = None,
              manager: Staff | None = None, job_title: str = "") -> Staff:
        """The generated member of staff ``<prefix>-<key>``, made the first time."""
        users = get_user_model()
        username = f"{self.prefix}-{key}"
        # Names are drawn whether or not the person exists, so the sequence stays the same.
        given = self.fake.first_name()
        family = self.fake.last_name()
        user, created = users.objects.get_or_create(
            username=username,
            defaults={"first_name": given, "last_name": family,
                      "email": f"{username}@example.org"},
        )
        if created:
            user.password = _demo_password_hash()
            user.save(update_fields=["password"])
        staff, _ = Staff.objects.get_or_create(
            user=user,
            defaults={"agency": agency, "role": role, "team": team, "manager": manager,
                      "job_title": job_title, "email": f"{username}@example.org"},
        )
        staff.user = user
        give_demo_device(staff)
        return staff


def _agency(name: str, kind: str, area: Agency, **extra: object) -> Agency:
    agency, _ = Agency.objects.get_or_create(name=name, kind=kind, area=area, defaults=extra)
    return agency


def build_staff(area: Area, staffing: Staffing, *, prefix: str, seed: int,
                town: str) -> AreaStaff:
    """The area's generated staff (and extra schools and GP practices), made once: a second
    call finds them. Usernames are ``<prefix>-<what>-<n>`` (``north-sw-1-3``)."""
    hire = _Hiring(area, prefix, seed)
    la = area.la
    staff = AreaStaff(area)

    # Schools and GP practices beyond the four schools and one surgery of build_area.
    staff.schools = list(area.schools)
    for i in range(len(area.schools), staffing.schools):
        kind = SCHOOL_KINDS[i % len(SCHOOL_KINDS)]
        street = hire.fake.street_name()
        staff.schools.append(_agency(f"{street} {kind}, {town}", AgencyKind.SCHOOL, la,
                                     urn=f"{la.la_code}{i + 1:03d}"))
    staff.gps = [area.gp] + [
        _agency(f"{hire.fake.last_name()} Medical Practice, {town}", AgencyKind.GP_PRACTICE, la)
        for _ in range(1, staffing.gps)
    ]

    # The front door: its workers and their manager.
    front_door_team = area.teams["front_door"]
    manager = hire.staff("fd-manager", Role.TEAM_MANAGER, la, team=front_door_team,
                         job_title="Front door team manager")
    staff.front_door_manager = manager
    staff.front_door = [area["front_door"]] + [
        hire.staff(f"fd-{n}", Role.FRONT_DOOR_WORKER, la, team=front_door_team, manager=manager,
                   job_title="Social worker, front door")
        for n in range(1, staffing.front_door + 1)
    ]

    # Social work teams: the personas' team first, then teams by locality.
    for t in range(staffing.teams):
        if t == 0:
            team = area.teams["assessment"]
            boss = area["manager"]
            workers = [area["social_worker"], area["social_worker_2"]]
        else:
            place = LOCALITIES[(t - 1) % len(LOCALITIES)]
            round_ = (t - 1) // len(LOCALITIES)
            name = f"Assessment and child protection ({place}{f' {round_ + 1}' if round_ else ''})"
            team = Team.objects.get_or_create(agency=la, name=name)[0]
            boss = hire.staff(f"tm-{t + 1}", Role.TEAM_MANAGER, la, team=team,
                              job_title="Team manager")
            workers = []
        workers += [
            hire.staff(f"sw-{t + 1}-{n}", Role.SOCIAL_WORKER, la, team=team, manager=boss,
                       job_title="Social worker")
            for n in range(1, staffing.social_workers_per_team + 1)
        ]
        staff.teams.append(SocialWorkTeam(team, boss, workers))

    unit = area.teams["safeguarding_unit"]
    staff.chairs = [area["chair"]] + [
        hire.staff(f"chair-{n}", Role.CONFERENCE_CHAIR, la, team=unit,
                   job_title="Independent conference chair")
        for n in range(1, staffing.chairs + 1)
    ]
    staff.police = [area["police"]] + [
        hire.staff(f"police-{n}", Role.POLICE_OFFICER, area.police,
                   job_title="Detective constable, public protection unit")
        for n in range(1, staffing.police + 1)
    ]
    staff.trust = [area["health"]] + [
        hire.staff(f"health-{n}", Role.HEALTH_PRACTITIONER, area.trust,
                   job_title=("Health visitor", "Named nurse for safeguarding",
                              "Paediatrician", "School nurse")[n % 4])
        for n in range(1, staffing.health + 1)
    ]
    staff.gp = [
        hire.staff(f"gp-{n}", Role.HEALTH_PRACTITIONER, practice, job_title="GP")
        for n, practice in enumerate(staff.gps, start=1)
    ]
    staff.dsl = [area["school_dsl"]] + [
        hire.staff(f"dsl-{n}", Role.DESIGNATED_SAFEGUARDING_LEAD, school,
                   job_title="Designated safeguarding lead")
        for n, school in enumerate(staff.schools[1:], start=2)
    ]
    staff.early_help = [area["early_help"]] + [
        hire.staff(f"eh-{n}", Role.EARLY_HELP_PRACTITIONER, area.early_years,
                   job_title="Family support worker")
        for n in range(1, staffing.early_help + 1)
    ]
    return staff
