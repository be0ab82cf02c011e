"""The typed model of the bot: what `definition.yaml` (the human-edited source) and the rendered
CloudFormation template (`bot/cloudformation.py`, what AWS deploys and the Lex emulator loads) both say.

`load_definition()` parses and checks the YAML; the renderer turns that into the template, and
`cloudformation.load_bot()` turns the template back into this same model for the emulator. A definition Lex
would refuse (a name outside Lex's naming rules, an utterance or a prompt that names a slot the intent does
not have, a slot of an unknown type, a value outside Lex's ranges) fails here with a message naming the spot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

try:  # libyaml's parser, which PyYAML's wheels carry: the same documents, the definition in 7 ms instead of 56
    from yaml import CSafeLoader as SafeLoader  # (read at every start of the emulator, the supervisor, the Lambdas)
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

DEFINITION_PATH = Path(__file__).resolve().parent / "definition.yaml"

NAME = re.compile(r"^([0-9a-zA-Z][_-]?)+$")
PLACEHOLDER = re.compile(r"\{([0-9a-zA-Z_-]+)\}")
FALLBACK_SIGNATURE = "AMAZON.FallbackIntent"
BUILTIN_SLOT_TYPES = frozenset(
    {
        "AMAZON.AlphaNumeric",
        "AMAZON.City",
        "AMAZON.Confirmation",
        "AMAZON.Country",
        "AMAZON.Date",
        "AMAZON.Duration",
        "AMAZON.EmailAddress",
        "AMAZON.FirstName",
        "AMAZON.LastName",
        "AMAZON.Number",
        "AMAZON.Percentage",
        "AMAZON.PhoneNumber",
        "AMAZON.State",
        "AMAZON.StreetName",
        "AMAZON.Time",
        "AMAZON.UKPostalCode",
        "AMAZON.FreeFormInput",
    }
)

# Lex's ValueSelectionSetting.ResolutionStrategy values the emulator implements (Lex also has CONCATENATION,
# for multi-value slots, which campusbot does not use).
Resolution = Literal["ORIGINAL_VALUE", "TOP_RESOLUTION"]
RESOLUTIONS: tuple[Resolution, ...] = ("ORIGINAL_VALUE", "TOP_RESOLUTION")
# Prompt retries of a slot or a confirmation that does not set max_retries (Lex allows 0..5).
DEFAULT_MAX_RETRIES = 2
MAX_RETRIES_RANGE = range(0, 6)
# Lex V2's limits of contexts: the name pattern, turns 1..20, seconds 5..86400, 5 input and 10 output per intent.
CONTEXT_NAME = re.compile(r"^([A-Za-z]_?)+$")
CONTEXT_TURNS = range(1, 21)
CONTEXT_SECONDS = range(5, 86401)
MAX_INPUT_CONTEXTS = 5
MAX_OUTPUT_CONTEXTS = 10
CONTEXT_DEFAULT = re.compile(r"^#([A-Za-z_]+)\.([0-9A-Za-z_-]+)$")


class DefinitionError(ValueError):
    """The bot definition is not one Lex (or the emulator) can build; the message says where."""


@dataclass(frozen=True, slots=True)
class BotInfo:
    name: str
    description: str
    idle_session_ttl_seconds: int
    child_directed: bool


@dataclass(frozen=True, slots=True)
class Locale:
    id: str
    description: str
    nlu_confidence_threshold: float
    voice_id: str | None


@dataclass(frozen=True, slots=True)
class SlotTypeValue:
    value: str
    synonyms: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        """The value itself, then its synonyms."""
        return (self.value, *self.synonyms)


@dataclass(frozen=True, slots=True)
class SlotType:
    name: str
    description: str = field(compare=False)  # in definition.yaml only, not rendered (template size)
    resolution: Resolution
    values: tuple[SlotTypeValue, ...]
    values_from: str | None = None

    @property
    def from_database(self) -> bool:
        """True when the deploy step (and the local runtime) fill the values from the data."""
        return self.values_from == "database"


@dataclass(frozen=True, slots=True)
class Slot:
    name: str
    type: str
    required: bool
    prompt: str
    # for people reading definition.yaml: not rendered into the template (CloudFormation's size limit)
    description: str = field(default="", compare=False)
    max_retries: int = DEFAULT_MAX_RETRIES
    defaults: tuple[str, ...] = ()  # Lex's DefaultValueSpecification, tried in order

    @property
    def builtin(self) -> bool:
        return self.type.startswith("AMAZON.")


@dataclass(frozen=True, slots=True)
class Confirmation:
    prompt: str
    declination: str
    max_retries: int = DEFAULT_MAX_RETRIES


@dataclass(frozen=True, slots=True)
class OutputContext:
    """A context the intent activates when it is fulfilled, for `ttl_turns` turns or `ttl_seconds` seconds."""

    name: str
    ttl_turns: int
    ttl_seconds: int


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    description: str = field(compare=False)  # in definition.yaml only, not rendered (template size)
    dialog_code_hook: bool
    fulfillment_code_hook: bool
    utterances: tuple[str, ...]
    slots: tuple[Slot, ...]
    confirmation: Confirmation | None = None
    builtin: str | None = None
    input_contexts: tuple[str, ...] = ()
    output_contexts: tuple[OutputContext, ...] = ()

    @property
    def is_fallback(self) -> bool:
        return self.builtin == FALLBACK_SIGNATURE

    @property
    def slot_names(self) -> tuple[str, ...]:
        """Slot names in priority order (the order Lex elicits them)."""
        return tuple(slot.name for slot in self.slots)

    @property
    def required_slots(self) -> tuple[Slot, ...]:
        return tuple(slot for slot in self.slots if slot.required)

    def slot(self, name: str) -> Slot | None:
        return next((slot for slot in self.slots if slot.name == name), None)


@dataclass(frozen=True, slots=True)
class BotDefinition:
    bot: BotInfo
    locale: Locale
    slot_types: tuple[SlotType, ...]
    intents: tuple[Intent, ...]
    path: Path | None = field(default=None, compare=False)

    def intent(self, name: str) -> Intent | None:
        return next((intent for intent in self.intents if intent.name == name), None)

    def slot_type(self, name: str) -> SlotType | None:
        return next((slot_type for slot_type in self.slot_types if slot_type.name == name), None)

    @property
    def fallback(self) -> Intent:
        """The locale's fallback intent (Lex adds `FallbackIntent` to every locale, so there always is one)."""
        declared = next((intent for intent in self.intents if intent.is_fallback), None)
        return declared or Intent("FallbackIntent", "", False, False, (), (), builtin=FALLBACK_SIGNATURE)

    def custom_intents(self) -> Iterator[Intent]:
        """The intents with sample utterances: the ones the NLU is trained on."""
        return (intent for intent in self.intents if not intent.is_fallback)


