from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws
from tests.fixtures.deploy import free_port

from campusbot.deploy.status import deployed_status
from campusbot.settings import Settings


@mock_aws
def test_deployed_stacks_and_their_outputs_come_from_the_ssm_contract(tmp_path: Path) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    for key, value in {
        "network/vpc_id": "vpc-1",
        "s3/docs_bucket_name": "campusbot-dev-docs",
        "rds/host": "db.internal",
        "lambda/fulfillment_name": "campusbot-dev-fulfillment",
    }.items():
        ssm.put_parameter(Name=f"/campusbot/dev/{key}", Value=value, Type="String")
    ssm.put_parameter(Name="/campusbot/prod/network/vpc_id", Value="vpc-prod", Type="String")
    report = deployed_status(
        Settings(data_dir=tmp_path), "dev", "aws", clients=lambda s: boto3.client(s, region_name="us-east-1")
    )
    stacks = {stack["name"]: stack for stack in report["stacks"]}
    assert [s["name"] for s in report["stacks"]] == ["foundation", "data", "app", "conversation", "analytics"]
    assert stacks["foundation"]["deployed"] and stacks["foundation"]["outputs"]["network/vpc_id"] == "vpc-1"
    assert stacks["data"]["outputs"] == {"rds/host": "db.internal"}
    assert stacks["app"]["deployed"] and not stacks["conversation"]["deployed"] and not stacks["analytics"]["deployed"]
    assert report["error"] is None and report["health"] == []


def test_an_unreachable_endpoint_is_reported_not_raised(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, localstack_url=f"http://127.0.0.1:{free_port()}")
    report = deployed_status(settings, "dev", "localstack")
    assert report["stacks"] == [] and "cannot read /campusbot/dev/" in report["error"]
    assert report["endpoint"] == settings.localstack_url


@mock_aws
def test_the_chat_endpoint_health_is_checked(tmp_path: Path) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(
        Name="/campusbot/dev/api/chat_url", Value=f"http://127.0.0.1:{free_port()}/v1/chat", Type="String"
    )
    report = deployed_status(
        Settings(data_dir=tmp_path),
        "dev",
        "aws",
        clients=lambda s: boto3.client(s, region_name="us-east-1"),
        timeout=0.5,
    )
    (health,) = report["health"]
    assert health["name"] == "chat" and health["ok"] is False and "ConnectError" in health["detail"]
