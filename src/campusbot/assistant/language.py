"""What the fallback recognises before it asks /assist: a language the bot does not speak, and a question the
database answers (what studying in a country costs).

campusbot's bot has one locale, en_US: Lex matches text in other languages to FallbackIntent, and an answer
generated from English passages would mislead. A short, clear reply in English (with the same sentence in the
language recognised, when it is one of the few below) is better than a wrong answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from campusbot.bot.vocabulary import canonical_country, canonical_field, fields_of_study

# Frequent function words, which English text almost never contains (a word in two lists counts for both).
STOPWORDS: dict[str, frozenset[str]] = {
    "Spanish": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "un",
            "una",
            "que",
            "de",
            "del",
            "por",
            "para",
            "con",
            "como",
            "donde",
            "cuál",
            "cual",
            "qué",
            "quiero",
            "estudiar",
            "universidad",
            "universidades",
            "es",
            "en",
            "y",
            "hola",
            "gracias",
            "cuánto",
            "cuesta",
        ]
    ),
    "French": frozenset(
        [
            "le",
            "la",
            "les",
            "un",
            "une",
            "des",
            "que",
            "du",
            "pour",
            "avec",
            "comment",
            "où",
            "quel",
            "quelle",
            "je",
            "veux",
            "étudier",
            "université",
            "est",
            "et",
            "bonjour",
            "merci",
            "combien",
            "coûte",
        ]
    ),
    "German": frozenset(
        [
            "der",
            "die",
            "das",
            "ein",
            "eine",
            "und",
            "ist",
            "ich",
            "möchte",
            "studieren",
            "universität",
            "wo",
            "wie",
            "was",
            "für",
            "mit",
            "hallo",
            "danke",
            "kostet",
            "viel",
        ]
    ),
    "Portuguese": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "um",
            "uma",
            "que",
            "de",
            "do",
            "da",
            "para",
            "com",
            "como",
            "onde",
            "qual",
            "eu",
            "quero",
            "estudar",
            "universidade",
            "é",
            "em",
            "e",
            "olá",
            "obrigado",
            "quanto",
            "custa",
        ]
    ),
}
ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "is",
        "are",
        "i",
        "you",
        "to",
        "of",
        "in",
        "for",
        "with",
        "what",
        "where",
        "how",
        "which",
        "can",
        "do",
        "does",
        "my",
        "me",
        "want",
        "study",
        "university",
        "universities",
        "recommend",
        "find",
        "show",
        "tell",
        "about",
        "hello",
        "hi",
        "thanks",
        "please",
        "cost",
        "much",
    ]
)
REPLIES = {
    "Spanish": "Lo siento, solo hablo inglés.",
    "French": "Désolé, je ne parle que l'anglais.",
    "German": "Entschuldigung, ich spreche nur Englisch.",
    "Portuguese": "Desculpe, eu só falo inglês.",
}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
COST_WORDS = frozenset({"cost", "costs", "tuition", "fees", "fee", "expensive", "afford", "price", "pay"})
IN_COUNTRY = re.compile(r"\b(?:in|at)\s+(?:the\s+)?([a-z][a-z .'-]{1,40}?)\s*(?:[?.!,]|$|\bfor\b|\bas\b|\bif\b)")


def unsupported_language(text: str) -> str | None:
    """A reply for text in a language other than English, else None (English, or too short to tell)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and sum(1 for c in letters if not _latin(c)) > len(letters) / 2:
        return "Sorry, I only understand English for now. Please ask me in English."
    words = [w.casefold() for w in WORD.findall(text)]
    if len(words) < 3:
        return None
    english = sum(1 for w in words if w in ENGLISH)
    scores = {name: sum(1 for w in words if w in vocabulary) for name, vocabulary in STOPWORDS.items()}
    language, hits = max(scores.items(), key=lambda item: item[1])
    if hits >= 3 and hits > 2 * english:
        return f"{REPLIES[language]} Sorry, I only understand English for now. Please ask me in English."
    return None


@dataclass(frozen=True)
class TuitionQuestion:
    country: str
    field: str | None


def tuition_question(text: str) -> TuitionQuestion | None:
    """ "how much does it cost to study in the netherlands" → the country (and a field, when one is named)."""
    folded = text.casefold()
    if not COST_WORDS & set(WORD.findall(folded)):
        return None
    match = IN_COUNTRY.search(folded)
    if match is None:
        return None
    country = canonical_country(match.group(1).strip())
    fields = {name.casefold(): name for name in fields_of_study()}
    named = (canonical_field(phrase).casefold() for phrase in _phrases(folded))
    field = next((fields[name] for name in named if name in fields), None)
    return TuitionQuestion(country, field)


def _phrases(text: str, longest: int = 3) -> list[str]:
    words = WORD.findall(text)
    return [" ".join(words[i : i + n]) for n in range(longest, 0, -1) for i in range(len(words) - n + 1)]


def _latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")
