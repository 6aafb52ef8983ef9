"""``safeguard demo`` builds the data with its progress shown, lists the personas and the
password, and a second run reuses what is there; ``export-timelines`` explains itself."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **kw: object) -> tuple[int, str]:
    request = urllib.request.Request(url, **kw)  # type: ignore[arg-type]
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_demo_answers_at_once_and_signs_in_when_the_data_is_ready(tmp_path: Path) -> None:
    """A fresh ``safeguard demo`` serves before the data is built: the sign-in page says how
    far the build has got and signs nobody in; once it is ready, a persona signs in."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SAFEGUARD_VAR"] = str(tmp_path / "var")
    log = (tmp_path / "demo.log").open("w+")
    demo = subprocess.Popen(
        [sys.executable, "-m", "safeguard.cli", "demo", "--scale", "0.01", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while "being served" not in Path(log.name).read_text():
            assert demo.poll() is None and time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.2)
        while True:  # the line comes just before the server listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert demo.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        status, page = _get(f"{base}/sign-in")
        assert status == 200
        assert "The demo data is being built" in page
        assert re.search(r'id="demo-progress">[^<]*(recorded|planned|staff|Building|Starting)',
                         page)
        status, page = _get(f"{base}/check-timeline")
        assert status == 200  # the engine's page works meanwhile

        cookies = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))

        def sign_in() -> tuple[int, str, str]:
            form = opener.open(f"{base}/sign-in", timeout=10).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
            assert token is not None
            data = urllib.parse.urlencode({
                "csrfmiddlewaretoken": token.group(1), "username": "north-social_worker",
                "password": DEMO_PASSWORD}).encode()
            request = urllib.request.Request(f"{base}/sign-in", data=data,
                                             headers={"Referer": f"{base}/sign-in"})
            try:
                with opener.open(request, timeout=10) as response:
                    return response.status, response.url, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, "", error.read().decode()

        status, url, page = sign_in()
        if "You can sign in now" not in Path(log.name).read_text():
            assert url.endswith("/sign-in") and "until the demo data is ready" in page

        while "You can sign in now" not in Path(log.name).read_text():
            assert demo.poll() is None and time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.5)
        status, page = _get(f"{base}/sign-in")
        assert "The demo data is being built" not in page
        status, url, page = sign_in()
        assert status == 200 and url == f"{base}/", page[:500]
        assert "My work" in page
    finally:
        demo.terminate()
        demo.wait(timeout=30)
        log.close()
