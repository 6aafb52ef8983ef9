"""Early help: inter-agency assessment with consent, a lead practitioner, a plan and reviews;
step-up to children's social care and step-down from it (WT2018 1.1-1.16)."""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Agency, Staff
from safeguard.cases.models import Case
from safeguard.core.models import Record
from safeguard.people.models import Person
from safeguard.referrals.models import Referral


class EarlyHelpAssessment(Record):
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="early_help")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    lead_practitioner = models.ForeignKey(Staff, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    started_on = models.DateField()
    consent_given = models.BooleanField()
    consent_given_by = models.CharField(max_length=200, blank=True)
    consent_recorded_on = models.DateField(null=True, blank=True)
    needs = models.TextField()
    completed_on = models.DateField(null=True, blank=True)
    stepped_down_from = models.ForeignKey(Case, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    stepped_up_to = models.ForeignKey(Referral, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    closed_on = models.DateField(null=True, blank=True)


class EarlyHelpPlan(Record):
    assessment = models.OneToOneField(EarlyHelpAssessment, on_delete=models.CASCADE,
                                      related_name="plan")
    started_on = models.DateField()
    outcomes = models.TextField()
    ended_on = models.DateField(null=True, blank=True)


class EarlyHelpReview(Record):
    plan = models.ForeignKey(EarlyHelpPlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.TextField()
