"""The Lex part the CLI owns: UniversityName values (the bot template's data slot type) from the seed data,
and the alias/locale check (botocore Stubber: moto's lexv2-models has no locales or versions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from campusbot.bot.cloudformation import TEMPLATE_PATH
from campusbot.deploy import lex_bot

TEMPLATE = TEMPLATE_PATH


def test_university_values_keep_the_yaml_synonyms_then_add_every_seeded_university() -> None:
    from campusbot.db.seed.data import build_seed

    values = lex_bot.slot_type_values(TEMPLATE, 20261125)["UniversityName"]
    names = [v["value"] for v in values]
    assert len(names) == len({n.casefold() for n in names}), "no duplicates"
    tum = next(v for v in values if v["value"] == "Technical University of Munich")
    assert "TUM" in tum["synonyms"]
    seeded = {u.name for u in build_seed(20261125).universities}
    assert seeded <= set(names)
    assert len(values) <= lex_bot.MAX_SLOT_VALUES


def test_values_follow_the_seed() -> None:
    first = lex_bot.slot_type_values(TEMPLATE, 1)["UniversityName"]
    assert first == lex_bot.slot_type_values(TEMPLATE, 1)["UniversityName"]
    assert first != lex_bot.slot_type_values(TEMPLATE, 2)["UniversityName"]


def test_only_data_backed_types_are_filled(tmp_path: Path) -> None:
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    template["Metadata"]["Campusbot"]["DatabaseSlotTypes"] = []
    path = tmp_path / "bot.template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    assert lex_bot.slot_type_values(path, 1) == {}
    assert [t["Name"] for t in lex_bot.database_slot_types(TEMPLATE)] == ["UniversityName"]


def client(responses: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> tuple[Any, Stubber]:
    lexv2 = boto3.client("lexv2-models", region_name="us-east-1")
    stub = Stubber(lexv2)
    for method, response, expected in responses:
        stub.add_response(method, response, expected)
    stub.activate()
    return lexv2, stub


ALIAS = (
    "describe_bot_alias",
    {"botAliasId": "ALIAS12345", "botAliasName": "live", "botVersion": "4", "botAliasStatus": "Available"},
    {"botId": "BOT1234567", "botAliasId": "ALIAS12345"},
)


def locale(version: str, status: str, **extra: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    return (
        "describe_bot_locale",
        {"botId": "BOT1234567", "botVersion": version, "localeId": "en_US", "botLocaleStatus": status, **extra},
        {"botId": "BOT1234567", "botVersion": version, "localeId": "en_US"},
    )


def test_a_built_bot_needs_nothing() -> None:
    lexv2, stub = client([ALIAS, locale("4", "Built"), locale("DRAFT", "Built")])
    status = lex_bot.check_bot(lexv2, "BOT1234567", "ALIAS12345", "en_US")
    assert (status.version, status.locale_status, status.built_draft) == ("4", "Built", False)
    stub.assert_no_pending_responses()


def test_an_unbuilt_draft_is_built_and_waited_for() -> None:
    build = (
        "build_bot_locale",
        {"botLocaleStatus": "Building"},
        {"botId": "BOT1234567", "botVersion": "DRAFT", "localeId": "en_US"},
    )
    lexv2, stub = client(
        [
            ALIAS,
            locale("4", "Built"),
            locale("DRAFT", "NotBuilt"),
            build,
            locale("DRAFT", "Building"),
            locale("DRAFT", "Built"),
        ]
    )
    slept: list[float] = []
    status = lex_bot.check_bot(lexv2, "BOT1234567", "ALIAS12345", "en_US", sleep=slept.append, poll_seconds=2)
    assert status.built_draft and status.draft_status == "Built"
    assert slept == [2, 2]
    stub.assert_no_pending_responses()


def test_a_failed_locale_of_the_served_version_is_an_error_with_the_reasons() -> None:
    lexv2, _stub = client([ALIAS, locale("4", "Failed", failureReasons=["Slot ids [x] don't define a slot priority"])])
    with pytest.raises(lex_bot.LexError, match="slot priority"):
        lex_bot.check_bot(lexv2, "BOT1234567", "ALIAS12345", "en_US")


def test_an_alias_without_a_version_is_an_error() -> None:
    alias = ("describe_bot_alias", {"botAliasId": "ALIAS12345", "botAliasStatus": "Available"}, None)
    lexv2, _stub = client([alias])
    with pytest.raises(lex_bot.LexError, match="serves no version"):
        lex_bot.check_bot(lexv2, "BOT1234567", "ALIAS12345", "en_US")
