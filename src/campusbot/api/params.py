"""Query and path parameter types shared by the routes (bounded, so bad input is a 422, never a 500)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

RowId = Annotated[int, Path(ge=1, le=2_147_483_647, description="the row's id")]
FieldQ = Annotated[str | None, Query(max_length=80, description="field of study; synonyms accepted ('CS')")]
CountryQ = Annotated[str | None, Query(max_length=80, description="country name ('Germany', 'USA')")]
CityQ = Annotated[str | None, Query(max_length=120)]
TextQ = Annotated[str | None, Query(max_length=200, description="text contained in name or description")]
MaxTuitionQ = Annotated[float | None, Query(ge=0, le=200_000, description="highest yearly tuition in USD")]
DegreeQ = Annotated[str | None, Query(pattern="^(bachelor|master|phd)$")]
