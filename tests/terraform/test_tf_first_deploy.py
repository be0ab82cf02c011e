"""What a first real deploy would hit (issue 11), read from the Terraform with python-hcl2: ALB access
logs in a region opened before August 2022, the KMS-encrypted dead-letter queues, iam:PassRole,
Bedrock invocation logging (one per account and region) and the prod guardrail that Converse must
apply. The rendered documents are linted in `make test-infra` (tests/terraform/iam_lint.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from campusbot.settings import Settings
from tests.terraform.tf_hcl import (
    MODULES,
    REPO,
    STACKS,
    TERRAFORM,
    body,
    expr,
    load_file,
    module_calls,
    outputs,
    resources,
    unquote,
    variables,
)


def statements(node: Any) -> Iterator[dict[str, Any]]:
    """Every policy statement of a parsed file: `statement` blocks and `dynamic "statement"` contents."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "statement" and isinstance(value, list):
                yield from (body(s) for s in value if isinstance(s, dict))
            if key == '"statement"' and isinstance(value, dict):
                yield from (body(s) for s in value.get("content", []))
            yield from statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from statements(item)


def strings(value: Any) -> list[str]:
    return [str(unquote(v)) for v in value] if isinstance(value, list) else [expr(value)]


def conditions(statement: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(unquote(c["variable"])): body(c) for c in statement.get("condition", [])}


def tf_files() -> list[Path]:
    return [
        p for folder in (TERRAFORM, REPO / "scalr") for p in sorted(folder.rglob("*.tf")) if ".terraform" not in p.parts
    ]


# -- defect 7: ALB access logs in us-east-1 ---------------------------------------------------------------


def test_alb_logs_are_delivered_by_the_regional_elb_account_as_well() -> None:
    s3 = MODULES / "s3"
    assert "aws_elb_service_account.this" in resources(s3, "data")
    by_sid = {unquote(s.get("sid", "")): s for s in statements(load_file(s3 / "main.tf"))}
    service = by_sid["ElbAccessLogDelivery"]
    account = by_sid["ElbAccountAccessLogDelivery"]
    assert strings(service["principals"][0]["identifiers"]) == ["logdelivery.elasticloadbalancing.amazonaws.com"]
    assert unquote(account["principals"][0]["type"]) == "AWS"
    assert strings(account["principals"][0]["identifiers"]) == ["${statement.value.arn}"]
    assert strings(account["resources"]) == strings(service["resources"])
    assert unquote(variables(s3)["lb_log_delivery_elb_account"]["default"]) is True
    # the foundation's log bucket (where the ALB writes) keeps the default
    logs = module_calls(STACKS / "foundation")["logs_bucket"]
    assert logs.get("attach_lb_log_delivery_policy") is True
    assert "lb_log_delivery_elb_account" not in logs


# -- defect 9: the vectorizer's KMS-encrypted dead-letter queue ------------------------------------------------


def test_lambda_roles_may_use_the_key_of_their_encrypted_dead_letter_queue() -> None:
    dlq = resources(MODULES / "lambda_function")["aws_sqs_queue.dlq"]
    assert expr(dlq["kms_master_key_id"]) == "var.kms_key_arn"
    lambda_doc = next(
        body(docs['"lambda"'])
        for blk in load_file(MODULES / "iam" / "main.tf")["data"]
        for kind, docs in blk.items()
        if kind == '"aws_iam_policy_document"' and '"lambda"' in docs
    )
    by_sid = {unquote(s.get("sid", "")): s for s in statements(lambda_doc)}
    send = by_sid["DeadLetterQueue"]
    assert strings(send["actions"]) == ["sqs:SendMessage"]
    encrypt = by_sid["EncryptDeadLetters"]
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= set(strings(encrypt["actions"]))
    assert expr(encrypt["resources"]) == "each.value.kms_key_arns"
    assert strings(conditions(encrypt)["kms:ViaService"]["values"]) == ["sqs.${local.region}.amazonaws.com"]
    # the app stack gives each function role the key its DLQ is encrypted with
    app = module_calls(STACKS / "app")
    for function in ("fulfillment", "vectorizer"):
        assert expr(app[function]["kms_key_arn"]) == "local.kms_key_arn"
    roles = app["iam"]["lambda_roles"]
    for function in ("fulfillment", "vectorizer"):
        assert roles[function]["kms_key_arns"] == ["${local.kms_key_arn}"]


