"""The bot's CloudFormation template: rendered from definition.yaml, committed, read back into the same bot.

What these prove: the committed template is what the definition renders to (else `platform bot render`);
the emulator's bot (`load_bot`, from the template) equals the definition's, field for field, so nothing the
emulator runs is lost or invented on the way through CloudFormation; cfn-lint (the AWS::Lex::* schemas)
finds no error in the committed template nor in the one the deploy sends; the deploy-time substitution of
the data's slot values cuts a new version; the template the deploy sends fits the TemplateURL limit (the stack
deploys it from S3).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from campusbot.bot import cloudformation as cf
from campusbot.bot.checks import check_template, lint_template
from campusbot.bot.model import DEFINITION_PATH, DefinitionError, load_definition, parse_definition

RAW: dict[str, Any] = yaml.safe_load(DEFINITION_PATH.read_text(encoding="utf-8"))
SEED = 20261125


def committed() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(cf.TEMPLATE_PATH.read_text(encoding="utf-8")))


def locale_of(template: dict[str, Any]) -> dict[str, Any]:
    """The template's (only) locale, itself: changes to it change the template."""
    return cast(dict[str, Any], template["Resources"]["Bot"]["Properties"]["BotLocales"][0])


def test_the_committed_template_is_what_the_definition_renders_to() -> None:
    assert cf.TEMPLATE_PATH.read_text(encoding="utf-8") == cf.rendered_text(), (
        "src/campusbot/bot/bot.template.json is stale: run `platform bot render` and commit it"
    )
    assert cf.is_current()


