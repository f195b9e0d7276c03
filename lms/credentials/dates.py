"""XML Schema dateTimeStamp values, as credentials and proofs carry them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from lms.credentials.errors import InvalidDateTimeError

# XSD dateTimeStamp: a dateTime whose timezone is mandatory (four-digit years only here).
_DATE_TIME_STAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII
)


def format_datetime(moment: datetime) -> str:
    """UTC to the second, as in the specs' examples (`2023-02-24T23:36:38Z`)."""
    if moment.tzinfo is None:
        raise InvalidDateTimeError("a naive datetime is ambiguous: give it a timezone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: Any) -> datetime:
    """An aware datetime from an XSD dateTimeStamp string."""
    if not isinstance(value, str) or not _DATE_TIME_STAMP.fullmatch(value):
        raise InvalidDateTimeError(f"{value!r} is not an XML Schema dateTimeStamp")
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidDateTimeError(f"{value!r} is not a real date and time") from error
