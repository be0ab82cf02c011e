"""Does a retrieved passage answer the question, or only share its words? A measurable rule, before generation.

Cosine similarity says a passage is about the same topic; it does not say the passage holds the answer
("how much does it cost to study in the netherlands" lands on intern pay and mini-jobs at 0.5). A passage
counts as answering when, besides clearing `CAMPUSBOT_ASSIST_MIN_SCORE`:
- **entities**: every name the question asks about (a capitalised word after the first, or a country or region
  name of the bot definition in any case) occurs in the passage, its heading or its document's title;
- **coverage**: the passage (with heading and title) contains at least `min_coverage` of the question's
  content terms (stop words and question words removed; inflections matched by a shared prefix);
- **answer type**: a question that asks for an amount ("how much", "cost", "fee", "price", "salary"…)
  finds an amount of money or a number; "when"/"what time"/"deadline" finds a date, a weekday, a month or a
  time of day; "how many/long/far/often" finds a number (digits or a number word).

The thresholds are calibrated on `bench/data/questions.yaml` (answerable questions vs. questions whose words
overlap a document that does not answer them); `bench/retrieval_quality.py` prints the outcome and
`tests/integration/knowledge/test_answerability.py` holds it on real MiniLM embeddings and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from campusbot.bot.vocabulary import LOWERCASE_WORDS, regions, vocabulary

AnswerType = Literal["amount", "time", "number"]
DEFAULT_MIN_COVERAGE = 0.6
DEFAULT_MIN_ALONE = 0.3
DEFAULT_MIN_DROP = -0.01

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?", re.UNICODE)
_QUESTION_WORDS = """what which who whom whose when where why how is are was were do does did can could may might
    must shall should will would have has had am be been being there here"""
_STOP_TEXT = """a an and any as at by for from in into of on or the to with about after before than that this these
    those it its i me my mine we our you your yours he she they them their his her not no yes if so such very
    all also just only else ever still yet too please tell know want need get got give let like much many long
    far often early late anything something someone somebody anyone one ones thing things way kind lot back up
    ahead until between against under happens happen"""
_STOP = frozenset((_QUESTION_WORDS + " " + _STOP_TEXT).split())
_GENERIC_PLACE_WORDS = frozenset(
    {"united", "states", "kingdom", "south", "north", "new", "middle", "east", "great", "republic", "us"}
)
_AMOUNT_ASKED = re.compile(
    r"\bhow much\b|\b(cost|costs|fee|fees|price|prices|pay|paid|pays|salary|salaries|wage|wages|rent|charge|"
    r"tuition|expensive|cheap|cheapest|afford|affordable|budget)\b",
    re.IGNORECASE,
)
_TIME_ASKED = re.compile(
    r"^\s*when\b|\bwhat time\b|\buntil when\b|\bby when\b|\bdeadline\b|\bwhat date\b|\bwhich date\b|"
    r"\bwhat day\b|\bopening hours\b|\buntil what time\b",
    re.IGNORECASE,
)
_NUMBER_ASKED = re.compile(r"\bhow (many|long|far|often|old|big|large|early)\b", re.IGNORECASE)
_MONEY = re.compile(
    r"(\d[\d,.]*\s*(euros?|eur|€|dollars?|usd|\$|cents?|pounds?|gbp|£|chf|francs?))|([€$£]\s*\d)", re.IGNORECASE
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|thousand|half|once|twice|first|second|third|fourth|fifth|single|double)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b\d{4}\b|\b(january|february|march|april|may|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|noon|midnight|weekdays?|"
    r"daily|every day|weeks?|months?|days?|semester|year|years|before|after|within|until)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Thresholds:
    """The calibrated rule (bench/retrieval_quality.py prints its precision and recall on the calibration set)."""

    min_coverage: float = DEFAULT_MIN_COVERAGE  # share of content terms the passage must contain word for word
    min_alone: float = DEFAULT_MIN_ALONE  # a missing term is related when its own vector is this close…
    min_drop: float = DEFAULT_MIN_DROP  # …or when leaving it out of the question loses at least this much


@dataclass(frozen=True)
class Lexical:
    """What the words alone say: the share of content terms found, and the names and terms not found."""

    coverage: float
    missing_entities: tuple[str, ...]
    missing_terms: tuple[str, ...]
    answer_type: AnswerType | None
    type_found: bool


@dataclass(frozen=True)
class Evidence:
    """How one missing term relates to the passage on the embedding model: the cosine of the term alone, and
    how much the question's cosine drops when the term is left out (positive = the passage is about it)."""

    term: str
    alone: float
    drop: float

    def related(self, thresholds: Thresholds) -> bool:
        return self.alone >= thresholds.min_alone or self.drop >= thresholds.min_drop


