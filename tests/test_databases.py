"""The database works, on whichever one this run tests (SQLite, or PostgreSQL when
``SAFEGUARD_TEST_DATABASE=postgres``): ``scripts/test.sh`` runs these on both."""

from __future__ import annotations

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
