"""Reads of sharing decisions, through the cases the acting person may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from safeguard.agencies.models import Agency
from safeguard.cases.models import Case
from safeguard.sharing.models import SharingDecision


def sharing_decisions(case: Case) -> QuerySet[SharingDecision]:
    """The case's sharing decisions (call with a case from ``cases.selectors.case_for``)."""
    return SharingDecision.objects.filter(case=case).select_related(
        "decided_by__user", "decided_by_agency", "with_agency")


def agencies_to_share_with(case: Case) -> QuerySet[Agency]:
    """The local authority and the partner agencies of its area."""
    la = case.local_authority
    return Agency.objects.filter(pk=la.pk) | Agency.objects.filter(area=la)


def shareable_items(case: Case) -> list[tuple[str, str]]:
    """The case's records a person may choose to share: (``type:id``, label)."""
    from safeguard.cases.selectors import chronology

    return [(f"{item.kind}:{item.day.isoformat()}:{i}", f"{item.title} ({item.day:%d %B %Y})")
            for i, item in enumerate(chronology(case))]


def decision_for(case: Case, decision_id: int) -> Any:
    return sharing_decisions(case).filter(pk=decision_id).first()
