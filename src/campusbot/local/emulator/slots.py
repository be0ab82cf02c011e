"""Slot resolution for the Lex emulator: finds slot values in what the user typed, by slot type.

Every turn's text is analysed once (`SlotResolver.analyze`) into *mentions*: spans that name a value of some
slot type (a field of study, an industry, a university, a country, a city, a number, an email address, a
person's name). An intent then takes the mentions its slots can hold (`extract`), wherever they are in the
sentence, so "medicine in germany under 5000 dollars" fills three slots whatever sample utterance it is
closest to. When two slots share a type (two AMAZON.Number slots) or a span fits two types ("finance" is a
field and an industry), the words around the span decide, scored against each slot's name and description.
The answer to a slot prompt goes through `resolve_reply`, which also accepts replies no sentence pattern
would (a bare "Garcia" for a last name, "german" for a country).

Matching is case- and accent-insensitive and tolerates one typo per word (two in long words) against the
words of the slot vocabularies, unless the word is a known English word (the model's vocabulary).

Resolution follows the slot type's strategy: TOP_RESOLUTION puts the canonical value in interpretedValue;
ORIGINAL_VALUE (UniversityName) also fills the slot with a name that matches nothing in the data, as said.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from campusbot.bot.model import BotDefinition, Intent, Slot, SlotType, placeholders
from campusbot.bot.vocabulary import vocabulary
from campusbot.local.emulator import gazetteer


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


log = logging.getLogger("campusbot.lex")

RETRY_NAMES = 5.0  # seconds before reading the UniversityName values again after a failure
FIRST_READ_WAIT = 30.0  # at most this long a turn waits for a first read another thread is doing
NUMBER = "AMAZON.Number"
EMAIL = "AMAZON.EmailAddress"
COUNTRY = "AMAZON.Country"
CITY = "AMAZON.City"
FIRST_NAME = "AMAZON.FirstName"
LAST_NAME = "AMAZON.LastName"
FREE_TYPES = frozenset({CITY, FIRST_NAME, LAST_NAME})  # take a reply as said when nothing resolves

TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
SPOKEN_EMAIL = re.compile(
    r"\b([a-z0-9_%+-]+(?:\s+(?:dot|underscore|dash|hyphen|plus)\s+[a-z0-9_%+-]+)*)"
    r"\s+at\s+([a-z0-9-]+(?:\s+dot\s+[a-z0-9-]+)+)\b"
)
SPOKEN_SYMBOLS = {"dot": ".", "underscore": "_", "dash": "-", "hyphen": "-", "plus": "+"}
DIGITS = re.compile(
    r"(?<![\w.@])(?P<cur>[$€£])?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?"
    r"(?P<mult>k\b|K\b|thousand\b|grand\b|m\b|million\b|mil\b)?"
)
TOP_LEVEL_DOMAINS = _words(
    "com org net edu gov io ai co uk de fr es it nl ch at ca au in sg jp cn br ar mx info biz me us eu ie "
    "nz za ng ke se no dk fi pl pt be gr tr ru kr tw hk my id th vn ph pk bd cl pe ve uy ec bo cz sk hu "
    "ro bg hr si rs ee lv lt is lu mt cy il ae sa qa eg ma tn gh et app dev tech ac"
)

SMALL_NUMBERS = {
    "zero": 0, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1000, "grand": 1000, "million": 1_000_000}

# Words that name a value only when written in capitals ("IT", "US") or, for a few, after "the".
GUARDED = frozenset(
    {"us", "it", "la", "sa", "me", "in", "is", "am", "or", "an", "as", "at", "be", "do", "go", "no", "of", "on",
     "so", "to", "up", "we", "nice", "ny", "dc", "id", "my", "hi"}
)  # fmt: skip

# Generic words of university names: a name is found by its other words ("Munich" → Technical University
# of Munich) when the intent asks for a university.
GENERIC_NAME_WORDS = _words(
    "university universities uni of the institute institut instituto technology technological tecnologico "
    "college school de del da do di des du la le el and for national state federal polytechnic "
    "politecnico polytechnique universidad universidade universita universitat universite universiteit "
    "hochschule technische technical applied sciences science metropolitan normal escuela ecole city u at "
    "in estadual federale nazionale"
)

# Common words that are not names ("I'm looking for...", "my name is Ana and ...").
NOT_NAMES = _words(
    "a an the and or but so to of in on at for from with by as is am are was be been new here there this "
    "that looking interested trying going hoping planning wondering not just also really very sure "
    "student students ready back done fine good great ok okay please thanks thank hi hello hey yes no it "
    "me my you your we our they them their his her he she i im i'm want would like need can could will "
    "shall should register registered sign signing join joining enrol enroll enrolling call called named "
    "name"
)

# Words that on their own name no value: "tell me about a university" has no university in it.
NOT_VALUES = NOT_NAMES | GENERIC_NAME_WORDS | _words("some any one other another good best top it this that")

NAME_PATTERNS = (
    re.compile(r"\b(?:my name is|my name's|name is|i am called|i'm called|call me|this is)\s+(?P<names>.+)", re.I),
    re.compile(r"\b(?:i am|i'm|im)\s+(?P<names>.+)", re.I),
)
FIRST_NAME_PATTERN = re.compile(r"\b(?:my )?first name(?: is|'s)?\s+(?P<names>.+)", re.I)
LAST_NAME_PATTERN = re.compile(r"\b(?:my )?(?:last|family|sur) ?name(?: is|'s)?\s+(?P<names>.+)", re.I)

# What people wrap a bare answer in: "it's X", "I think X please".
LEADING_FILLERS = re.compile(
    r"^(?:(?:um+|uh+|well|ok(?:ay)?|sure|yes|yeah|so|hmm+|oh|i think|i guess|i'd say|probably|maybe|"
    r"it's|it is|its|that's|that is|that would be|it would be|the answer is|i prefer|i'd prefer|"
    r"i would prefer|i'd like|i would like|i want|i'm from|i am from|i live in|from|in|at|"
    r"my(?: [\w']+){1,3} (?:is|would be)|the)\b[\s,.!:;-]*)+",
    re.I,
)
TRAILING_FILLERS = re.compile(r"(?:[\s,]+(?:please|thanks|thank you|thx|i think|i guess))+[\s.!?]*$", re.I)

YES = _words(
    "yes yeah yea yep yup ya y sure ok okay k correct right confirm confirmed absolutely definitely "
    "certainly affirmative indeed agreed proceed perfect great fine"
)
YES_PHRASES = (
    "go ahead", "do it", "please do", "sounds good", "that's right", "that is right", "of course", "looks good",
    "that's correct", "all good", "let's do it", "why not", "go for it", "yes please", "i do", "it is",
)  # fmt: skip
NO = _words("no nope nah nay n cancel stop negative wrong incorrect never abort")
NO_PHRASES = (
    "don't", "do not", "not really", "never mind", "nevermind", "not now", "no thanks", "i don't", "hold on",
    "not right", "that's wrong", "not correct", "rather not",
)  # fmt: skip

# Words around a span that point at a slot, on top of the slot's own name and description words.
MONEY_WORDS = frozenset({"tuition", "dollars", "price", "cost", "budget", "salary"})
CUE_EXPANSIONS: dict[str, tuple[str, ...]] = {
    "industry": ("sector", "sectors", "companies", "company", "firms", "firm", "hiring", "employers", "industries"),
    "tuition": ("under", "below", "less", "max", "maximum", "budget", "cheaper", "than", "dollars", "dollar", "usd",
                "eur", "euros", "afford", "cost", "costs", "fees", "fee", "year", "yearly", "k", "most", "pay",
                "price", "up"),
    "student": ("student", "students", "id", "number", "no", "registration", "profile", "record"),
    "study": ("students", "student", "graduates", "grads", "graduate", "degree", "major", "majors", "study",
              "studying", "field", "program", "programs", "course", "courses"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SlotValue:
    """A resolved slot value, as Lex V2 reports it."""

    original: str
    interpreted: str
    resolved: tuple[str, ...] = ()

    def to_lex(self) -> dict[str, Any]:
        """The Lex V2 `Slot` structure (shape Scalar)."""
        value: dict[str, Any] = {"originalValue": self.original or self.interpreted}
        value["interpretedValue"] = self.interpreted
        value["resolvedValues"] = list(self.resolved)
        return {"shape": "Scalar", "value": value}


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # folded and, when it was a typo, corrected
    typed: str  # folded as typed
    start: int  # offsets in the original text
    end: int

    @property
    def corrected(self) -> bool:
        return self.text != self.typed


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of tokens [start, end) that names a value of `type`."""

    start: int
    end: int
    type: str
    value: SlotValue
    kind: str = "exact"  # exact | alias | typo | partial | adjective | words | money | pattern

    @property
    def exact(self) -> bool:
        """Matched as listed: not through a typo, a part of a name, an adjective or a pattern."""
        return self.kind in ("exact", "alias", "money")

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(slots=True)
class Analysis:
    """One text, tokenized, with every mention of every slot type found in it."""

    text: str
    tokens: list[Token]
    mentions: list[Mention] = field(default_factory=list)

    def span(self, start: int, end: int) -> str:
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]


