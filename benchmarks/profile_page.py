"""Where does one page's time go? Its SQL queries (count, time, the slowest with their SQLite
query plans) and a cProfile of the request, for one persona, on a benchmark database.

    python benchmarks/profile_page.py VAR URL_NAME USERNAME [--case-id N] [--top 8]

VAR is a SAFEGUARD_VAR made by benchmarks/pages.py or benchmarks/multiply.py (the request is
a real read: it adds an audit entry there). The request is made once to warm up, then
measured.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("var", type=Path)
    parser.add_argument("url_name")
    parser.add_argument("username")
    parser.add_argument("--case-id", type=int)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    os.environ["SAFEGUARD_VAR"] = str(args.var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from multiply import second_factor_given

    setup_test_environment()
    user = get_user_model().objects.get(username=args.username)
    client = Client()
    client.force_login(user)
    second_factor_given(client, user)
    kwargs = {"case_id": args.case_id} if args.case_id else None
    url = reverse(args.url_name, kwargs=kwargs)
    assert client.get(url).status_code == 200  # warm up
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        took = time.perf_counter() - started
    sql_time = sum(float(q["time"]) for q in queries.captured_queries)
    print(f"{url} as {args.username}: HTTP {response.status_code}, {took * 1000:.0f} ms, "
          f"{len(response.content)} bytes; {len(queries)} queries, {sql_time * 1000:.0f} ms "
          "in SQL (as Django times them)")
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:args.top]
    for q in slowest:
        print(f"\n  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:600]}")
        if q["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + q["sql"])
                for row in cursor.fetchall():
                    print(f"             plan: {row[-1]}")
    if not args.no_profile:
        profile = cProfile.Profile()
        profile.enable()
        client.get(url)
        profile.disable()
        out = io.StringIO()
        order = os.environ.get("PROFILE_SORT", "cumulative")
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(35)
        print(out.getvalue())


if __name__ == "__main__":
    main()
