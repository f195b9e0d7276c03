"""A fingerprint of read-model tables, to show that a rebuild reproduces them exactly."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Engine, Table, select


def read_model_digest(engine: Engine, tables: Iterable[Table]) -> str:
    """SHA-256 over every row of each table, in primary-key order, with values normalised.

    Tables are hashed in name order, each with its name and column names, so the digest does
    not depend on the order they are given in, and a row cannot move between tables unseen.
    """
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(tables, key=lambda t: t.name):
            columns = [c.name for c in table.columns]
            digest.update(_line(["table", table.name, columns]))
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(_line([_normalised(value) for value in row]))
    return digest.hexdigest()


def _line(value) -> bytes:
    return (
        json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        + b"\n"
    )


def _normalised(value):
    """A JSON-ready value; types are tagged so, say, a UUID never equals the same text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, datetime | date | time):
        return ["datetime", value.isoformat()]
    if isinstance(value, UUID):
        return ["uuid", str(value)]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if isinstance(value, bytes | bytearray | memoryview):
        return ["bytes", base64.b64encode(bytes(value)).decode("ascii")]
    if isinstance(value, dict):
        # JSON columns: canonical by sorting keys (done by _line) and normalising the values.
        return ["json", {str(k): _json_value(v) for k, v in value.items()}]
    if isinstance(value, list | tuple):
        return ["json", [_json_value(v) for v in value]]
    raise TypeError(f"cannot digest a value of type {type(value).__name__}")


def _json_value(value):
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value
