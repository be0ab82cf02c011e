"""Terraform backends: the stacks declare none; the CLI writes `backend_override.tf` per target and via.

- aws + local: S3 with `use_lockfile = true` (Terraform >= 1.10 locks with a `.tflock` object, no
  DynamoDB table) in the state bucket that `platform bootstrap` creates;
- aws + scalr: `remote` on the Scalr host, organization = environment, one workspace per stack;
- localstack: a local state file under CAMPUSBOT_DATA_DIR.

`ensure_state_bucket` is `platform bootstrap`: a versioned, encrypted, private bucket that refuses
plain HTTP. Every call converges: it only changes what differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from campusbot.deploy.stacks import NAME_PREFIX

OVERRIDE_FILE: Final = "backend_override.tf"
HEADER: Final = (
    "# Written by `platform deploy` (campusbot.deploy.backend); not committed. Backends live here, not in the stack.\n"
)


@dataclass(frozen=True)
class S3Backend:
    bucket: str
    key: str
    region: str

    def render(self) -> str:
        return _block(
            "s3",
            {"bucket": self.bucket, "key": self.key, "region": self.region, "encrypt": True, "use_lockfile": True},
        )

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.key} (lockfile)"


@dataclass(frozen=True)
class LocalBackend:
    path: Path

    def render(self) -> str:
        return _block("local", {"path": str(self.path)})

    def describe(self) -> str:
        return f"local state {self.path}"


@dataclass(frozen=True)
class RemoteBackend:
    hostname: str
    organization: str
    workspace: str

    def render(self) -> str:
        body = f'    hostname     = "{self.hostname}"\n    organization = "{self.organization}"\n'
        body += f'    workspaces {{\n      name = "{self.workspace}"\n    }}\n'
        return HEADER + f'terraform {{\n  backend "remote" {{\n{body}  }}\n}}\n'

    def describe(self) -> str:
        return f"scalr remote {self.hostname}/{self.organization}/{self.workspace}"


Backend = S3Backend | LocalBackend | RemoteBackend


def _block(kind: str, settings: dict[str, Any]) -> str:
    width = max(len(key) for key in settings)
    lines = [f"    {key.ljust(width)} = {json.dumps(value)}" for key, value in settings.items()]
    return HEADER + f'terraform {{\n  backend "{kind}" {{\n' + "\n".join(lines) + "\n  }\n}\n"


def state_key(env: str, stack: str) -> str:
    return f"{NAME_PREFIX}/{env}/{stack}.tfstate"


def state_bucket_name(account_id: str, region: str) -> str:
    """campusbot-tfstate-<account>-<region>: globally unique without a random suffix."""
    return f"{NAME_PREFIX}-tfstate-{account_id}-{region}"


def write_override(stack_dir: Path, backend: Backend) -> Path:
    """Write backend_override.tf into the stack; unchanged content is not rewritten."""
    path = stack_dir / OVERRIDE_FILE
    text = backend.render()
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


# -- platform bootstrap: the state bucket ------------------------------------------------------


@dataclass(frozen=True)
class BootstrapReport:
    bucket: str
    created: bool
    changed: tuple[str, ...]

    @property
    def unchanged(self) -> bool:
        return not self.created and not self.changed


def ensure_state_bucket(s3: Any, bucket: str, region: str) -> BootstrapReport:
    """Create or converge the state bucket: versioning, SSE-KMS with a bucket key, public access
    blocked, ACLs disabled, TLS only. Returns what it had to create or change."""
    from botocore.exceptions import ClientError

    created = False
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code not in {"404", "NoSuchBucket", "NotFound"}:
            raise
        arguments: dict[str, Any] = {"Bucket": bucket}
        if region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**arguments)
        created = True
    changed: list[str] = []

    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        changed.append("versioning")

    encryption_rule = {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
        "BucketKeyEnabled": True,
    }
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError:
        rules = []
    if not any(rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") == "aws:kms" for rule in rules):
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [encryption_rule]})
        changed.append("encryption")

    block = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
    try:
        current = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError:
        current = {}
    if any(not current.get(key) for key in block):
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
        changed.append("public access block")

    try:
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    except ClientError:
        ownership = []
    if not any(rule.get("ObjectOwnership") == "BucketOwnerEnforced" for rule in ownership):
        s3.put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
        changed.append("ownership (ACLs disabled)")

    policy = _tls_only_policy(bucket)
    try:
        existing = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError:
        existing = None
    if existing != policy:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        changed.append("TLS-only policy")

    return BootstrapReport(bucket=bucket, created=created, changed=tuple([] if created else changed))


def _tls_only_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
