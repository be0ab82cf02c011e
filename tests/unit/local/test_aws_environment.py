"""The environment of every component, derived from the real stacks (terraform/stacks, environments/dev.tfvars)
with the local stand-ins, checked against what each component requires (settings.COMPONENTS): a variable a
component starts to require that Terraform does not give it fails here, and so does a Terraform value the local
runtime cannot produce."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from campusbot.local.aws_environment import (
    STAND_INS,
    AwsEnvironment,
    EnvironmentDerivationError,
    LocalValues,
    StandIns,
    derive,
)
from campusbot.settings import API, COMPONENTS, Requirements, Settings

REPO = Path(__file__).resolve().parents[3]
TERRAFORM = REPO / "terraform"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:campusbot-local/rds-master-AbCdEf"
VALUES = LocalValues(
    docs_bucket="campusbot-docs", lake_bucket="campusbot-lake", db_host="localhost", db_port=45432,
    db_name="campusbot", db_secret_arn=SECRET_ARN, db_ca_bundle="/data/tls/ca.pem", api_address="127.0.0.1:8000",
    bot_id="CAMPUSBOT0", bot_alias_id="TSTALIASID", locale_id="en_US", region="us-east-1",
    cognito_pool_id="us-east-1_c70d4f33eb", cognito_client_id="d88be9cc1ffd4013b9aeeab421",
)  # fmt: skip


def secret(arn: str) -> str:
    assert arn == SECRET_ARN
    return json.dumps({"username": "postgres", "password": "rotated"})


@pytest.fixture(scope="module")
def aws() -> AwsEnvironment:
    return derive(StandIns(VALUES, secret_value=secret), env="dev", terraform=TERRAFORM)


def test_every_lambda_and_the_api_are_found_with_their_configuration(aws: AwsEnvironment) -> None:
    assert set(aws.functions) == {"lex_proxy", "fulfillment", "vectorizer", "authorizer"}
    assert set(aws.containers) == {"api"}
    for key, function in aws.functions.items():
        assert function.handler == f"campusbot.lambdas.{key}.handler"
        assert function.function_name == f"campusbot-dev-{key.replace('_', '-')}"
        assert function.log_group == f"/aws/lambda/{function.function_name}"
        assert function.log_format == "JSON" and function.log_level == "INFO"
    assert (aws.functions["vectorizer"].timeout, aws.functions["lex_proxy"].timeout) == (300, 30)


def test_each_lambda_has_the_reserved_concurrency_its_environment_gives_it(aws: AwsEnvironment, tmp_path: Path) -> None:
    """How many environments the local runtime may run at once for a function (the vectorizer scales out on
    uploads): dev reserves none (-1); a reservation in the tfvars reaches the function that has it."""
    assert {key: f.reserved_concurrency for key, f in aws.functions.items()} == dict.fromkeys(aws.functions, -1)
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    tfvars = copy / "environments" / "dev.tfvars"
    text = tfvars.read_text()
    assert "  vectorizer  = -1\n" in text
    tfvars.write_text(text.replace("  vectorizer  = -1\n", "  vectorizer  = 3\n"))
    reserved = derive(StandIns(VALUES, secret_value=secret), env="dev", terraform=copy)
    assert reserved.functions["vectorizer"].reserved_concurrency == 3
    assert reserved.functions["lex_proxy"].reserved_concurrency == -1


def test_the_authorizer_checks_the_local_pool(aws: AwsEnvironment) -> None:
    """Issue 12: the module's outputs stand in as the moto pool the runtime created."""
    environment = aws.functions["authorizer"].environment
    assert environment["CAMPUSBOT_COGNITO_ISSUER"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_c70d4f33eb"
    assert environment["CAMPUSBOT_COGNITO_CLIENT_ID"] == "d88be9cc1ffd4013b9aeeab421"


@pytest.mark.parametrize("component", ["lex_proxy", "fulfillment", "authorizer", "vectorizer", "api"])
def test_terraform_gives_each_component_everything_it_requires(aws: AwsEnvironment, component: str) -> None:
    settings = Settings.from_environment(aws.process_environment(component))
    assert settings.target == "aws"
    assert COMPONENTS[component].missing(settings) == []


def test_a_requirement_terraform_does_not_satisfy_is_caught(aws: AwsEnvironment) -> None:
    """What the test above catches when someone makes a component require a variable the stack does not set."""
    stricter = Requirements("fulfillment", ("api_url", "lake_bucket"))
    settings = Settings.from_environment(aws.process_environment("fulfillment"))
    assert stricter.missing(settings) == ["CAMPUSBOT_LAKE_BUCKET"]


def test_each_component_gets_only_its_own_variables(aws: AwsEnvironment) -> None:
    lex_proxy = aws.process_environment("lex_proxy")
    assert not any(name.startswith("CAMPUSBOT_DB") or name == "CAMPUSBOT_DATABASE_URL" for name in lex_proxy)
    assert lex_proxy["CAMPUSBOT_CHAT_EVENTS"] == "log" and lex_proxy["CAMPUSBOT_BOT_ID"] == "CAMPUSBOT0"
    assert aws.process_environment("fulfillment")["CAMPUSBOT_API_URL"] == "http://127.0.0.1:8000"
    vectorizer = aws.process_environment("vectorizer")
    assert (vectorizer["CAMPUSBOT_DB_HOST"], vectorizer["CAMPUSBOT_DB_PORT"]) == ("localhost", "45432")
    assert vectorizer["CAMPUSBOT_DB_SECRET_ARN"] == SECRET_ARN
    assert vectorizer["CAMPUSBOT_EMBEDDING_DIMENSIONS"] == "1024"


def test_the_ca_bundle_path_of_the_image_and_zip_is_replaced_by_the_local_ca(aws: AwsEnvironment) -> None:
    assert aws.functions["vectorizer"].environment["CAMPUSBOT_DB_CA_BUNDLE"] == "/var/task/rds-ca/global-bundle.pem"
    assert aws.containers["api"].environment["CAMPUSBOT_DB_CA_BUNDLE"] == "/opt/rds-ca/global-bundle.pem"
    for component in ("vectorizer", "api"):
        assert aws.process_environment(component)["CAMPUSBOT_DB_CA_BUNDLE"] == "/data/tls/ca.pem"


def test_the_api_reads_the_rotating_secret_itself(aws: AwsEnvironment) -> None:
    api = aws.containers["api"]
    assert api.secrets == {} and api.environment["CAMPUSBOT_DB_SECRET_ARN"] == SECRET_ARN
    assert "CAMPUSBOT_DB_PASSWORD" not in api.environment
    assert API.missing(Settings.from_environment(aws.process_environment("api"))) == []


def test_chat_events_delivery_comes_from_the_analytics_stack_and_the_firehose_module(aws: AwsEnvironment) -> None:
    delivery = aws.chat_events
    assert delivery is not None
    assert delivery.source_log_groups == (aws.functions["lex_proxy"].log_group,)
    assert delivery.bucket == "campusbot-lake" and delivery.prefix == "chat-events/dt=!{timestamp:yyyy-MM-dd}/"
    assert "$.event_id" in delivery.filter_pattern and delivery.compression_format == "GZIP"
    assert (delivery.buffering_size_mb, delivery.buffering_interval_seconds) == (5, 300)


def test_a_variable_only_aws_can_produce_fails_locally_first(tmp_path: Path) -> None:
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    main = copy / "stacks" / "app" / "main.tf"
    text = main.read_text()
    anchor = 'CAMPUSBOT_API_URL = "http://${module.api.lb_dns_name}"'
    assert anchor in text
    main.write_text(text.replace(anchor, anchor + "\n    CAMPUSBOT_ALB      = module.api.lb_arn_suffix"))
    with pytest.raises(EnvironmentDerivationError) as raised:
        derive(StandIns(VALUES, secret_value=secret), env="dev", terraform=copy)
    message = str(raised.value)
    assert "stack app, module fulfillment, environment_variables.CAMPUSBOT_ALB = module.api.lb_arn_suffix" in message
    assert "STAND_INS" in message


def test_an_unknown_environment_is_named(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentDerivationError, match="no environment 'qa'"):
        derive(StandIns(VALUES), env="qa", terraform=TERRAFORM)


def test_ecs_secrets_resolve_through_secrets_manager_json_keys() -> None:
    stand_ins = StandIns(VALUES, secret_value=secret)
    assert stand_ins.resolve_secret(f"{SECRET_ARN}:password::") == "rotated"
    assert json.loads(stand_ins.resolve_secret(SECRET_ARN))["username"] == "postgres"
    with pytest.raises(EnvironmentDerivationError, match="no JSON key 'port'"):
        stand_ins.resolve_secret(f"{SECRET_ARN}:port::")


def test_the_readme_lists_every_stand_in() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### What the local runtime substitutes") :]
    for stand_in in STAND_INS:
        assert f"`{stand_in.key}`" in section, stand_in.key