def test_a_changed_definition_makes_the_template_stale(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    raw["intents"][0]["utterances"].append("hiya campusbot")
    definition = tmp_path / "definition.yaml"
    definition.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert not cf.is_current(cf.TEMPLATE_PATH, definition)
    assert not cf.is_current(tmp_path / "missing.json")


def test_the_emulator_runs_exactly_the_bot_of_the_definition() -> None:
    from_template, from_yaml = cf.load_bot(), load_definition()
    for part in dataclasses.fields(from_yaml):
        assert getattr(from_template, part.name) == getattr(from_yaml, part.name) or part.name == "path", part.name
    assert from_template == from_yaml
    assert from_template.path == cf.TEMPLATE_PATH
    assert cf.load_bot() is from_template, "read once per path"


def vary(raw: dict[str, Any]) -> dict[str, Any]:
    """Every optional property on its other side, so the round trip is shown beyond today's values."""
    raw = copy.deepcopy(raw)
    raw["bot"].update(description="", child_directed=True, idle_session_ttl_seconds=61)
    raw["locale"].pop("voice_id")
    raw["locale"]["description"] = ""
    register = next(i for i in raw["intents"] if i["name"] == "RegisterStudent")
    register["slots"][0]["max_retries"] = 5
    register["slots"][1].pop("description")
    register["slots"].reverse()  # priorities follow the YAML order
    register["confirmation"]["max_retries"] = 0
    register["dialog_code_hook"] = False
    raw["slot_types"][0]["values"][0]["synonyms"] = []
    raw["slot_types"][1]["resolution"] = "ORIGINAL_VALUE"
    raw["slot_types"][2].pop("values_from")
    refine = next(i for i in raw["intents"] if i["name"] == "RefineRecommendation")
    refine["slots"][0]["default"] = ["#recommendation.fieldOfStudy", "[lastField]", "Computer Science"]
    refine["output_contexts"] = [{"name": "recommendation", "ttl_turns": 20, "ttl_seconds": 86400}]
    return raw


def test_contexts_and_defaults_are_rendered_as_lex_properties() -> None:
    intents = {i["Name"]: i for i in locale_of(committed())["Intents"]}
    refine = intents["RefineRecommendation"]
    assert refine["InputContexts"] == [{"Name": "recommendation"}]
    assert refine["OutputContexts"] == [{"Name": "recommendation", "TimeToLiveInSeconds": 600, "TurnsToLive": 5}]
    field = next(s for s in refine["Slots"] if s["Name"] == "fieldOfStudy")
    assert field["ValueElicitationSetting"]["DefaultValueSpecification"] == {
        "DefaultValueList": [{"DefaultValue": "#recommendation.fieldOfStudy"}]
    }
    assert "InputContexts" not in intents["RecommendUniversity"]
    assert intents["RecommendUniversity"]["OutputContexts"][0]["Name"] == "recommendation"


def test_the_deployed_template_keeps_a_wide_margin_below_the_s3_limit() -> None:
    """With the seeded universities as UniversityName values, as `platform deploy` sends it (from S3, 1 MB)."""
    from campusbot.bot.checks import check_template

    report = check_template(seed=20261125, lint=False)
    assert report.deploy_size <= cf.TEMPLATE_URL_LIMIT // 2, report.deploy_size


@pytest.mark.parametrize("raw", [RAW, vary(RAW)], ids=["definition", "varied"])
def test_render_then_load_gives_back_the_same_bot(raw: dict[str, Any]) -> None:
    definition = parse_definition(raw)
    template = cf.render_template(definition)
    assert cf.bot_from_template(json.loads(cf.template_text(template))) == definition


def test_slot_types_use_lex_resolution_strategies() -> None:
    """The defect CloudFormation would have rejected: TopResolution/OriginalValue instead of Lex's enum."""
    strategies = {
        t["Name"]: t["ValueSelectionSetting"]["ResolutionStrategy"] for t in locale_of(committed())["SlotTypes"]
    }
    assert strategies == {
        "FieldOfStudy": "TOP_RESOLUTION",
        "Industry": "TOP_RESOLUTION",
        "UniversityName": "ORIGINAL_VALUE",
        # issue 13's follow-up vocabularies
        "Region": "TOP_RESOLUTION",
        "Ordering": "TOP_RESOLUTION",
        "ResultPosition": "TOP_RESOLUTION",
        "OpportunityKind": "TOP_RESOLUTION",
        "WorkMode": "TOP_RESOLUTION",
    }


def test_the_template_has_every_intent_slot_and_value_of_the_yaml() -> None:
    locale = locale_of(committed())
    assert [i["Name"] for i in locale["Intents"]] == [i["name"] for i in RAW["intents"]]
    assert [t["Name"] for t in locale["SlotTypes"]] == [t["name"] for t in RAW["slot_types"]]
    for rendered, source in zip(locale["Intents"], RAW["intents"], strict=True):
        assert [u["Utterance"] for u in rendered.get("SampleUtterances", [])] == source["utterances"]
        assert [s["Name"] for s in rendered.get("Slots", [])] == [s["name"] for s in source["slots"]]
        priorities = sorted(rendered.get("SlotPriorities", []), key=lambda p: p["Priority"])
        assert [p["SlotName"] for p in priorities] == [s["name"] for s in source["slots"]]
        assert rendered["FulfillmentCodeHook"] == {"Enabled": source["fulfillment_code_hook"]}
    [fallback] = [i for i in locale["Intents"] if i["Name"] == "FallbackIntent"]
    assert fallback["ParentIntentSignature"] == "AMAZON.FallbackIntent"
    assert "DialogCodeHook" not in fallback and "SampleUtterances" not in fallback


def test_what_only_the_deploy_knows_is_a_parameter() -> None:
    template = committed()
    bot = template["Resources"]["Bot"]["Properties"]
    alias = template["Resources"]["BotAlias"]["Properties"]
    assert bot["Name"] == {"Ref": "BotName"} and template["Parameters"]["BotName"]["Default"] == "campusbot"
    assert bot["RoleArn"] == {"Ref": "BotRoleArn"} and "Default" not in template["Parameters"]["BotRoleArn"]
    hook = alias["BotAliasLocaleSettings"][0]["BotAliasLocaleSetting"]["CodeHookSpecification"]["LambdaCodeHook"]
    assert hook == {"CodeHookInterfaceVersion": "1.0", "LambdaArn": {"Ref": "FulfillmentLambdaArn"}}
    assert bot["TestBotAliasSettings"]["BotAliasLocaleSettings"] == alias["BotAliasLocaleSettings"]
    assert alias["BotAliasName"] == {"Ref": "AliasName"}
    logs = alias["ConversationLogSettings"]["Fn::If"]
    assert logs[0] == "ConversationLogs" and logs[2] == {"Ref": "AWS::NoValue"}
    assert [t["Fn::If"][1]["Key"] for t in bot["BotTags"]] == list(cf.TAG_KEYS)
    assert bot["BotTags"] == alias["BotAliasTags"]
    assert {f"Tag{key}" for key in cf.TAG_KEYS} <= set(template["Parameters"])


def test_the_version_logical_id_follows_every_change_of_the_bot() -> None:
    template = committed()
    digest = template["Metadata"]["Campusbot"]["DefinitionHash"]
    [version] = [k for k, v in template["Resources"].items() if v["Type"] == "AWS::Lex::BotVersion"]
    assert version == f"BotVersion{digest}" and digest == cf.definition_hash(template["Resources"]["Bot"])
    assert template["Resources"]["BotAlias"]["Properties"]["BotVersion"] == {"Fn::GetAtt": [version, "BotVersion"]}
    assert template["Outputs"]["BotVersion"]["Value"] == {"Fn::GetAtt": [version, "BotVersion"]}
    changed = copy.deepcopy(RAW)
    changed["intents"][1]["slots"] = []
    changed["intents"][1]["utterances"].append("what else can you do")
    other = cf.render_template(parse_definition(changed))
    assert other["Metadata"]["Campusbot"]["DefinitionHash"] != digest


def test_the_hash_appears_only_where_the_template_names_the_version() -> None:
    """Terraform replaces the rendered hash in the body text: it must not stand anywhere else."""
    template = committed()
    digest = template["Metadata"]["Campusbot"]["DefinitionHash"]
    assert digest not in cf.template_body(template["Resources"]["Bot"])
    # logical id, the alias's and the output's GetAtt, two descriptions, the metadata
    assert cf.template_body(template).count(digest) == 6


def test_deploy_values_replace_the_data_slot_type_and_cut_a_new_version() -> None:
    template = committed()
    values = {"UniversityName": [{"value": "Universität Zürich", "synonyms": ["UZH"]}, {"value": "A & <B>"}]}
    deployed = cf.deploy_template(template, values)
    types = {t["Name"]: t for t in locale_of(deployed)["SlotTypes"]}
    assert types["UniversityName"]["SlotTypeValues"] == [
        {"SampleValue": {"Value": "Universität Zürich"}, "Synonyms": [{"Value": "UZH"}]},
        {"SampleValue": {"Value": "A & <B>"}},
    ]
    assert types["FieldOfStudy"] == {t["Name"]: t for t in locale_of(template)["SlotTypes"]}["FieldOfStudy"]
    old, new = (t["Metadata"]["Campusbot"]["DefinitionHash"] for t in (template, deployed))
    assert new != old and old not in cf.template_body(deployed)
    assert f"BotVersion{new}" in deployed["Resources"]
    assert cf.deploy_template(template, {}) == template
    with pytest.raises(DefinitionError, match="not filled from the data"):
        cf.deploy_template(template, {"FieldOfStudy": [{"value": "Alchemy"}]})


def test_template_body_is_what_terraform_jsonencode_writes() -> None:
    assert cf.terraform_json({"b": "<a & b>", "a": [1, 0.4, True, None, "ü"]}) == (
        '{"a":[1,0.4,true,null,"ü"],"b":"\\u003ca \\u0026 b\\u003e"}'
    )


def test_cfn_lint_finds_no_error_in_the_committed_nor_the_deployed_template() -> None:
    report = check_template(seed=SEED)
    assert report.linted, "cfn-lint is a dev dependency"
    assert report.errors == [], "\n".join(f"{f.rule} {f.message}" for f in report.errors)
    assert [f for f in report.findings if f.severity == "warning"] == []
    assert report.current and report.ok


def test_cfn_lint_catches_the_resolution_strategy_cloudformation_would_reject() -> None:
    template = committed()
    locale_of(template)["SlotTypes"][0]["ValueSelectionSetting"]["ResolutionStrategy"] = "TopResolution"
    [finding] = lint_template(template)
    assert finding.rule == "E3030" and finding.is_error and "TOP_RESOLUTION" in finding.message


def test_the_deployed_template_fits_the_template_url_limit() -> None:
    """With the seed's universities (what `platform deploy` passes); the stack deploys it from S3 (1 MB)."""
    report = check_template(seed=SEED, lint=False)
    assert report.deploy_values["UniversityName"] > 100
    assert report.size < report.deploy_size <= cf.TEMPLATE_URL_LIMIT == report.limit


BROKEN = {
    "not an object": (lambda t: [], "JSON object"),
    "no bot": (lambda t: t["Resources"].pop("Bot"), "exactly one AWS::Lex::Bot"),
    "two locales": (lambda t: t["Resources"]["Bot"]["Properties"]["BotLocales"].append({}), "one locale"),
    "no intents": (lambda t: locale_of(t).pop("Intents"), "Intents"),
    "slot without elicitation": (
        lambda t: locale_of(t)["Intents"][2]["Slots"][0].pop("ValueElicitationSetting"),
        "GetStudentProfile slot studentId: ValueElicitationSetting",
    ),
    "priorities off": (lambda t: locale_of(t)["Intents"][2]["SlotPriorities"].pop(), "SlotPriorities"),
    "ref without default": (lambda t: t["Parameters"]["BotName"].pop("Default"), "BotName, which has no default"),
    "old resolution": (
        lambda t: locale_of(t)["SlotTypes"][0]["ValueSelectionSetting"].update(ResolutionStrategy="TopResolution"),
        "ResolutionStrategy",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_template_the_emulator_cannot_run_fails_at_load_naming_the_spot(case: str) -> None:
    change, message = BROKEN[case]
    template: Any = committed()
    result = change(template)
    if case == "not an object":
        template = result
    with pytest.raises(DefinitionError, match=message):
        cf.bot_from_template(template)


def test_load_bot_reports_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.template.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError, match="cannot read the bot template"):
        cf.load_bot(path)
