"""The environment AWS gives each component, derived from the Terraform stacks, not kept by hand.

`derive(stand_ins)` reads terraform/stacks/*/ (with `terraform/environments/<env>.tfvars` and the variables'
defaults) through `local.terraform_eval` and returns, for every module call of `modules/lambda_function`, the
function's handler, timeout, memory, log group and format, and its `environment_variables`; for the ECS service
(`modules/ecs_service`) its container `environment` and `secrets`; and the chat-events delivery of
`modules/firehose` (source log groups, subscription filter pattern, S3 prefix, buffering, compression).

Values only AWS can produce are taken from ONE object, `StandIns`: its table `STAND_INS` says what each one
stands in for and which local value replaces it (the README lists it). Anything else the stacks would need
from AWS is an `EnvironmentDerivationError` naming stack, module, variable and expression, so a variable added
in Terraform that the local runtime cannot provide fails locally first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campusbot.local.terraform_eval import (
    STACK_ORDER,
    EvaluationError,
    Scope,
    StackSet,
    Unresolvable,
    force,
    literal,
    quote,
    read_tfvars,
    to_string,
)


class EnvironmentDerivationError(RuntimeError):
    """A value of the stacks the local runtime cannot give a component; the message says where and why."""


@dataclass(frozen=True)
class LocalValues:
    """What the local runtime has where AWS has a resource (filled by `campusbot.local.runtime`)."""

    docs_bucket: str
    lake_bucket: str
    db_host: str
    db_port: int
    db_name: str
    db_secret_arn: str
    db_ca_bundle: str
    api_address: str  # host:port of the local data API
    bot_id: str
    bot_alias_id: str
    locale_id: str
    region: str
    account_id: str = "000000000000"
    # the user pool the runtime creates in moto's cognito-idp (local/cognito.py)
    cognito_pool_id: str = ""
    cognito_client_id: str = ""
    web_origin: str = ""  # the gateway serving web/ (http://127.0.0.1:<gateway port>); "" → "*"


@dataclass(frozen=True)
class StandIn:
    kind: str  # ssm | module output | data source | file
    key: str  # the SSM key, "<module source>.<output>", "<data type>.<attribute>", or the variable holding a path
    aws: str  # what AWS has there
    local: Callable[[LocalValues], str]
    local_description: str


def _arn_s3(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def _issuer(values: LocalValues) -> str:
    return f"https://cognito-idp.{values.region}.amazonaws.com/{values.cognito_pool_id}"


# The values only AWS can produce, and what the local runtime gives instead (README "The local runtime").
STAND_INS: tuple[StandIn, ...] = (
    StandIn("ssm", "s3/docs_bucket_name", "the documents bucket", lambda v: v.docs_bucket,
            "the docs bucket in the local S3 (CAMPUSBOT_DOCS_BUCKET)"),
    StandIn("ssm", "s3/docs_bucket_arn", "its ARN", lambda v: _arn_s3(v.docs_bucket), "arn:aws:s3:::<docs bucket>"),
    StandIn("ssm", "s3/lake_bucket_name", "the analytics lake bucket", lambda v: v.lake_bucket,
            "the lake bucket in the local S3 (CAMPUSBOT_LAKE_BUCKET)"),
    StandIn("ssm", "s3/lake_bucket_arn", "its ARN", lambda v: _arn_s3(v.lake_bucket), "arn:aws:s3:::<lake bucket>"),
    StandIn("ssm", "rds/host", "the RDS endpoint", lambda v: v.db_host,
            "localhost: the runtime's TLS endpoint of the embedded PostgreSQL"),
    StandIn("ssm", "rds/port", "its port", lambda v: str(v.db_port), "that endpoint's port (a free one)"),
    StandIn("ssm", "rds/db_name", "the database name", lambda v: v.db_name, "the embedded database (campusbot)"),
    StandIn("ssm", "rds/master_user_secret_arn", "the RDS-managed master user secret", lambda v: v.db_secret_arn,
            "a secret in the local Secrets Manager (moto) holding the embedded server's credentials, "
            "its password rotated at every start"),
    StandIn("module output", "lex_bot.bot_id", "the Lex bot's id (CloudFormation)", lambda v: v.bot_id,
            "the Lex emulator's bot id (CAMPUSBOT_BOT_ID, default CAMPUSBOT0)"),
    StandIn("module output", "lex_bot.bot_alias_id", "the bot alias id", lambda v: v.bot_alias_id,
            "the emulator's alias (CAMPUSBOT_BOT_ALIAS_ID, default TSTALIASID)"),
    StandIn("module output", "lex_bot.locale_id", "the bot's locale", lambda v: v.locale_id,
            "the locale of the bot the emulator runs"),
    StandIn("module output", "ecs_service.lb_dns_name", "the internal ALB's DNS name", lambda v: v.api_address,
            "127.0.0.1:<CAMPUSBOT_API_PORT>, the local data API"),
    StandIn("module output", "cognito.user_pool_id", "the students' Cognito user pool", lambda v: v.cognito_pool_id,
            "a pool of the same settings in moto's cognito-idp (created at start)"),
    StandIn("module output", "cognito.client_id", "its public app client", lambda v: v.cognito_client_id,
            "that pool's app client in moto"),
    StandIn("module output", "cognito.issuer", "the pool's issuer", lambda v: _issuer(v),
            "https://cognito-idp.<region>.amazonaws.com/<moto pool id> (moto's `iss`; keys read from moto through "
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER)"),
    StandIn("module output", "web.url", "the web chat's CloudFront URL (https://<id>.cloudfront.net)",
            lambda v: v.web_origin or "*", "http://127.0.0.1:<CAMPUSBOT_GATEWAY_PORT>, the gateway serving web/"),
    StandIn("data source", "aws_region.id", "the deployment's region", lambda v: v.region,
            "CAMPUSBOT_REGION (us-east-1)"),
    StandIn("data source", "aws_caller_identity.account_id", "the account id", lambda v: v.account_id,
            "000000000000"),
    StandIn("data source", "aws_partition.partition", "the partition", lambda _v: "aws", "aws"),
    StandIn("file", "CAMPUSBOT_DB_CA_BUNDLE", "the RDS CA bundle shipped in the image and the vectorizer zip",
            lambda v: v.db_ca_bundle, "the runtime's own CA (.campusbot/tls/ca.pem), which signs the database "
            "endpoint's certificate"),
)  # fmt: skip


class StandIns:
    """The one object that says what the local runtime substitutes for what only AWS produces (a terraform_eval
    Resolver), plus how ECS `secrets` are resolved (Secrets Manager, the local one)."""

    def __init__(self, values: LocalValues, secret_value: Callable[[str], str] | None = None) -> None:
        self.values = values
        self.secret_value = secret_value
        self._by_kind = {(s.kind, s.key): s for s in STAND_INS}

    def _value(self, kind: str, key: str) -> str | None:
        stand_in = self._by_kind.get((kind, key))
        return stand_in.local(self.values) if stand_in is not None else None

    def ssm_parameter(self, key: str) -> str | None:
        return self._value("ssm", key)

    def module_output(self, module_source: str, output: str) -> Any | None:
        return self._value("module output", f"{module_source}.{output}")

    def data_attribute(self, data_type: str, attribute: str) -> Any | None:
        return self._value("data source", f"{data_type}.{attribute}")

    def file(self, variable: str) -> str | None:
        """The local file replacing the one AWS has at the path `variable` names (shipped in the image/zip)."""
        return self._value("file", variable)

    def resolve_secret(self, value_from: str) -> str:
        """An ECS `secrets` entry (`<secret arn>[:json-key:version-stage:version-id]`) → its value."""
        if self.secret_value is None:
            raise EnvironmentDerivationError(f"no Secrets Manager to resolve {value_from}")
        parts = value_from.split(":")
        arn, rest = ":".join(parts[:7]), parts[7:]
        value = self.secret_value(arn)
        json_key = rest[0] if rest else ""
        if not json_key:
            return value
        try:
            return str(json.loads(value)[json_key])
        except (ValueError, KeyError, TypeError) as exc:
            raise EnvironmentDerivationError(f"secret {arn} has no JSON key {json_key!r}") from exc

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(kind, key, what it stands in for, the local value) of every stand-in, for the README and `status`."""
        return [(s.kind, s.key, s.aws, s.local_description) for s in STAND_INS]


