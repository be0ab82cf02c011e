"""Turn PostgreSQL integrity errors into service errors whose message a user can act on."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from campusbot.services.errors import Conflict, Invalid, ServiceError

_KEY = re.compile(r"Key \((?P<cols>[^)]*)\)=\((?P<vals>.*)\) already exists")


def integrity_error(exc: IntegrityError) -> ServiceError:
    """Unique violations → 409 naming the field and value; check/foreign-key/not-null → 422."""
    orig = exc.orig
    driver_error = getattr(orig, "__cause__", None)  # asyncpg's exception carries detail and constraint
    sqlstate = getattr(orig, "sqlstate", None) or getattr(driver_error, "sqlstate", None)
    message = f"{orig} {getattr(driver_error, 'detail', '') or ''}"
    constraint = getattr(driver_error, "constraint_name", None)
    if sqlstate == "23505":
        match = _KEY.search(message)
        if match:
            return Conflict(f"{match['cols']} {match['vals']!r} already exists")
        return Conflict("a record with the same unique key already exists")
    if sqlstate == "23503":
        return Invalid("the record refers to something that does not exist")
    if sqlstate == "23514":
        return Invalid(f"a value is out of range (constraint {constraint or 'check'})")
    if sqlstate == "23502":
        return Invalid("a required value is missing")
    return Invalid("the record violates a database constraint")
