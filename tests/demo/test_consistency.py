"""The demo's data is consistent: for every case, ``safeguard export-timelines`` then
``safeguard obligations`` gives exactly the obligations stored for it, and the API shows the
same. The build is idempotent, and one stopped half-way leaves nothing behind."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from safeguard.cases.models import Case, Obligation
from safeguard.cli import main
from safeguard.core.dates import today
from safeguard.core.models import AuditEntry
from safeguard.demo.build import AREAS, MARKER_ACTION, build_demo, marker_of, volumes
from safeguard.people.identifiers import validate_nhs_number, validate_upn
from safeguard.people.models import Person
from safeguard.web.dates import govuk_date

pytestmark = [pytest.mark.django_db, pytest.mark.db]

SMALL = 0.015  # about 60 referrals an area, and the personas' cases due now
TINY = 0.003  # a dozen referrals, and the personas' cases due now


def _quiet(_line: str) -> None:
    pass


def _obligations(files: list[Path], as_of: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "safeguard.cli", "obligations", "--as-of", as_of,
         *map(str, files)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(files)
    return [json.loads(line) for line in lines]


_ROW = re.compile(r'<tr class="govuk-table__row" data-duty="([^"]+)">(.*?)</tr>', re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _text(html: str) -> str:
    return " ".join(_TAGS.sub(" ", html).split())


def _page_duties(html: str) -> list[tuple[str, ...]]:
    """(duty, due, status, met on, working days late) of each row of the duties table."""
    rows = []
    for duty, row in _ROW.findall(html):
        cells = [_text(c) for c in _CELL.findall(row)]
        rows.append((duty, cells[1].removesuffix(" Provisional"), cells[2], cells[3], cells[4]))
    return rows


def _expected_rows(stored: list[dict]) -> list[tuple[str, ...]]:
    not_met = {"due": "Not yet", "overdue": "Not yet", "missed": "Not met",
               "withdrawn": "Not needed"}

    def day(iso: str | None, otherwise: str) -> str:
        return govuk_date(date.fromisoformat(iso)) if iso else otherwise

    ordered = [o for o in stored if o["status"] == "overdue"] + \
        [o for o in stored if o["status"] != "overdue"]
    return [(o["duty"], day(o["due"], "No fixed deadline"), o["status"].capitalize(),
             day(o["met_on"], not_met.get(o["status"], "Not met")),
             str(o["working_days_late"])) for o in ordered]


def test_exported_timelines_give_the_stored_obligations_and_the_api_agrees(
        tmp_path: Path) -> None:
    reports = build_demo(scale=SMALL, out=_quiet)
    assert [r.built for r in reports] == [True, True]
    assert not any(r.refused for r in reports), [r.refused for r in reports]

    assert main(["export-timelines", str(tmp_path)]) == 0
    cases = {c.reference: c for c in Case.objects.all()}
    files = sorted(tmp_path.glob("*.json"))
    assert [f.stem for f in files] == sorted(cases)
    # The export is in the audit trail: one entry per case, by the command.
    exports = AuditEntry.objects.filter(action="export")
    assert exports.count() == len(cases)
    assert set(exports.values_list("source", flat=True)) == {"command"}
    assert set(exports.values_list("case_id", flat=True)) == {c.pk for c in cases.values()}

    day = today()
    assert {c.obligations_computed_on for c in cases.values()} == {day}
    outputs = _obligations(files, day.isoformat())
    managers = {code: f"{prefix}-manager" for _name, code, prefix in AREAS}
    clients: dict[str, Client] = {}
    for path, output in zip(files, outputs, strict=True):
        case = cases[path.stem]
        stored = [o.as_contract() for o in Obligation.objects.filter(case=case)
                  .order_by("position")]
        assert output["obligations"] == stored, case.reference
        # The API shows the same, to the local authority's team manager.
        code = case.local_authority.la_code
        if code not in clients:
            from django.contrib.auth import get_user_model

            clients[code] = Client()
            clients[code].force_login(get_user_model().objects.get(username=managers[code]))
        response = clients[code].get(f"/api/v1/cases/{case.pk}")
        assert response.status_code == 200, response.content
        assert response.json()["obligations"] == stored, case.reference
        # And the case page: its table of duties, overdue first, then in the engine's order.
        page = clients[code].get(f"/cases/{case.pk}/")
        assert page.status_code == 200
        assert _page_duties(page.content.decode()) == _expected_rows(stored), case.reference

    # Identifiers are valid by the libraries that check real ones; NHS numbers are from the
    # range set aside for testing, never issued to anyone.
    people = list(Person.objects.values_list("nhs_number", "upn"))
    assert any(nhs for nhs, _ in people) and any(upn for _, upn in people)
    for nhs, upn in people:
        if nhs:
            validate_nhs_number(nhs)
            assert nhs.startswith("9")
        if upn:
            validate_upn(upn)

    # The personas' work lists have something in them: work overdue and due this week, and
    # referrals waiting at the front door.
    from django.contrib.auth import get_user_model

    from safeguard.cases.selectors import work_items
    from safeguard.referrals.selectors import front_door_queue

    users = get_user_model().objects
    for _name, _code, prefix in AREAS:
        mine = work_items(users.get(username=f"{prefix}-social_worker"), scope="mine")
        assert {"overdue", "due"} <= {item.status for item in mine}
        assert work_items(users.get(username=f"{prefix}-manager"), scope="team")
        assert front_door_queue(users.get(username=f"{prefix}-front_door"))

    # Every kind of duty of the case pathway shows up somewhere in the demo.
    duties = set(Obligation.objects.values_list("duty", flat=True))
    assert {"referral.decision", "assessment.complete", "icpc.hold", "cpp.core-group",
            "cpp.first-review"} <= duties


def test_a_second_build_creates_nothing_new() -> None:
    one_area = AREAS[:1]
    first = build_demo(scale=TINY, out=_quiet, areas=one_area)
    assert first[0].built
    counted = (Case.objects.count(), Person.objects.count(), Obligation.objects.count(),
               AuditEntry.objects.count())
    lines: list[str] = []
    second = build_demo(scale=TINY, out=lines.append, areas=one_area)
    assert not second[0].built
    assert "already there" in lines[0]
    assert (Case.objects.count(), Person.objects.count(), Obligation.objects.count(),
            AuditEntry.objects.count()) == counted
    assert AuditEntry.objects.filter(action=MARKER_ACTION).count() == 1


class Stop(Exception):
    pass


def test_a_build_stopped_half_way_leaves_nothing_and_the_next_run_builds_it_whole() -> None:
    one_area = AREAS[:1]

    def stop_half_way(plan, i: int) -> None:
        if i == len(plan.steps) // 2:
            raise Stop

    with pytest.raises(Stop):
        build_demo(scale=TINY, out=_quiet, areas=one_area, on_step=stop_half_way)
    assert marker_of(AREAS[0][1]) is None
    assert not Case.objects.exists()
    assert not Person.objects.exists()

    report = build_demo(scale=TINY, out=_quiet, areas=one_area)[0]
    assert report.built and not report.refused
    assert marker_of(AREAS[0][1]) is not None
    assert Case.objects.exists()


@pytest.mark.slow
def test_volumes_and_timeliness_are_like_englands() -> None:
    """A quarter of an average local authority's year, measured as the statistics are."""
    build_demo(scale=0.25, out=_quiet, areas=AREAS[:1])
    v = volumes(AREAS[0][1])
    assert 900 <= v["referrals"] <= 1100
    assert 0.15 <= v["re_referral_share"] <= 0.28
    assert 0.22 <= v["source_share"]["6"] <= 0.34
    assert 0.16 <= v["source_share"]["2A"] <= 0.26
    assert 300 <= v["s47"] <= 460
    assert 90 <= v["icpc"] <= 150
    assert 50 <= v["on_plan"] <= 110
    assert 0.80 <= v["assessments_on_time"] <= 0.92
    assert 0.70 <= v["icpc_on_time"] <= 0.90
    assert v["decisions_on_time"] >= 0.85
    assert v["overdue"] > 0
