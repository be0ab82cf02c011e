"""The typed bot definition: the packaged definition loads, and definitions Lex would refuse fail at load
with a message that says where."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from campusbot.bot.model import DEFINITION_PATH, DefinitionError, load_definition, parse_definition, placeholders

RAW: dict[str, Any] = yaml.safe_load(DEFINITION_PATH.read_text(encoding="utf-8"))


def test_the_packaged_definition_loads_once() -> None:
    definition = load_definition()
    assert load_definition() is definition
    assert load_definition(DEFINITION_PATH) is definition
    assert definition.bot.name == "campusbot"
    assert definition.locale.id == "en_US"
    assert 0 < definition.locale.nlu_confidence_threshold < 1
    assert [i.name for i in definition.intents] == [
        "Greeting",
        "Help",
        "GetStudentProfile",
        "RecommendUniversity",
        "GetUniversityInfo",
        "FindOpportunities",
        "RegisterStudent",
        # issue 13: the follow-ups (gated by the contexts the searches activate), start over, thanks
        "RefineRecommendation",
        "ChooseResult",
        "RefineOpportunities",
        "StartOver",
        "Thanks",
        "FallbackIntent",
    ]


def test_intents_slots_and_types_are_typed() -> None:
    definition = load_definition()
    register = definition.intent("RegisterStudent")
    assert register is not None and register.confirmation is not None
    assert [s.name for s in register.required_slots] == ["firstName", "lastName", "email", "fieldOfStudy", "country"]
    assert set(placeholders(register.confirmation.prompt)) <= set(register.slot_names)
    assert definition.fallback.name == "FallbackIntent" and definition.fallback.is_fallback
    assert "FallbackIntent" not in [i.name for i in definition.custom_intents()]
    university = definition.slot_type("UniversityName")
    assert university is not None and university.from_database and university.resolution == "ORIGINAL_VALUE"
    field = definition.slot_type("FieldOfStudy")
    assert field is not None and field.resolution == "TOP_RESOLUTION"
    # issue 13's short follow-ups need fewer samples (they are few words, and gated by a context)
    first = ("Greeting", "Help", "GetStudentProfile", "RecommendUniversity", "GetUniversityInfo", "FindOpportunities")
    assert all(len(i.utterances) >= 12 for i in definition.custom_intents() if i.name in first)
    assert all(len(i.utterances) >= 8 for i in definition.custom_intents())
    assert register.confirmation.max_retries == 2 and {s.max_retries for s in register.slots} == {2}


def test_load_definition_reads_another_file(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    raw["locale"]["nlu_confidence_threshold"] = 0.9
    path = tmp_path / "bot.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert load_definition(path).locale.nlu_confidence_threshold == 0.9


def test_the_definition_is_parsed_by_libyaml_as_the_pure_python_parser_parses_it(tmp_path: Path) -> None:
    from campusbot.bot import model

    assert model.SafeLoader is yaml.CSafeLoader, "PyYAML without libyaml: every start parses the definition 8x slower"
    assert model.read_definition(DEFINITION_PATH) == model.parse_definition(RAW, DEFINITION_PATH)
    path = tmp_path / "bot.yaml"
    path.write_text("bot: [unclosed\n", encoding="utf-8")
    with pytest.raises(model.DefinitionError, match="cannot read the bot definition"):
        model.read_definition(path)


def broken(change: Any) -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


def intent(raw: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in raw["intents"] if i["name"] == name)
    return found


CASES = {
    "bad intent name": (lambda r: r["intents"][0].update(name="Say Hello"), "naming rule"),
    "unknown slot in an utterance": (
        lambda r: intent(r, "Greeting")["utterances"].append("hello {nobody}"),
        "names unknown slots",
    ),
    "unknown slot type": (lambda r: intent(r, "GetUniversityInfo")["slots"][0].update(type="Campus"), "unknown type"),
    "slot without prompt": (lambda r: intent(r, "GetUniversityInfo")["slots"][0].update(prompt=""), "needs a prompt"),
    "confirmation names unknown slot": (
        lambda r: intent(r, "RegisterStudent")["confirmation"].update(prompt="Register {age}?"),
        "unknown slots",
    ),
    "threshold above one": (lambda r: r["locale"].update(nlu_confidence_threshold=1.5), "within 0..1"),
    "bad locale": (lambda r: r["locale"].update(id="english"), "locale id"),
    "duplicate intent": (lambda r: r["intents"].append(copy.deepcopy(r["intents"][0])), "declared twice"),
    "duplicate utterance": (lambda r: intent(r, "Help")["utterances"].append("HELP"), "declared twice"),
    "bad resolution": (lambda r: r["slot_types"][0].update(resolution="Best"), "resolution"),
    "resolution not in Lex's enum": (
        lambda r: r["slot_types"][0].update(resolution="TopResolution"),
        "ORIGINAL_VALUE, TOP_RESOLUTION",
    ),
    "too many retries": (lambda r: intent(r, "GetUniversityInfo")["slots"][0].update(max_retries=6), "0..5"),
    "confirmation retries": (lambda r: intent(r, "RegisterStudent")["confirmation"].update(max_retries=-1), "0..5"),
    "dialog hook on the fallback": (
        lambda r: intent(r, "FallbackIntent").update(dialog_code_hook=True),
        "no dialog code hook",
    ),
    "intent without utterances": (lambda r: intent(r, "Help").update(utterances=[]), "no utterances"),
    # contexts (issue 13): Lex's name rule (no digits), TTL ranges, and references that must resolve
    "context name with a digit": (
        lambda r: intent(r, "Help").update(output_contexts=[{"name": "ctx1", "ttl_turns": 2, "ttl_seconds": 60}]),
        "output context",
    ),
    "context turns out of range": (
        lambda r: intent(r, "Help").update(output_contexts=[{"name": "ctx", "ttl_turns": 21, "ttl_seconds": 60}]),
        "1..20",
    ),
    "context seconds out of range": (
        lambda r: intent(r, "Help").update(output_contexts=[{"name": "ctx", "ttl_turns": 2, "ttl_seconds": 4}]),
        "5..86400",
    ),
    "input context nobody outputs": (lambda r: intent(r, "Help").update(input_contexts=["nowhere"]), "no intent"),
    "default from a context nobody outputs": (
        lambda r: intent(r, "GetUniversityInfo")["slots"][0].update(default="#nowhere.universityName"),
        "no intent outputs",
    ),
    "malformed context default": (
        lambda r: intent(r, "GetUniversityInfo")["slots"][0].update(default="#recommendation"),
        "context reference",
    ),
}


def test_the_follow_ups_are_gated_and_default_from_the_search_they_follow() -> None:
    definition = load_definition()
    refine = definition.intent("RefineRecommendation")
    recommend = definition.intent("RecommendUniversity")
    assert refine is not None and recommend is not None
    assert refine.input_contexts == ("recommendation",)
    assert [c.name for c in recommend.output_contexts] == ["recommendation"]
    assert all(1 <= c.ttl_turns <= 20 and 5 <= c.ttl_seconds <= 86400 for c in recommend.output_contexts)
    field = refine.slot("fieldOfStudy")
    assert field is not None and field.defaults == ("#recommendation.fieldOfStudy",)
    # every follow-up slot that defaults from a context names a slot of an intent that outputs it
    for intent_ in definition.intents:
        for slot in intent_.slots:
            for default in slot.defaults:
                context, parameter = default[1:].split(".")
                producers = [i for i in definition.intents if context in {c.name for c in i.output_contexts}]
                assert any(p.slot(parameter) for p in producers), default


def test_every_region_has_its_countries_in_one_place() -> None:
    """The Region slot type's values are exactly the keys of the definition's `regions` (the API's country sets)."""
    from campusbot.bot.vocabulary import canonical_region, regions

    region_type = load_definition().slot_type("Region")
    assert region_type is not None
    assert [v.value for v in region_type.values] == list(regions())
    assert canonical_region("south america") == "Latin America"
    assert canonical_region("europe") == "Europe" and canonical_region("mars") is None
    assert "Germany" in regions()["Europe"] and "Brazil" in regions()["Latin America"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_definitions_lex_would_refuse_fail_at_load(case: str) -> None:
    change, message = CASES[case]
    with pytest.raises(DefinitionError, match=message):
        parse_definition(broken(change))
