"""The Lex bot Terraform deploys is the committed CloudFormation template the local emulator runs.

The HCL tests always run: the lex_bot module reads the template (no bot derived in HCL), the
conversation stack points it at the committed file, and the stacks' tags fill its Tag parameters.

The parity test plans the module with real Terraform against a moto server (STS answers the caller
identity; nothing is created) and reads what `aws_cloudformation_stack` would send: its
`template_body` must be the committed template, byte for byte what `template_body()` computes, and
with the deploy step's UniversityName values exactly `deploy_template()`; its `parameters` must be
the template's Parameters. A change to the template, the module or the renderer alone fails here.
It skips where there is no terraform binary (CI has one).
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from campusbot.bot import cloudformation as cf
from campusbot.deploy import lex_bot, localstack
from tests.terraform.tf_hcl import MODULES, STACKS, calls_of, expr, locals_, resources, unquote

# one worker runs the module's `terraform plan` once (split over two workers, each planned it: 13 s of CPU twice)
pytestmark = pytest.mark.xdist_group("tf-lex")

SEED = 20261125
ROLE = "arn:aws:iam::123456789012:role/campusbot-dev-lex"
FULFILLMENT = "arn:aws:lambda:us-east-1:123456789012:function:campusbot-dev-fulfillment"
BUCKET = "campusbot-dev-bot-templates-123456789012-us-east-1"
KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_the_module_deploys_the_template_file_and_derives_no_bot() -> None:
    found = locals_(MODULES / "lex_bot")
    assert expr(found["artifact"]) == "jsondecode(file(var.template_path))"
    text = (MODULES / "lex_bot" / "main.tf").read_text()
    assert "yamldecode" not in text and "AWS::Lex::Bot" not in text, "the bot comes from the template only"
    stack = resources(MODULES / "lex_bot")["aws_cloudformation_stack.this"]
    assert expr(stack["template_body"]) == "local.from_s3 ? null : local.template_body"
    assert expr(stack["template_url"]) == "local.from_s3 ? local.template_url : null"
    upload = resources(MODULES / "lex_bot")["aws_s3_object.template"]
    assert expr(upload["content"]) == "local.template_body"
    assert expr(stack["parameters"]) == "local.parameters"
    assert re.search(r'principal\s*=\s*"lexv2\.amazonaws\.com"', text)


def test_the_stack_points_the_module_at_the_committed_template() -> None:
    [(stack, _, call)] = list(calls_of("lex_bot"))
    assert stack == "conversation"
    assert expr(call["template_path"]) == "local.bot_template_path"
    default = unquote(locals_(STACKS / stack)["bot_template_path"])
    path = re.search(r'"\$\{path\.module\}/([^"]+)"', default)
    assert path, default
    assert (STACKS / stack / path.group(1)).resolve() == cf.TEMPLATE_PATH
    assert expr(call["fulfillment_lambda_arn"]) == 'local.in["lambda/fulfillment_arn"]'
    assert expr(call["tags"]) == "local.default_tags"


def test_the_stack_deploys_the_template_from_its_private_encrypted_versioned_bucket() -> None:
    [(_, _, call)] = list(calls_of("lex_bot"))
    assert expr(call["template_bucket"]) == "var.create_lex_bot ? module.bot_template_bucket.s3_bucket_id : null"
    assert expr(call["template_kms_key_arn"]) == "local.kms_key_arn"
    [(stack, _, bucket)] = [found for found in calls_of("s3") if found[1] == "bot_template_bucket"]
    assert stack == "conversation"
    assert expr(bucket["kms_key_arn"]) == "local.kms_key_arn"  # SSE-KMS; the s3 module blocks public access
    assert "versioning_enabled" not in bucket  # the s3 module's default: versioned
    assert bucket["logging"] == {"target_bucket": '${local.in["s3/logs_bucket_name"]}'}


def test_the_tags_every_stack_sets_are_the_template_tag_parameters() -> None:
    tags = expr(locals_(STACKS / "conversation")["default_tags"])
    assert tags.startswith("merge(var.tags, {")
    assert set(re.findall(r"(\w+)\s*=", tags)) >= set(cf.TAG_KEYS)


# ------------------------------------------------------------------------------------------
# Parity: terraform plan of the module against moto


def _module(label: str, name: str, extra: str) -> str:
    return f"""
