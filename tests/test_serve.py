"""``safeguard demo`` sets up its own SQLite database, and ``safeguard serve`` really serves
pages and static files: each run as a person would, in a process of its own."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import safeguard

START_TIMEOUT_SECONDS = 30
STATIC_FILE = "govuk-frontend/govuk-frontend.min.css"
STATIC_SOURCE = Path(safeguard.__file__).parent / "web" / "static" / STATIC_FILE


def _environment(var: Path) -> dict[str, str]:
    """This process's environment, with its own var/ and the embedded SQLite default."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SAFEGUARD_VAR"] = str(var)
    return env


def _safeguard(*args: str) -> list[str]:
    return [sys.executable, "-m", "safeguard.cli", *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_demo_sets_up_sqlite_under_safeguard_var(tmp_path: Path) -> None:
    var = tmp_path / "var"
    for _run in range(2):  # and a second run, on the database the first one made, too
        done = subprocess.run(
            _safeguard("demo", "--no-serve", "--no-data"),  # the data: tests/demo
            env=_environment(var),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "The database is ready." in done.stdout
    database = var / "safeguard.sqlite3"
    assert database.is_file()
    with sqlite3.connect(database) as conn:
        applied = conn.execute("SELECT app, name FROM django_migrations").fetchall()
    assert ("auth", "0001_initial") in applied


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``safeguard serve`` on a free port; its base URL once it answers."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(  # noqa: S603 - our own command
        _safeguard("serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "2"),
        env=_environment(tmp_path / "var"),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"safeguard serve exited with {process.returncode}:\n{log.read()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"safeguard serve did not answer in {START_TIMEOUT_SECONDS} s:"
                                f"\n{log.read()}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_serve_serves_the_home_page(server: str) -> None:
    status, headers, body = _get(f"{server}/")
    assert status == 200
    assert headers["Server"] == "Safeguard"  # waitress, named by `safeguard serve`
    assert headers["Content-Type"].startswith("text/html")
    assert b"<html" in body


def test_serve_serves_static_files_itself(server: str) -> None:
    status, headers, body = _get(f"{server}/static/{STATIC_FILE}")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert body == STATIC_SOURCE.read_bytes()


def test_serve_answers_a_missing_static_file_with_not_found(server: str) -> None:
    status, _headers, _body = _get(f"{server}/static/no-such-file.css")
    assert status == 404


def test_the_served_application_is_left_out_of_the_garbage_collectors_rounds() -> None:
    """What loading the application made lives as long as the server: ``safeguard serve``
    freezes it (``gc.freeze``), so a full round of the collector goes over only what requests
    made since, not over 100,000 long-lived objects, holding every thread still."""
    import gc

    from safeguard.cli import _application

    gc.unfreeze()
    try:
        application = _application()
        assert callable(application)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
