"""Where a deploy goes: the `Target` protocol and its two implementations, AWS and LocalStack (or moto).

Every deploy step asks its target what to do instead of testing the target's name: whether it skips
(and why), which endpoints, credentials and Terraform backend it uses, what it builds and which
stack variables it adds. This module (with bootstrap and the CLI's option parsing) is the only place
that knows the names "aws" and "localstack"; adding a target means adding a class here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from campusbot.deploy import backend, localstack
from campusbot.deploy.stacks import LOCALSTACK_SWITCH_REASONS, LOCALSTACK_SWITCHES, DeployTarget, Stack, env_var_file
from campusbot.settings import Settings

if TYPE_CHECKING:
    from campusbot.deploy.pipeline import ClientFactory, DeployContext, Reporter
    from campusbot.deploy.stacks import DeployInputs

# A deploy step's name (pipeline.STEP_NAMES).
SkippableStep = str


@dataclass(frozen=True)
class Check:
    """One preflight check: the line the dry run prints, and the probe the run calls.

    `probe(ctx, rows)` returns (ok, detail, fix), or None when it does not apply (an earlier check
    failed), and may add rows of its own (for example the AWS account).
    """

    name: str
    line: str
    probe: Callable[[DeployContext, list[tuple[str, str, str]]], tuple[bool, str, str] | None]


class Target(Protocol):
    """What a deploy step needs to know about where it deploys."""

    name: DeployTarget

    def endpoint(self, settings: Settings) -> str:
        """Where the stacks live, for people (status, dry run)."""
        ...

    def clients(self, settings: Settings) -> ClientFactory:
        """`service -> boto3 client` for this target."""
        ...

    def checks(self, ctx: DeployContext) -> list[Check]:
        """The preflight checks this target adds (credentials, endpoint, docker, state bucket, ...)."""
        ...

    def skip(self, step: SkippableStep) -> str | None:
        """Why `step` does not run on this target at all (known without asking any endpoint), else None."""
        ...

    def probe_skip(self, step: SkippableStep, ctx: DeployContext) -> str | None:
        """Why `step` cannot run against the endpoint that answers (may ask it), else None."""
        ...

    def resolve_account(self, ctx: DeployContext) -> None:
        """Learn what the stacks' backend needs before plan or destroy (the AWS account), if anything."""
        ...

    def repository(self, ctx: DeployContext) -> str:
        """The API image's repository (URL when deployed, else its name)."""
        ...

    def rds_ca_bundle(self, ctx: DeployContext) -> Path | None:
        """The RDS CA bundle the Lambda zips carry, when the database is a real RDS."""
        ...

    def stack_backend(self, ctx: DeployContext, stack: Stack, state_bucket: str) -> backend.Backend:
        """Where `stack`'s Terraform state lives."""
        ...

    def prepare_stack(self, ctx: DeployContext, stack: Stack, directory: Path) -> None:
        """Write (or remove) the provider override of `stack`'s folder."""
        ...

    def stack_variables(self, stack: Stack, inputs: DeployInputs) -> dict[str, Any]:
        """The variables this target adds to `stack`'s (switches for what it cannot run)."""
        ...

    def stack_notes(self, ctx: DeployContext, stack: Stack) -> list[str]:
        """Dry-run lines about this target's variables of `stack`."""
        ...

    def stacks_notes(self, ctx: DeployContext) -> list[str]:
        """Dry-run lines about this target's way of running Terraform (overrides, switches)."""
        ...

    @property
    def confirms_apply(self) -> bool:
        """Whether a local apply asks first (unless --yes)."""
        ...

    @property
    def invalidates_cdn(self) -> bool:
        """Whether the web step invalidates the CloudFront distribution after an upload."""
        ...

    @property
    def checks_chat_health(self) -> bool:
        """Whether `platform status` posts to the deployed chat endpoint."""
        ...

    def chat_url(self, ctx: DeployContext) -> tuple[str | None, str]:
        """(URL of the deployed POST /chat, "") or (None, why there is none to call)."""
        ...

    def chat_url_line(self, ctx: DeployContext) -> str:
        """The dry run's words for `chat_url`."""
        ...

    def explain(self, ctx: DeployContext, reporter: Reporter) -> None:
        """The dry run's header: what runs where on this target."""
        ...


