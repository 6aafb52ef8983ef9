"""The access policy answers the same for one case as for the list of cases.

``can_view_case`` and ``require_view`` decide one case without running the whole
visibility query; this keeps them in step with ``cases_visible_to`` for every member of
staff of both demo areas against every case, restricted ones and ended involvements among
them."""

from __future__ import annotations

from datetime import date

import pytest

from safeguard.agencies.models import Staff
from safeguard.cases.models import Case, Involvement, InvolvementKind
from safeguard.cases.policy import can_view_case, cases_visible_to, require_view
from safeguard.core.services import NotAllowed
from safeguard.demo.build import build_demo

pytestmark = [pytest.mark.django_db, pytest.mark.db]


def _quiet(_line: str) -> None:
    pass


def test_one_case_and_the_list_of_cases_give_the_same_answer() -> None:
    build_demo(scale=0.003, out=_quiet)
    cases = list(Case.objects.order_by("pk"))
    staff = list(Staff.objects.select_related("user", "agency").order_by("pk"))
    assert len(cases) >= 10 and len(staff) >= 20

    # Some restricted cases: one seen through its allocated worker, one through a named
    # involvement, one whose named involvement has ended, one with nobody named.
    allocated = [c for c in cases if c.allocated_worker_id is not None]
    for case in cases[:4] + allocated[:2]:
        case.restricted = True
        case.save(update_fields=["restricted"])
    partner = next(s for s in staff if not s.in_social_care)
    Involvement.objects.create(case=cases[0], agency=partner.agency, staff=partner,
                               kind=InvolvementKind.OTHER, since=date(2026, 1, 5))
    Involvement.objects.create(case=cases[1], agency=partner.agency, staff=partner,
                               kind=InvolvementKind.OTHER, since=date(2026, 1, 5),
                               until=date(2026, 2, 1))
    cases = list(Case.objects.order_by("pk"))
    staff.append(Staff(user=staff[0].user, agency=staff[0].agency, role=staff[0].role,
                       active=False))  # an inactive record sees nothing

    seen = 0
    for person in staff:
        user = person.user
        user.staff = person
        visible = set(cases_visible_to(user).values_list("pk", flat=True))
        for case in cases:
            one = can_view_case(user, case)
            assert one == (case.pk in visible), (person.pk, case.pk)
            if one:
                seen += 1
                assert require_view(user, case.pk).pk == case.pk
            else:
                with pytest.raises(NotAllowed):
                    require_view(user, case.pk)
    assert seen > 0
    with pytest.raises(NotAllowed):
        require_view(staff[0].user, max(c.pk for c in cases) + 1)
