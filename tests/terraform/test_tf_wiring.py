"""The wiring that matters, read from the HCL: the architecture's environment contract of every
Lambda and of the ECS service, and the security properties that must never regress."""

from __future__ import annotations

import json
import re
from typing import Any

import hcl2
import pytest

from tests.terraform.tf_hcl import MODULES, STACK_ORDER, STACKS, calls_of, expr, map_keys, resources, unquote, variables

LAMBDA_ENV = {
    "campusbot.lambdas.lex_proxy.handler": {
        "CAMPUSBOT_BOT_ID",
        "CAMPUSBOT_BOT_ALIAS_ID",
        "CAMPUSBOT_LOCALE_ID",
        "CAMPUSBOT_LAKE_BUCKET",
        "CAMPUSBOT_TARGET",
        "CAMPUSBOT_ENV",
        "CAMPUSBOT_CHAT_EVENTS",
        "CAMPUSBOT_CORS_ALLOW_ORIGIN",
    },
    "campusbot.lambdas.fulfillment.handler": {"CAMPUSBOT_API_URL", "CAMPUSBOT_TARGET", "CAMPUSBOT_ENV"},
    # issue 12: POST /chat's REQUEST authorizer verifies the user pool's ID tokens
    "campusbot.lambdas.authorizer.handler": {
        "CAMPUSBOT_COGNITO_ISSUER",
        "CAMPUSBOT_COGNITO_CLIENT_ID",
        "CAMPUSBOT_COGNITO_JWKS_CACHE_SECONDS",
        "CAMPUSBOT_TARGET",
        "CAMPUSBOT_ENV",
    },
    "campusbot.lambdas.vectorizer.handler": {
        "CAMPUSBOT_DOCS_BUCKET",
        "CAMPUSBOT_DB_SECRET_ARN",
        "CAMPUSBOT_DB_HOST",
        "CAMPUSBOT_DB_PORT",
        "CAMPUSBOT_DB_NAME",
        "CAMPUSBOT_DB_CA_BUNDLE",
        "CAMPUSBOT_EMBEDDING_MODEL",
        "CAMPUSBOT_EMBEDDING_DIMENSIONS",
        "CAMPUSBOT_TARGET",
        "CAMPUSBOT_ENV",
    },
}
IN_VPC = {"campusbot.lambdas.fulfillment.handler", "campusbot.lambdas.vectorizer.handler"}

ECS_ENV = {
    "CAMPUSBOT_TARGET",
    "CAMPUSBOT_ENV",
    "CAMPUSBOT_DB_HOST",
    "CAMPUSBOT_DB_PORT",
    "CAMPUSBOT_DB_NAME",
    "CAMPUSBOT_DB_SECRET_ARN",
    "CAMPUSBOT_DB_CA_BUNDLE",
    "CAMPUSBOT_DOCS_BUCKET",
    "CAMPUSBOT_EMBEDDING_MODEL",
    "CAMPUSBOT_EMBEDDING_DIMENSIONS",
    "CAMPUSBOT_CHAT_MODEL",
    "AWS_REGION",
}


def lambda_calls() -> dict[str, tuple[str, dict[str, Any]]]:
    return {str(unquote(call["handler"])): (stack, call) for stack, _, call in calls_of("lambda_function")}


def test_exactly_the_contract_lambdas_exist() -> None:  # four since issue 12 (the authorizer)
    assert set(lambda_calls()) == set(LAMBDA_ENV)


@pytest.mark.parametrize("handler", sorted(LAMBDA_ENV))
def test_lambda_gets_the_contract_environment(handler: str) -> None:
    _, call = lambda_calls()[handler]
    env = call["environment_variables"]
    assert map_keys(env) == LAMBDA_ENV[handler]
    assert unquote(env["CAMPUSBOT_TARGET"]) == "aws"
    assert expr(env["CAMPUSBOT_ENV"]) == "var.env"


