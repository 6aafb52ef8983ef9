"""Make a ×N database from a ×1 demo database by copying its case data at the SQL level.

``safeguard demo --scale 10`` records every step through the services and takes many hours;
this takes a minute. From the demo's SQLite file in SOURCE_VAR (never modified: the file is
copied first) it makes DEST_VAR/safeguard.sqlite3, migrated to the current models, in which
every row of case data is there N times:

- every table of the apps holding case data (``CLONED_APPS``: people, households,
  relationships, cases, involvements, obligations, break-glass and alerts, referrals,
  decisions, assessments, child in need plans and reviews, immediate protection, strategy
  discussions, section 47 enquiries, conferences, plans, core groups, moves, returns home,
  early help, sharing decisions, and their many-to-many tables) — found from the schema, so
  a table added later is copied too — is copied N-1 more times with new primary keys
  (copy k: ``id + k × max(id)`` of the table) and every foreign key to another copied table
  moved by that table's offset (keys to kept tables are left as they are);
- unique values are made unique again: case references continue each area's numbering
  (``901-000123`` → ``901-{123 + k × the area's highest number}``), and the children's NHS
  numbers and UPNs (unique in the demo, though not by a constraint) are new valid synthetic
  ones from the same area's range (``safeguard.demo.identifiers``);
- the same agencies, teams, staff and users are kept: so each team's caseload, each
  worker's allocation and the front door's queue become N times larger. That is a harsher
  test than a real ×N area, which would have N times the staff;
- the audit trail (``core_auditentry``) is hash-chained: its rows are not copied (the copied
  cases have no audit history), nor are drafts, API tokens, sessions or admin log entries.

Afterwards it checks the row counts (×N for every copied table), ``PRAGMA
foreign_key_check`` (must be empty), and that a few copied case pages, the team's deadlines
and the front door queue answer HTTP 200 for their personas (a Django test client in a
process of its own; those reads add audit entries to the new database, as any read does).

    python benchmarks/multiply.py SOURCE_VAR DEST_VAR [--times 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DB_NAME = "safeguard.sqlite3"
MARKER = "multiplied.json"

#: Apps whose every table is case data, copied N times.
CLONED_APPS = ("people", "cases", "referrals", "assessments", "protection", "earlyhelp",
               "sharing", "notifications")
#: Tables left as they are (not multiplied), and why.
NOT_COPIED = {
    "core_auditentry": "hash-chained: copies would break the chain",
    "core_draft": "people's unsaved form answers",
    "core_apitoken": "personal API tokens",
    "django_session": "sessions",
    "django_admin_log": "the admin's log",
}

#: Unique columns given a stand-in value while copying, and their real value afterwards.
RENUMBERED = {("cases_case", "reference")}


def _environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SAFEGUARD_VAR"] = str(var)
    env["DJANGO_SETTINGS_MODULE"] = "safeguard.config.settings"
    return env


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---- copying the file -----------------------------------------------------------------------


def copy_database(source_var: Path, dest_var: Path) -> Path:
    """Copy the SQLite file (and its -wal or -journal, so the copy recovers exactly what the
    source would) into ``dest_var``; the source is only read."""
    source = source_var / DB_NAME
    if not source.is_file():
        raise SystemExit(f"No database at {source}")
    dest_var.mkdir(parents=True, exist_ok=True)
    dest = dest_var / DB_NAME
    if dest.resolve() == source.resolve():
        raise SystemExit("The destination must not be the source")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, dest)
    for suffix in ("-wal", "-journal"):
        side = Path(f"{source}{suffix}")
        if side.is_file() and side.stat().st_size:
            shutil.copyfile(side, Path(f"{dest}{suffix}"))
    (dest_var / MARKER).unlink(missing_ok=True)
    return dest


def migrate(var: Path) -> None:
    """Bring the copy to the current models (new tables are then empty, or copied below)."""
    subprocess.run([sys.executable, "-m", "safeguard.cli", "manage", "migrate", "-v0",
                    "--no-input"], env=_environment(var), check=True)


# ---- the schema -----------------------------------------------------------------------------


def tables(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def columns(db: sqlite3.Connection, table: str) -> list[tuple[str, bool]]:
    """(name, is the primary key) for each column."""
    return [(r[1], bool(r[5])) for r in db.execute(f"PRAGMA table_info({_quote(table)})")]


def foreign_keys(db: sqlite3.Connection, table: str) -> dict[str, str]:
    """column -> the table it points to."""
    return {r[3]: r[2] for r in db.execute(f"PRAGMA foreign_key_list({_quote(table)})")}


def cloned_tables(db: sqlite3.Connection) -> list[str]:
    chosen = [t for t in tables(db) if t.split("_", 1)[0] in CLONED_APPS]
    for table in chosen:
        pk = [name for name, is_pk in columns(db, table) if is_pk]
        if pk != ["id"]:
            raise SystemExit(f"{table}: expected an integer primary key 'id', found {pk}")
    # Nothing kept may point at copied rows (it would then need copying too).
    for table in set(tables(db)) - set(chosen):
        wrong = {c: t for c, t in foreign_keys(db, table).items() if t in chosen}
        if wrong and table not in NOT_COPIED:
            raise SystemExit(f"{table} is kept but points at copied tables: {wrong}")
    return chosen


def counts(db: sqlite3.Connection) -> dict[str, int]:
    return {t: db.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in tables(db)}


# ---- multiplying ----------------------------------------------------------------------------


def clone_rows(db: sqlite3.Connection, chosen: list[str], times: int) -> dict[str, int]:
    """Copy every row of ``chosen`` ``times - 1`` more times; each table's stride (offset of
    copy 1), by table."""
    stride = {t: db.execute(f"SELECT coalesce(max(id), 0) FROM {_quote(t)}").fetchone()[0]
              for t in chosen}
    for table in chosen:
        if not stride[table]:
            continue
        fks = foreign_keys(db, table)
        names = [name for name, _ in columns(db, table)]
        target = ", ".join(_quote(n) for n in names)
        for k in range(1, times):
            exprs = []
            for name in names:
                if name == "id":
                    exprs.append(f"id + {k * stride[table]}")
                elif (table, name) in RENUMBERED:  # unique: a stand-in, renumbered below
                    exprs.append(f"{_quote(name)} || '~{k}'")
                elif fks.get(name) in stride:  # NULL stays NULL
                    exprs.append(f"{_quote(name)} + {k * stride[fks[name]]}")
                else:
                    exprs.append(_quote(name))
            db.execute(f"INSERT INTO {_quote(table)} ({target}) SELECT {', '.join(exprs)} "
                       f"FROM {_quote(table)} WHERE id <= {stride[table]}")
    return stride


_REFERENCE = re.compile(r"^(.*)-(\d+)$")


def renumber_cases(db: sqlite3.Connection, stride: int, times: int) -> None:
    """Each copy's case references continue its area's numbering."""
    originals = db.execute("SELECT id, reference FROM cases_case WHERE id <= ?",
                           (stride,)).fetchall()
    highest: dict[str, int] = {}
    for _, reference in originals:
        match = _REFERENCE.match(reference)
        if match:
            prefix, number = match.group(1), int(match.group(2))
            highest[prefix] = max(highest.get(prefix, 0), number)
    updates = []
    for k in range(1, times):
        for pk, reference in originals:
            match = _REFERENCE.match(reference)
            if match:
                prefix, number = match.group(1), int(match.group(2))
                new = f"{prefix}-{number + k * highest[prefix]:06d}"
            else:
                new = f"{reference}-{k}"
            updates.append((new, pk + k * stride))
    db.executemany("UPDATE cases_case SET reference = ? WHERE id = ?", updates)


def renumber_people(db: sqlite3.Connection, stride: int, times: int, seed: int) -> None:
    """New valid synthetic NHS numbers and UPNs for the copies, from the same area's range."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from safeguard.demo.identifiers import synthetic_nhs_number, synthetic_upn

    rng = random.Random(seed)
    used = {r[0] for r in db.execute(
        "SELECT nhs_number FROM people_person WHERE nhs_number != '' "
        "UNION SELECT upn FROM people_person WHERE upn != ''")}
    originals = db.execute("SELECT id, nhs_number, upn FROM people_person WHERE id <= ? AND "
                           "(nhs_number != '' OR upn != '')", (stride,)).fetchall()
    updates = []
    for k in range(1, times):
        for pk, nhs, upn in originals:
            new_nhs = synthetic_nhs_number(rng, prefix=nhs[:3], used=used) if nhs else ""
            new_upn = synthetic_upn(rng, int(upn[8:10]), la_numbers=(upn[1:4],),
                                    used=used) if upn else ""
            updates.append((new_nhs, new_upn, pk + k * stride))
    db.executemany("UPDATE people_person SET nhs_number = ?, upn = ? WHERE id = ?", updates)


