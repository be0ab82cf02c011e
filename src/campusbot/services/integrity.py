"""Turn PostgreSQL integrity errors into service errors whose message a user can act on: they name the field,
never the database constraint (issue 15)."""

from __future__ import annotations

import re
from functools import cache

from sqlalchemy import CheckConstraint
from sqlalchemy.exc import IntegrityError

from campusbot.db.models import Base
from campusbot.services.errors import Conflict, Invalid, ServiceError

_KEY = re.compile(r"Key \((?P<cols>[^)]*)\)=\((?P<vals>.*)\) already exists")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


@cache
def check_fields() -> dict[str, tuple[str, ...]]:
    """Each CHECK constraint's name as PostgreSQL reports it (the model's naming convention already applied by
    SQLAlchemy) → the columns it tests."""
    fields: dict[str, tuple[str, ...]] = {}
    for table in Base.metadata.tables.values():
        columns = set(table.columns.keys())
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint) and isinstance(constraint.name, str):
                words = _WORD.findall(str(constraint.sqltext))
                fields[str(constraint.name)] = tuple(dict.fromkeys(word for word in words if word in columns))
    return fields


def integrity_error(exc: IntegrityError) -> ServiceError:
    """Unique violations → 409 naming the field and value; check/foreign-key/not-null → 422 naming the field."""
    orig = exc.orig
    driver_error = getattr(orig, "__cause__", None)  # asyncpg's exception carries detail, constraint and column
    sqlstate = getattr(orig, "sqlstate", None) or getattr(driver_error, "sqlstate", None)
    message = f"{orig} {getattr(driver_error, 'detail', '') or ''}"
    if sqlstate == "23505":
        match = _KEY.search(message)
        if match:
            return Conflict(f"{match['cols']} {match['vals']!r} already exists")
        return Conflict("a record with the same unique key already exists")
    if sqlstate == "23503":
        return Invalid("the record refers to something that does not exist")
    if sqlstate == "23514":
        fields = check_fields().get(getattr(driver_error, "constraint_name", None) or "", ())
        if fields:
            return Invalid(f"{', '.join(fields)}: the value is out of the allowed range")
        return Invalid("a value is out of the allowed range")
    if sqlstate == "23502":
        column = getattr(driver_error, "column_name", None)
        return Invalid(f"{column}: a value is required" if column else "a required value is missing")
    return Invalid("the record violates a rule of the data")
