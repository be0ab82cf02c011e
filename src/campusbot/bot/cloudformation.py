"""The bot as AWS gets it: the CloudFormation template of the Lex V2 bot, its version and its alias.

One artifact, two readers. `platform bot render` turns the definition (`definition.yaml`, typed by
`model.py`) into `bot.template.json`, which is committed; terraform/modules/lex_bot deploys that file
(`file()` + `jsondecode`) with `aws_cloudformation_stack`, and the local Lex emulator runs the bot it
describes (`load_bot()`). What only the deploy knows (the bot's name, its role, the fulfillment Lambda, the
alias name, the conversation log group, tag values) are CloudFormation `Parameters`; the emulator uses their
defaults.

- `render_template(definition)`: the template (`template_text()` is the committed file's text).
- `load_bot(path)`: the template back into the `BotDefinition` the emulator runs. It reads the template into
  the YAML's shape and parses that with `model.parse_definition`, so both paths pass the same checks.
- `deploy_template(template, slot_type_values)`: the one deploy-time substitution, the Python twin of what
  the module does in HCL: slot types filled from the data (`values_from: database`, UniversityName) take the
  values the deploy step passes, and the version hash (logical id `BotVersion<hash>`) is recomputed so the
  new values cut a new version. The emulator fills the same types from the data API instead.
- `template_body(template)`: the compact JSON Terraform's `jsonencode` sends as TemplateBody (sorted keys,
  `<>&` escaped), byte for byte; its size is what CloudFormation's 51,200-byte limit counts.

Descriptions of intents, slots and slot types stay in definition.yaml (for people): the template leaves them out
to keep its bytes under CloudFormation's inline limit for utterances, and the model does not compare them.

Contexts (issue 13): an intent's `input_contexts` and `output_contexts` become InputContexts and
OutputContexts, a slot's `default` its DefaultValueSpecification; both halves below carry them.

Adding a Lex property: give
the model a field parsed from the YAML, write it in the render half of the matching pair below (`_intent`,
`_slot`, `_slot_type`, `_locale`) and read it back in the load half (`_intent_raw`, `_slot_raw`, ...). The
round-trip test (`load_bot(render(definition)) == definition`) fails until both halves agree, and
cfn-lint checks what was rendered against the AWS::Lex::Bot schema.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from campusbot.bot.model import (
    DEFINITION_PATH,
    NAME,
    BotDefinition,
    Confirmation,
    DefinitionError,
    Intent,
    Slot,
    SlotType,
    parse_definition,
    read_definition,
)

TEMPLATE_PATH: Final = Path(__file__).resolve().parent / "bot.template.json"
SOURCE: Final = "src/campusbot/bot/definition.yaml"
TEMPLATE_BODY_LIMIT: Final = 51_200  # bytes of an inline TemplateBody (larger templates go through S3)
TEMPLATE_URL_LIMIT: Final = 1_048_576  # bytes of a template deployed from S3 (TemplateURL), as the stack does

BOT: Final = "Bot"
ALIAS: Final = "BotAlias"
VERSION_PREFIX: Final = "BotVersion"
METADATA: Final = "Campusbot"
HASH_LENGTH: Final = 12
CODE_HOOK_INTERFACE: Final = "1.0"
# Tags every stack sets (terraform/stacks/*: default_tags), put on the bot and its alias through parameters;
# CloudFormation propagates the stack's own tags (the module's var.tags) as well.
TAG_KEYS: Final = ("Project", "Environment", "Stack", "ManagedBy")
CONVERSATION_LOGS: Final = "ConversationLogs"
LAMBDA_ARN: Final = r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[a-zA-Z0-9_-]+(:[a-zA-Z0-9$_-]+)?$"
NO_VALUE: Final = {"Ref": "AWS::NoValue"}


# -- render: definition → template -------------------------------------------------------------------------


def render_template(definition: BotDefinition) -> dict[str, Any]:
    """The CloudFormation template of `definition`: bot (auto-built), a version of it, the alias serving it."""
    bot = _bot(definition)
    digest = definition_hash(bot)
    version = f"{VERSION_PREFIX}{digest}"
    alias_locales = _alias_locale_settings(definition)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            f"campusbot Lex V2 bot: built, versioned and aliased. Generated from {SOURCE} by `platform bot render`;"
            " do not edit by hand."
        ),
        "Metadata": {
            METADATA: {
                "Source": SOURCE,
                "DefinitionHash": digest,
                "DatabaseSlotTypes": [st.name for st in definition.slot_types if st.from_database],
            }
        },
        "Parameters": _parameters(definition),
        "Conditions": {
            CONVERSATION_LOGS: {"Fn::Not": [{"Fn::Equals": [{"Ref": "ConversationLogGroupArn"}, ""]}]},
            **{f"HasTag{key}": {"Fn::Not": [{"Fn::Equals": [{"Ref": f"Tag{key}"}, ""]}]} for key in TAG_KEYS},
        },
        "Resources": {
            BOT: bot,
            version: {
                "Type": "AWS::Lex::BotVersion",
                "Properties": {
                    "BotId": {"Ref": BOT},
                    "Description": f"definition {digest}",
                    "BotVersionLocaleSpecification": [
                        {"LocaleId": definition.locale.id, "BotVersionLocaleDetails": {"SourceBotVersion": "DRAFT"}}
                    ],
                },
            },
            ALIAS: {
                "Type": "AWS::Lex::BotAlias",
                "Properties": {
                    "BotId": {"Ref": BOT},
                    "BotAliasName": {"Ref": "AliasName"},
                    "Description": f"Serves definition {digest}",
                    "BotVersion": {"Fn::GetAtt": [version, "BotVersion"]},
                    "BotAliasLocaleSettings": alias_locales,
                    "ConversationLogSettings": {
                        "Fn::If": [
                            CONVERSATION_LOGS,
                            {
                                "TextLogSettings": [
                                    {
                                        "Enabled": True,
                                        "Destination": {
                                            "CloudWatch": {
                                                "CloudWatchLogGroupArn": {"Ref": "ConversationLogGroupArn"},
                                                "LogPrefix": {"Fn::Sub": "${AliasName}/"},
                                            }
                                        },
                                    }
                                ]
                            },
                            NO_VALUE,
                        ]
                    },
                    "BotAliasTags": _tags(),
                },
            },
        },
        "Outputs": {
            "BotId": {"Value": {"Ref": BOT}},
            "BotArn": {"Value": {"Fn::GetAtt": [BOT, "Arn"]}},
            "BotVersion": {"Value": {"Fn::GetAtt": [version, "BotVersion"]}},
            "BotAliasId": {"Value": {"Fn::GetAtt": [ALIAS, "BotAliasId"]}},
            "BotAliasArn": {"Value": {"Fn::GetAtt": [ALIAS, "Arn"]}},
        },
    }


def definition_hash(bot: Mapping[str, Any]) -> str:
    """12 hex digits over the bot resource: a change anywhere in the bot gives a new version logical id."""
    return hashlib.sha256(_canonical(bot).encode()).hexdigest()[:HASH_LENGTH]


def _parameters(definition: BotDefinition) -> dict[str, Any]:
    name = {"AllowedPattern": NAME.pattern, "MinLength": 1, "MaxLength": 100}
    return {
        "BotName": {
            "Type": "String",
            "Description": "Name of the bot (the lex_bot module passes its var.name, e.g. campusbot-dev).",
            "Default": definition.bot.name,
            **name,
        },
        "BotRoleArn": {
            "Type": "String",
            "Description": "Service role of the bot (iam module, lex_bot_role_arn).",
            "AllowedPattern": r"^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/.*$",
        },
        "FulfillmentLambdaArn": {
            "Type": "String",
            "Description": "The fulfillment Lambda: the code hook of the alias and of the test alias.",
            "AllowedPattern": LAMBDA_ARN,
        },
        "AliasName": {
            "Type": "String",
            "Description": "Name of the alias the runtime calls.",
            "Default": "live",
            **name,
        },
        "ConversationLogGroupArn": {
            "Type": "String",
            "Description": "Log group of the alias's text conversation logs; empty: no conversation logs.",
            "Default": "",
        },
        **{
            f"Tag{key}": {
                "Type": "String",
                "Description": f"Value of the {key} tag of the bot and its alias; empty: not set.",
                "Default": "",
                "MaxLength": 256,
            }
            for key in TAG_KEYS
        },
    }


def _tags() -> list[dict[str, Any]]:
    return [{"Fn::If": [f"HasTag{key}", {"Key": key, "Value": {"Ref": f"Tag{key}"}}, NO_VALUE]} for key in TAG_KEYS]


def _bot(definition: BotDefinition) -> dict[str, Any]:
    info = definition.bot
    return {
        "Type": "AWS::Lex::Bot",
        "Properties": _present(
            Name={"Ref": "BotName"},
            Description=info.description or None,
            RoleArn={"Ref": "BotRoleArn"},
            DataPrivacy={"ChildDirected": info.child_directed},
            IdleSessionTTLInSeconds=info.idle_session_ttl_seconds,
            AutoBuildBotLocales=True,
            BotTags=_tags(),
            TestBotAliasSettings={"BotAliasLocaleSettings": _alias_locale_settings(definition)},
            BotLocales=[_locale(definition)],
        ),
    }


def _alias_locale_settings(definition: BotDefinition) -> list[dict[str, Any]]:
    """The fulfillment Lambda is a property of the alias: the intents only switch their code hooks on."""
    hook = {"CodeHookInterfaceVersion": CODE_HOOK_INTERFACE, "LambdaArn": {"Ref": "FulfillmentLambdaArn"}}
    return [
        {
            "LocaleId": definition.locale.id,
            "BotAliasLocaleSetting": {"Enabled": True, "CodeHookSpecification": {"LambdaCodeHook": hook}},
        }
    ]


def _locale(definition: BotDefinition) -> dict[str, Any]:
    locale = definition.locale
    return _present(
        LocaleId=locale.id,
        Description=locale.description or None,
        NluConfidenceThreshold=locale.nlu_confidence_threshold,
        VoiceSettings=None if locale.voice_id is None else {"VoiceId": locale.voice_id},
        SlotTypes=[_slot_type(st) for st in definition.slot_types],
        Intents=[_intent(intent) for intent in definition.intents],
    )


def _slot_type(slot_type: SlotType) -> dict[str, Any]:
    if not slot_type.values:
        raise DefinitionError(f"slot type {slot_type.name}: the template needs its values (defaults, for data types)")
    return _present(
        Name=slot_type.name,
        ValueSelectionSetting={"ResolutionStrategy": slot_type.resolution},
        SlotTypeValues=[
            _present(
                SampleValue={"Value": value.value},
                Synonyms=[{"Value": synonym} for synonym in value.synonyms] or None,
            )
            for value in slot_type.values
        ],
    )


def _intent(intent: Intent) -> dict[str, Any]:
    return _present(
        Name=intent.name,
        ParentIntentSignature=intent.builtin,
        SampleUtterances=[{"Utterance": u} for u in intent.utterances] or None,
        # builtin intents (FallbackIntent) take no dialog code hook
        DialogCodeHook=None if intent.builtin else {"Enabled": intent.dialog_code_hook},
        FulfillmentCodeHook={"Enabled": intent.fulfillment_code_hook},
        Slots=[_slot(slot) for slot in intent.slots] or None,
        # declared inline by name, so the intent <-> slot id cycle of the API does not arise
        SlotPriorities=[{"Priority": i, "SlotName": slot.name} for i, slot in enumerate(intent.slots, 1)] or None,
        IntentConfirmationSetting=None if intent.confirmation is None else _confirmation(intent.confirmation),
        InputContexts=[{"Name": name} for name in intent.input_contexts] or None,
        OutputContexts=[
            {"Name": c.name, "TimeToLiveInSeconds": c.ttl_seconds, "TurnsToLive": c.ttl_turns}
            for c in intent.output_contexts
        ]
        or None,
    )


def _slot(slot: Slot) -> dict[str, Any]:
    # The slot's description stays in definition.yaml: the template keeps its bytes for utterances (51,200 limit).
    return _present(
        Name=slot.name,
        SlotTypeName=slot.type,
        ValueElicitationSetting=_present(
            SlotConstraint="Required" if slot.required else "Optional",
            PromptSpecification=_prompt(slot.prompt, slot.max_retries),
            DefaultValueSpecification={"DefaultValueList": [{"DefaultValue": d} for d in slot.defaults]}
            if slot.defaults
            else None,
        ),
    )


def _confirmation(confirmation: Confirmation) -> dict[str, Any]:
    return {
        "PromptSpecification": _prompt(confirmation.prompt, confirmation.max_retries),
        "DeclinationResponse": {"MessageGroupsList": _messages(confirmation.declination)},
    }


def _prompt(text: str, max_retries: int) -> dict[str, Any]:
    # AllowInterrupt (barge-in) only matters for speech and defaults to true: left out to save template bytes
    return {"MessageGroupsList": _messages(text), "MaxRetries": max_retries}


def _messages(text: str) -> list[dict[str, Any]]:
    return [{"Message": {"PlainTextMessage": {"Value": text}}}]


def _present(**properties: Any) -> dict[str, Any]:
    """The properties that have a value: absent ones are left out of the template, never written as null."""
    return {key: value for key, value in properties.items() if value is not None}


# -- load: template → definition ---------------------------------------------------------------------------


def load_bot(path: Path | None = None) -> BotDefinition:
    """The bot of the template at `path` (default: the committed bot.template.json), read and checked once."""
    return _load((path or TEMPLATE_PATH).resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> BotDefinition:
    try:
        template = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DefinitionError(f"{path}: cannot read the bot template: {exc}") from exc
    return bot_from_template(template, path)


def bot_from_template(template: Any, path: Path | None = None) -> BotDefinition:
    """The `BotDefinition` a CloudFormation template of the bot describes (one Lex bot, one locale)."""
    where = str(path or "template")
    reader = _Reader(template, where)
    return parse_definition(reader.definition(), path)


class _Reader:
    """Reads the bot resource back into the YAML's shape; every miss is a DefinitionError naming the spot."""

    def __init__(self, template: Any, where: str) -> None:
        self.where = where
        if not isinstance(template, Mapping):
            raise DefinitionError(f"{where}: the template must be a JSON object")
        self.parameters = template.get("Parameters") or {}
        bots = [r for r in _object(template, "Resources", where).values() if _is(r, "AWS::Lex::Bot")]
        if len(bots) != 1:
            raise DefinitionError(f"{where}: the template must hold exactly one AWS::Lex::Bot, found {len(bots)}")
        self.bot = _object(bots[0], "Properties", f"{where}: Bot")
        metadata = (template.get("Metadata") or {}).get(METADATA) or {}
        self.database_types = set(metadata.get("DatabaseSlotTypes") or ())

    def definition(self) -> dict[str, Any]:
        locales = self._list(self.bot, "BotLocales", "Bot")
        if len(locales) != 1:
            raise DefinitionError(f"{self.where}: the emulator runs one locale, the bot has {len(locales)}")
        locale = locales[0]
        voice = locale.get("VoiceSettings")
        return {
            "bot": {
                "name": self._value(self.bot, "Name", "Bot"),
                "description": self._value(self.bot, "Description", "Bot", ""),
                "idle_session_ttl_seconds": self._value(self.bot, "IdleSessionTTLInSeconds", "Bot"),
                "child_directed": self._value(self._object(self.bot, "DataPrivacy", "Bot"), "ChildDirected", "Bot"),
            },
            "locale": {
                "id": self._value(locale, "LocaleId", "BotLocale"),
                "description": self._value(locale, "Description", "BotLocale", ""),
                "nlu_confidence_threshold": self._value(locale, "NluConfidenceThreshold", "BotLocale"),
                "voice_id": None if voice is None else self._value(voice, "VoiceId", "VoiceSettings"),
            },
            "slot_types": [self._slot_type_raw(st) for st in self._list(locale, "SlotTypes", "BotLocale", [])],
            "intents": [self._intent_raw(intent) for intent in self._list(locale, "Intents", "BotLocale")],
        }

    def _slot_type_raw(self, slot_type: Mapping[str, Any]) -> dict[str, Any]:
        name = self._value(slot_type, "Name", "SlotType")
        at = f"SlotType {name}"
        raw: dict[str, Any] = {
            "name": name,
            "description": self._value(slot_type, "Description", at, ""),
            "resolution": self._value(self._object(slot_type, "ValueSelectionSetting", at), "ResolutionStrategy", at),
            "values": [
                {
                    "value": self._value(self._object(value, "SampleValue", at), "Value", at),
                    "synonyms": [self._value(s, "Value", at) for s in self._list(value, "Synonyms", at, [])],
                }
                for value in self._list(slot_type, "SlotTypeValues", at, [])
            ],
        }
        if name in self.database_types:
            raw["values_from"] = "database"
        return raw

    def _intent_raw(self, intent: Mapping[str, Any]) -> dict[str, Any]:
        name = self._value(intent, "Name", "Intent")
        at = f"Intent {name}"
        slots = {self._value(s, "Name", at): s for s in self._list(intent, "Slots", at, [])}
        priorities = sorted(self._list(intent, "SlotPriorities", at, []), key=lambda p: self._value(p, "Priority", at))
        ordered = [str(self._value(p, "SlotName", at)) for p in priorities]
        if sorted(ordered) != sorted(slots):
            raise DefinitionError(f"{self.where}: {at}: SlotPriorities must name every slot once")
        raw: dict[str, Any] = {
            "name": name,
            "description": self._value(intent, "Description", at, ""),
            "dialog_code_hook": self._value(intent.get("DialogCodeHook") or {}, "Enabled", at, False),
            "fulfillment_code_hook": self._value(intent.get("FulfillmentCodeHook") or {}, "Enabled", at, False),
            "utterances": [self._value(u, "Utterance", at) for u in self._list(intent, "SampleUtterances", at, [])],
            "slots": [self._slot_raw(slots[slot], at) for slot in ordered],
        }
        if "ParentIntentSignature" in intent:
            raw["builtin"] = self._value(intent, "ParentIntentSignature", at)
        if "IntentConfirmationSetting" in intent:
            raw["confirmation"] = self._confirmation_raw(self._object(intent, "IntentConfirmationSetting", at), at)
        if "InputContexts" in intent:
            raw["input_contexts"] = [self._value(c, "Name", at) for c in self._list(intent, "InputContexts", at)]
        if "OutputContexts" in intent:
            raw["output_contexts"] = [
                {
                    "name": self._value(c, "Name", at),
                    "ttl_turns": self._value(c, "TurnsToLive", at),
                    "ttl_seconds": self._value(c, "TimeToLiveInSeconds", at),
                }
                for c in self._list(intent, "OutputContexts", at)
            ]
        return raw

    def _slot_raw(self, slot: Mapping[str, Any], intent: str) -> dict[str, Any]:
        name = self._value(slot, "Name", intent)
        at = f"{intent} slot {name}"
        elicitation = self._object(slot, "ValueElicitationSetting", at)
        prompt = self._object(elicitation, "PromptSpecification", at)
        raw: dict[str, Any] = {
            "name": name,
            "type": self._value(slot, "SlotTypeName", at),
            "required": self._value(elicitation, "SlotConstraint", at) == "Required",
            "description": self._value(slot, "Description", at, ""),
            "prompt": self._message(prompt, at),
            "max_retries": self._value(prompt, "MaxRetries", at),
        }
        if "DefaultValueSpecification" in elicitation:
            specification = self._object(elicitation, "DefaultValueSpecification", at)
            raw["default"] = [
                self._value(d, "DefaultValue", at) for d in self._list(specification, "DefaultValueList", at)
            ]
        return raw

    def _confirmation_raw(self, setting: Mapping[str, Any], intent: str) -> dict[str, Any]:
        at = f"{intent} confirmation"
        prompt = self._object(setting, "PromptSpecification", at)
        return {
            "prompt": self._message(prompt, at),
            "declination": self._message(self._object(setting, "DeclinationResponse", at), at),
            "max_retries": self._value(prompt, "MaxRetries", at),
        }

    def _message(self, specification: Mapping[str, Any], at: str) -> str:
        """The plain-text message of a prompt or response (the definition has one message per prompt)."""
        groups = self._list(specification, "MessageGroupsList", at)
        message = self._object(self._object(groups[0], "Message", at), "PlainTextMessage", at)
        return str(self._value(message, "Value", at))

    def _object(self, obj: Any, key: str, at: str) -> Mapping[str, Any]:
        return _object(obj, key, f"{self.where}: {at}")

    def _value(self, obj: Mapping[str, Any], key: str, at: str, default: Any = ...) -> Any:
        if not isinstance(obj, Mapping):
            raise DefinitionError(f"{self.where}: {at}: expected an object holding {key}")
        if key not in obj:
            if default is ...:
                raise DefinitionError(f"{self.where}: {at}: {key} is missing")
            return default
        return self._resolve(obj[key], f"{at}.{key}")

    def _list(self, obj: Mapping[str, Any], key: str, at: str, default: Any = ...) -> Sequence[Any]:
        value = self._value(obj, key, at, default)
        if not isinstance(value, list) or (default is ... and not value):
            raise DefinitionError(f"{self.where}: {at}: {key} must be a non-empty list")
        return value

    def _resolve(self, value: Any, at: str) -> Any:
        """A `Ref` to a parameter is its default: the value the emulator runs with."""
        if isinstance(value, Mapping) and set(value) == {"Ref"}:
            parameter = self.parameters.get(value["Ref"])
            if not isinstance(parameter, Mapping) or "Default" not in parameter:
                raise DefinitionError(f"{self.where}: {at} refers to {value['Ref']}, which has no default")
            return parameter["Default"]
        if isinstance(value, Mapping) and len(value) == 1 and next(iter(value)).startswith("Fn::"):
            raise DefinitionError(f"{self.where}: {at}: the emulator reads no {next(iter(value))} here")
        return value


