"""Fixtures shared by all of Safeguard's tests.

The environment itself (a temporary ``SAFEGUARD_VAR``; SQLite, or a throwaway PostgreSQL
server when ``SAFEGUARD_TEST_DATABASE=postgres``) is set up by the plugin
:mod:`safeguard.testing.pytest_plugin`, loaded from pyproject's pytest ``addopts``: it must
act before pytest-django reads the settings, which is before this file is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from safeguard.testing.pytest_plugin import database_under_test


@pytest.fixture(scope="session")
def safeguard_var() -> Path:
    """The temporary folder this test run uses as ``var/``."""
    return Path(os.environ["SAFEGUARD_VAR"])


@pytest.fixture(scope="session")
def expected_database_vendor() -> str:
    """Django's ``connection.vendor`` for the database this run tests."""
    return {"sqlite": "sqlite", "postgres": "postgresql"}[database_under_test()]
