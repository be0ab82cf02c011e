"""The localstack target: Terraform's AWS provider and boto3 pointed at one edge endpoint.

`provider_override` does what `tflocal` does: a `localstack_providers_override.tf` in each stack
(gitignored) that merges into the stack's `provider "aws"` block, with every service endpoint on
the edge URL, path-style S3, fake credentials and no credential validation or metadata lookups. The
account id is still asked of the edge's STS (as tflocal does): without it the provider builds ARNs
with an empty account (`arn:aws:athena:us-east-1::workgroup/…`) that the emulator does not know. The
endpoint is LocalStack's (CAMPUSBOT_LOCALSTACK_URL, default http://localhost:4566) or, where none
runs, a moto server on that port. boto3 clients follow localstack-client's conventions
(`localstack_client.session.Session`: one edge host:port, fixed test credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

OVERRIDE_FILE: Final = "localstack_providers_override.tf"
ACCESS_KEY: Final = "test"
SECRET_KEY: Final = "test"

# Provider endpoint keys (canonical names, valid in hashicorp/aws 5.100 and 6.x) of every service the
# stacks use, and a few more so a new module does not silently reach real AWS.
ENDPOINT_SERVICES: Final = (
    "acm",
    "apigateway",
    "apigatewayv2",
    "applicationautoscaling",
    "athena",
    "bedrock",
    "cloudformation",
    "cloudfront",
    "cloudwatch",
    "cognitoidp",
    "dms",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "elbv2",
    "events",
    "firehose",
    "glue",
    "iam",
    "kinesis",
    "kms",
    "lambda",
    "lexv2models",
    "logs",
    "quicksight",
    "rds",
    "redshift",
    "redshiftserverless",
    "route53",
    "s3",
    "s3control",
    "scheduler",
    "secretsmanager",
    "servicediscovery",
    "sfn",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
    "xray",
)


@dataclass(frozen=True)
class Part:
    service: str
    detail: str


# The honest list: what the localstack target creates at the edge endpoint, and what stays on the
# local runtime (`platform up`) because LocalStack's community edition or moto cannot run it.
RUNS_THERE: Final = (
    Part("S3", "documents, lake and log buckets (encryption, versioning, notifications configured)"),
    Part("IAM", "roles and policies of the ECS tasks and Lambdas (not enforced)"),
    Part("SSM Parameter Store", "the /campusbot/<env>/… contract between stacks"),
    Part("Lambda", "lex_proxy, fulfillment, vectorizer from the real zips (executed only by LocalStack with Docker)"),
    Part("API Gateway", "REST API POST /chat, usage plan and key (moto does not run Lambda proxy integrations)"),
    Part("EC2/VPC, KMS, ECR, CloudWatch, SNS, SQS", "network, keys, repository, logs, alarms: control plane only"),
    Part("ECS, ELB, RDS, Secrets Manager", "cluster, service, ALB, DB instance records: control plane only"),
    Part("Glue, Athena", "catalog and workgroup (queries run locally with DuckDB)"),
)
STAYS_LOCAL: Final = (
    Part("Lex V2", "the local runtime's Lex emulator (same bot template); the bot is not created"),
    Part("Bedrock", "the local runtime's Bedrock emulator (MiniLM embeddings, local generator)"),
    Part("RDS engine", "embedded PostgreSQL + pgvector; the RDS instance is only a record"),
    Part("ECS tasks", "the API runs as `platform api`; migrations and seed as `platform seed`"),
    Part("container image", "not built or pushed: no Docker registry there"),
    Part("DMS, Redshift, QuickSight, WAF", "switched off by stack variables"),
)


def edge(url: str) -> tuple[str, int]:
    """host, port of the edge URL."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"not an endpoint URL: {url!r}")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 4566)


def provider_override(url: str, region: str) -> str:
    """The provider block merged into each stack's `provider "aws"` (Terraform override semantics)."""
    url = url.rstrip("/")
    endpoints = "\n".join(f'    {service.ljust(22)} = "{url}"' for service in ENDPOINT_SERVICES)
    return (
        f"# Written by `platform deploy --target localstack` (as tflocal does): every AWS endpoint -> {url}.\n"
        "# Not committed; deleted by `platform deploy --target aws`.\n"
        'provider "aws" {\n'
        f'  region                      = "{region}"\n'
        f'  access_key                  = "{ACCESS_KEY}"\n'
        f'  secret_key                  = "{SECRET_KEY}"\n'
        "  s3_use_path_style           = true\n"
        "  skip_credentials_validation = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
        "\n"
        "  endpoints {\n"
        f"{endpoints}\n"
        "  }\n"
        "}\n"
    )


def write_provider_override(stack_dir: Path, url: str, region: str) -> Path:
    path = stack_dir / OVERRIDE_FILE
    text = provider_override(url, region)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def remove_provider_override(stack_dir: Path) -> bool:
    """Delete a leftover override, so that an aws deploy never talks to localhost. True if one was there."""
    path = stack_dir / OVERRIDE_FILE
    if path.exists():
        path.unlink()
        return True
    return False


def session(url: str, region: str) -> Any:
    """A localstack-client session on the edge URL (its `client(service)` works like boto3's)."""
    from localstack_client.session import Session

    host, port = edge(url)
    return Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=region,
        localstack_host=f"{host}:{port}",
    )


def client(service: str, url: str, region: str) -> Any:
    return session(url, region).client(service)


def answers(url: str, timeout: float = 1.0) -> str | None:
    """ "localstack", "moto" (or another AWS-like server) when something answers at the edge URL, else None."""
    import httpx

    try:
        health = httpx.get(f"{url.rstrip('/')}/_localstack/health", timeout=timeout)
    except httpx.HTTPError:
        return None
    if health.status_code == 200 and "services" in health.text:
        return "localstack"
    try:  # moto's dashboard page (static; /moto-api/data.json would serialize every resource)
        moto = httpx.get(f"{url.rstrip('/')}/moto-api/", timeout=max(timeout, 5.0))
    except httpx.HTTPError:
        return "unknown"
    return "moto" if moto.status_code == 200 and "moto" in moto.text.lower() else "unknown"


def execute_api_url(url: str, rest_api_id: str, stage: str, path: str = "chat") -> str:
    """LocalStack's address of a deployed REST API stage (the AWS-style URL does not resolve locally)."""
    return f"{url.rstrip('/')}/restapis/{rest_api_id}/{stage}/_user_request_/{path.lstrip('/')}"
