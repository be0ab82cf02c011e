"""Canonical names for fields of study, industries and countries, from the bot definition.

The API accepts what people type ("CS", "med school", "usa") and filters on the canonical value the
data uses ("Computer Science", "Medicine", "United States").
"""

from __future__ import annotations

from functools import lru_cache

import yaml

# Imported, not rebuilt from a path: the Lambda packager follows imports, so the fulfillment zip carries the
# campusbot.bot package and its definition.yaml (a path alone left it out: FileNotFoundError in AWS).
from campusbot.bot.model import DEFINITION_PATH as DEFINITION

COUNTRY_ALIASES = {
    "usa": "United States",
    "us": "United States",
    "u.s.": "United States",
    "u.s.a.": "United States",
    "united states of america": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "great britain": "United Kingdom",
    "britain": "United Kingdom",
    "england": "United Kingdom",
    "deutschland": "Germany",
    "holland": "Netherlands",
    "the netherlands": "Netherlands",
    "korea": "South Korea",
    "republic of korea": "South Korea",
    "uae": "United Arab Emirates",
    "brasil": "Brazil",
    "méxico": "Mexico",
    "españa": "Spain",
    "schweiz": "Switzerland",
    "suisse": "Switzerland",
}


LOWERCASE_WORDS = {"and", "of", "the", "da", "de", "del", "des", "du"}


@lru_cache
def _synonyms(slot_type: str) -> dict[str, str]:
    definition = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    mapping: dict[str, str] = {}
    for item in definition["slot_types"]:
        if item["name"] != slot_type:
            continue
        for value in item["values"]:
            canonical = str(value["value"])
            mapping[canonical.casefold()] = canonical
            for synonym in value.get("synonyms", []):
                mapping.setdefault(str(synonym).casefold(), canonical)
    return mapping


def canonical_field(text: str) -> str:
    """The field of study a text names ("cs" → "Computer Science"); unknown text is returned trimmed."""
    return _synonyms("FieldOfStudy").get(text.strip().casefold(), text.strip())


def canonical_industry(text: str) -> str:
    return _synonyms("Industry").get(text.strip().casefold(), text.strip())


def canonical_country(text: str) -> str:
    """ "usa" → "United States", "germany" → "Germany", "bosnia and herzegovina" → "Bosnia and Herzegovina"."""
    cleaned = " ".join(text.split())
    alias = COUNTRY_ALIASES.get(cleaned.casefold())
    if alias:
        return alias
    if not cleaned.islower():
        return cleaned
    return " ".join(w if w in LOWERCASE_WORDS else w[:1].upper() + w[1:] for w in cleaned.split(" "))


@lru_cache
def regions() -> dict[str, tuple[str, ...]]:
    """The countries of each Region value ("Europe" → Germany, France, ...): the definition's `regions`."""
    definition = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))
    return {
        str(name): tuple(str(c) for c in countries) for name, countries in (definition.get("regions") or {}).items()
    }


def canonical_region(text: str) -> str | None:
    """The Region a text names ("europe", "South America" → "Latin America"), else None."""
    synonyms = _synonyms("Region")
    return synonyms.get(" ".join(text.split()).casefold())


def fields_of_study() -> list[str]:
    return sorted(set(_synonyms("FieldOfStudy").values()))
