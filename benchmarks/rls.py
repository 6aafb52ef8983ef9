"""What does PostgreSQL's row-level security cost? Prints figures; it is not a timed test.

Against a PostgreSQL database holding the demo (``safeguard demo --no-serve --scale 0.1``
with ``DATABASE_URL`` set, connecting as an ordinary role, as production must), for each
persona it:

- requests the case page (``cases:detail``) of the visible case with the most involvements
  (for a partner, the page the issue measured), through the Django test client and the
  whole middleware, ``--requests`` times after two warm-ups, alternately with row-level
  security in force ("on") and with the request left in the system's scope ("off": the
  rules are still planned, but pass every row at once): the median and 90th percentile of
  the request and of its SQL time (Django's, to the millisecond), and the number of queries;
- times single statements as that persona, with ``EXPLAIN ANALYZE`` (planning and
  execution, the median of five): one case by id, every visible case, every visible plan
  action (two levels below the case), the case's child, every visible person, and the
  person search's candidate query.

    SAFEGUARD_VAR=/tmp/var DATABASE_URL=postgres://safeguard_app@127.0.0.1:PORT/safeguard \\
        uv run python benchmarks/rls.py [--requests 30] [--persona police ...]

Each request is a real read: it adds an audit entry to that database. To compare two
versions of the rules, run it at each (``safeguard manage migrate cases 0003``, then
``migrate``). To see how the cost grows with an agency's caseload, add cases the police are
involved in to a copy of the demo's database (SQL: a person, a case and an involvement each).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

PERSONAS = ("police", "health", "school_dsl", "social_worker", "manager")


def _median_p90(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, round(0.9 * len(ordered)) - 1)]


def _case_for(staff: Any) -> Any:
    from django.db.models import Count

    from safeguard.cases.policy import cases_visible_to

    return (cases_visible_to(staff.user).annotate(n=Count("involvements"))
            .order_by("-n", "pk").first())


def _requests(user: Any, url: str, times: int) -> dict[str, dict[str, float]]:
    """The page requested ``times`` times with row-level security in force ("on") and as
    many in the system's scope ("off"), alternately, so both share the machine's noise."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from safeguard.cases import rls
    from safeguard.testing.two_factor import mark_verified

    client = Client()
    client.force_login(user)
    mark_verified(client, user)
    real = rls.act_as
    found: dict[str, dict[str, list[float]]] = {
        mode: {"wall": [], "sql": [], "queries": []} for mode in ("on", "off")}
    try:
        for i in range(times + 2):
            for mode in ("on", "off"):
                # "off": the request stays in the system's scope.
                rls.act_as = real if mode == "on" else (lambda *args, **kwargs: None)
                reset_queries()  # the log keeps 9,000 queries
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    wall = time.perf_counter() - started
                assert response.status_code == 200, (url, response.status_code)
                if i >= 2:  # two warm-ups
                    found[mode]["wall"].append(wall * 1000)
                    found[mode]["sql"].append(
                        sum(float(q["time"]) for q in queries.captured_queries) * 1000)
                    found[mode]["queries"].append(len(queries.captured_queries))
    finally:
        rls.act_as = real
    result = {}
    for mode, series in found.items():
        wall50, wall90 = _median_p90(series["wall"])
        sql50, sql90 = _median_p90(series["sql"])
        result[mode] = {"wall50": wall50, "wall90": wall90, "sql50": sql50, "sql90": sql90,
                        "queries": statistics.median(series["queries"])}
    return result


def _explain(scope: str, sql: str, params: list[Any]) -> tuple[float, int]:
    """Planning + execution time (ms, median of five) and rows of ``sql`` in ``scope``."""
    from django.db import connection

    from safeguard.cases import rls

    times, rows = [], 0
    rls.set_scope(scope)
    try:
        with connection.cursor() as cursor:
            for _ in range(5):
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
                plan = plan if isinstance(plan, list) else json.loads(plan)
                times.append(plan[0]["Planning Time"] + plan[0]["Execution Time"])
            cursor.execute(f"SELECT count(*) FROM ({sql}) AS q", params)
            rows = cursor.fetchone()[0]
    finally:
        rls.reset()
    return statistics.median(times), rows


def _statements(staff: Any, case: Any) -> list[tuple[str, str, list[Any]]]:
    from safeguard.people.selectors import visible_people

    search = visible_people(staff.user).filter(family_name__istartswith="s").values("id")
    search_sql, search_params = search.query.sql_with_params()
    return [
        ("one case by id", "SELECT * FROM cases_case WHERE id = %s", [case.pk]),
        ("every visible case", "SELECT id FROM cases_case", []),
        ("every visible plan action", "SELECT id FROM protection_planaction", []),
        ("the case's child", "SELECT * FROM people_person WHERE id = %s", [case.child_id]),
        ("every visible person", "SELECT id FROM people_person", []),
        ("person search candidates", search_sql, list(search_params)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--persona", action="append", choices=PERSONAS)
    parser.add_argument("--area", default="north")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from safeguard.agencies.models import Staff

    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    setup_test_environment()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM people_person")
        people = cursor.fetchone()[0]
    print(f"{cases:,} cases, {people:,} people; {args.requests} requests each "
          "(times in ms: median / 90th percentile)")
    for persona in args.persona or PERSONAS:
        staff = Staff.objects.select_related("user", "agency").get(
            user__username=f"{args.area}-{persona}")
        case = _case_for(staff)
        if case is None:
            print(f"\n{persona}: sees no case")
            continue
        involved = staff.agency.involvements.filter(until__isnull=True).count()
        print(f"\n{persona} ({staff.agency.name}: {involved:,} open involvements), "
              f"case {case.reference} ({case.n} involvements)")
        url = reverse("cases:detail", args=[case.pk])
        pages = _requests(staff.user, url, args.requests)
        for label, r in (("RLS on ", pages["on"]), ("RLS off", pages["off"])):
            print(f"  case page, {label}: request {r['wall50']:6.1f} / {r['wall90']:6.1f}, "
                  f"SQL {r['sql50']:6.1f} / {r['sql90']:6.1f}, {r['queries']:.0f} queries")
        for label, sql, params in _statements(staff, case):
            t_on, n_on = _explain(str(staff.pk), sql, params)
            t_off, _ = _explain("", sql, params)
            print(f"  {label:<26} {t_on:7.2f} ms (RLS off {t_off:6.2f}), {n_on} rows")


if __name__ == "__main__":
    main()
