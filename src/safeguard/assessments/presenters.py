"""Assessments as people read them: the task list, the timescale line, summary rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from safeguard.assessments.models import Assessment
from safeguard.assessments.selectors import Timescale
from safeguard.assessments.services import SECTIONS, missing_sections
from safeguard.core.dates import format_date

DONE = {"tag": {"text": "Completed", "classes": "govuk-tag--green"}}
TODO = {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}
BLOCKED = {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"}
NOT_NEEDED = {"text": "Not needed for an unborn child",
              "classes": "govuk-task-list__status--cannot-start-yet"}


def _plural(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class TimescaleLine:
    due: str
    text: str
    tag: str
    tag_classes: str


def timescale_line(scale: Timescale) -> TimescaleLine | None:
    """"Due by 2 November 2026", and how it stands (from the engine's figures)."""
    if scale.due is None:
        return None
    due = format_date(scale.due)
    if scale.status == "met":
        return TimescaleLine(due, "Completed within 45 working days", "Met", "govuk-tag--green")
    if scale.status == "late":
        return TimescaleLine(due, f"Completed {_plural(scale.working_days_late)} late",
                             "Late", "govuk-tag--orange")
    if scale.status == "overdue":
        return TimescaleLine(due, f"{_plural(scale.working_days_late)} overdue", "Overdue",
                             "govuk-tag--red")
    if scale.working_days_left == 0:
        return TimescaleLine(due, "Due today", "Due today", "govuk-tag--yellow")
    return TimescaleLine(due, f"{_plural(scale.working_days_left)} left", "Due", "")


def task_list(assessment: Assessment, *, may_edit: bool, may_authorise: bool) -> list[
        dict[str, Any]]:
    """The assessment's task list (GOV.UK task list component items)."""
    pk = assessment.pk
    done = assessment.is_complete
    editable = may_edit and not done
    unborn = assessment.case.child.is_unborn

    def item(title: str, href: str | None, status: dict[str, Any], hint: str = ""
             ) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": {"text": title}, "status": status}
        if href:
            entry["href"] = href
        if hint:
            entry["hint"] = {"text": hint}
        return entry

    items = []
    if unborn:
        items.append(item("See the child", None, NOT_NEEDED))
    else:
        hint = ""
        if assessment.child_seen_on:
            hint = f"Seen on {format_date(assessment.child_seen_on)}" + (
                ", alone" if assessment.child_seen_alone else ", not alone")
        items.append(item("See the child",
                          reverse("assessments:assessment-child-seen", args=[pk]) if editable
                          else None,
                          DONE if assessment.child_seen_on else TODO, hint))
    for field, title in SECTIONS.items():
        if field == "wishes_and_feelings" and unborn:
            items.append(item(title, None, NOT_NEEDED))
            continue
        items.append(item(title,
                          reverse("assessments:assessment-section", args=[pk, field])
                          if editable else None,
                          DONE if getattr(assessment, field).strip() else TODO))
    items.append(item("Factors identified",
                      reverse("assessments:assessment-factors", args=[pk]) if editable
                      else None,
                      DONE if assessment.factors else TODO,
                      ", ".join(assessment.factors)))
    ready = not missing_sections(assessment)
    if done:
        complete_status = DONE
    elif ready:
        complete_status = TODO
    else:
        complete_status = BLOCKED
    items.append(item("Complete the assessment",
                      reverse("assessments:assessment-complete", args=[pk])
                      if editable and ready else None,
                      complete_status, "The outcome, and the reason if it is late"))
    if assessment.authorised_by_id:
        auth_status = DONE
    elif done:
        auth_status = TODO
    else:
        auth_status = BLOCKED
    items.append(item("Manager’s authorisation",
                      reverse("assessments:assessment-authorise", args=[pk])
                      if may_authorise and done and not assessment.authorised_by_id else None,
                      auth_status))
    return items


def progress_line(assessment: Assessment) -> str:
    unborn = assessment.case.child.is_unborn
    total = 6 - (2 if unborn else 0)
    left = len(missing_sections(assessment))
    return f"You have completed {total - left} of {total} sections."


def summary_rows(assessment: Assessment) -> list[dict[str, Any]]:
    def row(key: str, value: str) -> dict[str, Any]:
        return {"key": {"text": key}, "value": {"text": value}}

    referral = assessment.referral
    rows = [
        row("Kind", assessment.get_kind_display()),
        row("Referral", f"Received {format_date(referral.received_on)} "
                        f"({referral.get_source_display()})" if referral else "Not recorded"),
        row("Started", format_date(assessment.started_on)),
        row("Social worker", assessment.social_worker.name if assessment.social_worker
            else "Not allocated"),
    ]
    if assessment.is_complete:
        rows.append(row("Completed", format_date(assessment.completed_on)))
        rows.append(row("Outcome", assessment.get_outcome_display()))
        if assessment.reason_late:
            rows.append(row("Reason for taking longer than 45 working days",
                            assessment.reason_late))
        rows.append(row("Authorised", f"By {assessment.authorised_by.name} on "
                                      f"{format_date(assessment.authorised_on)}"
                        if assessment.authorised_by else "Not yet"))
    return rows
