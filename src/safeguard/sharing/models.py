"""Decisions to share information, or not to (WT2018 1.23-1.27).

Every decision to share or withhold is recorded: who decided (role, agency), what was
shared, with whom, for what purpose, whether consent was sought and given, and — where
information is shared without consent — the lawful basis: a UK GDPR Article 6 basis and, for
special category data, the Data Protection Act 2018 Schedule 1 paragraph 18 condition
(safeguarding of children and of individuals at risk) with which of its reasons applies;
and whether the person was told, and if not, why.
"""

from __future__ import annotations

from django.db import models

from safeguard.agencies.models import Agency, Staff
from safeguard.cases.models import Case
from safeguard.core.models import Record
from safeguard.protection.models import Conference


class Decision(models.TextChoices):
    SHARE = "share", "Share"
    WITHHOLD = "withhold", "Do not share"


class Article6Basis(models.TextChoices):
    CONSENT = "6(1)(a)", "Consent (Article 6(1)(a))"
    LEGAL_OBLIGATION = "6(1)(c)", "Legal obligation (Article 6(1)(c))"
    VITAL_INTERESTS = "6(1)(d)", "Vital interests (Article 6(1)(d))"
    PUBLIC_TASK = "6(1)(e)", "Public task (Article 6(1)(e))"
    LEGITIMATE_INTERESTS = "6(1)(f)", "Legitimate interests (Article 6(1)(f))"


class Paragraph18Reason(models.TextChoices):
    """DPA 2018 Schedule 1 paragraph 18(2): why the processing is without consent."""

    CANNOT_GIVE = "cannot_give", "Consent cannot be given by the data subject"
    CANNOT_REASONABLY_OBTAIN = "cannot_reasonably_obtain", (
        "The controller cannot reasonably be expected to obtain consent"
    )
    WOULD_PREJUDICE = "would_prejudice", (
        "Seeking consent would prejudice the protection of the child"
    )


#: The actions that share information out of Safeguard (``SharingDecision.action``).
ACTION_LABELS = {
    "conference_report": "Conference report sent",
    "case_export": "Case record exported",
}


class SharingDecision(Record):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sharing_decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    decided_by_role = models.CharField(max_length=40)
    decided_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    what = models.TextField(help_text="What was shared (or asked for)")
    items = models.JSONField(default=list, blank=True,
                             help_text="The records shared: [{'type': ..., 'id': ...}]")
    with_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    with_whom = models.CharField(max_length=200, blank=True)
    purpose = models.TextField()
    consent_sought = models.BooleanField()
    consent_given = models.BooleanField(null=True, blank=True)
    consent_not_sought_reason = models.TextField(blank=True)
    article_6_basis = models.CharField(max_length=8, choices=Article6Basis.choices, blank=True)
    paragraph_18_reason = models.CharField(max_length=30, choices=Paragraph18Reason.choices,
                                           blank=True)
    person_told = models.BooleanField()
    person_not_told_reason = models.TextField(blank=True)
    action = models.CharField(max_length=40, blank=True,
                              help_text="The action that shared it (an export, a report sent)")

    class Meta:
        ordering = ["-decided_on", "-id"]

    @property
    def without_consent(self) -> bool:
        return self.decision == Decision.SHARE and not (self.consent_sought and self.consent_given)


class ConferenceReportSent(models.Model):
    """A conference's report sent to agencies invited to it: what was sent (the report as it
    stood), when and by whom. Each agency it went to is a :class:`ConferenceReportRecipient`
    with its own complete :class:`SharingDecision`."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT,
                                   related_name="reports_sent")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    sent_by_role = models.CharField(max_length=40)
    report = models.JSONField(help_text="The report as sent")

    class Meta:
        ordering = ["-sent_at", "-id"]


class ConferenceReportRecipient(models.Model):
    sent = models.ForeignKey(ConferenceReportSent, on_delete=models.CASCADE,
                             related_name="recipients")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sharing_decision = models.OneToOneField(SharingDecision, on_delete=models.PROTECT,
                                            related_name="conference_report")

    class Meta:
        ordering = ["agency__name", "id"]