def placeholders(text: str) -> list[str]:
    """The `{slotName}` references of an utterance or a prompt, in order."""
    return PLACEHOLDER.findall(text)


def read_definition(path: Path) -> BotDefinition:
    """The bot definition at `path`, read and checked now (no cache: for tools that watch the file)."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionError(f"{path}: cannot read the bot definition: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{path}: the bot definition must be a mapping")
    definition = parse_definition(raw, path)
    return definition


def load_definition(path: Path | None = None) -> BotDefinition:
    """The bot definition at `path` (default: the packaged definition.yaml), parsed and checked once per path."""
    return _load((path or DEFINITION_PATH).resolve())


_load = lru_cache(maxsize=8)(read_definition)


def parse_definition(raw: Mapping[str, Any], path: Path | None = None) -> BotDefinition:
    """Build and check a BotDefinition from the decoded YAML."""
    where = str(path or "definition")
    bot_raw = _mapping(raw, "bot", where)
    locale_raw = _mapping(raw, "locale", where)
    bot = BotInfo(
        name=_name(bot_raw.get("name"), f"{where}: bot.name"),
        description=str(bot_raw.get("description", "")),
        idle_session_ttl_seconds=int(bot_raw.get("idle_session_ttl_seconds", 300)),
        child_directed=bool(bot_raw.get("child_directed", False)),
    )
    if not 60 <= bot.idle_session_ttl_seconds <= 86400:
        raise DefinitionError(f"{where}: bot.idle_session_ttl_seconds must be within 60..86400")
    locale = Locale(
        id=str(locale_raw.get("id", "")),
        description=str(locale_raw.get("description", "")),
        nlu_confidence_threshold=float(locale_raw.get("nlu_confidence_threshold", 0.4)),
        voice_id=locale_raw.get("voice_id"),
    )
    if not re.fullmatch(r"[a-z]{2}_[A-Z]{2}", locale.id):
        raise DefinitionError(f"{where}: locale.id {locale.id!r} is not a Lex locale id like en_US")
    if not 0.0 <= locale.nlu_confidence_threshold <= 1.0:
        raise DefinitionError(f"{where}: locale.nlu_confidence_threshold must be within 0..1")

    slot_types = tuple(_slot_type(item, where) for item in _list(raw, "slot_types", where))
    _unique([st.name for st in slot_types], f"{where}: slot type")
    known_types = {st.name for st in slot_types} | BUILTIN_SLOT_TYPES
    intents = tuple(_intent(item, known_types, where) for item in _list(raw, "intents", where))
    _unique([intent.name for intent in intents], f"{where}: intent")
    _check_contexts(intents, where)
    return BotDefinition(bot=bot, locale=locale, slot_types=slot_types, intents=intents, path=path)


NameLists = tuple[tuple[str, tuple[str, ...]], ...]


@lru_cache(maxsize=8)
def load_name_lists(path: Path | None = None) -> dict[str, NameLists]:
    """The definition's sections that are not part of the Lex bot (the template does not carry them), each
    `{name: [names]}` in the file's order: `regions` (the countries of each Region value) and `countries` (the
    other names of the countries AMAZON.Country resolves). See bot/vocabulary.py."""
    where = str(path or DEFINITION_PATH)
    try:
        raw = yaml.load((path or DEFINITION_PATH).read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise DefinitionError(f"{where}: cannot read the bot definition: {exc}") from exc
    lists: dict[str, NameLists] = {}
    for key in ("regions", "countries"):
        value = (raw or {}).get(key) or {}
        if not isinstance(value, Mapping) or not all(isinstance(names, list) for names in value.values()):
            raise DefinitionError(f"{where}: {key} must map each name to a list of names")
        lists[key] = tuple((str(name), tuple(str(n) for n in names)) for name, names in value.items())
    return lists


def _slot_type(raw: Any, where: str) -> SlotType:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: every slot type must be a mapping")
    name = _name(raw.get("name"), f"{where}: slot type name")
    resolution = raw.get("resolution", "ORIGINAL_VALUE")
    if resolution not in RESOLUTIONS:
        raise DefinitionError(
            f"{where}: slot type {name}: resolution {resolution!r} must be one of {', '.join(RESOLUTIONS)}"
            " (Lex's ResolutionStrategy)"
        )
    values = []
    for value in raw.get("values") or []:
        if not isinstance(value, Mapping) or not str(value.get("value", "")).strip():
            raise DefinitionError(f"{where}: slot type {name}: every value needs a `value`")
        values.append(SlotTypeValue(str(value["value"]), tuple(str(s) for s in value.get("synonyms") or [])))
    if not values and raw.get("values_from") is None:
        raise DefinitionError(f"{where}: slot type {name} has no values")
    return SlotType(
        name=name,
        description=str(raw.get("description", "")),
        resolution=resolution,
        values=tuple(values),
        values_from=raw.get("values_from"),
    )


def _intent(raw: Any, known_types: set[str] | frozenset[str], where: str) -> Intent:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"{where}: every intent must be a mapping")
    name = _name(raw.get("name"), f"{where}: intent name")
    at = f"{where}: intent {name}"
    slots = []
    for slot_raw in raw.get("slots") or []:
        slot_name = _name(slot_raw.get("name"), f"{at}: slot name")
        slot_type = str(slot_raw.get("type", ""))
        if slot_type not in known_types:
            raise DefinitionError(f"{at}: slot {slot_name} has the unknown type {slot_type!r}")
        prompt = str(slot_raw.get("prompt", "")).strip()
        if not prompt:
            raise DefinitionError(f"{at}: slot {slot_name} needs a prompt")
        slots.append(
            Slot(
                name=slot_name,
                type=slot_type,
                required=bool(slot_raw.get("required", False)),
                prompt=prompt,
                description=str(slot_raw.get("description", "")),
                max_retries=_retries(slot_raw.get("max_retries"), f"{at}: slot {slot_name}"),
                defaults=_defaults(slot_raw.get("default"), f"{at}: slot {slot_name}"),
            )
        )
    _unique([slot.name for slot in slots], f"{at}: slot")
    slot_names = {slot.name for slot in slots}
    utterances = tuple(str(u) for u in raw.get("utterances") or [])
    for utterance in utterances:
        unknown = set(placeholders(utterance)) - slot_names
        if unknown:
            raise DefinitionError(f"{at}: utterance {utterance!r} names unknown slots {sorted(unknown)}")
    _unique([u.casefold() for u in utterances], f"{at}: utterance")
    confirmation = None
    if raw.get("confirmation"):
        conf = raw["confirmation"]
        confirmation = Confirmation(
            prompt=str(conf.get("prompt", "")),
            declination=str(conf.get("declination", "")),
            max_retries=_retries(conf.get("max_retries"), f"{at}: confirmation"),
        )
        if not confirmation.prompt or not confirmation.declination:
            raise DefinitionError(f"{at}: confirmation needs a prompt and a declination")
        unknown = set(placeholders(confirmation.prompt)) - slot_names
        if unknown:
            raise DefinitionError(f"{at}: the confirmation prompt names unknown slots {sorted(unknown)}")
    builtin = raw.get("builtin")
    if builtin is None and not utterances:
        raise DefinitionError(f"{at} has no utterances")
    if builtin is not None and raw.get("dialog_code_hook"):
        raise DefinitionError(f"{at}: the builtin {builtin} takes no dialog code hook (Lex allows only fulfillment)")
    return Intent(
        name=name,
        description=str(raw.get("description", "")),
        dialog_code_hook=bool(raw.get("dialog_code_hook", False)),
        fulfillment_code_hook=bool(raw.get("fulfillment_code_hook", False)),
        utterances=utterances,
        slots=tuple(slots),
        confirmation=confirmation,
        builtin=None if builtin is None else str(builtin),
        input_contexts=_input_contexts(raw.get("input_contexts"), at),
        output_contexts=_output_contexts(raw.get("output_contexts"), at),
    )


def _defaults(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    defaults = tuple(str(item).strip() for item in items)
    if not all(defaults) or len(defaults) > 10:
        raise DefinitionError(f"{what}: default must be 1..10 non-empty values")
    for default in defaults:
        if default.startswith("#") and not CONTEXT_DEFAULT.match(default):
            raise DefinitionError(f"{what}: default {default!r} is not a context reference like #context.param")
    return defaults


def _input_contexts(value: Any, at: str) -> tuple[str, ...]:
    names = tuple(str(name) for name in value or [])
    for name in names:
        if not CONTEXT_NAME.match(name):
            raise DefinitionError(f"{at}: input context {name!r} does not follow Lex's rule {CONTEXT_NAME.pattern}")
    if len(names) > MAX_INPUT_CONTEXTS:
        raise DefinitionError(f"{at}: at most {MAX_INPUT_CONTEXTS} input contexts")
    _unique(list(names), f"{at}: input context")
    return names


def _output_contexts(value: Any, at: str) -> tuple[OutputContext, ...]:
    contexts = []
    for raw in value or []:
        if not isinstance(raw, Mapping):
            raise DefinitionError(f"{at}: every output context must be a mapping")
        name = str(raw.get("name", ""))
        if not CONTEXT_NAME.match(name):
            raise DefinitionError(f"{at}: output context {name!r} does not follow Lex's rule {CONTEXT_NAME.pattern}")
        context = OutputContext(name, int(raw.get("ttl_turns", 5)), int(raw.get("ttl_seconds", 300)))
        if context.ttl_turns not in CONTEXT_TURNS or context.ttl_seconds not in CONTEXT_SECONDS:
            raise DefinitionError(f"{at}: output context {name}: ttl_turns must be 1..20 and ttl_seconds 5..86400")
        contexts.append(context)
    if len(contexts) > MAX_OUTPUT_CONTEXTS:
        raise DefinitionError(f"{at}: at most {MAX_OUTPUT_CONTEXTS} output contexts")
    _unique([c.name for c in contexts], f"{at}: output context")
    return tuple(contexts)


def _check_contexts(intents: tuple[Intent, ...], where: str) -> None:
    """Every context an intent waits for or a default reads is one some intent activates."""
    produced = {context.name for intent in intents for context in intent.output_contexts}
    for intent in intents:
        for name in intent.input_contexts:
            if name not in produced:
                raise DefinitionError(f"{where}: intent {intent.name}: no intent outputs the input context {name!r}")
        for slot in intent.slots:
            for default in slot.defaults:
                match = CONTEXT_DEFAULT.match(default)
                if match and match.group(1) not in produced:
                    raise DefinitionError(
                        f"{where}: intent {intent.name}: slot {slot.name} defaults from {match.group(1)!r},"
                        " which no intent outputs"
                    )


def _retries(value: Any, what: str) -> int:
    retries = DEFAULT_MAX_RETRIES if value is None else int(value)
    if retries not in MAX_RETRIES_RANGE:
        raise DefinitionError(f"{what}: max_retries must be within 0..5")
    return retries


def _mapping(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{where}: `{key}` must be a mapping")
    return value


def _list(raw: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise DefinitionError(f"{where}: `{key}` must be a list")
    return value


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not NAME.match(value):
        raise DefinitionError(f"{what} {value!r} does not follow Lex's naming rule {NAME.pattern}")
    return value


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DefinitionError(f"{what} {name!r} is declared twice")
        seen.add(name)
