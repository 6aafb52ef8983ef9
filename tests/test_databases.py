"""The database works, on whichever one this run tests (SQLite, or PostgreSQL when
``SAFEGUARD_TEST_DATABASE=postgres``): ``scripts/test.sh`` runs these on both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.db, pytest.mark.django_db]


def test_the_database_is_the_one_this_run_tests(expected_database_vendor: str) -> None:
    print(f"database vendor: {connection.vendor}")  # shown with -rA or -s
    assert connection.vendor == expected_database_vendor


def test_every_migration_is_applied() -> None:
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    assert unapplied == []
    assert ("auth", "0001_initial") in executor.recorder.applied_migrations()


def test_a_user_written_is_read_back() -> None:
    user_model = get_user_model()
    written = user_model.objects.create_user(
        username="alex.social-worker",
        email="alex@example.gov.uk",
        password="a long test password",  # noqa: S106 - a test's own value
        first_name="Alex",
        last_name="Ó Briain",  # not ASCII: the text must round-trip as written
    )
    read = user_model.objects.get(pk=written.pk)
    assert (read.username, read.email, read.first_name, read.last_name) == (
        "alex.social-worker",
        "alex@example.gov.uk",
        "Alex",
        "Ó Briain",
    )
    assert read.check_password("a long test password")
    assert read.date_joined.tzinfo is not None


def test_postgresql_statements_are_prepared_on_their_second_use(
        expected_database_vendor: str) -> None:
    """On PostgreSQL, a statement run twice on a connection is prepared by the server (its
    plan kept for the connection: settings.py says why), whatever its parameters."""
    if expected_database_vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    user_model = get_user_model()
    for name in ("sam", "kit", "ash"):
        user_model.objects.create_user(username=f"{name}.prepared", password=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        before = cursor.fetchone()[0]
    names = [user_model.objects.get(username=f"{name}.prepared").username
             for name in ("sam", "kit", "ash")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) AS after FROM pg_prepared_statements")  # not the same
        after = cursor.fetchone()[0]
    assert names == ["sam.prepared", "kit.prepared", "ash.prepared"]
    assert after == before + 1  # one statement, prepared once, for three usernames


def test_a_prepare_threshold_that_is_not_a_number_is_refused_by_name(tmp_path: Path) -> None:
    run = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-c", "import safeguard.config.settings"], capture_output=True,
        text=True, env={"PATH": "", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
                        "SAFEGUARD_DB_PREPARE_THRESHOLD": "often",
                        "SAFEGUARD_VAR": str(tmp_path)},
        check=False)
    assert run.returncode != 0
    assert "SAFEGUARD_DB_PREPARE_THRESHOLD must be a whole number" in run.stderr
