"""Contacts and referrals at the front door (WT2018 1.17-1.22, 1.70-1.74)."""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Agency, Staff
from safeguard.cases.models import Case
from safeguard.core.models import Record

REFERRAL_SOURCES = [
    ("1A", "Family member, relative or carer"), ("1B", "Acquaintance"), ("1C", "Self"),
    ("1D", "Other individual"), ("2A", "School"), ("2B", "Education services"), ("3A", "GP"),
    ("3B", "Health visitor"), ("3C", "School nurse"), ("3D", "Other primary health services"),
    ("3E", "A&E"), ("3F", "Other health services"), ("4", "Housing"),
    ("5A", "Local authority social care"), ("5B", "Other internal local authority service"),
    ("5C", "Another local authority's services"), ("5D", "Early help"), ("6", "Police"),
    ("7", "Other legal agency"), ("8", "Other"), ("9", "Anonymous"), ("10", "Unknown"),
]


class Outcome(models.TextChoices):
    """Decisions on next steps, in the timeline contract's words (WT2018 1.71)."""

    NO_FURTHER_ACTION = "no_further_action", "No further action"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Assessment under section 17"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion (section 47)"
    IMMEDIATE_PROTECTION = "immediate_protection", "Immediate protection"


class Referral(Record):
    """A referral accepted into the local authority's children's social care."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    received_on = models.DateField(db_index=True)
    source = models.CharField("referral source", max_length=3, choices=REFERRAL_SOURCES)
    referrer_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True)
    concerns = models.TextField()
    received_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="referrals_received")
    #: No decision on next steps yet: kept by ``referral_decide`` (a decision is never
    #: removed), so that the front door queue reads only the referrals waiting, through the
    #: partial index below, instead of every referral of the area.
    awaiting_decision = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["received_on", "id"], condition=models.Q(awaiting_decision=True),
                         name="referral_awaiting_decision"),
        ]


class ReferralDecision(Record):
    """The decision on next steps: recorded by a social worker, authorised by a manager,
    with feedback to the referrer (WT2018 1.22) and the family told or the reason not
    (WT2018 1.73)."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="decision")
    decided_on = models.DateField()
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    reasons = models.TextField()
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    authorised_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    authorised_on = models.DateField(null=True, blank=True)
    feedback_to_referrer = models.TextField(blank=True)
    feedback_given_on = models.DateField(null=True, blank=True)
    family_informed = models.BooleanField(default=True)
    family_not_informed_reason = models.TextField(blank=True)
