"""The test environment, set before Django reads its settings.

Loaded with ``-p safeguard.testing.pytest_plugin`` (pyproject's pytest ``addopts``). It has
to be a plugin rather than ``tests/conftest.py``: pytest-django reads the settings in its
``pytest_load_initial_conftests`` hook, which runs before any conftest is imported, and
the settings read ``SAFEGUARD_VAR`` and ``DATABASE_URL`` when they are imported.

- ``SAFEGUARD_VAR`` points at a new temporary folder, so tests never write into the
  developer's ``var/`` (the secret key, the SQLite file, collected static files).
- ``SAFEGUARD_TEST_DATABASE=postgres`` starts a throwaway PostgreSQL server
  (:mod:`safeguard.testing.postgres`) and points ``DATABASE_URL`` at it. Unset, or
  ``sqlite``, the tests use SQLite: a ``DATABASE_URL`` from the developer's shell is set
  aside, so a test run never touches a real database.

Both are undone when pytest ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .postgres import throwaway_cluster

DATABASE_ENV = "SAFEGUARD_TEST_DATABASE"
DATABASES = ("sqlite", "postgres")


def database_under_test() -> str:
    """Which database this run tests: ``sqlite`` (the default) or ``postgres``."""
    return os.environ.get(DATABASE_ENV, "").strip().lower() or "sqlite"


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    database = database_under_test()
    if database not in DATABASES:
        raise pytest.UsageError(
            f"{DATABASE_ENV}={os.environ[DATABASE_ENV]!r}: say one of {', '.join(DATABASES)}"
        )

    stack = contextlib.ExitStack()
    early_config.add_cleanup(stack.close)
    saved = {name: os.environ.get(name) for name in ("SAFEGUARD_VAR", "DATABASE_URL")}
    stack.callback(_restore_environment, saved)

    var = Path(tempfile.mkdtemp(prefix="safeguard-test-var-"))
    stack.callback(shutil.rmtree, var, ignore_errors=True)
    (var / "static").mkdir()  # STATIC_ROOT: WhiteNoise warns when it is missing
    os.environ["SAFEGUARD_VAR"] = str(var)
    os.environ["SAFEGUARD_TESTING"] = "1"  # settings: a fast password hasher

    if database == "postgres":
        os.environ["DATABASE_URL"] = stack.enter_context(throwaway_cluster())
    else:
        os.environ.pop("DATABASE_URL", None)


def _restore_environment(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL")
    where = f"throwaway PostgreSQL at {url}" if url else "SQLite"
    return f"safeguard: database {where}; SAFEGUARD_VAR={os.environ.get('SAFEGUARD_VAR')}"


@pytest.hookimpl
def pytest_configure(config: pytest.Config) -> None:
    """Let the test harness empty the audit table between transactional tests: Django's
    ``flush`` runs with the append-only triggers lifted, and they are put back after."""
    from django.core.management.commands import flush

    original = flush.Command.handle
    if getattr(original, "_lifts_audit_guard", False):
        return

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        from django.db import connections

        from safeguard.core import audit_guard

        connection = connections[options.get("database", "default")]
        audit_guard.remove(connection)
        try:
            return original(self, *args, **options)
        finally:
            audit_guard.install(connection)

    handle._lifts_audit_guard = True  # type: ignore[attr-defined]
    flush.Command.handle = handle  # type: ignore[method-assign]
