"""The stacks of terraform/stacks, their order and the variables the CLI passes to each.

foundation → data → app → conversation → analytics: each stack reads what the earlier ones wrote to
SSM (`/campusbot/<env>/…`), so they are applied in this order and destroyed in the reverse one.
Everything environment-specific lives in `terraform/environments/<env>.tfvars`; the CLI adds only
what it builds (the image URI, the Lambda zips, the UniversityName slot values) and, for the
localstack target, the switches for what LocalStack/moto cannot run (the same ones as
`scripts/tf_apply_test.sh`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

DeployTarget = Literal["aws", "localstack"]
Via = Literal["local", "scalr"]

NAME_PREFIX: Final = "campusbot"


@dataclass(frozen=True)
class Stack:
    name: str
    description: str
    needs: tuple[str, ...] = ()
    # Lambda artifacts (by function key) this stack deploys.
    functions: tuple[str, ...] = ()

    def directory(self, root: Path) -> Path:
        return root / "terraform" / "stacks" / self.name


STACKS: Final = (
    Stack("foundation", "VPC, KMS key, buckets (docs, lake, logs), ECR repository"),
    Stack("data", "RDS PostgreSQL with pgvector, its managed secret", needs=("foundation",)),
    Stack(
        "app",
        "API on ECS Fargate behind an internal ALB, fulfillment and vectorizer Lambdas, Bedrock access",
        needs=("foundation", "data"),
        functions=("fulfillment", "vectorizer"),
    ),
    Stack(
        "conversation",
        "Lex V2 bot (built, versioned, aliased), Cognito user pool, lex_proxy and authorizer Lambdas, "
        "API Gateway POST /chat, alarms",
        needs=("foundation", "data", "app"),
        functions=("lex_proxy", "authorizer"),
    ),
    Stack(
        "analytics",
        "Glue catalog, Athena workgroup, chat-events Firehose, DMS/Redshift/QuickSight when enabled",
        needs=("foundation", "data", "conversation"),
    ),
)
STACK_NAMES: Final = tuple(stack.name for stack in STACKS)
FUNCTIONS: Final = ("lex_proxy", "fulfillment", "vectorizer", "authorizer")

# What LocalStack (or moto standing in for it) cannot run, switched off with the stacks' own
# variables. Same switches as scripts/tf_apply_test.sh; Lex stays on the local runtime, whose
# emulator answers for the bot id / alias id of the settings.
LOCALSTACK_SWITCHES: Final[Mapping[str, Mapping[str, Any]]] = {
    "foundation": {"force_destroy_buckets": True, "ecr_force_delete": True, "create_scalr_oidc_role": False},
    "data": {"db_deletion_protection": False, "db_skip_final_snapshot": True},
    "app": {"alb_deletion_protection": False, "bedrock_guardrail": False, "api_autoscaling": False},
    "conversation": {"create_lex_bot": False, "create_waf": False, "create_web": False},
    "analytics": {
        "athena_named_queries": False,
        "create_dms": False,
        "create_redshift": False,
        "create_quicksight": False,
    },
}
LOCALSTACK_SWITCH_REASONS: Final = {
    "create_lex_bot": "no usable Lex V2 models API (moto's answers are rejected by the provider; LocalStack: Pro only)",
    "athena_named_queries": "moto has no DeleteNamedQuery, so destroy would fail",
    "api_autoscaling": "no ListTagsForResource in moto's Application Auto Scaling (LocalStack: Pro only)",
    "create_dms": "DMS replicates nothing there (LocalStack: Pro only)",
    "create_redshift": "no Redshift Serverless",
    "create_quicksight": "no QuickSight subscription",
    "create_waf": "no WAFv2 in LocalStack's community edition",
    "create_web": "no CloudFront cache or response headers policies in moto (LocalStack: CloudFront is Pro only)",
}


def get(name: str) -> Stack:
    for stack in STACKS:
        if stack.name == name:
            return stack
    raise ValueError(f"unknown stack {name!r}: one of {', '.join(STACK_NAMES)}")


def ordered(names: Sequence[str] | None = None, *, reverse: bool = False) -> list[Stack]:
    """The stacks named (all when None) in apply order, or in destroy order with reverse=True."""
    chosen = list(STACKS) if not names else [get(name) for name in names]
    chosen.sort(key=lambda stack: STACK_NAMES.index(stack.name), reverse=reverse)
    return chosen


def environment_name(env: str) -> str:
    """The Scalr environment of `env` (scalr/main.tf: <prefix>-<env>)."""
    return f"{NAME_PREFIX}-{env}"


def workspace_name(env: str, stack: str) -> str:
    """The Scalr workspace of a stack (scalr/main.tf: <prefix>-<env>-<layer>)."""
    return f"{NAME_PREFIX}-{env}-{stack}"


def env_var_file(root: Path, env: str) -> Path:
    return root / "terraform" / "environments" / f"{env}.tfvars"


@dataclass(frozen=True)
class LambdaArtifact:
    """A built zip: where it is and the base64 SHA-256 Terraform compares (source_code_hash)."""

    function: str
    path: Path
    hash: str
    size: int

    def variable(self, path: str | None = None) -> dict[str, str]:
        return {"path": path or str(self.path), "hash": self.hash}


@dataclass(frozen=True)
class DeployInputs:
    """What the CLI built and resolved, turned into Terraform variables per stack."""

    env: str
    region: str
    target: DeployTarget
    image_uri: str | None = None
    artifacts: Mapping[str, LambdaArtifact] = field(default_factory=dict)
    slot_type_values: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    bot_template_path: Path | None = None
    bot_id: str = "CAMPUSBOT0"
    bot_alias_id: str = "TSTALIASID"
    # How a Lambda zip is named in the variables: its local path (default) or a path relative to the
    # stack directory (Scalr runs the uploaded configuration, zips included, in its own checkout).
    artifact_paths: Mapping[str, str] = field(default_factory=dict)


def stack_variables(stack: Stack, inputs: DeployInputs) -> dict[str, Any]:
    """The variables the CLI passes to `stack` (written as a .tfvars.json after the env's tfvars)."""
    variables: dict[str, Any] = {"env": inputs.env, "region": inputs.region}
    if stack.name == "app":
        variables["api_image_uri"] = inputs.image_uri or "unset"
    if stack.functions:
        variables["lambda_artifacts"] = {
            function: inputs.artifacts[function].variable(inputs.artifact_paths.get(function))
            for function in stack.functions
            if function in inputs.artifacts
        }
    if stack.name == "conversation":
        if inputs.bot_template_path is not None:
            variables["bot_template_path"] = str(inputs.bot_template_path)
        if inputs.slot_type_values:
            variables["lex_slot_type_values"] = dict(inputs.slot_type_values)
    from campusbot.deploy.targets import target_for

    variables.update(target_for(inputs.target).stack_variables(stack, inputs))
    return variables
