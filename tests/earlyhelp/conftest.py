"""Fixtures for early help: two areas, the clock at 24 November 2026."""

from __future__ import annotations

import pytest
import time_machine

from safeguard.demo.areas import build_area


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-11-24 10:00:00+00:00", tick=False):
        yield


@pytest.fixture
def north():
    return build_area("Northshire", "901", "north")


@pytest.fixture
def south():
    return build_area("Southshire", "902", "south")
