"""Assessments under the Children Act 1989 and child in need plans (WT2018 1.38-1.77)."""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Staff
from safeguard.cases.models import Case
from safeguard.core.models import Record
from safeguard.referrals.models import Referral

ASSESSMENT_FACTORS = [
    ("1A", "Alcohol misuse: child"), ("1B", "Alcohol misuse: parent or carer"),
    ("1C", "Alcohol misuse: another person in the household"),
    ("2A", "Drug misuse: child"), ("2B", "Drug misuse: parent or carer"),
    ("2C", "Drug misuse: another person in the household"),
    ("3A", "Domestic violence: child"), ("3B", "Domestic violence: parent or carer"),
    ("3C", "Domestic violence: another person in the household"),
    ("4A", "Mental health: child"), ("4B", "Mental health: parent or carer"),
    ("4C", "Mental health: another person in the household"),
    ("5A", "Learning disability: child"), ("5B", "Learning disability: parent or carer"),
    ("5C", "Learning disability: another person in the household"),
    ("6A", "Physical disability or illness: child"),
    ("6B", "Physical disability or illness: parent or carer"),
    ("6C", "Physical disability or illness: another person in the household"),
    ("7A", "Young carer"), ("8B", "Privately fostered: overseas, intends to return"),
    ("8C", "Privately fostered: overseas, intends to stay"),
    ("8D", "Privately fostered: UK, educational placement"),
    ("8E", "Privately fostered: UK, alternative family arrangement"),
    ("8F", "Privately fostered: other"), ("9A", "Unaccompanied asylum-seeking child"),
    ("10A", "Going or being missing"), ("11A", "Child sexual exploitation"),
    ("12A", "Trafficking"), ("13A", "Gangs"), ("14A", "Socially unacceptable behaviour"),
    ("15A", "Self-harm"), ("16A", "Neglect"), ("17A", "Emotional abuse"),
    ("18B", "Physical abuse by a child"), ("18C", "Physical abuse by an adult"),
    ("19B", "Sexual abuse by a child"), ("19C", "Sexual abuse by an adult"), ("20", "Other"),
    ("21", "No factors identified"), ("22A", "Female genital mutilation"),
    ("23A", "Abuse linked to faith or belief"), ("24A", "Child criminal exploitation"),
]


class AssessmentKind(models.TextChoices):
    S17 = "s17", "Child in need (section 17)"
    S47 = "s47", "Section 47 enquiry"


class AssessmentOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED_PLAN = "child_in_need_plan", "Child in need plan"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    CHILD_PROTECTION_CONFERENCE = "child_protection_conference", "Child protection conference"
    LOOKED_AFTER = "looked_after", "Child to become looked after"


class Assessment(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assessments")
    kind = models.CharField(max_length=3, choices=AssessmentKind.choices)
    started_on = models.DateField()
    social_worker = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    child_seen_on = models.DateField(null=True, blank=True)
    child_seen_alone = models.BooleanField(null=True, blank=True)
    wishes_and_feelings = models.TextField(blank=True)
    developmental_needs = models.TextField(blank=True)
    parenting_capacity = models.TextField(blank=True)
    family_and_environment = models.TextField(blank=True)
    factors = models.JSONField(default=list, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=AssessmentOutcome.choices, blank=True)
    reason_late = models.TextField(
        blank=True, help_text="Why the assessment took longer than 45 working days (WT2018 1.75)"
    )
    authorised_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        ordering = ["-started_on"]


class ChildInNeedPlan(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="cin_plans")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL)
    started_on = models.DateField()
    outcomes = models.TextField()
    ended_on = models.DateField(null=True, blank=True)


class ChildInNeedPlanReview(Record):
    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.TextField()
