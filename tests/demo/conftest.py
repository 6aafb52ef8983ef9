"""Fixtures of the demo data's tests."""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: builds a larger demo (run with SAFEGUARD_SLOW_TESTS=1)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("SAFEGUARD_SLOW_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="a larger demo build: set SAFEGUARD_SLOW_TESTS=1 to run it")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
