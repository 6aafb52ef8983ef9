"""How fast are the busiest pages with a big caseload? Prints figures; it is not a timed test.

With the demo data ×10 loaded (two local authorities, each ten times an average English
authority's year: ≈40,000 referrals each), Safeguard is served by its production server
(``safeguard serve``: waitress, 8 threads) on the loopback interface, and the same
concurrent load — 8 clients, each on its own keep-alive connection, stdlib threads and
``http.client`` — is put on each page in turn, signed in as the persona who uses it:

- a minimal Django view (``/bench/minimal``: "ok" through the same middleware, mounted by
  the benchmark's own URLconf, benchmarks/bench_urls.py) — the yardstick;
- the case page of a large case (``cases:detail``), as the team manager;
- the front door queue (``referrals:queue``), as the front door worker;
- the team's deadlines page (``cases:team``), as the team manager.

It prints each page's p50 and p95 and the ratio of its p95 to the minimal view's (the
issue's bar: at most 3x), then the same for all four mixed together (each client cycling
through them). Pages whose URL name does not exist yet are reported as missing.

The data is built once into ``--var`` (default benchmarks/out/pages-var-x10, a temporary
SAFEGUARD_VAR) and reused by later runs: building it takes a long while (many hours at ×10).
With ``--from-var DIR --times N`` it is made instead from the ×1 demo database in DIR (left
as it is) by copying its case data N times at the SQL level (benchmarks/multiply.py: a
minute or two), into benchmarks/out/pages-var-x{N}-from-{DIR's name}. The copies keep the
same staff, so each team's caseload is N times larger: harsher than a real ×N area.

With ``--postgres``, the same data is copied into a throwaway PostgreSQL server
(benchmarks/postgres_copy.py: half a minute at ×10) and served from there, as the
application's ordinary role, row-level security in force.

    uv run python benchmarks/pages.py [--scale 10] [--requests 400] [--clients 8]
    uv run python benchmarks/pages.py --from-var /tmp/demo1 --times 10 [--requests 400]
    uv run python benchmarks/pages.py --from-var /tmp/demo1 --times 10 --postgres
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import served  # benchmarks/served.py: the script's folder is on the path
from served import HOST

HERE = Path(__file__).resolve().parent
PERSONAS = {"manager": "north-manager", "front_door": "north-front_door"}


@dataclass
class Target:
    label: str
    url_name: str
    persona: str
    path: str | None = None  # None: the URL name does not exist (yet)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SAFEGUARD_VAR"] = str(var)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH")) if p)
    env["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    return env


def _safeguard(*args: str) -> list[str]:
    return [sys.executable, "-m", "safeguard.cli", *args]


# ---- the data ------------------------------------------------------------------------------


def build(var: Path, scale: float) -> None:
    """The demo at ``scale`` in ``var`` (reused when it is there)."""
    var.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"Demo data ×{scale:g} in {var} (built once, then reused) …", flush=True)
    subprocess.run(_safeguard("demo", "--no-serve", "--scale", f"{scale:g}"),
                   env=_environment(var), check=True)
    print(f"… ready in {time.perf_counter() - started:.0f} s.", flush=True)


def resolve(targets: list[Target], var: Path) -> int | None:
    """Give each target its path (None when its URL name is missing); the large case's id."""
    os.environ.update({k: v for k, v in _environment(var).items()
                       if k in ("SAFEGUARD_VAR", "DJANGO_SETTINGS_MODULE")})
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from safeguard.cases.models import Case

    # The largest case of the northern area, by the number of its obligations.
    case = (Case.objects.filter(local_authority__la_code="901", restricted=False)
            .annotate(n=Count("obligations")).order_by("-n", "id").first())
    case_id = case.pk if case is not None else None
    for target in targets:
        kwargs = {"case_id": case_id} if target.url_name == "cases:detail" else {}
        try:
            target.path = reverse(target.url_name, kwargs=kwargs or None)
        except NoReverseMatch:
            target.path = None
    if case is not None:
        print(f"The large case: {case.reference} ({case.n} obligations).")
    return case_id


# ---- the server and signing in -------------------------------------------------------------


def second_factor_code(username: str) -> str | None:
    """A current one-time code from ``username``'s authenticator (None without django-otp).

    Privileged roles (the team manager) give a second factor after their password. The
    benchmark's own copy of the data gets a confirmed TOTP device for the persona if it has
    none, and computes the code the app would show."""
    try:
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
              or TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True))
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(port: int, username: str, password: str) -> str:
    """The Cookie header of a signed-in session for ``username`` (second factor given, if
    the role needs one)."""
    return served.sign_in(port, username, password, second_factor_code, timeout=30)


# ---- the load ------------------------------------------------------------------------------


def _client(port: int, jobs: list[Target], cookies: dict[str, str]) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    for target in jobs:
        started = time.perf_counter()
        try:
            conn.request("GET", target.path or "/", headers={"Cookie": cookies[target.persona]})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            target.errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=120)
            continue
        elapsed = time.perf_counter() - started
        if status == 200:
            target.latencies.append(elapsed)
        else:
            target.errors.append(f"HTTP {status}")
    conn.close()