def multiply(source_var: Path, dest_var: Path, times: int, *, seed: int = 1,
             check_pages: bool = True) -> dict[str, object]:
    """Build the ×``times`` database in ``dest_var``; what was done (also in its marker)."""
    if times < 1:
        raise SystemExit("--times must be at least 1")
    started = time.perf_counter()
    print(f"Copying {source_var / DB_NAME} to {dest_var} and migrating it …", flush=True)
    dest = copy_database(source_var, dest_var)
    migrate(dest_var)
    db = sqlite3.connect(dest, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys = OFF")
        before = counts(db)
        chosen = cloned_tables(db)
        print(f"Copying the case data {times - 1} more times ({len(chosen)} tables) …",
              flush=True)
        db.execute("BEGIN IMMEDIATE")
        stride = clone_rows(db, chosen, times)
        if times > 1:
            renumber_cases(db, stride["cases_case"], times)
            renumber_people(db, stride["people_person"], times, seed)
        db.execute("COMMIT")
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            db.execute("ANALYZE")  # the source had statistics: keep them true
        after = counts(db)
        problems = db.execute("PRAGMA foreign_key_check").fetchall()
        wrong = {t: (before[t], after[t]) for t in chosen if after[t] != before[t] * times}
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT nhs_number FROM people_person WHERE nhs_number != '' "
            "GROUP BY nhs_number HAVING count(*) > 1)").fetchone()[0]
    finally:
        db.close()
    summary: dict[str, object] = {
        "source": str(source_var / DB_NAME), "times": times, "seed": seed,
        "cloned_tables": chosen, "not_copied": NOT_COPIED, "before": before, "after": after,
        "foreign_key_problems": len(problems), "counts_wrong": wrong,
        "duplicate_nhs_numbers": duplicates, "seconds": round(time.perf_counter() - started),
    }
    print_summary(summary)
    if problems or wrong or duplicates:
        raise SystemExit(f"The ×{times} database is not consistent: {problems[:10]} {wrong}")
    if check_pages:
        run_page_check(dest_var, stride_of_cases=stride.get("cases_case", 0), times=times)
    (dest_var / MARKER).write_text(json.dumps(summary, indent=1))
    return summary


