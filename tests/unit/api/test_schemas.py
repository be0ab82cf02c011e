"""The request schemas equal the database (issue 15): every column a schema writes and every CHECK on it is walked,
so a schema-valid request can never be refused by PostgreSQL and a new column or CHECK cannot drift unnoticed."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import CheckConstraint, Column, Integer, Numeric, String, Table
from sqlalchemy.dialects.postgresql import ARRAY

from campusbot.api import schemas
from campusbot.db.models import Base, CompanyRegistration, Opportunity, Program, StudentRegistration, University

# (model, create schema, update schema, schema fields that are not columns of the model)
PAIRS: list[tuple[type[Base], type[BaseModel], type[BaseModel], set[str]]] = [
    (University, schemas.UniversityCreate, schemas.UniversityUpdate, {"programs"}),
    (Program, schemas.ProgramCreate, schemas.ProgramUpdate, set()),
    (StudentRegistration, schemas.StudentCreate, schemas.StudentUpdate, set()),
    (CompanyRegistration, schemas.CompanyCreate, schemas.CompanyUpdate, {"opportunities"}),
    (Opportunity, schemas.OpportunityCreate, schemas.OpportunityUpdate, set()),
]
# CHECKs that are not bounds, and the schema type that enforces them (asserted below, by behaviour)
NOT_BOUNDS = {"email = lower(email)", "position('@' in email) > 1"}
INT4 = 2**31 - 1
IDS = [model.__tablename__ for model, *_ in PAIRS]

Bound = tuple[Decimal | None, Decimal | None]


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _check_bounds(table: Table, column: str, scale: int) -> tuple[Bound, list[str] | None]:
    """The inclusive bounds the CHECKs put on a column at its scale, and the values an IN list allows."""
    low: Decimal | None = None
    high: Decimal | None = None
    allowed: list[str] | None = None
    step = Decimal(1).scaleb(-scale)
    for constraint in table.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        sql = str(constraint.sqltext)
        if not re.search(rf"\b{column}\b", sql) or sql in NOT_BOUNDS:
            continue
        matched = False
        for op, number in re.findall(rf"\b{column}\s*(>=|<=|>|<)\s*(-?[\d.]+)", sql):
            value, matched = Decimal(number), True
            if op == ">":
                low = value + step
            elif op == ">=":
                low = value
            elif op == "<":
                high = value - step
            else:
                high = value
        for a, b in re.findall(rf"\b{column}\s+BETWEEN\s+(-?[\d.]+)\s+AND\s+(-?[\d.]+)", sql):
            low, high, matched = Decimal(a), Decimal(b), True
        for values in re.findall(rf"\b{column}\s+IN\s*\(([^)]*)\)", sql):
            allowed, matched = re.findall(r"'([^']*)'", values), True
        assert matched, f"{table.name}: CHECK {sql!r} is not a bound this test knows; teach it, and the schema"
    return (low, high), allowed


def _type_bounds(column: Column[Any]) -> Bound:
    if isinstance(column.type, Numeric) and column.type.precision is not None:
        scale = column.type.scale or 0
        largest = Decimal(10) ** (column.type.precision - scale) - Decimal(1).scaleb(-scale)
        return -largest, largest
    if isinstance(column.type, Integer):
        return Decimal(-INT4 - 1), Decimal(INT4)
    return None, None


def _property(model: type[BaseModel], name: str) -> tuple[dict[str, Any], bool]:
    """A field's JSON schema (as the OpenAPI document shows it) without the null branch, and whether null is allowed."""
    prop = model.model_json_schema()["properties"][name]
    branches = prop.get("anyOf", [prop])
    nullable = any(branch.get("type") == "null" for branch in branches)
    [branch] = [branch for branch in branches if branch.get("type") != "null"]
    return {k: v for k, v in branch.items() if k not in ("default", "title", "description")}, nullable


def _columns(model: type[Base], create: type[BaseModel], extra: set[str]) -> list[Column[Any]]:
    table = _table(model)
    names = [name for name in create.model_fields if name not in extra]
    missing = [name for name in names if name not in table.columns]
    assert not missing, f"{create.__name__} fields that are no column of {table.name}: {missing}"
    return [table.columns[name] for name in names]


@pytest.mark.parametrize(("model", "create", "update", "extra"), PAIRS, ids=IDS)
def test_string_lengths_and_choices_are_the_columns(
    model: type[Base], create: type[BaseModel], update: type[BaseModel], extra: set[str]
) -> None:
    table = _table(model)
    for column in _columns(model, create, extra):
        for schema in (create, update):
            if column.name not in schema.model_fields:
                continue
            prop, _ = _property(schema, column.name)
            column_type = column.type.item_type if isinstance(column.type, ARRAY) else column.type
            item = prop["items"] if isinstance(column.type, ARRAY) else prop
            if not isinstance(column_type, String) or column_type.length is None:
                continue
            _, allowed = _check_bounds(table, column.name, 0)
            where = f"{schema.__name__}.{column.name}"
            if allowed is not None:
                assert sorted(item["enum"]) == sorted(allowed), where
                assert max(map(len, allowed)) <= column_type.length, where
            else:
                assert item.get("maxLength") == column_type.length, where


