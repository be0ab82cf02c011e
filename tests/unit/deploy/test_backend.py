from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from tests.fixtures.deploy import parse_hcl as parse

from campusbot.deploy import backend


def test_s3_backend_locks_with_a_lockfile_and_encrypts() -> None:
    rendered = backend.S3Backend("campusbot-tfstate-1-us-east-1", "campusbot/dev/app.tfstate", "us-east-1").render()
    block = parse(rendered)["terraform"][0]["backend"][0]["s3"]
    assert block["bucket"] == "campusbot-tfstate-1-us-east-1"
    assert block["key"] == "campusbot/dev/app.tfstate"
    assert block["use_lockfile"] is True and block["encrypt"] is True
    assert "dynamodb_table" not in block


def test_local_and_remote_backends_are_valid_hcl() -> None:
    local = parse(backend.LocalBackend(Path("/state/app.tfstate")).render())
    assert local["terraform"][0]["backend"][0]["local"]["path"] == "/state/app.tfstate"
    remote = parse(backend.RemoteBackend("acme.scalr.io", "env-123", "campusbot-dev-app").render())
    config = remote["terraform"][0]["backend"][0]["remote"]
    assert config["hostname"] == "acme.scalr.io" and config["organization"] == "env-123"
    assert config["workspaces"][0]["name"] == "campusbot-dev-app"


def test_state_names() -> None:
    assert backend.state_bucket_name("123456789012", "eu-west-1") == "campusbot-tfstate-123456789012-eu-west-1"
    assert backend.state_key("prod", "data") == "campusbot/prod/data.tfstate"


def test_write_override_leaves_an_identical_file_alone(tmp_path: Path) -> None:
    chosen = backend.LocalBackend(tmp_path / "s.tfstate")
    path = backend.write_override(tmp_path, chosen)
    first = path.stat().st_mtime_ns
    path.touch()
    touched = path.stat().st_mtime_ns
    backend.write_override(tmp_path, chosen)
    assert path.stat().st_mtime_ns == touched >= first
    backend.write_override(tmp_path, backend.LocalBackend(tmp_path / "other.tfstate"))
    assert "other.tfstate" in path.read_text()


@mock_aws
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_bootstrap_creates_a_private_versioned_encrypted_tls_only_bucket(region: str) -> None:
    s3 = boto3.client("s3", region_name=region)
    report = backend.ensure_state_bucket(s3, "campusbot-tfstate-1-" + region, region)
    assert report.created
    bucket = report.bucket
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert policy["Statement"][0]["Effect"] == "Deny"


@mock_aws
def test_bootstrap_twice_changes_nothing_the_second_time() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    backend.ensure_state_bucket(s3, "state", "us-east-1")
    again = backend.ensure_state_bucket(s3, "state", "us-east-1")
    assert again.unchanged, again


@mock_aws
def test_bootstrap_converges_a_bucket_someone_made_by_hand() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="handmade")
    report = backend.ensure_state_bucket(s3, "handmade", "us-east-1")
    assert not report.created
    assert {"versioning", "encryption", "public access block", "TLS-only policy"} <= set(report.changed)