def print_summary(summary: dict[str, object]) -> None:
    before, after = summary["before"], summary["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    times = summary["times"]
    print(f"\n  {'table':<52} {'×1 rows':>9} {f'×{times} rows':>10}")
    for table in summary["cloned_tables"]:  # type: ignore[attr-defined]
        print(f"  {table:<52} {before[table]:>9} {after[table]:>10}")
    for table, why in NOT_COPIED.items():
        if table in before:
            print(f"  {table:<52} {before[table]:>9} {after[table]:>10}  not copied: {why}")
    print(f"  PRAGMA foreign_key_check: {summary['foreign_key_problems']} problems; "
          f"tables not ×{times}: {summary['counts_wrong'] or 'none'}; duplicate NHS numbers: "
          f"{summary['duplicate_nhs_numbers']}; {summary['seconds']} s.")
    print(f"  The same agencies, teams, staff and users are kept: every team's caseload is "
          f"×{times} (harsher than a real ×{times} area, which has ×{times} the staff).\n",
          flush=True)


def is_ready(dest_var: Path, source_var: Path, times: int) -> bool:
    marker = dest_var / MARKER
    if not marker.is_file() or not (dest_var / DB_NAME).is_file():
        return False
    done = json.loads(marker.read_text())
    return bool(done.get("times") == times and done.get("source") == str(source_var / DB_NAME))


# ---- checking pages -------------------------------------------------------------------------


def run_page_check(var: Path, *, stride_of_cases: int, times: int) -> None:
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--check-pages", str(var),
                    "--stride", str(stride_of_cases), "--times", str(times)],
                   env=_environment(var), check=True)


def second_factor_given(client: Any, user: Any) -> None:
    """Mark the test client's session as having given a second factor (django-otp), for the
    roles that must; a confirmed TOTP device is added if the person has none."""
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return
    device = (TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
              or TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def check_pages(stride: int, times: int) -> None:
    """In this process (SAFEGUARD_VAR set): copied case pages and the two lists answer 200."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from safeguard.cases.models import Case

    setup_test_environment()
    user_model = get_user_model()
    manager = user_model.objects.get(username="north-manager")
    front_door = user_model.objects.get(username="north-front_door")
    team_id = manager.staff.team_id
    last = stride * (times - 1)
    cases = list(Case.objects.filter(team_id=team_id, restricted=False, id__gt=last)
                 .order_by("id").values_list("id", "reference")[:3])
    cases += list(Case.objects.filter(team_id=team_id, restricted=False, id__gt=stride,
                                      id__lte=2 * stride)
                  .order_by("-id").values_list("id", "reference")[:2])
    pages: list[tuple[str, str, Iterable[object]]] = [
        (f"case {ref} (cases:detail)", reverse("cases:detail", kwargs={"case_id": pk}),
         (manager,)) for pk, ref in cases]
    pages.append(("team's deadlines (cases:team)", reverse("cases:team"), (manager,)))
    pages.append(("front door queue (referrals:queue)", reverse("referrals:queue"),
                  (front_door,)))
    failed = []
    for label, url, (user,) in pages:
        client = Client()
        client.force_login(user)
        second_factor_given(client, user)
        started = time.perf_counter()
        response = client.get(url)
        took = (time.perf_counter() - started) * 1000
        print(f"  {label}: HTTP {response.status_code} as {user.username} ({took:.0f} ms)")
        if response.status_code != 200:
            failed.append(label)
    if not cases or failed:
        raise SystemExit(f"Pages did not render: {failed or 'no copied cases in the team'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_var", type=Path, nargs="?")
    parser.add_argument("dest_var", type=Path, nargs="?")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-page-check", action="store_true")
    parser.add_argument("--check-pages", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stride", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check_pages:
        os.environ.update(_environment(args.check_pages))
        os.environ.pop("DATABASE_URL", None)
        check_pages(args.stride, args.times)
        return
    if args.source_var is None or args.dest_var is None:
        parser.error("SOURCE_VAR and DEST_VAR are needed")
    multiply(args.source_var, args.dest_var, args.times, seed=args.seed,
             check_pages=not args.no_page_check)


if __name__ == "__main__":
    main()