@dataclass(frozen=True)
class LambdaFunction:
    key: str  # the module call: lex_proxy, fulfillment, vectorizer
    stack: str
    function_name: str
    handler: str
    timeout: int
    memory_size: int
    log_group: str
    log_format: str  # JSON | Text
    log_level: str
    environment: Mapping[str, str]
    reserved_concurrency: int = -1  # at most this many environments at once; -1: unreserved (the account's limit)


@dataclass(frozen=True)
class Container:
    key: str  # the module call (api)
    stack: str
    environment: Mapping[str, str]
    secrets: Mapping[str, str]  # name → valueFrom


@dataclass(frozen=True)
class ChatEventsDelivery:
    """The Firehose stream of `modules/firehose` and the CloudWatch Logs subscription filters feeding it."""

    stream_name: str
    source_log_groups: tuple[str, ...]
    filter_pattern: str
    bucket: str
    prefix: str
    error_output_prefix: str
    buffering_size_mb: float
    buffering_interval_seconds: float
    compression_format: str


@dataclass(frozen=True)
class AwsEnvironment:
    env: str
    functions: Mapping[str, LambdaFunction]
    containers: Mapping[str, Container]
    chat_events: ChatEventsDelivery | None = None
    files: Mapping[str, str] = field(default_factory=dict)  # variable → local file (StandIns.file)

    def process_environment(self, component: str) -> dict[str, str]:
        """The variables Terraform gives `component` (a function or container key), files substituted."""
        source = self.functions[component].environment if component in self.functions else None
        if source is None:
            source = self.containers[component].environment
        return {name: self.files.get(name, value) for name, value in source.items()}


