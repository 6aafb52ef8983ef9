"""Protecting children from significant harm: immediate protection, strategy discussions,
section 47 enquiries, child protection conferences and plans, core groups, moves between
areas and children returning home from care (WT2018 chapter 1, flow charts 2-5)."""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Agency, Staff
from safeguard.cases.models import Case
from safeguard.core.models import Record


class ImmediateProtectionKind(models.TextChoices):
    EPO = "epo", "Emergency protection order"
    POLICE_PROTECTION = "police_protection", "Police protection (section 46)"
    OTHER = "other", "Other immediate action"


class ImmediateProtection(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="immediate_protection")
    kind = models.CharField(max_length=30, choices=ImmediateProtectionKind.choices)
    taken_on = models.DateField()
    acting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    acted_by = models.CharField(max_length=200, blank=True)
    details = models.TextField()


class StrategyDiscussion(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="strategy_discussions")
    held_on = models.DateField()
    s47_initiated = models.BooleanField("section 47 enquiries initiated")
    criminal_investigation = models.BooleanField()
    decisions = models.TextField()
    convened_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    immediate_protection = models.ForeignKey(
        ImmediateProtection, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="strategy_discussions",
        help_text="The immediate protective action this discussion followed, if any",
    )

    class Meta:
        ordering = ["held_on", "id"]


class StrategyAttendee(models.Model):
    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE,
                                   related_name="attendees")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)


class StrategyAction(models.Model):
    discussion = models.ForeignKey(StrategyDiscussion, on_delete=models.CASCADE,
                                   related_name="actions")
    action = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)


class Section47Enquiry(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="s47_enquiries")
    strategy_discussion = models.OneToOneField(StrategyDiscussion, on_delete=models.PROTECT,
                                               related_name="enquiry")
    started_on = models.DateField()
    outcome_on = models.DateField(null=True, blank=True)
    substantiated = models.BooleanField(null=True, blank=True)
    conference_decision = models.BooleanField(
        null=True, blank=True,
        help_text="The local authority decided to convene an initial child protection conference",
    )
    outcome_notes = models.TextField(blank=True)
    outcome_recorded_by = models.ForeignKey(Staff, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    conference_requested_on = models.DateField(null=True, blank=True)
    conference_requested_by_staff = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    conference_requested_by = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Another agency asking for a conference the local authority decided against",
    )
    conference_request_reason = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "section 47 enquiries"


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    REVIEW = "review", "Child protection review conference"
    TRANSFER_IN = "transfer_in", "Transfer-in conference"


class AbuseCategory(models.TextChoices):
    NEGLECT = "NEG", "Neglect"
    PHYSICAL = "PHY", "Physical abuse"
    EMOTIONAL = "EMO", "Emotional abuse"
    SEXUAL = "SAB", "Sexual abuse"
    MULTIPLE = "MUL", "Multiple"


class Conference(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="conferences")
    kind = models.CharField(max_length=20, choices=ConferenceKind.choices)
    held_on = models.DateField()
    chair = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    enquiry = models.ForeignKey(Section47Enquiry, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="conferences")
    plan_decision = models.BooleanField(
        help_text="Initial or transfer-in: the child is to be the subject of a plan. "
        "Review: the plan continues."
    )
    category = models.CharField(max_length=3, choices=AbuseCategory.choices, blank=True)
    lead_social_worker = models.ForeignKey(Staff, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(blank=True)
    plan = models.ForeignKey(
        "ChildProtectionPlan", null=True, blank=True, on_delete=models.PROTECT,
        related_name="reviews", help_text="Review: the plan under review",
    )
    moved_in_notice = models.ForeignKey(
        "MovedInNotice", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="conferences", help_text="Transfer-in: the notice of the move",
    )

    class Meta:
        ordering = ["held_on", "id"]


class ConferenceInvitee(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="invitees")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    attended = models.BooleanField(default=False)
    report_submitted = models.BooleanField(default=False)


class PlanEndReason(models.TextChoices):
    NO_LONGER_AT_RISK = "no_longer_at_risk", "No longer at risk of significant harm"
    MOVED = "moved", "Moved to another local authority"
    EIGHTEEN = "eighteen", "Reached 18"
    DIED = "died", "Died"
    LEFT_UK = "left_uk", "Left the UK"


class ChildProtectionPlan(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    started_by = models.OneToOneField(Conference, on_delete=models.PROTECT,
                                      related_name="plan_started")
    started_on = models.DateField()
    category = models.CharField(max_length=3, choices=AbuseCategory.choices)
    lead_social_worker = models.ForeignKey(Staff, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    outcomes = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=PlanEndReason.choices, blank=True)
    ended_by = models.OneToOneField(Conference, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="plan_ended")
    receiving_conference_on = models.DateField(
        null=True, blank=True,
        help_text="Moved: the receiving authority's conference, before which the plan may not end",
    )

    class Meta:
        ordering = ["-started_on"]

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class PlanAction(models.Model):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="actions")
    action = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]


class CoreGroupMember(models.Model):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE,
                             related_name="core_group")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)


class CoreGroupMeeting(Record):
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.PROTECT,
                             related_name="core_group_meetings")
    held_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["held_on", "id"]


class PlanEndNotification(models.Model):
    """WT2018, Discontinuing the Child Protection Plan: every agency invited to the ICPC
    that led to the plan is told it ended."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE,
                             related_name="end_notifications")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    notified_on = models.DateField()

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agency"], name="one_end_notice_per_agency")
        ]


class MovedInNotice(Record):
    """Notice that a child on another local authority's plan has moved into this area."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="moved_in_notices")
    notified_on = models.DateField()
    from_local_authority = models.CharField(max_length=200)
    moved_on = models.DateField(null=True, blank=True)
    plan_started_on = models.DateField(
        null=True, blank=True, help_text="When the other local authority's plan started")
    category = models.CharField(max_length=3, choices=AbuseCategory.choices, blank=True)
    notes = models.TextField(blank=True)


class ReturnHome(Record):
    """A child returning home from care, planned or not, with its assessment and plan."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="returns_home")
    returned_on = models.DateField()
    planned = models.BooleanField()
    immediate_concerns = models.BooleanField(
        null=True, blank=True,
        help_text="Unplanned: are there immediate concerns about the child's safety?",
    )
    assessment = models.TextField()
    support_plan = models.TextField()
