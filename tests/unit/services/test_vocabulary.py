from __future__ import annotations

import pytest

from campusbot.services.vocabulary import canonical_country, canonical_field, canonical_industry, fields_of_study


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("cs", "Computer Science"),
        ("Computer Science", "Computer Science"),
        ("  med school ", "Medicine"),
        ("MBA", "Business Administration"),
        ("maths", "Mathematics"),
        ("Basket Weaving", "Basket Weaving"),
    ],
)
def test_fields_resolve_synonyms_case_insensitively(text: str, canonical: str) -> None:
    assert canonical_field(text) == canonical


def test_industries_and_countries() -> None:
    assert canonical_industry("fintech") == "Finance"
    assert canonical_industry("tech") == "Software"
    assert canonical_country("USA") == "United States"
    assert canonical_country("uk") == "United Kingdom"
    assert canonical_country("Germany") == "Germany"


def test_every_field_comes_from_the_bot_definition() -> None:
    fields = fields_of_study()
    assert "Computer Science" in fields and "Medicine" in fields and len(fields) >= 20