def terraform_root() -> Path:
    from campusbot.deploy.pipeline import repo_root

    return repo_root() / "terraform"


def derive(stand_ins: StandIns, *, env: str = "dev", terraform: Path | None = None) -> AwsEnvironment:
    """Every component's configuration as the stacks give it in `env`, with `stand_ins` for what only AWS has."""
    terraform = terraform or terraform_root()
    tfvars_path = terraform / "environments" / f"{env}.tfvars"
    if not tfvars_path.is_file():
        raise EnvironmentDerivationError(f"{tfvars_path} does not exist: no environment {env!r}")
    stacks = StackSet(terraform, read_tfvars(tfvars_path), stand_ins)
    functions: dict[str, LambdaFunction] = {}
    containers: dict[str, Container] = {}
    chat_events: ChatEventsDelivery | None = None
    for stack in STACK_ORDER:
        scope = stacks.scope(stack)
        for name, call in scope.config.modules.items():
            source_tree = call.attribute("source")
            source = Path(to_string(literal(source_tree))).name if source_tree is not None else ""
            if source == "lambda_function":
                functions[name] = _function(scope, stack, name)
            elif source == "ecs_service":
                containers[name] = _container(scope, stack, name, stand_ins)
            elif source == "firehose":
                chat_events = _delivery(scope, stack, name) or chat_events
    files = {}
    environments = [f.environment for f in functions.values()] + [c.environment for c in containers.values()]
    for environment in environments:
        for variable in environment:
            local = stand_ins.file(variable)
            if local is not None:
                files[variable] = local
    return AwsEnvironment(env, functions, containers, chat_events, files)


def _function(scope: Scope, stack: str, name: str) -> LambdaFunction:
    module = scope.module(name)
    resource = module.config.resource("resource", "aws_lambda_function", "this")
    logging_blocks = resource.blocks("logging_config") if resource is not None else []

    def logging_option(option: str, default: str) -> str:
        for block in logging_blocks:
            tree = block.attribute(option)
            if tree is not None:
                return to_string(_evaluate(module, tree, block.source, stack, name, option))
        return default

    return LambdaFunction(
        key=name,
        stack=stack,
        function_name=to_string(_argument(module, stack, name, "function_name")),
        handler=to_string(_argument(module, stack, name, "handler")),
        timeout=int(_argument(module, stack, name, "timeout")),
        memory_size=int(_argument(module, stack, name, "memory_size")),
        log_group=to_string(_evaluate_local(module, stack, name, "log_group")),
        log_format=logging_option("log_format", "Text"),
        log_level=logging_option("application_log_level", "INFO"),
        environment=_string_map(module, stack, name, "environment_variables"),
        reserved_concurrency=int(_argument(module, stack, name, "reserved_concurrent_executions")),
    )


