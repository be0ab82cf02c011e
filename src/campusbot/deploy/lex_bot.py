"""What the lex_bot module leaves to the CLI.

The module (terraform/modules/lex_bot) deploys the bot through CloudFormation with
`AutoBuildBotLocales`, a `BotVersion` cut whenever the definition changes and the alias on it, so
Terraform already builds, versions and aliases. The CLI's part:

- before the conversation stack is applied: the values of the slot types the bot template marks as
  filled from the data (`values_from: database` in definition.yaml: UniversityName), from the seed data
  the one-off task loads — the template's values first (they carry the synonyms), then every other
  seeded university; passed as `lex_slot_type_values`, which the module substitutes into the template;
- after it: check through `lexv2-models` that the alias serves a version whose locale is Built,
  and build the DRAFT locale (what the test alias and the console use) when it is not.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from campusbot.bot.cloudformation import BOT, METADATA

BUILT: Final = frozenset({"Built", "ReadyExpressTesting"})
FAILED: Final = frozenset({"Failed", "Deleting", "NotBuilt"})
MAX_SLOT_VALUES: Final = 10_000  # Lex V2 quota per custom slot type


class LexError(RuntimeError):
    """The bot is not usable: its alias, version or locale is missing or failed to build."""


def database_slot_types(template_path: Path) -> list[dict[str, Any]]:
    """The CloudFormation slot types of the bot template that the deploy fills from the data."""
    template = json.loads(template_path.read_text(encoding="utf-8"))
    names = set(template.get("Metadata", {}).get(METADATA, {}).get("DatabaseSlotTypes") or ())
    locales = template["Resources"][BOT]["Properties"]["BotLocales"]
    return [st for locale in locales for st in locale.get("SlotTypes", []) if st["Name"] in names]


def slot_type_values(template_path: Path, seed: int) -> dict[str, list[dict[str, Any]]]:
    """`lex_slot_type_values` for the conversation stack: every slot type filled from the data."""
    values: dict[str, list[dict[str, Any]]] = {}
    for slot_type in database_slot_types(template_path):
        name = slot_type["Name"]
        if name != "UniversityName":
            continue  # the only data-backed type today; others keep their rendered values
        entries: list[dict[str, Any]] = [
            {"value": str(v["SampleValue"]["Value"]), "synonyms": [str(s["Value"]) for s in v.get("Synonyms") or []]}
            for v in slot_type.get("SlotTypeValues") or []
        ]
        known = {str(entry["value"]).casefold() for entry in entries}
        for university in _seed_universities(seed):
            if university.casefold() not in known:
                known.add(university.casefold())
                entries.append({"value": university, "synonyms": []})
        values[name] = entries[:MAX_SLOT_VALUES]
    return values


def _seed_universities(seed: int) -> list[str]:
    from campusbot.db.seed.data import build_seed

    return [university.name for university in build_seed(seed).universities]


@dataclass(frozen=True)
class BotStatus:
    bot_id: str
    alias_id: str
    alias_name: str
    version: str
    locale_id: str
    locale_status: str
    draft_status: str
    built_draft: bool


def check_bot(
    lex: Any,
    bot_id: str,
    alias_id: str,
    locale_id: str,
    *,
    build_draft: bool = True,
    poll_seconds: float = 5.0,
    timeout: float = 600.0,
    sleep: Callable[[float], None] = time.sleep,
    on_status: Callable[[str], None] = lambda _status: None,
) -> BotStatus:
    """The alias's version must have a Built locale; an unbuilt DRAFT locale is built and waited for."""
    alias = lex.describe_bot_alias(botId=bot_id, botAliasId=alias_id)
    version = str(alias.get("botVersion") or "")
    if alias.get("botAliasStatus") not in (None, "Available"):
        raise LexError(f"alias {alias_id} is {alias.get('botAliasStatus')}")
    if not version:
        raise LexError(f"alias {alias_id} serves no version")
    locale = lex.describe_bot_locale(botId=bot_id, botVersion=version, localeId=locale_id)
    status = str(locale.get("botLocaleStatus", ""))
    if status not in BUILT:
        reasons = "; ".join(locale.get("failureReasons") or []) or "no reason given"
        raise LexError(f"locale {locale_id} of version {version} is {status}: {reasons}")
    draft = lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale_id)
    draft_status = str(draft.get("botLocaleStatus", ""))
    built = False
    if build_draft and draft_status not in BUILT and draft_status != "Building":
        on_status(f"building the DRAFT locale {locale_id} (was {draft_status})")
        lex.build_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale_id)
        built = True
        draft_status = "Building"
    deadline = time.monotonic() + timeout
    while draft_status == "Building" and time.monotonic() < deadline:
        sleep(poll_seconds)
        draft_status = str(
            lex.describe_bot_locale(botId=bot_id, botVersion="DRAFT", localeId=locale_id)["botLocaleStatus"]
        )
        on_status(f"DRAFT locale {locale_id}: {draft_status}")
    if draft_status in FAILED - {"NotBuilt"}:
        raise LexError(f"building the DRAFT locale {locale_id} ended {draft_status}")
    return BotStatus(
        bot_id=bot_id,
        alias_id=alias_id,
        alias_name=str(alias.get("botAliasName", "")),
        version=version,
        locale_id=locale_id,
        locale_status=status,
        draft_status=draft_status,
        built_draft=built,
    )