@pytest.mark.parametrize("handler", sorted(LAMBDA_ENV))
def test_lambda_runtime_and_artifact_come_from_the_cli(handler: str) -> None:
    _, call = lambda_calls()[handler]
    key = handler.split(".")[2]
    assert "runtime" not in call and "architecture" not in call, "the module defaults are the contract"
    assert expr(call["artifact_path"]) == f'var.lambda_artifacts["{key}"].path'
    assert expr(call["source_code_hash"]) == f'var.lambda_artifacts["{key}"].hash'
    defaults = variables(MODULES / "lambda_function")
    assert unquote(defaults["runtime"]["default"]) == "python3.12"
    assert unquote(defaults["architecture"]["default"]) == "x86_64"


def test_fulfillment_reaches_the_internal_alb_and_vectorizer_the_database() -> None:
    calls = lambda_calls()
    _, fulfillment = calls["campusbot.lambdas.fulfillment.handler"]
    assert unquote(fulfillment["environment_variables"]["CAMPUSBOT_API_URL"]) == "http://${module.api.lb_dns_name}"
    assert "module.api.lb_security_group_id" in json.dumps(fulfillment["egress_rules"])
    _, vectorizer = calls["campusbot.lambdas.vectorizer.handler"]
    assert "local.db_client_sg" in expr(vectorizer["security_group_ids"])
    assert expr(vectorizer["environment_variables"]["CAMPUSBOT_DB_SECRET_ARN"]) == "local.db_secret_arn"
    for handler in IN_VPC:
        assert "subnet_ids" in calls[handler][1], f"{handler} must run in the VPC"


def test_lex_proxy_gets_the_alias_id_of_the_bot() -> None:
    stack, call = lambda_calls()["campusbot.lambdas.lex_proxy.handler"]
    assert stack == "conversation"
    assert expr(call["environment_variables"]["CAMPUSBOT_BOT_ALIAS_ID"]) == "local.bot_alias_id"
    text = (STACKS / "conversation" / "main.tf").read_text()
    assert re.search(r"bot_alias_id\s*=\s*var\.create_lex_bot \? module\.lex_bot\.bot_alias_id", text)


def test_lex_proxy_logs_chat_events_and_firehose_ships_them_to_the_lake() -> None:
    _, call = lambda_calls()["campusbot.lambdas.lex_proxy.handler"]
    assert unquote(call["environment_variables"]["CAMPUSBOT_CHAT_EVENTS"]) == "log"
    [(stack, _, firehose)] = list(calls_of("firehose"))
    assert stack == "analytics"
    assert expr(firehose["source_log_group_names"]["lex_proxy"]) == 'local.in["lambda/lex_proxy_log_group"]'
    prefix = variables(MODULES / "firehose")["prefix"]["default"]
    assert unquote(prefix) == "chat-events/dt=!{timestamp:yyyy-MM-dd}/", "the chat_events table's partitions"


def test_vectorizer_is_notified_by_the_docs_bucket() -> None:
    [(stack, _, call)] = [c for c in calls_of("s3") if "lambda_notifications" in c[2]]
    assert stack == "app" and call["create_bucket"] is False
    [notification] = call["lambda_notifications"]
    assert expr(notification["function_arn"]) == "module.vectorizer.lambda_function_arn"
    assert set(map(unquote, notification["events"])) == {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}


def _merged_map(value: Any) -> Any:
    """The map literal of `merge({...}, module.bedrock.converse_environment)` (or the literal itself)."""
    if isinstance(value, str) and value.startswith("${merge({"):
        literal = value.removeprefix("${merge(").rsplit("}, module.bedrock.converse_environment)}", 1)[0] + "}"
        return hcl2.loads(f"x = {literal}\n")["x"]
    return value


