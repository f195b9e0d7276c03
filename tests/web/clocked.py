"""Fixtures for tests that move time by hand: the login throttle and reset links read the clock.

Import both fixtures into a test module to run its services on the hand-moved clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.services import build_services
from tests.factories import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 5, 3, 18, 0, tzinfo=UTC))


@pytest.fixture
def services(backend, clock):
    """The app's services on a clock the test moves by hand."""
    built = build_services(backend, clock=clock)
    yield built
    built.close()