def _is(resource: Any, kind: str) -> bool:
    return isinstance(resource, Mapping) and resource.get("Type") == kind


def _object(obj: Any, key: str, where: str) -> Mapping[str, Any]:
    value = obj.get(key) if isinstance(obj, Mapping) else None
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{where}: {key} must be an object")
    return value


# -- the deploy-time substitution and the bytes Terraform sends --------------------------------------------


def slot_type_values_cfn(values: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`[{value, synonyms}]` (the module's slot_type_values variable) as CloudFormation SlotTypeValues."""
    return [
        _present(
            SampleValue={"Value": str(v["value"])},
            Synonyms=[{"Value": str(s)} for s in v.get("synonyms") or []] or None,
        )
        for v in values
    ]


def deploy_template(template: Mapping[str, Any], slot_type_values: Mapping[str, Any]) -> dict[str, Any]:
    """The template the lex_bot module deploys when the deploy step passes `slot_type_values`.

    Only the slot types the template marks as filled from the data may be given. With values, the version
    hash becomes sha256 of Terraform's `jsonencode([hash, values])`, replaced wherever the old one stood.
    """
    result: dict[str, Any] = json.loads(json.dumps(template))
    if not slot_type_values:
        return result
    metadata = result["Metadata"][METADATA]
    unknown = set(slot_type_values) - set(metadata["DatabaseSlotTypes"])
    if unknown:
        raise DefinitionError(f"slot types {sorted(unknown)} are not filled from the data in this template")
    converted = {name: slot_type_values_cfn(values) for name, values in slot_type_values.items()}
    for locale in result["Resources"][BOT]["Properties"]["BotLocales"]:
        for slot_type in locale["SlotTypes"]:
            if slot_type["Name"] in converted:
                slot_type["SlotTypeValues"] = converted[slot_type["Name"]]
    old = str(metadata["DefinitionHash"])
    new = hashlib.sha256(terraform_json([old, converted]).encode()).hexdigest()[:HASH_LENGTH]
    replaced: dict[str, Any] = json.loads(terraform_json(result).replace(old, new))
    return replaced


def template_body(template: Mapping[str, Any]) -> str:
    """The TemplateBody Terraform sends: `jsonencode` of the decoded template."""
    return terraform_json(template)


def body_size(template: Mapping[str, Any]) -> int:
    """Bytes of the TemplateBody, what CloudFormation's 51,200-byte limit counts."""
    return len(template_body(template).encode())


def terraform_json(value: Any) -> str:
    """JSON as Terraform's `jsonencode` writes it: sorted keys, no spaces, UTF-8, `<>&` and U+2028/9 escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# -- the committed file ------------------------------------------------------------------------------------


def template_text(template: Mapping[str, Any]) -> str:
    """The committed file: indented for reviewable diffs, UTF-8, a final newline."""
    return json.dumps(template, indent=2, ensure_ascii=False) + "\n"


def rendered_text(definition_path: Path | None = None) -> str:
    """What `platform bot render` writes for the definition at `definition_path` (default: definition.yaml),
    read from the file now (the cached `load_definition` would miss an edit made since)."""
    return template_text(render_template(read_definition((definition_path or DEFINITION_PATH).resolve())))


def is_current(template_path: Path | None = None, definition_path: Path | None = None) -> bool:
    """True when the committed template is exactly what the definition renders to."""
    path = template_path or TEMPLATE_PATH
    return path.is_file() and path.read_text(encoding="utf-8") == rendered_text(definition_path)