module "{label}" {{
  source                 = "{MODULES / "lex_bot"}"
  name                   = "{name}"
  template_path          = "{cf.TEMPLATE_PATH}"
  role_arn               = "{ROLE}"
  fulfillment_lambda_arn = "{FULFILLMENT}"
{extra}
}}
"""


@pytest.fixture(scope="module")
def planned(
    tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str], moto_server: str
) -> dict[str, dict[str, Any]]:
    """`aws_cloudformation_stack.this[0]` of each module call as planned, {"plain"|"deployed"|"s3": change}, and
    the template uploaded to S3 ("s3/object")."""
    import os

    root = tmp_path_factory.mktemp("lex_plan")
    (root / "values.json").write_text(json.dumps(lex_bot.slot_type_values(cf.TEMPLATE_PATH, SEED)), encoding="utf-8")
    (root / "main.tf").write_text(
        localstack.provider_override(moto_server, "us-east-1")
        + _module(
            "plain",
            "campusbot-test",
            "  enable_conversation_logs = false\n"
            '  tags = { Project = "campusbot", Environment = "dev", Stack = "conversation", ManagedBy = "terraform",'
            ' Owner = "platform" }',
        )
        + _module("deployed", "campusbot-dev", '  slot_type_values = jsondecode(file("${path.module}/values.json"))')
        + _module("s3", "campusbot-s3", f'  template_bucket = "{BUCKET}"\n  template_kms_key_arn = "{KMS}"'),
        encoding="utf-8",
    )
    env = {**os.environ, **terraform_env}

    def terraform(*args: str) -> str:
        done = subprocess.run(["terraform", *args], cwd=root, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"terraform {args[0]}: {done.stderr[-2000:]}"
        return done.stdout

    terraform("init", "-backend=false", "-input=false", "-no-color")
    terraform("plan", "-input=false", "-no-color", "-out=tfplan")
    plan = json.loads(terraform("show", "-json", "tfplan"))
    kinds = {"aws_cloudformation_stack": "", "aws_s3_object": "/object"}
    return {
        change["module_address"].removeprefix("module.") + kinds[change["type"]]: change["change"]
        for change in plan["resource_changes"]
        if change["type"] in kinds
    }


@pytest.mark.slow
def test_terraform_sends_the_committed_template_byte_for_byte(planned: dict[str, dict[str, Any]]) -> None:
    committed = json.loads(cf.TEMPLATE_PATH.read_text(encoding="utf-8"))
    body = planned["plain"]["after"]["template_body"]
    assert json.loads(body) == committed
    assert body == cf.template_body(committed)
    assert len(body.encode()) == cf.body_size(committed)


@pytest.mark.slow
def test_terraform_substitutes_only_the_data_slot_values(planned: dict[str, dict[str, Any]]) -> None:
    committed = json.loads(cf.TEMPLATE_PATH.read_text(encoding="utf-8"))
    values = lex_bot.slot_type_values(cf.TEMPLATE_PATH, SEED)
    body = planned["deployed"]["after"]["template_body"]
    assert body == cf.template_body(cf.deploy_template(committed, values))
    deployed = json.loads(body)
    assert (
        deployed["Resources"]["Bot"]["Properties"]["BotLocales"][0]["Intents"]
        == (committed["Resources"]["Bot"]["Properties"]["BotLocales"][0]["Intents"])
    )
    assert len(body.encode()) <= cf.TEMPLATE_URL_LIMIT


@pytest.mark.slow
def test_with_a_bucket_the_template_is_uploaded_and_deployed_from_s3(planned: dict[str, dict[str, Any]]) -> None:
    committed = json.loads(cf.TEMPLATE_PATH.read_text(encoding="utf-8"))
    stack, upload = planned["s3"]["after"], planned["s3/object"]["after"]
    assert stack.get("template_body") is None
    assert upload["bucket"] == BUCKET and upload["content"] == cf.template_body(committed)
    assert upload["server_side_encryption"] == "aws:kms" and upload["kms_key_id"] == KMS
    assert re.fullmatch(r"lex/campusbot-s3/bot-[0-9a-f]{16}\.template\.json", upload["key"]), upload["key"]
    assert stack["template_url"] == f"https://{BUCKET}.s3.us-east-1.amazonaws.com/{upload['key']}"
    assert not any(key.endswith("/object") for key in planned if key != "s3/object")  # inline: nothing uploaded


@pytest.mark.slow
def test_terraform_passes_every_template_parameter(planned: dict[str, dict[str, Any]]) -> None:
    committed = json.loads(cf.TEMPLATE_PATH.read_text(encoding="utf-8"))
    plain = planned["plain"]["after"]["parameters"]
    assert set(plain) == set(committed["Parameters"])
    assert plain["BotName"] == "campusbot-test" and plain["BotRoleArn"] == ROLE
    assert plain["FulfillmentLambdaArn"] == FULFILLMENT and plain["AliasName"] == "live"
    assert plain["ConversationLogGroupArn"] == ""
    assert {name: plain[f"Tag{name}"] for name in cf.TAG_KEYS} == {
        "Project": "campusbot",
        "Environment": "dev",
        "Stack": "conversation",
        "ManagedBy": "terraform",
    }
    assert planned["plain"]["after"]["tags"]["Owner"] == "platform", "every tag is a stack tag too"
    for name, value in plain.items():
        pattern = committed["Parameters"][name].get("AllowedPattern")
        assert pattern is None or re.fullmatch(pattern, value), (name, value)
    # with conversation logs, the log group's ARN (and so the parameter map) is known only after apply
    assert planned["deployed"]["after_unknown"]["parameters"] is True


def test_scalr_runs_of_the_conversation_stack_carry_the_template() -> None:
    """Scalr workspaces are CLI-driven: the CLI's configuration upload must hold the template the stack reads."""
    from campusbot.deploy.fingerprint import BOT_TEMPLATE, SOURCE_INPUTS
    from campusbot.deploy.stackrun import SCALR_PATHS

    assert BOT_TEMPLATE in SOURCE_INPUTS, "part of the stack's fingerprint"
    assert any(path == BOT_TEMPLATE or BOT_TEMPLATE.startswith(path + "/") for path in SCALR_PATHS), "uploaded"
