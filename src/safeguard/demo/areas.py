"""Demo areas: a local authority with its partner agencies, teams and named personas.

Used by ``safeguard demo`` and by the tests (``build_area``), so the people a tester signs in
as are the ones the README lists. All names are synthetic.
"""

from __future__ import annotations

from base64 import b32decode
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from safeguard.agencies.models import TWO_FACTOR_ROLES, Agency, AgencyKind, Role, Staff, Team

DEMO_PASSWORD = "safeguard-demo-2026"  # noqa: S105 - the published password of demo personas
#: The published two-factor key of every demo account whose role must give a code
#: (TWO_FACTOR_ROLES): add it to an authenticator app (``safeguard demo`` prints it) to sign
#: in as a demo team manager, conference chair, LADO or partnership officer. Base32, 20 bytes.
DEMO_TOTP_SECRET = "SAFEGUARDDEMOTOTPSECRETFORTRYING"  # noqa: S105 - published, demo only


@dataclass
class Area:
    """A demo area: its agencies and one persona per role (more where a role needs two)."""

    la: Agency
    police: Agency
    icb: Agency
    ccg: Agency
    trust: Agency
    gp: Agency
    schools: list[Agency]
    early_years: Agency
    teams: dict[str, Team]
    people: dict[str, Staff] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Staff:
        return self.people[key]


#: (key, given name, family name, role, agency attribute, team key, manager key)
PERSONAS = [
    ("manager", "Priya", "Shah", Role.TEAM_MANAGER, "la", "assessment", None),
    ("front_door", "Tom", "Hughes", Role.FRONT_DOOR_WORKER, "la", "front_door", "manager"),
    ("social_worker", "Amara", "Okafor", Role.SOCIAL_WORKER, "la", "assessment", "manager"),
    ("social_worker_2", "Ben", "Walsh", Role.SOCIAL_WORKER, "la", "assessment", "manager"),
    ("chair", "Helen", "Morris", Role.CONFERENCE_CHAIR, "la", "safeguarding_unit", None),
    ("lado", "David", "Clarke", Role.DESIGNATED_OFFICER, "la", "safeguarding_unit", None),
    ("police", "Sarah", "Bennett", Role.POLICE_OFFICER, "police", None, None),
    ("health", "Grace", "Adeyemi", Role.HEALTH_PRACTITIONER, "trust", None, None),
    ("school_dsl", "Mark", "Evans", Role.DESIGNATED_SAFEGUARDING_LEAD, "school", None, None),
    ("early_help", "Lucy", "Parker", Role.EARLY_HELP_PRACTITIONER, "early_years", None, None),
    ("partnership", "Imran", "Hussain", Role.PARTNERSHIP_OFFICER, "la", "safeguarding_unit",
     None),
]


@cache
def _demo_password_hash() -> str:
    """The demo password hashed once (a strong hash is slow by design)."""
    return make_password(DEMO_PASSWORD)


def give_demo_device(staff: Staff) -> None:
    """A confirmed authenticator-app device with :data:`DEMO_TOTP_SECRET`, for a demo
    account whose role must give a second factor (made once; a second call finds it)."""
    if staff.role not in TWO_FACTOR_ROLES:
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(
        user=staff.user, name="Demo authenticator app",
        defaults={"key": b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
    )


@transaction.atomic
def build_area(name: str, la_code: str, username_prefix: str) -> Area:
    """Create (or reuse) a local authority area with partner agencies, teams and personas.

    Usernames are ``<prefix>-<key>`` (e.g. ``north-social_worker``)."""
    la, _ = Agency.objects.get_or_create(
        la_code=la_code, defaults={"name": f"{name} Council", "kind": AgencyKind.LOCAL_AUTHORITY}
    )

    def partner(kind: str, agency_name: str, **extra: object) -> Agency:
        agency, _ = Agency.objects.get_or_create(
            name=agency_name, kind=kind, area=la, defaults=extra
        )
        return agency

    police = partner(AgencyKind.POLICE, f"{name} Police")
    ccg = partner(AgencyKind.CCG, f"NHS {name} CCG", valid_until=date(2022, 6, 30))
    icb = partner(AgencyKind.ICB, f"NHS {name} Integrated Care Board", valid_from=date(2022, 7, 1))
    trust = partner(AgencyKind.HEALTH_TRUST, f"{name} Hospitals NHS Foundation Trust")
    gp = partner(AgencyKind.GP_PRACTICE, f"{name} Road Surgery")
    schools = [
        partner(AgencyKind.SCHOOL, f"{name} {kind}", urn=f"{la_code}{i:03d}")
        for i, kind in enumerate(("Primary School", "Academy", "High School", "Church of "
                                  "England Primary School"), start=1)
    ]
    early_years = partner(AgencyKind.EARLY_YEARS, f"{name} Family Hub")
    teams = {
        key: Team.objects.get_or_create(agency=la, name=label)[0]
        for key, label in (("front_door", "Front door (MASH)"),
                           ("assessment", "Assessment and child protection"),
                           ("safeguarding_unit", "Safeguarding and quality assurance"))
    }
    area = Area(la, police, icb, ccg, trust, gp, schools, early_years, teams)
    users = get_user_model()
    for key, given, family, role, agency_attr, team_key, manager_key in PERSONAS:
        agency = schools[0] if agency_attr == "school" else getattr(area, agency_attr)
        username = f"{username_prefix}-{key}"
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
            defaults={"agency": agency, "role": role,
                      "team": teams[team_key] if team_key else None,
                      "manager": area.people.get(manager_key) if manager_key else None,
                      "email": f"{username}@example.org"},
        )
        give_demo_device(staff)
        area.people[key] = staff
    return area
