"""A child's case in a local authority: who is involved, and what the law now asks.

The case's records (referrals, assessments, strategy discussions, conferences, plans …)
live in their own apps and point here. After every change a service rebuilds the case's
timeline and asks the statutory engine for its obligations, which are stored here for fast
queries (``Obligation``); nothing else computes a deadline.
"""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Agency, Staff, Team
from safeguard.core.models import Record
from safeguard.people.models import Person


class ClosureReason(models.TextChoices):
    RC1 = "RC1", "Adopted"
    RC2 = "RC2", "Died"
    RC3 = "RC3", "Child arrangements order"
    RC4 = "RC4", "Special guardianship order"
    RC5 = "RC5", "Transferred to another local authority"
    RC6 = "RC6", "Transferred to adult social care"
    RC7 = "RC7", "Services ceased for any other reason, including no longer in need"
    RC8 = "RC8", "Closed after assessment, no further action"
    RC9 = "RC9", "Closed after assessment, referred to early help"


class Case(Record):
    """One child's case in the responsible local authority's children's social care."""

    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    local_authority = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="cases")
    allocated_worker = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocated_cases"
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ClosureReason.choices, blank=True)
    restricted = models.BooleanField(
        default=False, help_text="Visible only to the people named on the case"
    )
    edition = models.CharField(
        max_length=4, blank=True,
        help_text="Leave blank to apply the edition of Working Together in force on each date",
    )
    obligations_computed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "reference"]
        indexes = [models.Index(fields=["local_authority", "closed_on"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class InvolvementKind(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    ALLOCATED_WORKER = "allocated_worker", "Allocated worker"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    CONFERENCE_INVITEE = "conference_invitee", "Invited to a conference"
    CONFERENCE_CHAIR = "conference_chair", "Conference chair"
    CORE_GROUP_MEMBER = "core_group_member", "Core group member"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner"
    OTHER = "other", "Other involvement"


class Involvement(models.Model):
    """An agency (and perhaps a named member of its staff) involved in a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="involvements")
    kind = models.CharField(max_length=30, choices=InvolvementKind.choices)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "until"]),
            models.Index(fields=["staff", "until"]),
        ]


class Obligation(models.Model):
    """A duty the case's timeline gave rise to, as the statutory engine computed it.

    ``status`` and ``working_days_late`` are as on ``Case.obligations_computed_on``; pages
    recompute a case whose obligations were computed on an earlier day before showing them.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="obligations")
    duty = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    arose = models.DateField()
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10)
    met_on = models.DateField(null=True, blank=True)
    working_days_late = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=200)
    provisional = models.BooleanField(default=False)
    position = models.PositiveIntegerField()
    open = models.BooleanField()

    class Meta:
        ordering = ["case", "position"]
        # The work pages read the open duties due by a day, and their cases. Both indexes
        # hold only the open duties (a tenth of them all): SQLite goes from those due by the
        # day to their cases (by due), PostgreSQL from a team's or worker's open cases to
        # each one's duties (by case, ADR-011).
        indexes = [
            models.Index(fields=["due", "case"], condition=models.Q(open=True),
                         name="cases_oblig_open_by_due"),
            models.Index(fields=["case", "due"], condition=models.Q(open=True),
                         name="cases_oblig_open_by_case"),
        ]

    def as_contract(self) -> dict[str, object]:
        """The obligation in the timeline contract's output form."""
        return {
            "duty": self.duty,
            "arose": self.arose.isoformat(),
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "working_days_late": self.working_days_late,
            "source": self.source,
        }


class BreakGlass(models.Model):
    """A person opened a case outside their rights, saying why (break-glass).

    It lets them see the case, read-only, until ``until``; the reason is kept here and in the
    audit trail, and the case's managers are alerted (``CaseAlert``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="break_glass")
    reason = models.TextField()
    opened_at = models.DateTimeField()
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case", "staff", "until"])]


class CaseAlert(models.Model):
    """Something a case's manager must know about the case: for now, a break-glass access."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    recipient = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="case_alerts")
    break_glass = models.ForeignKey(BreakGlass, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "seen_at"])]