# -- defect 10: iam:PassRole only to the services the stacks pass roles to --------------------------------------


def test_every_pass_role_names_the_services_it_passes_to() -> None:
    found = 0
    for path in tf_files():
        text = path.read_text()
        mentions = len(re.findall(r'"iam:PassRole"', text))
        passing = [s for s in statements(load_file(path)) if "iam:PassRole" in strings(s.get("actions", []))]
        assert len(passing) == mentions, f"{path}: an iam:PassRole outside an aws_iam_policy_document statement"
        for statement in passing:
            assert strings(statement["actions"]) == ["iam:PassRole"], f"{path}: PassRole shares a statement"
            condition = conditions(statement).get("iam:PassedToService")
            assert condition is not None, f"{path}: iam:PassRole without an iam:PassedToService condition"
            assert unquote(condition["test"]) == "StringEquals"
        found += len(passing)
    assert found >= 1


def test_the_passed_to_services_cover_every_service_the_project_roles_trust() -> None:
    trusted: set[str] = set()
    for path in sorted(MODULES.rglob("main.tf")):
        for statement in statements(load_file(path)):
            if "sts:AssumeRole" not in strings(statement.get("actions", [])):
                continue
            for principal in statement.get("principals", []):
                if unquote(principal["type"]) == "Service":
                    trusted |= {s.replace("${local.region}", "us-east-1") for s in strings(principal["identifiers"])}
    allowed = set(strings(variables(MODULES / "iam")["scalr_passed_to_services"]["default"]))
    allowed |= {"logs.us-east-1.amazonaws.com", "dms.us-east-1.amazonaws.com"}  # added in locals, per region
    # lexv2 (the bot's role is passed through CloudFormation) and logs (subscription filters) are trusted elsewhere
    assert trusted - {"lexv2.amazonaws.com"} <= allowed, sorted(trusted - allowed)


# -- defect 10: Bedrock invocation logging is one setting per account and region ---------------------------------


def test_invocation_logging_is_an_opt_in_of_one_environment_per_account() -> None:
    assert unquote(variables(STACKS / "app")["bedrock_invocation_logging"]["default"]) is False
    assert unquote(variables(MODULES / "bedrock")["create_invocation_logging"]["default"]) is False
    owners = []
    for tfvars in sorted((TERRAFORM / "environments").glob("*.tfvars")):
        match = re.search(r"^bedrock_invocation_logging\s*=\s*(true|false)", tfvars.read_text(), re.M)
        if match and match.group(1) == "true":
            owners.append(tfvars.stem)
    assert owners == ["prod"], f"environments sharing an account would overwrite each other: {owners}"


# -- defect 10: the prod guardrail reaches Converse ------------------------------------------------------------------


def test_the_guardrail_goes_from_terraform_to_the_apis_environment_to_settings() -> None:
    api = module_calls(STACKS / "app")["api"]
    assert expr(api["environment"]).rstrip().endswith(", module.bedrock.converse_environment)")
    converse = expr(outputs(MODULES / "bedrock")["converse_environment"]["value"])
    names = set(re.findall(r"\b(CAMPUSBOT_[A-Z_]+)\s*=", converse))
    fields = {"bedrock_guardrail_id", "bedrock_guardrail_version"}
    assert names == {f"CAMPUSBOT_{field.upper()}" for field in fields}
    assert fields <= set(Settings.model_fields)
    assert "aws_bedrock_guardrail.this[0].guardrail_id" in converse
    assert "aws_bedrock_guardrail_version.this[0].version" in converse
    prod = (TERRAFORM / "environments" / "prod.tfvars").read_text()
    assert re.search(r"^bedrock_guardrail\s*=\s*true", prod, re.M)