@dataclass(frozen=True)
class Judgement:
    """Whether a passage answers the question, and the figures the decision was made on."""

    answers: bool
    lexical: Lexical
    evidence: tuple[Evidence, ...]
    reason: str


@dataclass(frozen=True)
class Question:
    """The parts of a question the check needs, computed once for all passages."""

    text: str
    terms: tuple[str, ...]
    entities: tuple[str, ...]
    answer_type: AnswerType | None

    @classmethod
    def parse(cls, text: str) -> Question:
        words = _WORD.findall(text)
        terms: list[str] = []
        entities: list[str] = []
        for index, word in enumerate(words):
            folded = word.casefold()
            if folded in _STOP or len(folded) < 2:
                continue
            if folded not in terms:
                terms.append(folded)
            named = (index > 0 and word[0].isupper() and folded != "i") or folded in places()
            if named and folded not in entities:
                entities.append(folded)
        return cls(text, tuple(terms), tuple(entities), _answer_type(text))

    def without(self, term: str) -> str:
        """The question with `term` left out (every occurrence, any case), for the drop of `Evidence`."""
        return " ".join(re.sub(rf"(?<![^\W_]){re.escape(term)}(?![^\W_])", " ", self.text, flags=re.I).split())


def lexical(question: Question, passage: str) -> Lexical:
    """The word-level part of the check on `passage` (its text with heading and title)."""
    vocabulary = {word.casefold() for word in _WORD.findall(passage)}
    missing_entities = tuple(entity for entity in question.entities if not _found(entity, vocabulary))
    missing_terms = tuple(term for term in question.terms if not _found(term, vocabulary))
    coverage = 1.0 - len(missing_terms) / len(question.terms) if question.terms else 0.0
    type_found = _holds(question.answer_type, passage)
    return Lexical(coverage, missing_entities, missing_terms, question.answer_type, type_found)


def decide(found: Lexical, evidence: Sequence[Evidence], thresholds: Thresholds) -> Judgement:
    """The rule: every name found, the answer type found, `min_coverage` of the terms found word for word, and
    every other term related on the embedding model."""
    unrelated = [item.term for item in evidence if not item.related(thresholds)]
    unchecked = [term for term in found.missing_terms if term not in {item.term for item in evidence}]
    if found.missing_entities:
        reason = f"does not mention {', '.join(found.missing_entities)}"
    elif not found.type_found:
        reason = f"holds no {found.answer_type} for the question"
    elif found.coverage < thresholds.min_coverage:
        reason = f"contains {found.coverage:.0%} of the question's terms (< {thresholds.min_coverage:.0%})"
    elif unchecked:
        reason = f"could not check {', '.join(unchecked)} on the embedding model"
    elif unrelated:
        reason = f"says nothing about {', '.join(unrelated)}"
    else:
        return Judgement(True, found, tuple(evidence), "answers")
    return Judgement(False, found, tuple(evidence), reason)


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Words of the country and region names students type in lower case too ("study in the netherlands"): the
    bot definition's regions and the API's country aliases, so the check knows the places the bot knows."""
    names = [*regions(), *(c for countries in regions().values() for c in countries), *vocabulary().country_aliases]
    words = {word.casefold() for name in names for word in _WORD.findall(name)}
    return frozenset(word for word in words - _GENERIC_PLACE_WORDS - LOWERCASE_WORDS - _STOP if len(word) > 1)


def _answer_type(text: str) -> AnswerType | None:
    if _TIME_ASKED.search(text):
        return "time"
    if _AMOUNT_ASKED.search(text):
        return "amount"
    if _NUMBER_ASKED.search(text):
        return "number"
    return None


def _holds(answer_type: AnswerType | None, passage: str) -> bool:
    if answer_type is None:
        return True
    if answer_type == "amount":
        return bool(_MONEY.search(passage) or re.search(r"\bfree\b|\bno (fee|cost|charge)\b", passage, re.I))
    if answer_type == "time":
        return bool(_TIME.search(passage))
    return bool(_NUMBER.search(passage))


def _found(term: str, vocabulary: set[str]) -> bool:
    """`term` or an inflection of it ("intern"/"interns"/"internship", "apply"/"application")."""
    if term in vocabulary:
        return True
    for word in vocabulary:
        shared = _shared_prefix(term, word)
        shorter = min(len(term), len(word))
        if shared >= 4 and shared >= 0.75 * shorter:
            return True
    return False


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