class AwsTarget:
    """The real AWS account of the default credential chain; state in the S3 state bucket."""

    name: DeployTarget = "aws"
    confirms_apply = True
    invalidates_cdn = True
    checks_chat_health = True

    def endpoint(self, settings: Settings) -> str:
        return f"aws {settings.region}"

    def clients(self, settings: Settings) -> ClientFactory:
        import boto3

        aws = boto3.Session(region_name=settings.region)

        def make(service: str) -> Any:
            return aws.client(service)  # type: ignore[call-overload]

        return make

    def checks(self, ctx: DeployContext) -> list[Check]:
        from campusbot.deploy.stackrun import state_bucket

        options = ctx.options
        tfvars = env_var_file(options.root, options.env)
        checks = [
            Check(
                "aws credentials",
                f"aws credentials: default chain, region {ctx.settings.region}; "
                "sts get-caller-identity for the account",
                _probe_credentials,
            ),
            Check("docker", "docker: daemon reachable (builds the API image)", _probe_docker),
            Check(
                "environment",
                f"environment: {tfvars.relative_to(options.root)} exists",
                lambda _ctx, _rows: (
                    tfvars.exists(),
                    str(tfvars.relative_to(options.root)),
                    f"create {tfvars.name} (see dev.tfvars)",
                ),
            ),
        ]
        if options.via == "local":
            checks.append(
                Check(
                    "state bucket",
                    f"state bucket: {state_bucket(ctx)} exists (else: platform bootstrap --env {options.env})",
                    _probe_state_bucket,
                )
            )
        return checks

    def skip(self, step: SkippableStep) -> str | None:
        return None

    def probe_skip(self, step: SkippableStep, ctx: DeployContext) -> str | None:
        return None

    def resolve_account(self, ctx: DeployContext) -> None:
        if ctx.options.via == "local":
            from campusbot.deploy.steps import resolve_account

            resolve_account(ctx)

    def repository(self, ctx: DeployContext) -> str:
        try:
            return ctx.parameters()["ecr/api_repository_url"]
        except Exception:  # not deployed yet, or no credentials: the name is enough for a plan
            return f"campusbot-{ctx.options.env}/api"

    def rds_ca_bundle(self, ctx: DeployContext) -> Path | None:
        from campusbot.deploy import lambda_package as packaging

        return packaging.rds_ca_bundle(ctx.lambda_cache_dir)

    def stack_backend(self, ctx: DeployContext, stack: Stack, state_bucket: str) -> backend.Backend:
        return backend.S3Backend(state_bucket, backend.state_key(ctx.options.env, stack.name), ctx.settings.region)

    def prepare_stack(self, ctx: DeployContext, stack: Stack, directory: Path) -> None:
        if localstack.remove_provider_override(directory):
            ctx.reporter.warn(f"{stack.name}: removed a leftover {localstack.OVERRIDE_FILE} (it pointed at LocalStack)")

    def stack_variables(self, stack: Stack, inputs: DeployInputs) -> dict[str, Any]:
        return {}

    def stack_notes(self, ctx: DeployContext, stack: Stack) -> list[str]:
        return []

    def stacks_notes(self, ctx: DeployContext) -> list[str]:
        return []

    def chat_url(self, ctx: DeployContext) -> tuple[str | None, str]:
        return ctx.parameter("api/chat_url"), ""

    def chat_url_line(self, ctx: DeployContext) -> str:
        return f"/campusbot/{ctx.options.env}/api/chat_url with the stage's API key"

    def explain(self, ctx: DeployContext, reporter: Reporter) -> None:
        return None


