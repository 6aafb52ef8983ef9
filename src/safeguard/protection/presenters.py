"""Child protection records shaped for people to read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from safeguard.cases.models import Case
from safeguard.web.presenters import ObligationRow, obligation_row


@dataclass(frozen=True)
class CaseHeading:
    child: str
    reference: str
    local_authority: str


def case_heading(case: Case) -> CaseHeading:
    return CaseHeading(case.child.full_name, case.reference, case.local_authority.name)


def obligation_rows(obligations: Iterable[Any]) -> list[ObligationRow]:
    """Stored obligations as rows: the duty, due date, status tag (the engine's figures)."""
    return [obligation_row(o) for o in obligations]


def yes_no(value: bool | None) -> str:
    return "Not recorded" if value is None else ("Yes" if value else "No")