@pytest.mark.parametrize(("model", "create", "update", "extra"), PAIRS, ids=IDS)
def test_numeric_bounds_are_the_checks_at_the_column_scale(
    model: type[Base], create: type[BaseModel], update: type[BaseModel], extra: set[str]
) -> None:
    table = _table(model)
    checked = 0
    for column in _columns(model, create, extra):
        if not isinstance(column.type, Numeric | Integer):
            continue
        scale = column.type.scale or 0 if isinstance(column.type, Numeric) else 0
        (low, high), _ = _check_bounds(table, column.name, scale)
        type_low, type_high = _type_bounds(column)
        for schema in (create, update):
            if column.name not in schema.model_fields:
                continue
            prop, _ = _property(schema, column.name)
            where = f"{schema.__name__}.{column.name}"
            assert "exclusiveMinimum" not in prop and "exclusiveMaximum" not in prop, f"{where}: inclusive bounds"
            minimum, maximum = Decimal(str(prop["minimum"])), Decimal(str(prop["maximum"]))
            # where the database bounds the value, the schema says the same bound; the schema's own limits lie
            # inside what the column can hold
            assert minimum == low if low is not None else minimum >= (type_low or minimum), where
            assert maximum == high if high is not None else maximum <= (type_high or maximum), where
            checked += 1
            if isinstance(column.type, Numeric) and not isinstance(column.type, Integer):
                # more decimals than the column keeps are rounded as PostgreSQL would, before storing
                probe = float(minimum + Decimal(5).scaleb(-scale - 1))
                rounded = update.model_validate({column.name: probe}).model_dump(exclude_unset=True)[column.name]
                assert Decimal(repr(rounded)) == minimum + Decimal(1).scaleb(-scale), (where, probe, rounded)
                below = float(minimum - Decimal(1).scaleb(-scale - 1))
                with pytest.raises(ValidationError):
                    update.model_validate({column.name: below})
    assert checked or not any(isinstance(c.type, Numeric | Integer) for c in _columns(model, create, extra))


@pytest.mark.parametrize(("model", "create", "update", "extra"), PAIRS, ids=IDS)
def test_null_is_allowed_exactly_where_the_column_allows_it(
    model: type[Base], create: type[BaseModel], update: type[BaseModel], extra: set[str]
) -> None:
    for column in _columns(model, create, extra):
        has_default = column.server_default is not None or column.default is not None
        _, create_nullable = _property(create, column.name)
        assert create_nullable == column.nullable, f"{create.__name__}.{column.name}"
        field = create.model_fields[column.name]
        assert field.is_required() == (not column.nullable and not has_default), f"{create.__name__}.{column.name}"
        if column.name not in update.model_fields:
            continue  # not changeable after creation
        _, update_nullable = _property(update, column.name)
        assert update_nullable == column.nullable, f"{update.__name__}.{column.name}"
        assert "default" not in update.model_json_schema()["properties"][column.name] or column.nullable
        if not column.nullable:
            with pytest.raises(ValidationError):  # a PATCH with null for a NOT NULL column is the schema's 422
                update.model_validate({column.name: None})
        # leaving a field out of a PATCH changes nothing
        assert column.name not in update.model_validate({}).model_dump(exclude_unset=True)


def test_the_email_checks_are_enforced_by_the_email_type() -> None:
    stored = schemas.StudentUpdate.model_validate({"email": "Ana.Garcia@Example.EDU"}).model_dump(exclude_unset=True)
    assert stored["email"] == stored["email"].lower() and stored["email"].index("@") > 0
    assert schemas.StudentUpdate.model_json_schema()["properties"]["email"]["maxLength"] == 254


@pytest.mark.parametrize("text", [" ", "\f\x1f", "\x1c\x1d\x1e", "\u3000\x1f"])
def test_a_required_text_of_only_what_trimming_removes_is_refused(text: str) -> None:
    """What the schema calls blank is what the trim removes (str.strip: Unicode White_Space and \\x1c-\\x1f): a value
    the pattern let through and the trim emptied was stored as "" and broke every later read (found by schemathesis)."""
    assert text.strip() == ""
    with pytest.raises(ValidationError) as refused:
        schemas.ProgramCreate.model_validate({"name": text, "field_of_study": "Law", "degree": "master"})
    assert ("name",) in [error["loc"] for error in refused.value.errors()]
    assert re.fullmatch(schemas.NOT_BLANK, "\x1fLaw\x1f")
