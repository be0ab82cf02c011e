"""The Lex bot in Terraform is definition.yaml: the intents, slots and slot types of the generated
CloudFormation template are exactly those of the YAML, FallbackIntent is the builtin with its
fulfillment hook, and the alias carries the fulfillment Lambda as code hook.

The HCL tests always run; the rendering test evaluates the module with `terraform console`
where Terraform and the aws provider are available (CI machines have both) and skips otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.terraform.tf_hcl import MODULES, REPO, STACKS, calls_of, expr, locals_, unquote

DEFINITION = REPO / "src" / "campusbot" / "bot" / "definition.yaml"


def definition() -> dict[str, Any]:
    return dict(yaml.safe_load(DEFINITION.read_text()))


def test_module_builds_everything_from_the_yaml() -> None:
    found = locals_(MODULES / "lex_bot")
    assert expr(found["definition"]) == "yamldecode(file(var.definition_path))"
    # no filter on the comprehensions: every intent and slot type of the YAML is deployed
    intents = expr(found["intents"])
    assert intents.startswith("[for intent in local.definition.intents : {")
    assert not re.search(r"\bif\s+!?\s*(intent|contains)", intents.rsplit("}", 1)[-1])
    assert expr(found["intent_names"]) == "[for intent in local.definition.intents : intent.name]"
    assert expr(found["slot_types"]).startswith("[for st in local.definition.slot_types : {")


def test_the_stack_points_the_module_at_the_repository_definition() -> None:
    [(stack, _, call)] = list(calls_of("lex_bot"))
    assert stack == "conversation"
    assert expr(call["definition_path"]) == "local.bot_definition_path"
    default = unquote(locals_(STACKS / stack)["bot_definition_path"])
    path = re.search(r'"\$\{path\.module\}/([^"]+)"', default)
    assert path, default
    assert (STACKS / stack / path.group(1)).resolve() == DEFINITION.resolve()
    assert expr(call["fulfillment_lambda_arn"]) == 'local.in["lambda/fulfillment_arn"]'


def test_the_alias_wires_the_fulfillment_lambda_and_version_follows_the_definition() -> None:
    text = (MODULES / "lex_bot" / "main.tf").read_text()
    assert re.search(r"LambdaArn\s*=\s*var\.fulfillment_lambda_arn", text)
    assert '"AWS::Lex::BotAlias"' in text and '"AWS::Lex::BotVersion"' in text
    assert re.search(r"AutoBuildBotLocales\s*=\s*true", text)
    assert 'version_logical_id = "BotVersion${local.definition_hash}"' in text
    assert re.search(r'principal\s*=\s*"lexv2\.amazonaws\.com"', text)


# ------------------------------------------------------------------------------------------
# Rendering with terraform console


def _terraform_env() -> dict[str, str] | None:
    if not shutil.which("terraform"):
        return None
    env = dict(os.environ)
    if not Path(env.get("TF_CLI_CONFIG_FILE", "/nonexistent")).is_file():
        tool = Path(env.get("CAMPUSBOT_SHARED_TOOLS", REPO.parent / "shared" / "tools")) / "terraform-env"
        mirror = env.get("TF_PLUGIN_MIRROR") or next(
            (str(p) for p in (Path("/opt/tf-plugins"),) if (p / "registry.terraform.io").is_dir()), ""
        )
        if not tool.is_file() or not mirror:
            return None
        cache_home = Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "campusbot" / ".terraform"
        out = subprocess.run(
            [str(tool)],
            env={**env, "XDG_CACHE_HOME": str(cache_home), "TF_PLUGIN_MIRROR": mirror},
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        env.update(dict(re.findall(r"^export (\w+)=(.*)$", out, flags=re.M)))
    return env


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = _terraform_env()
    if env is None:
        pytest.skip("terraform or the provider mirror is not available")
    root = tmp_path_factory.mktemp("lex_render")
    (root / "main.tf").write_text(
        f"""