@dataclass(frozen=True, slots=True)
class _Entry:
    type: str
    canonical: str
    kind: str = "exact"  # exact | alias | adjective | partial


class _Template:
    """A sample utterance with slots, as a regex that captures what stands where the slots are."""

    def __init__(self, utterance: str) -> None:
        self.slots = placeholders(utterance)
        parts = re.split(r"(\{[0-9a-zA-Z_-]+\})", utterance.strip())
        pattern = ""
        for part in parts:
            if part.startswith("{") and part.endswith("}"):
                pattern += f"(?P<{part[1:-1]}>.+?)"
            elif part and not part.strip():
                pattern += r"\s+"
            else:
                words = [re.escape(w) for w in part.split()]
                if words:
                    joined = r"\s+".join(words)
                    pattern += (r"\s*" if pattern else "") + joined + r"\s*"
        self.regex = re.compile(r"^\s*(?:please\s+)?" + pattern + r"[\s.!?]*(?:please)?[\s.!?]*$", re.I)

    def match(self, text: str) -> dict[str, str] | None:
        found = self.regex.match(text)
        if not found:
            return None
        return {name: found.group(name).strip(" ,.!?") for name in self.slots}


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text plus, for each of its characters, the index of the original one."""
    out: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        piece = _FOLD_SPECIAL.get(char)
        if piece is None:
            piece = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            piece = piece.casefold()
        for c in piece:
            out.append(c)
            index.append(position)
    return "".join(out), index


_FOLD_SPECIAL = {
    "ø": "o",
    "Ø": "o",
    "æ": "ae",
    "Æ": "ae",
    "ł": "l",
    "Ł": "l",
    "đ": "d",
    "\u0131": "i",
    "\u2019": "'",
    "\u2018": "'",
}


def normalize(text: str) -> str:
    """The folded words of a text joined by single spaces: the key phrases are compared on."""
    return " ".join(TOKEN.findall(fold(text)[0]))


def tokenize(text: str) -> list[Token]:
    folded, index = fold(text)
    tokens = []
    for match in TOKEN.finditer(folded):
        start, end = index[match.start()], index[match.end() - 1] + 1
        tokens.append(Token(match.group(), match.group(), start, end))
    return tokens


def parse_confirmation(text: str) -> str | None:
    """ "Confirmed", "Denied" or None for an answer to a yes/no question (AMAZON.Confirmation-like)."""
    folded = normalize(text)
    words = folded.split()
    if not words:
        return None
    if (
        any(_has_phrase(folded, phrase) for phrase in NO_PHRASES)
        or words[0] in NO
        or (len(words) <= 3 and any(word in NO for word in words))
    ):
        return "Denied"
    if words[0] in YES or any(_has_phrase(folded, phrase) for phrase in YES_PHRASES):
        return "Confirmed"
    if len(words) <= 3 and any(word in YES for word in words):
        return "Confirmed"
    return None


def _has_phrase(folded: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z']){re.escape(normalize(phrase))}(?![a-z'])", folded) is not None


def words_to_number(words: Sequence[str]) -> int | None:
    """ "twenty thousand" → 20000, "fifteen hundred" → 1500, "one hundred and five" → 105."""
    total, current, seen = 0, 0, False
    for word in words:
        if word == "and" and seen:
            continue
        if word in SMALL_NUMBERS:
            current += SMALL_NUMBERS[word]
            seen = True
        elif word in MULTIPLIERS and seen:
            multiplier = MULTIPLIERS[word]
            if multiplier == 100:
                current *= 100
            else:
                total += current * multiplier
                current = 0
        else:
            return None
    return total + current if seen else None


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _title(text: str) -> str:
    """Capitalize a name typed in lower case ("ana garcía" → "Ana García"); keep any other casing."""
    if text != text.lower():
        return text
    return " ".join("-".join(part[:1].upper() + part[1:] for part in word.split("-")) for word in text.split())


def _deletes(word: str, distance: int) -> set[str]:
    results = {word}
    frontier = {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        results |= frontier
    return results


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class SpellChecker:
    """Corrects a word to the nearest word of a vocabulary (one edit, two for words of 8+ letters)."""

    def __init__(self, vocabulary: Iterable[str], known_words: Collection[str] = ()) -> None:
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= 4 and not w.isdigit())
        self.known_words = known_words
        self._index: dict[str, set[str]] = {}
        for word in self.vocabulary:
            for key in _deletes(word, self._max_distance(word)):
                self._index.setdefault(key, set()).add(word)
        self._cache: dict[str, str] = {}

    @staticmethod
    def _max_distance(word: str) -> int:
        return 2 if len(word) >= 8 else 1

    def correct(self, word: str) -> str:
        if len(word) < 4 or word in self.vocabulary or word in self.known_words or not word.isalpha():
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        limit = self._max_distance(word)
        candidates: set[str] = set()
        for key in _deletes(word, limit):
            candidates |= self._index.get(key, set())
        best = word
        best_key: tuple[int, int, int, str] | None = None
        for candidate in candidates:
            distance = _osa_distance(word, candidate, min(limit, self._max_distance(candidate)))
            if distance > min(limit, self._max_distance(candidate)):
                continue
            rank = (distance, int(candidate[0] != word[0]), abs(len(candidate) - len(word)), candidate)
            if best_key is None or rank < best_key:
                best, best_key = candidate, rank
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[word] = best
        return best


class SlotResolver:
    """Finds slot values in text for the intents and slot types of a bot definition."""

    def __init__(
        self,
        definition: BotDefinition,
        university_names: Callable[[], Sequence[str]] | None = None,
        *,
        known_words: Collection[str] = (),
        names_ttl_seconds: float = 60.0,
    ) -> None:
        self.definition = definition
        self.known_words = known_words
        self._university_names = university_names
        self._names_ttl = names_ttl_seconds
        self._lock = threading.Lock()
        self._types: dict[str, SlotType] = {st.name: st for st in definition.slot_types}
        self._templates: dict[str, list[_Template]] = {
            intent.name: [_Template(u) for u in intent.utterances if placeholders(u)] for intent in definition.intents
        }
        self._cues: dict[tuple[str, str], frozenset[str]] = {
            (intent.name, slot.name): _cue_words(slot) for intent in definition.intents for slot in intent.slots
        }
        self._static = self._static_entries()
        self._dynamic_types = {st.name for st in definition.slot_types if st.from_database}
        self._names: tuple[str, ...] = ()
        self._names_due = float("-inf")  # when the names are next read
        self._names_loading = False
        self._names_loaded = False
        self._names_first = threading.Event()  # set once the first read has ended (read or failed)
        self._entries: dict[tuple[str, ...], list[_Entry]] = {}
        self._max_phrase = 1
        self._speller = SpellChecker((), known_words)
        self._cache: OrderedDict[str, Analysis] = OrderedDict()
        self._build(())

    # -- vocabularies -------------------------------------------------------------------------------------

    def _static_entries(self) -> list[tuple[str, _Entry]]:
        entries: list[tuple[str, _Entry]] = []
        for slot_type in self.definition.slot_types:
            for value in slot_type.values:
                entries.append((value.value, _Entry(slot_type.name, value.value)))
                entries.extend((synonym, _Entry(slot_type.name, value.value, "alias")) for synonym in value.synonyms)
        for country in gazetteer.COUNTRIES:
            entries.append((country, _Entry(COUNTRY, country)))
        entries.extend(
            (alias, _Entry(COUNTRY, country, "alias")) for alias, country in vocabulary().country_aliases.items()
        )
        entries.append(("the us", _Entry(COUNTRY, "United States", "alias")))
        entries.extend(
            (adjective, _Entry(COUNTRY, country, "adjective"))
            for adjective, country in gazetteer.COUNTRY_ADJECTIVES.items()
        )
        for city in gazetteer.CITIES:
            entries.append((city, _Entry(CITY, city)))
        entries.extend((alias, _Entry(CITY, city, "alias")) for alias, city in gazetteer.CITY_ALIASES.items())
        return entries

    def _build(self, names: Sequence[str]) -> None:
        entries: dict[tuple[str, ...], list[_Entry]] = {}

        def add(phrase: str, entry: _Entry) -> None:
            key = tuple(normalize(phrase).split())
            if key and entry not in entries.setdefault(key, []):
                entries[key].append(entry)

        for phrase, entry in self._static:
            add(phrase, entry)
        dynamic = [t for t in self._types.values() if t.from_database]
        for slot_type in dynamic:
            for name in names:
                add(name, _Entry(slot_type.name, name))
        # Partial names: the distinctive words of a university name ("Munich", "Buenos Aires"); words of
        # the other custom vocabularies ("Paris Business School" → "business") are not distinctive.
        dynamic_names = {t.name for t in dynamic}
        common = {
            w
            for key, found in entries.items()
            for e in found
            if e.type in set(self._types) - dynamic_names
            for w in key
        }
        for slot_type in dynamic:
            full = [value.value for value in slot_type.values] + list(names)
            for name in full:
                words = normalize(name).split()
                for i in range(len(words)):
                    for j in range(i + 1, min(len(words), i + 3) + 1):
                        part = words[i:j]
                        if any(w in GENERIC_NAME_WORDS or w in common or len(w) < 3 for w in part):
                            continue
                        add(" ".join(part), _Entry(slot_type.name, name, "partial"))
        vocabulary = {word for key in entries for word in key}
        with self._lock:
            self._entries = entries
            self._max_phrase = max(len(key) for key in entries)
            self._speller = SpellChecker(vocabulary, self.known_words)
            self._names = tuple(names)
            self._cache.clear()

    def refresh(self) -> None:
        """Re-read the names of database-filled slot types (UniversityName) once they are older than the TTL.

        The first read happens in the caller's thread (a turn that comes while another thread does it, e.g. the
        runtime's `read_names` once ready, waits for it: the names are part of the bot, as Lex's are built before
        any turn); later ones in a background thread while the current names keep serving, so a turn never waits
        for the provider (the API) after the first. A failed read keeps the names it had and is retried after a
        few seconds.
        """
        if self._university_names is None or not self._dynamic_types:
            return
        now = time.monotonic()
        with self._lock:
            if now < self._names_due:
                return
            pending_first: bool | None = None
            if self._names_loading:
                pending_first = not self._names_loaded
            else:
                self._names_loading = True
                first = not self._names_loaded
        if pending_first is not None:
            if pending_first:
                self._names_first.wait(FIRST_READ_WAIT)
            return
        if first:
            self._load_names()
        else:
            threading.Thread(target=self._load_names, name="lex-slot-values", daemon=True).start()

    def _load_names(self) -> None:
        assert self._university_names is not None
        try:
            names = tuple(dict.fromkeys(n.strip() for n in self._university_names() if n and n.strip()))
        except Exception as exc:  # the provider (API or database) being down must not break the dialog
            log.warning("lex: could not read the UniversityName values (%s); retrying in %.0f s", exc, RETRY_NAMES)
            with self._lock:
                self._names_due = time.monotonic() + RETRY_NAMES
                self._names_loading = False
            self._names_first.set()
            return
        if names != self._names:
            self._build(names)
        with self._lock:
            self._names_loaded = True
            self._names_due = time.monotonic() + self._names_ttl
            self._names_loading = False
        self._names_first.set()

    # -- analysis -----------------------------------------------------------------------------------------

    def analyze(self, text: str) -> Analysis:
        """Tokenize `text` and find every mention of every slot type (cached for repeated texts)."""
        self.refresh()
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        tokens = [
            Token(self._speller.correct(t.text), t.typed, t.start, t.end) if t.text.isalpha() else t
            for t in tokenize(text)
        ]
        analysis = Analysis(text, tokens)
        taken = self._emails(analysis)
        self._numbers(analysis, taken)
        self._phrases(analysis, taken)
        self._names_in(analysis)
        with self._lock:
            self._cache[text] = analysis
            if len(self._cache) > 512:
                self._cache.popitem(last=False)
        return analysis

    def _token_range(self, analysis: Analysis, start: int, end: int) -> tuple[int, int]:
        indexes = [i for i, t in enumerate(analysis.tokens) if t.start < end and t.end > start]
        return (indexes[0], indexes[-1] + 1) if indexes else (0, 0)

    def _emails(self, analysis: Analysis) -> set[int]:
        taken: set[int] = set()
        for match in EMAIL_RE.finditer(analysis.text):
            email = match.group().lower().rstrip(".")
            start, end = self._token_range(analysis, match.start(), match.end())
            analysis.mentions.append(Mention(start, end, EMAIL, SlotValue(match.group(), email, (email,)), "exact"))
            taken |= set(range(start, end))
        if analysis.mentions:
            return taken
        folded = " ".join(t.typed for t in analysis.tokens)
        for match in SPOKEN_EMAIL.finditer(folded):
            local_words, domain_words = match.group(1).split(), match.group(2).split()
            if domain_words[-1] not in TOP_LEVEL_DOMAINS:
                continue
            local = "".join(SPOKEN_SYMBOLS.get(w, w) for w in local_words)
            domain = "".join("." if w == "dot" else w for w in domain_words)
            email = f"{local}@{domain}"
            first = len(folded[: match.start()].split())
            last = first + len(match.group().split())
            original = analysis.span(first, last)
            analysis.mentions.append(Mention(first, last, EMAIL, SlotValue(original, email, (email,)), "pattern"))
            taken |= set(range(first, last))
        return taken

    def _numbers(self, analysis: Analysis, taken: set[int]) -> None:
        for match in DIGITS.finditer(analysis.text):
            start, end = self._token_range(analysis, match.start(), match.end())
            if start == end or taken & set(range(start, end)):
                continue
            value = float(match.group("num").replace(",", ""))
            multiplier = (match.group("mult") or "").lower()
            if multiplier in ("k", "thousand", "grand"):
                value *= 1000
            elif multiplier in ("m", "million", "mil"):
                value *= 1_000_000
            text = _format_number(value)
            money = bool(multiplier or match.group("cur")) or value >= 1000
            kind = "money" if money else "exact"
            mention = Mention(start, end, NUMBER, SlotValue(match.group().strip(), text, (text,)), kind)
            analysis.mentions.append(mention)
            taken |= set(range(start, end))
        words = [t.typed for t in analysis.tokens]
        i = 0
        while i < len(words):
            if i in taken or words[i] not in SMALL_NUMBERS or (words[i] == "a" and i + 1 >= len(words)):
                i += 1
                continue
            j = i
            while (
                j < len(words)
                and j not in taken
                and (words[j] in SMALL_NUMBERS or words[j] in MULTIPLIERS or words[j] == "and")
                and (words[j] != "a" or (j == i and j + 1 < len(words) and words[j + 1] in MULTIPLIERS))
            ):
                j += 1
            while j > i and words[j - 1] == "and":
                j -= 1
            run = words[i:j]
            number = words_to_number(run)
            # "a" and "one" alone are articles and pronouns more often than numbers.
            if number is not None and not (len(run) == 1 and run[0] in ("a", "one")):
                text = str(number)
                span = analysis.span(i, j)
                kind = "money" if number >= 1000 else "words"
                analysis.mentions.append(Mention(i, j, NUMBER, SlotValue(span, text, (text,)), kind))
                taken |= set(range(i, j))
            i = max(j, i + 1)

    def _phrases(self, analysis: Analysis, taken: set[int]) -> None:
        words = [t.text for t in analysis.tokens]
        with self._lock:
            entries, longest = self._entries, self._max_phrase
        for start in range(len(words)):
            if start in taken:
                continue
            for end in range(min(len(words), start + longest), start, -1):
                if taken & set(range(start, end)):
                    continue
                found = entries.get(tuple(words[start:end]))
                if not found:
                    continue
                if end - start == 1 and words[start] in GUARDED and not self._guard_ok(analysis, start):
                    continue
                corrected = any(t.corrected for t in analysis.tokens[start:end])
                original = analysis.span(start, end)
                by_type: dict[tuple[str, str], list[str]] = {}
                for entry in found:
                    if entry.kind == "adjective" and not self._adjective_ok(analysis, end):
                        continue
                    by_type.setdefault((entry.type, entry.kind), []).append(entry.canonical)
                for (type_name, kind), canonicals in by_type.items():
                    canonicals = list(dict.fromkeys(canonicals))
                    value = SlotValue(original, canonicals[0], tuple(canonicals))
                    if corrected and kind in ("exact", "alias"):
                        kind = "typo"
                    analysis.mentions.append(Mention(start, end, type_name, value, kind))

    @staticmethod
    def _guard_ok(analysis: Analysis, index: int) -> bool:
        token = analysis.tokens[index]
        raw = analysis.text[token.start : token.end]
        if raw.isupper() and len(raw) >= 2:
            return True
        return raw[:1].isupper() and raw[1:].islower() and index > 0 and len(raw) > 2

    @staticmethod
    def _adjective_ok(analysis: Analysis, end: int) -> bool:
        following = [t.text for t in analysis.tokens[end : end + 2]]
        return bool(following) and (
            following[0] in gazetteer.ADJECTIVE_NOUNS or following[-1] in gazetteer.ADJECTIVE_NOUNS
        )

    def _names_in(self, analysis: Analysis) -> None:
        for pattern in NAME_PATTERNS:
            match = pattern.search(analysis.text)
            if not match:
                continue
            names = _name_words(match.group("names"), strict=pattern is NAME_PATTERNS[1])
            if not names:
                continue
            offset = match.start("names")
            first_start, first_end = self._token_range(analysis, offset, offset + len(names[0]))
            analysis.mentions.append(
                Mention(first_start, first_end, FIRST_NAME, _person(names[0]), "pattern"),
            )
            if len(names) > 1:
                last_offset = analysis.text.index(names[1], offset + len(names[0]))
                start, end = self._token_range(analysis, last_offset, last_offset + len(names[1]))
                analysis.mentions.append(Mention(start, end, LAST_NAME, _person(names[1]), "pattern"))
            return

    def nlu_text(self, text: str) -> str:
        """The text the intent classifier sees: university acronyms spelled out ("TUM" → "Technical
        University of Munich", so the encoder knows it is a university) and typos corrected."""
        analysis = self.analyze(text)
        edits: list[tuple[int, int, str]] = []
        for mention in analysis.mentions:
            if mention.type in self._dynamic_types and mention.kind == "alias":
                first, last = analysis.tokens[mention.start], analysis.tokens[mention.end - 1]
                edits.append((first.start, last.end, mention.value.interpreted))
        for token in analysis.tokens:
            if token.corrected and not any(start <= token.start < end for start, end, _ in edits):
                edits.append((token.start, token.end, token.text))
        for start, end, replacement in sorted(edits, reverse=True):
            text = text[:start] + replacement + text[end:]
        return text

    # -- slots of an intent ---------------------------------------------------------------------------------

    def extract(self, intent: Intent, text: str, *, skip: Collection[str] = ()) -> dict[str, SlotValue]:
        """The values of the intent's slots found in `text` (slots in `skip` are left alone).

        Mentions come first, wherever they stand; then, for slots that take values outside their lists (a
        university not in the data, a city, a name), what stands at the slot's place in a sample utterance
        the text matches ("tell me about {universityName}").
        """
        if not intent.slots:
            return {}
        analysis = self.analyze(text)
        values: dict[str, SlotValue] = {}
        used: set[int] = set()
        for group in self._groups(analysis, intent):
            if used & set(range(group[0].start, group[0].end)) or (
                all(m.kind == "partial" for m in group)
                and any(slot.type in self._dynamic_types and slot.name in values for slot in intent.slots)
            ):
                continue
            best = self._choose(intent, analysis, group, skip=set(values) | set(skip))
            if best is not None:
                slot, mention = best
                values[slot.name] = mention.value
                used |= set(range(mention.start, mention.end))
        open_slots = [s for s in intent.slots if s.name not in values and s.name not in skip and self._free_ok(s)]
        if not open_slots:
            return values
        for template in self._templates.get(intent.name, []):
            captured = template.match(text)
            if captured is None:
                continue
            for slot in open_slots:
                span = captured.get(slot.name)
                position = text.find(span) if span else -1
                if not span or position < 0:
                    continue
                tokens = set(range(*self._token_range(analysis, position, position + len(span))))
                if tokens & used:
                    continue
                value = self.resolve_text(slot, span, free=True, intent=intent)
                if value is not None:
                    values[slot.name] = value
                    used |= tokens
            break
        return values

    def _groups(self, analysis: Analysis, intent: Intent) -> list[list[Mention]]:
        """Mentions the intent's slots can hold, grouped by span, longest spans first, overlaps dropped."""
        types = {slot.type for slot in intent.slots}
        candidates = [m for m in analysis.mentions if m.type in types]
        candidates.sort(key=lambda m: (-m.length, not m.exact, m.start))
        groups: list[list[Mention]] = []
        covered: set[int] = set()
        for mention in candidates:
            span = set(range(mention.start, mention.end))
            same = next((g for g in groups if (g[0].start, g[0].end) == (mention.start, mention.end)), None)
            if same is not None:
                same.append(mention)
            elif not span & covered:
                groups.append([mention])
                covered |= span
        # Exact spans claim their slots first, then longer ones: "what business programs does TUM offer"
        # gives TUM to universityName before the partial name match "business" could.
        groups.sort(key=lambda g: (not any(m.exact for m in g), -g[0].length, g[0].start))
        return groups

    def _choose(
        self, intent: Intent, analysis: Analysis, group: list[Mention], *, skip: Collection[str]
    ) -> tuple[Slot, Mention] | None:
        window = {t.text for t in analysis.tokens[max(0, group[0].start - 4) : group[0].end + 3]}
        options: list[tuple[float, int, Slot, Mention]] = []
        for order, slot in enumerate(intent.slots):
            if slot.name in skip:
                continue
            for mention in group:
                if mention.type != slot.type:
                    continue
                cues = self._cues[(intent.name, slot.name)]
                score = float(len(window & cues))
                if mention.type == NUMBER and (mention.kind == "money") == bool(cues & MONEY_WORDS):
                    score += 0.5  # money-looking numbers ($, k, thousands) lean to money slots, small ones to ids
                options.append((score, -order, slot, mention))
        if not options:
            return None
        options.sort(key=lambda o: (o[0], o[1]), reverse=True)
        score, _, slot, mention = options[0]
        rivals = [s for s in intent.slots if s.type == slot.type and s.name not in skip]
        if len(rivals) > 1 and score <= 0 and mention.type == NUMBER:
            return None  # a bare number with nothing saying which slot it is for
        return slot, mention

    # -- answers to prompts ---------------------------------------------------------------------------------

    def resolve_reply(self, intent: Intent, slot: Slot, text: str) -> dict[str, SlotValue]:
        """The slots filled by the answer to `slot`'s prompt: that slot first, then any other ones it names."""
        value = self.resolve_text(slot, text, free=True, intent=intent, elicited=True)
        if value is None:
            return {}
        values = {slot.name: value}
        if slot.type == FIRST_NAME:
            last = next((s for s in intent.slots if s.type == LAST_NAME), None)
            rest = _name_words(_strip_fillers(text), strict=False)
            if last is not None and len(rest) == 2:
                values[last.name] = _person(rest[1])
        elif slot.type not in FREE_TYPES and len(text.split()) > 1:
            others = self.extract(intent, text, skip={slot.name})
            for name, other in others.items():
                other_slot = intent.slot(name)
                if other_slot is not None and other_slot.type not in FREE_TYPES:
                    values.setdefault(name, other)
        return values

    def resolve_text(
        self, slot: Slot, text: str, *, free: bool = False, intent: Intent | None = None, elicited: bool = False
    ) -> SlotValue | None:
        """A value of `slot`'s type for the whole of `text` (a template capture or a reply), or None."""
        cleaned = _strip_fillers(text) if elicited else text.strip(" ,.!?")
        if not cleaned:
            return None
        if slot.type == FIRST_NAME or slot.type == LAST_NAME:
            return self._person_value(slot, text, cleaned, elicited)
        analysis = self.analyze(cleaned)
        mentions = [m for m in analysis.mentions if m.type == slot.type]
        if not mentions and elicited and cleaned != text.strip():
            mentions = [m for m in self.analyze(text.strip(" ,.!?")).mentions if m.type == slot.type]
        if slot.type == COUNTRY and elicited and not mentions:
            mentions = self._adjective_alone(analysis)
        if slot.type == NUMBER and elicited and not mentions:
            number = words_to_number([t.typed for t in analysis.tokens])
            if number is not None:
                return SlotValue(cleaned, str(number), (str(number),))
        if mentions:
            mentions.sort(key=lambda m: (not m.exact, -m.length, m.start))
            best = mentions[0]
            if best.kind != "partial" or not self._free_ok(slot):
                return best.value
            # A part of a name ("Toronto") stands for the name when it is all that was said; with more
            # distinctive words ("Paris Saclay") the ORIGINAL_VALUE slot keeps what was said.
            rest = [
                t.text for t in analysis.tokens[: best.start] + analysis.tokens[best.end :] if t.text not in NOT_VALUES
            ]
            if not rest:
                return best.value
            return SlotValue(cleaned, cleaned, best.value.resolved)
        if free and self._free_ok(slot) and len(analysis.tokens) <= (8 if slot.type in self._types else 4):
            words = [t.typed for t in analysis.tokens]
            if not any(w.isdigit() for w in words) and not all(w in NOT_VALUES for w in words):
                return SlotValue(cleaned, _title(cleaned) if slot.type == CITY else cleaned, ())
        return None

    def _free_ok(self, slot: Slot) -> bool:
        """Slot types that take a value outside their list: ORIGINAL_VALUE custom types and free built-ins."""
        custom = self._types.get(slot.type)
        if custom is not None:
            return custom.resolution == "ORIGINAL_VALUE"
        return slot.type in FREE_TYPES

    def _adjective_alone(self, analysis: Analysis) -> list[Mention]:
        words = [t.text for t in analysis.tokens]
        for i, word in enumerate(words):
            country = gazetteer.COUNTRY_ADJECTIVES.get(word)
            if country:
                value = SlotValue(analysis.span(i, i + 1), country, (country,))
                return [Mention(i, i + 1, COUNTRY, value, "adjective")]
        return []

    def _person_value(self, slot: Slot, text: str, cleaned: str, elicited: bool) -> SlotValue | None:
        pattern = FIRST_NAME_PATTERN if slot.type == FIRST_NAME else LAST_NAME_PATTERN
        match = pattern.search(text) or next((p.search(text) for p in NAME_PATTERNS if p.search(text)), None)
        names = _name_words(match.group("names"), strict=False) if match else []
        if not names and len(cleaned.split()) <= 3:
            names = _name_words(cleaned, strict=False)
        if not names:
            return None
        if slot.type == FIRST_NAME:
            return _person(names[0])
        if match and match.re is LAST_NAME_PATTERN:
            return _person(" ".join(names))
        return _person(names[-1] if len(names) > 1 and match is not None else " ".join(names))


def _strip_fillers(text: str) -> str:
    cleaned = text.strip().strip(" .!?,")
    cleaned = LEADING_FILLERS.sub("", cleaned)
    cleaned = TRAILING_FILLERS.sub("", cleaned)
    return cleaned.strip(" .!?,;:")


def _name_words(text: str, *, strict: bool) -> list[str]:
    """Up to two name words at the start of `text` ("Ana García and I..." → ["Ana", "García"])."""
    words = re.findall(r"[^\W\d_][\w'\u2019-]*", text)
    names: list[str] = []
    for word in words:
        if word.lower() in NOT_NAMES:
            break
        if strict and not word[:1].isupper():
            break
        names.append(word)
        if len(names) == 2:
            break
    return names


def _person(word: str) -> SlotValue:
    name = _title(word)
    return SlotValue(word, name, (name,))


def _cue_words(slot: Slot) -> frozenset[str]:
    words = set(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", slot.name).lower().split())
    words |= set(TOKEN.findall(slot.description.lower()))
    words -= {"the", "a", "an", "of", "in", "to", "and", "or", "s", "us", "by", "for", "with"}
    for key, extra in CUE_EXPANSIONS.items():
        if key in words:
            words |= set(extra)
    return frozenset(words)
