"""Fixtures for the credential tests: a fixed did:key issuer and its Open Badge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.credentials.multikey import did_key, did_key_verification_method
from tests.credentials.samples import issuer_key, open_badge_credential

SIGNED_AT = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)


@pytest.fixture
def private_key():
    return issuer_key()


@pytest.fixture
def verification_method(private_key):
    return did_key_verification_method(private_key.public_key())


@pytest.fixture
def open_badge(private_key):
    return open_badge_credential(did_key(private_key.public_key()))
