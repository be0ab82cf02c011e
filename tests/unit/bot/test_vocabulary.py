from __future__ import annotations

import pytest

from campusbot.bot.vocabulary import canonical_country, canonical_field, canonical_industry, fields_of_study


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


def test_one_alias_table_for_the_api_and_the_emulator() -> None:
    """The names that had drifted ("scotland", "the states": known to the emulator only) resolve the same in the
    API's filters and in the emulator's AMAZON.Country, because both read the definition's `countries:`."""
    from campusbot.bot.cloudformation import load_bot
    from campusbot.bot.vocabulary import vocabulary
    from campusbot.local.emulator import gazetteer
    from campusbot.local.emulator.slots import SlotResolver

    assert not hasattr(gazetteer, "COUNTRY_ALIASES")
    assert canonical_country("Scotland") == "United Kingdom"
    assert canonical_country("the  states") == "United States"
    aliases = vocabulary().country_aliases
    assert set(aliases.values()) <= set(gazetteer.COUNTRIES), "every alias names a country AMAZON.Country knows"
    bot = load_bot()  # what the emulator runs: the rendered template
    recommend = bot.intent("RecommendUniversity")
    assert recommend is not None
    resolver = SlotResolver(bot)
    for alias, country in (("Scotland", "United Kingdom"), ("the states", "United States"), ("Holland", "Netherlands")):
        found = resolver.extract(recommend, f"I want to study medicine in {alias}")["country"]
        assert (found.interpreted, canonical_country(alias), aliases[alias.casefold()]) == (country,) * 3


def test_an_alias_naming_two_countries_is_refused() -> None:
    from campusbot.bot.model import load_definition
    from campusbot.bot.vocabulary import Vocabulary

    countries = (("Ireland", ("eire",)), ("United Kingdom", ("uk", "eire")))
    with pytest.raises(ValueError, match="'eire' names both Ireland and United Kingdom"):
        Vocabulary.of(load_definition(), countries=countries)
    assert Vocabulary.of(load_definition(), countries=countries[:1]).country_aliases == {"eire": "Ireland"}
