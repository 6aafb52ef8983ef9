"""Early help: inter-agency assessment with consent, a lead practitioner, a plan and reviews;
step-up to children's social care and step-down from it (WT2018 1.1-1.16)."""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Agency, Staff
from safeguard.cases.models import Case
from safeguard.core.models import Record
from safeguard.people.models import Person
from safeguard.referrals.models import Referral


class ConsentFrom(models.TextChoices):
    CHILD_AND_PARENTS = "child_and_parents", "The child and their parents or carers"
    PARENTS = "parents", "The parents or carers"
    CHILD = "child", "The child"


class ClosureReason(models.TextChoices):
    OUTCOMES_MET = "outcomes_met", "The plan's outcomes were met"
    STEPPED_UP = "stepped_up", "Referred to children's social care"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent was withdrawn"
    MOVED = "moved", "The family moved away"
    OTHER = "other", "Another reason"


class EarlyHelpAssessment(Record):
    """An inter-agency early help assessment, undertaken with the agreement of the child and
    their parents or carers (WT2018 1.7-1.9), led by a lead practitioner (1.8)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="early_help")
    local_authority = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The local authority area the child lives in")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                               help_text="The lead practitioner's agency")
    lead_practitioner = models.ForeignKey(Staff, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    contributing_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="+",
        help_text="The other agencies working with the child and family")
    started_on = models.DateField()
    consent_given = models.BooleanField()
    consent_from = models.CharField(max_length=20, choices=ConsentFrom.choices, blank=True)
    consent_given_by = models.CharField(max_length=200, blank=True)
    consent_recorded_on = models.DateField(null=True, blank=True)
    needs = models.TextField()
    wishes_and_feelings = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    stepped_down_from = models.ForeignKey(Case, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    stepped_up_to = models.ForeignKey(Referral, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class EarlyHelpPlan(Record):
    assessment = models.OneToOneField(EarlyHelpAssessment, on_delete=models.CASCADE,
                                      related_name="plan")
    started_on = models.DateField()
    outcomes = models.TextField(help_text="The outcomes for the child, and how they will be "
                                          "measured")
    services = models.TextField(blank=True, help_text="The help to be given, and by whom")
    next_review_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)


class EarlyHelpReview(Record):
    plan = models.ForeignKey(EarlyHelpPlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