module "lex" {{
  source                 = "{MODULES / "lex_bot"}"
  create                 = false
  name                   = "campusbot-test"
  definition_path        = "{DEFINITION}"
  role_arn               = "arn:aws:iam::123456789012:role/lex"
  fulfillment_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:fulfillment"
  enable_conversation_logs = false
  slot_type_values = {{ UniversityName = [{{ value = "Test University", synonyms = ["TU"] }}] }}
}}
provider "aws" {{
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}}
"""
    )
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if init.returncode != 0:
        pytest.skip(f"terraform init failed offline: {init.stderr.strip()[:200]}")
    shown = subprocess.run(
        ["terraform", "console", "-no-color"],
        cwd=root,
        env=env,
        input="module.lex.template_body\n",
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(json.loads(shown.stdout.strip())))


@pytest.mark.slow
def test_rendered_intents_are_exactly_the_yaml_intents(template: dict[str, Any]) -> None:
    locale = template["Resources"]["Bot"]["Properties"]["BotLocales"][0]
    spec = definition()
    assert [i["Name"] for i in locale["Intents"]] == [i["name"] for i in spec["intents"]]
    assert [t["Name"] for t in locale["SlotTypes"]] == [t["name"] for t in spec["slot_types"]]
    assert locale["LocaleId"] == spec["locale"]["id"]
    assert locale["NluConfidenceThreshold"] == spec["locale"]["nlu_confidence_threshold"]
    for rendered, source in zip(locale["Intents"], spec["intents"], strict=True):
        assert [s["Name"] for s in rendered.get("Slots", [])] == [s["name"] for s in source["slots"]]
        assert [s["SlotTypeName"] for s in rendered.get("Slots", [])] == [s["type"] for s in source["slots"]]
        assert [u["Utterance"] for u in rendered.get("SampleUtterances", [])] == source["utterances"]
        assert rendered["FulfillmentCodeHook"] == {"Enabled": source["fulfillment_code_hook"]}
        priorities = [p["SlotName"] for p in sorted(rendered.get("SlotPriorities", []), key=lambda p: p["Priority"])]
        assert priorities == [s["name"] for s in source["slots"]]


@pytest.mark.slow
def test_rendered_fallback_is_the_builtin_with_its_fulfillment_hook(template: dict[str, Any]) -> None:
    intents = template["Resources"]["Bot"]["Properties"]["BotLocales"][0]["Intents"]
    [fallback] = [i for i in intents if i["Name"] == "FallbackIntent"]
    assert fallback["ParentIntentSignature"] == "AMAZON.FallbackIntent"
    assert fallback["FulfillmentCodeHook"] == {"Enabled": True}
    assert "SampleUtterances" not in fallback and "Slots" not in fallback


@pytest.mark.slow
def test_rendered_database_slot_type_takes_the_deploy_values(template: dict[str, Any]) -> None:
    types = {t["Name"]: t for t in template["Resources"]["Bot"]["Properties"]["BotLocales"][0]["SlotTypes"]}
    assert types["UniversityName"]["SlotTypeValues"] == [
        {"SampleValue": {"Value": "Test University"}, "Synonyms": [{"Value": "TU"}]}
    ]
    field = next(t for t in definition()["slot_types"] if t["name"] == "FieldOfStudy")
    assert [v["SampleValue"]["Value"] for v in types["FieldOfStudy"]["SlotTypeValues"]] == [
        v["value"] for v in field["values"]
    ]


@pytest.mark.slow
def test_rendered_alias_serves_the_new_version_with_the_code_hook(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    [version] = [k for k, v in resources.items() if v["Type"] == "AWS::Lex::BotVersion"]
    alias = resources["BotAlias"]["Properties"]
    assert alias["BotVersion"] == {"Fn::GetAtt": [version, "BotVersion"]}
    hook = alias["BotAliasLocaleSettings"][0]["BotAliasLocaleSetting"]["CodeHookSpecification"]["LambdaCodeHook"]
    assert hook["LambdaArn"].endswith(":function:fulfillment")
    assert template["Outputs"]["BotAliasId"]["Value"] == {"Fn::GetAtt": ["BotAlias", "BotAliasId"]}
    assert len(json.dumps(template, separators=(",", ":"))) < 51200