def load(port: int, jobs: list[Target], clients: int, cookies: dict[str, str]) -> float:
    """Run ``jobs`` (one request each) spread over ``clients`` threads; the wall time."""
    shares = [jobs[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=_client, args=(port, share, cookies)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(title: str, targets: list[Target]) -> None:
    print(f"\n{title}")
    base = targets[0]
    base_p95 = _pct(base.latencies, 0.95) if base.latencies else None
    print(f"  {'page':<44} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p95 ratio':>10}  errors")
    for t in targets:
        if t.path is None:
            print(f"  {t.label:<44} missing: no URL named {t.url_name!r}")
            continue
        if not t.latencies:
            print(f"  {t.label:<44} no answers: {sorted(set(t.errors))}")
            continue
        p50, p95 = statistics.median(t.latencies), _pct(t.latencies, 0.95)
        ratio = f"{p95 / base_p95:.2f}x" if base_p95 else "–"
        verdict = "" if t is base else ("  ok" if base_p95 and p95 <= 3 * base_p95
                                        else "  OVER 3x")
        errors = ", ".join(f"{n} × {e}" for e, n in Counter(t.errors).most_common())
        print(f"  {t.label:<44} {len(t.latencies):>5} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} "
              f"{ratio:>10}{verdict}  {errors}")
    if any(t.errors for t in targets):
        print("  (errors: answers other than 200 are left out of the figures; the server's "
              "log says why)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--var", type=Path, default=HERE / "out" / "pages-var-x10")
    parser.add_argument("--requests", type=int, default=400,
                        help="requests per page (default 400)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--from-var", type=Path, default=None,
                        help="make the data from the ×1 demo database in this SAFEGUARD_VAR "
                        "(not modified) by copying its case data --times times")
    parser.add_argument("--times", type=int, default=10,
                        help="with --from-var: how many times (default 10)")
    parser.add_argument("--postgres", action="store_true",
                        help="serve a copy of the data in a throwaway PostgreSQL server "
                        "(benchmarks/postgres_copy.py) instead of the SQLite file")
    args = parser.parse_args()
    default_var = args.var == HERE / "out" / "pages-var-x10"
    if args.from_var is not None:
        if default_var:
            args.var = HERE / "out" / f"pages-var-x{args.times}-from-{args.from_var.name}"
        import multiply

        if multiply.is_ready(args.var, args.from_var, args.times):
            print(f"Demo data ×{args.times} (copied from {args.from_var}) in {args.var}: "
                  "reused.", flush=True)
        else:
            multiply.multiply(args.from_var, args.var, args.times, seed=args.seed)
        print(f"The case data of the ×1 demo in {args.from_var}, copied ×{args.times} with the "
              f"same staff: each team's caseload is ×{args.times}.", flush=True)
    else:
        if default_var and args.scale != 10:
            args.var = HERE / "out" / f"pages-var-x{args.scale:g}"
        build(args.var, args.scale)
    targets = [
        Target("minimal Django view (/bench/minimal)", "bench-minimal", "manager"),
        Target("case page of a large case (cases:detail)", "cases:detail", "manager"),
        Target("front door queue (referrals:queue)", "referrals:queue", "front_door"),
        Target("team's deadlines (cases:team)", "cases:team", "manager"),
    ]
    resolve(targets, args.var)
    if not args.postgres:
        measure(args, targets, _environment(args.var), "SQLite, the embedded default")
        return
    import postgres_copy

    from safeguard.testing.postgres import APP_ROLE, throwaway_cluster

    print("Copying the data into a throwaway PostgreSQL server …", flush=True)
    # The tests' server settings, but with room for the data in the server's own cache, as
    # a production server would have (the tests' 32 MB is a tenth of the ×10 data).
    server_settings = {"shared_buffers": "1GB", "effective_cache_size": "4GB"}
    with throwaway_cluster("safeguard_bench", superuser=True,
                           settings=server_settings) as superuser_url:
        url = urlsplit(superuser_url)  # the same server and database, as the application
        app_url = url._replace(netloc=f"{APP_ROLE}@{url.hostname}:{url.port}").geturl()
        env = {**_environment(args.var), "DATABASE_URL": app_url}
        postgres_copy.migrate(env)
        postgres_copy.copy(args.var / "safeguard.sqlite3", superuser_url)
        measure(args, targets, env, "PostgreSQL (a throwaway local server, as its "
                "ordinary application role: row-level security in force)")


def measure(args: argparse.Namespace, targets: list[Target], env: dict[str, str],
            database: str) -> None:
    """Serve ``env``'s Safeguard and put the load on each target, then on all mixed."""
    from safeguard.demo.areas import DEMO_PASSWORD

    port = served.free_port()
    log = args.var / "bench-serve.log"
    server = served.serve(env, port, log, threads=8,
                          answers="/bench/minimal", within=60)  # a redirect to sign in: up
    try:
        cookies = {key: sign_in(port, username, DEMO_PASSWORD)
                   for key, username in PERSONAS.items()}
        live = [t for t in targets if t.path is not None]
        for target in live:  # warm up: first views recompute and fill caches
            load(port, [target] * args.clients, args.clients, cookies)
            target.latencies.clear()
            target.errors.clear()
        print(f"\nServer: safeguard serve (waitress, 8 threads) on {HOST}:{port}, on "
              f"{database}; "
              f"{args.clients} concurrent clients; {args.requests} requests a page; "
              f"{os.cpu_count()} CPUs, load average {_loadavg()}.")
        for target in live:
            wall = load(port, [target] * args.requests, args.clients, cookies)
            print(f"  {target.label}: {args.requests / wall:.0f} requests/s", flush=True)
        report("Each page on its own, under the same load:", targets)

        mixed = [Target(t.label, t.url_name, t.persona, t.path) for t in targets]
        jobs = [t for t in mixed if t.path is not None] * args.requests
        random.Random(args.seed).shuffle(jobs)
        load(port, jobs, args.clients, cookies)
        report("All four mixed together, under the same load:", mixed)
        print(f"\nLoad average after the run: {_loadavg()}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"\nThe server's log: {log}")


if __name__ == "__main__":
    main()
