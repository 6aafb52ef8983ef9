"""Agencies, their teams, and the staff who work in them, with their roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AgencyKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police force"
    CCG = "ccg", "Clinical commissioning group"
    ICB = "icb", "Integrated care board"
    HEALTH_TRUST = "health_trust", "NHS trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    SCHOOL = "school", "School"
    EARLY_YEARS = "early_years", "Early years setting"
    PROBATION = "probation", "Probation service"
    OTHER = "other", "Other agency"


class Agency(models.Model):
    """An organisation that takes part in safeguarding.

    A local authority carries its DfE LA code; every other agency names the local authority
    area it serves. Health commissioners changed on 1 July 2022 (clinical commissioning
    groups until 30 June 2022, integrated care boards after): ``valid_from``/``valid_until``
    keep both in the record.
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    la_code = models.CharField("DfE LA code", max_length=3, blank=True)
    area = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="partners",
        limit_choices_to={"kind": AgencyKind.LOCAL_AUTHORITY},
        help_text="The local authority area the agency serves",
    )
    urn = models.CharField("school URN", max_length=10, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    safeguarding_email = models.EmailField(
        "safeguarding email address", blank=True,
        help_text="The agency's safeguarding team: told when a conference report is shared "
                  "with the agency and nobody invited from it has an email address",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["la_code"], condition=~models.Q(la_code=""), name="unique_la_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_local_authority(self) -> bool:
        return self.kind == AgencyKind.LOCAL_AUTHORITY

    @property
    def local_authority_id(self) -> int | None:
        return self.pk if self.is_local_authority else self.area_id


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unique_team_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.agency.name}"


class Role(models.TextChoices):
    FRONT_DOOR_WORKER = "front_door_worker", "Front door worker"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    DESIGNATED_OFFICER = "designated_officer", "Designated officer (LADO)"
    POLICE_OFFICER = "police_officer", "Police officer"
    HEALTH_PRACTITIONER = "health_practitioner", "Health practitioner"
    DESIGNATED_SAFEGUARDING_LEAD = "designated_safeguarding_lead", "Designated safeguarding lead"
    EARLY_HELP_PRACTITIONER = "early_help_practitioner", "Early help practitioner"
    PARTNERSHIP_OFFICER = "partnership_officer", "Safeguarding partnership officer"


#: Roles held in local authority children's social care.
SOCIAL_CARE_ROLES = frozenset({
    Role.FRONT_DOOR_WORKER, Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.CONFERENCE_CHAIR,
    Role.DESIGNATED_OFFICER,
})

#: Roles that must give a second factor (a code from an authenticator app) after their
#: password: they decide for whole teams or areas — manage social workers' cases, chair
#: child protection conferences, handle allegations against people who work with children,
#: see a whole partnership's cases — so a stolen password alone must not open them.
#: safeguard.web.signin enforces it, for pages and the API alike.
TWO_FACTOR_ROLES = frozenset({
    Role.TEAM_MANAGER, Role.CONFERENCE_CHAIR, Role.DESIGNATED_OFFICER,
    Role.PARTNERSHIP_OFFICER,
})


class Staff(models.Model):
    """A person who works for an agency, in a role, perhaps in a team, with a manager."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    job_title = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.agency.name})"

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @staticmethod
    def name_of(first_name: str, last_name: str, username: str) -> str:
        """:attr:`name` from the parts of the user's record (as Django's ``User`` gives its
        full name), for a list read as rows rather than records."""
        return f"{first_name} {last_name}".strip() or username

    @property
    def local_authority_id(self) -> int | None:
        return self.agency.local_authority_id

    @property
    def in_social_care(self) -> bool:
        return self.agency.is_local_authority and self.role in SOCIAL_CARE_ROLES


def staff_record(user: Any) -> Staff:
    """``user.staff``, read the first time with its agency and team (which nearly every page
    asks for next: ``in_social_care``, the team's name), in one query instead of three.
    :class:`Staff.DoesNotExist` if the user has none, as ``user.staff`` raises."""
    descriptor = user.__class__.staff  # (request.user is a lazy object: its __class__ is the model)
    if not descriptor.is_cached(user):
        found = Staff.objects.select_related("agency", "team").filter(user_id=user.pk).first()
        descriptor.related.set_cached_value(user, found)
        if found is not None:  # and its user is this one (the object itself, not a proxy)
            descriptor.related.field.set_cached_value(found, getattr(user, "_wrapped", user))
    return user.staff  # type: ignore[no-any-return]