def _container(scope: Scope, stack: str, name: str, stand_ins: StandIns) -> Container:
    module = scope.module(name)
    secrets = _string_map(module, stack, name, "secrets")
    environment = dict(_string_map(module, stack, name, "environment"))
    for variable, value_from in secrets.items():
        try:
            environment[variable] = stand_ins.resolve_secret(value_from)
        except Exception as exc:
            raise EnvironmentDerivationError(
                f"stack {stack}, module {name}, secret {variable} = {value_from}: {exc}"
            ) from exc
    return Container(key=name, stack=stack, environment=environment, secrets=secrets)


def _delivery(scope: Scope, stack: str, name: str) -> ChatEventsDelivery | None:
    module = scope.module(name)
    if not _argument(module, stack, name, "create"):
        return None
    sources = force(_argument(module, stack, name, "source_log_group_names"))
    bucket_arn = to_string(_argument(module, stack, name, "bucket_arn"))
    return ChatEventsDelivery(
        stream_name=to_string(_argument(module, stack, name, "name")),
        source_log_groups=tuple(to_string(group) for group in sources.values()),
        filter_pattern=to_string(_argument(module, stack, name, "filter_pattern")),
        bucket=bucket_arn.removeprefix("arn:aws:s3:::"),
        prefix=to_string(_argument(module, stack, name, "prefix")),
        error_output_prefix=to_string(_argument(module, stack, name, "error_output_prefix")),
        buffering_size_mb=float(_argument(module, stack, name, "buffering_size_mb")),
        buffering_interval_seconds=float(_argument(module, stack, name, "buffering_interval_seconds")),
        compression_format=to_string(_argument(module, stack, name, "compression_format")),
    )


def _argument(module: Scope, stack: str, name: str, variable: str) -> Any:
    try:
        return module.var(variable)
    except (EvaluationError, Unresolvable) as exc:
        raise EnvironmentDerivationError(f"stack {stack}, module {name}, {variable}: {exc}") from exc


def _evaluate_local(module: Scope, stack: str, name: str, local: str) -> Any:
    try:
        return module.local(local)
    except (EvaluationError, Unresolvable) as exc:
        raise EnvironmentDerivationError(f"stack {stack}, module {name}, local.{local}: {exc}") from exc


def _evaluate(module: Scope, tree: Any, source: str, stack: str, name: str, what: str) -> Any:
    try:
        return module.evaluate(tree, source)
    except (EvaluationError, Unresolvable) as exc:
        raise EnvironmentDerivationError(
            f"stack {stack}, module {name}, {what} = {quote(tree, source)}: {exc}"
        ) from exc


def _string_map(module: Scope, stack: str, name: str, variable: str) -> dict[str, str]:
    """A map(string) argument, each value evaluated on its own so an error names its key and expression."""
    call = module.call
    assert call is not None and module.parent is not None
    tree = call.attribute(variable)
    if tree is None:
        return {key: to_string(value) for key, value in force(_argument(module, stack, name, variable)).items()}
    mapping = _argument(module, stack, name, variable)
    result = {}
    for key in mapping:
        try:
            result[key] = to_string(mapping[key])
        except (EvaluationError, Unresolvable) as exc:
            expression = _element_source(tree, key, call.source)
            where = f"stack {stack}, module {name}, {variable}.{key} = {expression}"
            hint = " (only AWS can produce it: add a stand-in to campusbot.local.aws_environment.STAND_INS)"
            raise EnvironmentDerivationError(f"{where}: {exc}{hint if isinstance(exc, Unresolvable) else ''}") from exc
    return result


def _element_source(tree: Any, key: str, source: str) -> str:
    for node in tree.iter_subtrees_topdown():
        if node.data == "object_elem" and quote(node.children[0], source).strip('"') == key:
            return quote(node.children[-1], source)
    return "?"
