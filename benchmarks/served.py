"""A copy of Safeguard served on a local port, and signing in to it over HTTP as a person
would: what ``pages.py`` (the pages' speed) and ``probe_access.py`` (the access probe) share.

Plain HTTP and the standard library only: the probe must not ask Safeguard's code what is
allowed, and nothing here does."""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def serve(env: dict[str, str], port: int, log: Path, *, threads: int, answers: str,
          within: int) -> subprocess.Popen[bytes]:
    """``safeguard serve`` on ``port`` with ``env``, its output in ``log``; returned once
    ``answers`` (a path) answers without a server error, or the run stops after ``within``
    seconds."""
    out = log.open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "safeguard.cli", "serve", "--host", HOST, "--port", str(port),
         "--threads", str(threads)], env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", answers)
            if conn.getresponse().status < 500:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"The server did not answer within {within} s: see {log}")


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def form_post(conn: http.client.HTTPConnection, port: int, path: str, jar: dict[str, str],
              fields: dict[str, str]) -> http.client.HTTPResponse:
    """GET the form at ``path``, then POST ``fields`` to it with its CSRF token; ``jar``
    keeps the cookies set on the way."""
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    page = response.read().decode()
    jar.update(cookies_of(response))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit(f"The page {path} has no CSRF token (HTTP {response.status})")
    conn.request("POST", path, body=urlencode({"csrfmiddlewaretoken": token.group(1), **fields}),
                 headers={"Content-Type": "application/x-www-form-urlencoded",
                          "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                          "Referer": f"http://{HOST}:{port}{path}"})
    response = conn.getresponse()
    response.read()
    jar.update(cookies_of(response))
    return response


def sign_in(port: int, username: str, password: str,
            second_factor: Callable[[str], str | None], *, timeout: int = 60) -> str:
    """The Cookie header of a signed-in session for ``username``: the sign-in form, then,
    if the role needs one, the two-factor form with ``second_factor(username)``'s code."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    jar: dict[str, str] = {}
    response = form_post(conn, port, "/sign-in", jar,
                         {"username": username, "password": password})
    if response.status not in (302, 303) or "sessionid" not in jar:
        raise SystemExit(f"Could not sign in as {username} (HTTP {response.status})")
    location = response.getheader("Location") or ""
    if "two-factor" in location:
        code = second_factor(username)
        if code is None:
            raise SystemExit(f"{username} must give a second factor, and has no code")
        response = form_post(conn, port, urlsplit(location).path, jar, {"code": code})
        if response.status not in (302, 303) or "two-factor" in (
                response.getheader("Location") or ""):
            raise SystemExit(f"{username}'s second factor was refused (HTTP {response.status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())
