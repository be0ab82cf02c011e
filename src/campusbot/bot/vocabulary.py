"""The bot's vocabulary: one table of what people call things, read from `definition.yaml` (`bot.model`).

- fields of study, industries, regions, ...: the values of the custom slot types and their synonyms, which is
  what Lex gets in the rendered template ("cs" → "Computer Science", "fintech" → "Finance");
- the countries of each Region value (`regions:`);
- the other names of countries (`countries:`: "usa", "the states" → "United States"), which Lex's built-in
  AMAZON.Country resolves by itself.

Readers: the API's filters (`services/*`), the fulfillment's wording (`assistant/language.py`, `messages.py`),
the seed data (`db/seed/data.py`) and the Lex emulator's AMAZON.Country (`local/emulator/slots.py`). Parsed on
first use, not at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

# Imported, not rebuilt from a path: the Lambda packager follows imports, so the fulfillment zip carries the
# campusbot.bot package and its definition.yaml (a path alone left it out: FileNotFoundError in AWS).
from campusbot.bot.model import DEFINITION_PATH as DEFINITION
from campusbot.bot.model import BotDefinition, NameLists, load_definition, load_name_lists

LOWERCASE_WORDS = frozenset({"and", "of", "the", "da", "de", "del", "des", "du"})

__all__ = [
    "DEFINITION",
    "Vocabulary",
    "canonical_country",
    "canonical_field",
    "canonical_industry",
    "canonical_region",
    "fields_of_study",
    "regions",
    "vocabulary",
]


@dataclass(frozen=True)
class Vocabulary:
    values: Mapping[str, tuple[str, ...]]  # slot type → its values, in the definition's order
    synonyms: Mapping[str, Mapping[str, str]]  # slot type → {casefolded value or synonym: value}
    regions: Mapping[str, tuple[str, ...]]  # Region value → its countries
    country_aliases: Mapping[str, str]  # lower-case other name → country

    @classmethod
    def of(cls, definition: BotDefinition, regions: NameLists = (), countries: NameLists = ()) -> Vocabulary:
        values: dict[str, tuple[str, ...]] = {}
        synonyms: dict[str, Mapping[str, str]] = {}
        for slot_type in definition.slot_types:
            values[slot_type.name] = tuple(v.value for v in slot_type.values)
            mapping: dict[str, str] = {}
            for value in slot_type.values:
                mapping[value.value.casefold()] = value.value
            for value in slot_type.values:
                for synonym in value.synonyms:
                    mapping.setdefault(synonym.casefold(), value.value)
            synonyms[slot_type.name] = MappingProxyType(mapping)
        aliases: dict[str, str] = {}
        for country, names in countries:
            for name in names:
                if aliases.setdefault(name.casefold(), country) != country:
                    raise ValueError(f"{name!r} names both {aliases[name.casefold()]} and {country}")
        return cls(
            values=MappingProxyType(values),
            synonyms=MappingProxyType(synonyms),
            regions=MappingProxyType(dict(regions)),
            country_aliases=MappingProxyType(aliases),
        )

    def canonical(self, slot_type: str, text: str) -> str | None:
        """The value of `slot_type` a text names (a value or a synonym, any case and spacing), else None."""
        return self.synonyms.get(slot_type, {}).get(" ".join(text.split()).casefold())


@cache
def vocabulary() -> Vocabulary:
    """The packaged definition's vocabulary, built once."""
    lists = load_name_lists()
    return Vocabulary.of(load_definition(), regions=lists["regions"], countries=lists["countries"])


def canonical_field(text: str) -> str:
    """The field of study a text names ("cs" → "Computer Science"); unknown text is returned trimmed."""
    return vocabulary().synonyms["FieldOfStudy"].get(text.strip().casefold(), text.strip())


def canonical_industry(text: str) -> str:
    return vocabulary().synonyms["Industry"].get(text.strip().casefold(), text.strip())


def canonical_country(text: str) -> str:
    """ "usa" → "United States", "germany" → "Germany", "bosnia and herzegovina" → "Bosnia and Herzegovina"."""
    cleaned = " ".join(text.split())
    alias = vocabulary().country_aliases.get(cleaned.casefold())
    if alias:
        return alias
    if not cleaned.islower():
        return cleaned
    return " ".join(w if w in LOWERCASE_WORDS else w[:1].upper() + w[1:] for w in cleaned.split(" "))


def regions() -> Mapping[str, tuple[str, ...]]:
    """The countries of each Region value ("Europe" → Germany, France, ...): the definition's `regions`."""
    return vocabulary().regions


def canonical_region(text: str) -> str | None:
    """The Region a text names ("europe", "South America" → "Latin America"), else None."""
    return vocabulary().canonical("Region", text)


def fields_of_study() -> list[str]:
    return sorted(set(vocabulary().values["FieldOfStudy"]))
