"""``safeguard demo`` builds the data with its progress shown, lists the personas and the
password, and a second run reuses what is there; ``export-timelines`` explains itself."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from safeguard.demo.areas import DEMO_PASSWORD


def _run(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SAFEGUARD_VAR"] = str(var)
    return subprocess.run([sys.executable, "-m", "safeguard.cli", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_demo_builds_shows_progress_and_reuses_what_is_there(tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = _run(var, "demo", "--no-serve", "--scale", "0.003", "--seed", "5")
    assert first.returncode == 0, first.stdout + first.stderr
    out = first.stdout
    for area in ("Northshire", "Southshire"):
        assert re.search(rf"^{area}: recorded [\d,]+ of [\d,]+ \(50%, \d+ s\)$", out, re.M)
        assert re.search(rf"^{area}: recorded [\d,]+ of [\d,]+ \(100%, \d+ s\)$", out, re.M)
        assert re.search(rf"^{area}: obligations of [\d,]+ cases computed", out, re.M)
    assert "north-social_worker" in out and "south-chair" in out
    assert f"The password of every demo account is: {DEMO_PASSWORD}" in out

    with sqlite3.connect(var / "safeguard.sqlite3") as conn:
        cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    assert cases > 0

    second = _run(var, "demo", "--no-serve", "--scale", "0.003", "--seed", "5")
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.count("already there") == 2
    assert "recorded" not in second.stdout
    with sqlite3.connect(var / "safeguard.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM cases_case").fetchone()[0] == cases


def test_export_timelines_says_files_are_named_by_case_reference(tmp_path: Path) -> None:
    done = _run(tmp_path, "export-timelines", "--help")
    assert done.returncode == 0
    assert "<case reference>.json" in done.stdout