class LocalStackTarget:
    """LocalStack (or moto) at CAMPUSBOT_LOCALSTACK_URL; state in a local file; what they cannot run
    stays on the local runtime (`localstack.STAYS_LOCAL`)."""

    name: DeployTarget = "localstack"
    confirms_apply = False
    invalidates_cdn = False
    checks_chat_health = False

    # Known without asking the endpoint: what never runs there.
    SKIPPED: Final[Mapping[str, str]] = {
        "image": "no registry in the localstack target; the API runs as `platform api` locally",
        "lex": "Lex stays on the local runtime's emulator (create_lex_bot=false)",
        "migrate": "ECS tasks do not run there (LocalStack/moto); `platform seed` migrates and seeds locally",
    }
    # What moto (not LocalStack) cannot do.
    MOTO_SKIPPED: Final[Mapping[str, str]] = {
        "documents": "moto enforces the docs bucket's TLS-only policy on its plain-HTTP endpoint; "
        "`platform upload samples/documents` indexes them on the local runtime",
        "web": "moto enforces the web bucket's TLS-only policy on its plain-HTTP endpoint",
    }

    def endpoint(self, settings: Settings) -> str:
        return settings.localstack_url

    def clients(self, settings: Settings) -> ClientFactory:
        session = localstack.session(settings.localstack_url, settings.region)
        return lambda service: session.client(service)

    def checks(self, ctx: DeployContext) -> list[Check]:
        url = ctx.settings.localstack_url

        def probe(_ctx: DeployContext, _rows: list[tuple[str, str, str]]) -> tuple[bool, str, str]:
            found = localstack.answers(url)
            return (
                found is not None,
                f"{found or 'nothing'} answers on {url}",
                "start LocalStack (docker compose -f docker/compose.yaml up localstack) or `platform up`, "
                "or point CAMPUSBOT_LOCALSTACK_URL at one",
            )

        return [Check("localstack endpoint", f"endpoint: LocalStack (or moto) answers on {url}", probe)]

    def skip(self, step: SkippableStep) -> str | None:
        return self.SKIPPED.get(step)

    def probe_skip(self, step: SkippableStep, ctx: DeployContext) -> str | None:
        if step in self.MOTO_SKIPPED and localstack.answers(ctx.settings.localstack_url) == "moto":
            return self.MOTO_SKIPPED[step]
        return None

    def resolve_account(self, ctx: DeployContext) -> None:
        return None

    def repository(self, ctx: DeployContext) -> str:
        return f"campusbot-{ctx.options.env}/api"

    def rds_ca_bundle(self, ctx: DeployContext) -> Path | None:
        return None

    def stack_backend(self, ctx: DeployContext, stack: Stack, state_bucket: str) -> backend.Backend:
        return backend.LocalBackend(ctx.work_dir / "state" / f"{stack.name}.tfstate")

    def prepare_stack(self, ctx: DeployContext, stack: Stack, directory: Path) -> None:
        localstack.write_provider_override(directory, ctx.settings.localstack_url, ctx.settings.region)

    def stack_variables(self, stack: Stack, inputs: DeployInputs) -> dict[str, Any]:
        variables: dict[str, Any] = dict(LOCALSTACK_SWITCHES.get(stack.name, {}))
        if stack.name == "conversation":
            variables.update({"bot_id": inputs.bot_id, "bot_alias_id": inputs.bot_alias_id})
        return variables

    def stack_notes(self, ctx: DeployContext, stack: Stack) -> list[str]:
        switches = ", ".join(f"{k}={str(v).lower()}" for k, v in LOCALSTACK_SWITCHES.get(stack.name, {}).items())
        return [f"    localstack switches: {switches}"] if switches else []

    def stacks_notes(self, ctx: DeployContext) -> list[str]:
        lines = [f"provider override {localstack.OVERRIDE_FILE}: every endpoint → {ctx.settings.localstack_url}"]
        lines += [f"    {switch}=false: {reason}" for switch, reason in LOCALSTACK_SWITCH_REASONS.items()]
        return lines

    def chat_url(self, ctx: DeployContext) -> tuple[str | None, str]:
        if localstack.answers(ctx.settings.localstack_url) != "localstack":
            return (
                None,
                "moto does not run Lambda proxy integrations: `platform chat --smoke` runs against the local runtime",
            )
        rest_api_id, stage = ctx.parameter("api/rest_api_id"), ctx.parameter("api/stage_name")
        return localstack.execute_api_url(ctx.settings.localstack_url, rest_api_id, stage), ""

    def chat_url_line(self, ctx: DeployContext) -> str:
        return "LocalStack's execute-api URL: only against a real LocalStack (it runs the Lambdas); with moto: skipped"

    def explain(self, ctx: DeployContext, reporter: Reporter) -> None:
        from itertools import zip_longest

        reporter.table(
            "localstack target: what runs where",
            ["at " + ctx.settings.localstack_url, "what", "stays on the local runtime", "why"],
            [
                (a.service if a else "", a.detail if a else "", b.service if b else "", b.detail if b else "")
                for a, b in zip_longest(localstack.RUNS_THERE, localstack.STAYS_LOCAL)
            ],
        )


TARGETS: Final[Mapping[DeployTarget, Target]] = {"aws": AwsTarget(), "localstack": LocalStackTarget()}


def target_for(name: DeployTarget) -> Target:
    """The target of `--target NAME`."""
    return TARGETS[name]


def names() -> Sequence[str]:
    return tuple(TARGETS)


# -- the AWS target's probes -------------------------------------------------------------------------


def _probe_credentials(ctx: DeployContext, rows: list[tuple[str, str, str]]) -> tuple[bool, str, str]:
    from campusbot import diagnostics

    credentials = diagnostics.check_aws_credentials(ctx.settings)
    identity = None
    if credentials.status == "ok":
        try:
            identity = ctx.client("sts").get_caller_identity()
        except Exception as exc:  # expired or invalid credentials: report, do not crash
            credentials = diagnostics.Check(credentials.name, "missing", f"{credentials.detail}: {exc}", "")
    if identity is not None:
        ctx.account_id = str(identity["Account"])
        rows.append(("aws account", "ok", f"{identity['Account']} as {identity['Arn']}"))
    return identity is not None, credentials.detail, "aws sso login / AWS_PROFILE / AWS_* variables"


def _probe_docker(_ctx: DeployContext, _rows: list[tuple[str, str, str]]) -> tuple[bool, str, str]:
    from campusbot import diagnostics

    docker = diagnostics.check_docker()
    return docker.status == "ok", docker.detail, "start the Docker daemon (it builds the API image)"


def _probe_state_bucket(ctx: DeployContext, _rows: list[tuple[str, str, str]]) -> tuple[bool, str, str] | None:
    from botocore.exceptions import ClientError

    from campusbot.deploy.stackrun import state_bucket

    if ctx.account_id is None:  # no identity: the credentials row already says what to do
        return None
    bucket = state_bucket(ctx)
    try:
        ctx.client("s3").head_bucket(Bucket=bucket)
        exists = True
    except ClientError:
        exists = False
    return exists, bucket, f"platform bootstrap --env {ctx.options.env}"
