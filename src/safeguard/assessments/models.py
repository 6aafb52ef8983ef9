"""Assessments under the Children Act 1989 and child in need plans (WT2018 1.38-1.77)."""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Agency, Staff
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


#: The census code that may only be used alone.
NO_FACTORS = "21"
FACTOR_LABELS = dict(ASSESSMENT_FACTORS)


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
    authorised_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None

    def factor_labels(self) -> list[str]:
        return [f"{FACTOR_LABELS.get(code, code)} ({code})" for code in self.factors]


class CinPlanEndReason(models.TextChoices):
    NEEDS_MET = "needs_met", "The child's needs have been met"
    CHILD_PROTECTION = "child_protection", "The child became the subject of a child protection plan"
    LOOKED_AFTER = "looked_after", "The child became looked after"
    EARLY_HELP = "early_help", "Stepped down to early help"
    MOVED = "moved", "The child moved to another local authority"
    OTHER = "other", "Another reason"


class ChildInNeedPlan(Record):
    """A plan of action after an assessment (WT2018 1.64-1.67): services and actions, by whom
    and for what purpose, with measurable outcomes for the child (``outcome_rows``) and
    review points agreed with the family and the other practitioners."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="cin_plans")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL)
    started_on = models.DateField()
    outcomes = models.TextField(
        help_text="The plan in summary: services and actions, by whom and for what purpose"
    )
    agencies = models.ManyToManyField(Agency, blank=True, related_name="+",
                                      help_text="The agencies taking part in the plan")
    next_review_on = models.DateField(null=True, blank=True,
                                      help_text="The review point agreed (WT2018 1.66)")
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=CinPlanEndReason.choices, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class ChildInNeedPlanOutcome(models.Model):
    """One measurable outcome for the child (WT2018 1.65)."""

    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.CASCADE,
                             related_name="outcome_rows")
    outcome = models.TextField(help_text="What will be better for the child")
    measure = models.TextField(help_text="How everyone will know it has been achieved")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text="The agency leading on it")
    target_on = models.DateField(null=True, blank=True)
    added_on = models.DateField()

    class Meta:
        ordering = ["id"]


class ChildInNeedPlanReview(Record):
    plan = models.ForeignKey(ChildInNeedPlan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.TextField()
    sufficient_progress = models.BooleanField(
        null=True, blank=True,
        help_text="Is the progress sufficient and sustained for the child? (WT2018 1.66)")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="+",
                                      help_text="The agencies that took part in the review")
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