def test_ecs_service_gets_the_contract_environment_and_reads_the_rotating_secret_itself() -> None:
    """The RDS-managed secret rotates: the task gets its ARN and reads it per new connection (db.credentials),
    not a password injected once at start through ECS `secrets`."""
    [(stack, _, call)] = list(calls_of("ecs_service"))
    assert stack == "app"
    environment = _merged_map(call["environment"])
    assert map_keys(environment) == ECS_ENV
    assert unquote(environment["CAMPUSBOT_TARGET"]) == "aws"
    assert expr(environment["CAMPUSBOT_DB_SECRET_ARN"]) == "local.db_secret_arn"
    assert "secrets" not in call
    [(_, _, iam)] = [c for c in calls_of("iam") if c[0] == "app"]
    statements = {unquote(st["sid"]): st for st in iam["ecs"]["statements"]}
    assert [unquote(a) for a in statements["ReadDatabaseSecret"]["actions"]] == ["secretsmanager:GetSecretValue"]
    assert [expr(r) for r in statements["ReadDatabaseSecret"]["resources"]] == ["local.db_secret_arn"]
    [condition] = statements["DecryptDatabaseSecret"]["conditions"]
    assert unquote(condition["variable"]) == "kms:ViaService"
    assert call["container_port"] == 8000
    assert unquote(call["health_check_path"]) == "/healthz"
    assert expr(call["container_image"]) == "var.api_image_uri"


def test_ecs_container_is_read_only_and_non_root() -> None:
    text = (MODULES / "ecs_service" / "main.tf").read_text()
    assert re.search(r"readonlyRootFilesystem\s*=\s*true", text)
    assert re.search(r'capabilities\s*=\s*\{\s*drop\s*=\s*\["ALL"\]', text)
    user = variables(MODULES / "ecs_service")["container_user"]
    assert unquote(user["default"]) not in {"root", "0", "0:0"}
    assert "validation" in user, "root must be rejected, not just avoided by default"


def test_alb_is_internal() -> None:
    lb = resources(MODULES / "ecs_service")["aws_lb.this"]
    assert lb["internal"] is True
    assert lb["drop_invalid_header_fields"] is True


def test_rds_is_private_encrypted_and_has_managed_credentials() -> None:
    db = resources(MODULES / "rds")["aws_db_instance.this"]
    assert db["publicly_accessible"] is False
    assert db["manage_master_user_password"] is True
    assert db["storage_encrypted"] is True
    assert "password" not in db, "no password in code: RDS generates and rotates it"
    params = resources(MODULES / "rds")["aws_db_parameter_group.this"]["parameter"]
    assert {"name": '"rds.force_ssl"', "value": '"1"'} in [
        {k: v for k, v in p.items() if k in ("name", "value")} for p in params
    ]


def test_no_iam_statement_allows_everything() -> None:
    wildcard_action = re.compile(r'actions\s*=\s*\[[^\]]*"\*"')
    for folder in [*MODULES.iterdir(), *(STACKS / s for s in STACK_ORDER)]:
        for tf in folder.glob("*.tf"):
            assert not wildcard_action.search(tf.read_text()), f"{tf}: a '*' action"


def test_buckets_are_private_encrypted_and_tls_only() -> None:
    found = resources(MODULES / "s3")
    pab = found["aws_s3_bucket_public_access_block.this"]
    for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert pab[key] is True
    text = (MODULES / "s3" / "main.tf").read_text()
    assert '"aws:SecureTransport"' in text and 'values   = ["false"]' in text
    sse = found["aws_s3_bucket_server_side_encryption_configuration.this"]["rule"][0]
    assert "aws:kms" in expr(sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"])
    assert found["aws_s3_bucket_ownership_controls.this"]["rule"][0]["object_ownership"] == '"BucketOwnerEnforced"'


def test_log_groups_are_encrypted_and_expire() -> None:
    for module in MODULES.iterdir():
        for name, spec in resources(module).items():
            if name.startswith("aws_cloudwatch_log_group."):
                assert "kms_key_id" in spec, f"{module.name}: {name} is not KMS-encrypted"
                assert "retention_in_days" in spec, f"{module.name}: {name} never expires"
