"""Tamper-evident, append-only event store: chained recorders for SQLite and PostgreSQL."""

from lms.eventstore.env import event_store_env
from lms.eventstore.verify import LogVerification, verify_log

__all__ = ["LogVerification", "event_store_env", "verify_log"]
