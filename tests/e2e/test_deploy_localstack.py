"""`platform deploy --target localstack --via local --env dev` for real: the CLI in its own process, real
terraform with the hashicorp/aws provider (from the local mirror when there is one), and a moto server
standing in for LocalStack on :4566 (a free port when 4566 is taken, given to the CLI through
CAMPUSBOT_LOCALSTACK_URL). Deploy → re-deploy (no changes: every stack skipped by its fingerprint) →
plan (nothing created or destroyed; updates only where moto drops attributes) → destroy (nothing left).

Slow (the AWS provider starts a dozen times per stack): minutes, so it lives in the e2e tier. The steps
that need Docker or real AWS (image push, ECS RunTask, the Lex build) are reported as skipped with their
reasons here; they are tested against moto's APIs and botocore stubs in tests/unit/deploy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from tests.fixtures.deploy import REPO, copy_repository, free_port

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(3600)]
STACKS = ["foundation", "data", "app", "conversation", "analytics"]
# Resource types whose refresh against moto (5.x) loses attributes we set, so a plan wants to set them
# again: moto's gaps, not drift in the configuration (the same plan against AWS is empty).
MOTO_DRIFT = {
    "aws_s3_bucket_logging": "TargetObjectKeyFormat (partitioned prefix) is not kept",
    "aws_db_instance": "Performance Insights settings and NetworkType are not returned",
    "aws_db_parameter_group": "DescribeDBParameters omits the parameters that were set",
    "aws_vpc_security_group_ingress_rule": "rule descriptions are not returned",
    "aws_vpc_security_group_egress_rule": "rule descriptions are not returned",
    "aws_ecs_service": "enableECSManagedTags, healthCheckGracePeriodSeconds, availabilityZoneRebalancing not returned",
    "aws_lambda_function": "DeadLetterConfig and LoggingConfig are not returned by GetFunction",
}


def _resource_type(address: str) -> str:
    """module.api.aws_ecs_service.this[0] -> aws_ecs_service"""
    parts = [p for p in address.split(".") if not p.startswith(("module", "data"))]
    return next(p for p in parts if p.startswith("aws_"))


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def moto_edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto_server in its own process, on 4566 like LocalStack when that port is free."""
    port = 4566 if _port_free(4566) else free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    # AWS-managed policies (e.g. AmazonAPIGatewayPushToCloudWatchLogs) exist in LocalStack; moto loads them on request
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=output,
            stderr=output,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/moto-api/data.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail(f"moto_server did not start on {port}: {log.read_text()[-2000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository (the working tree may change while this runs) and a data dir."""
    base = tmp_path_factory.mktemp("deploy-e2e")
    copy_repository(base / "repo")
    return base


def platform(workspace: Path, edge: str, terraform_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUSBOT_", "AWS_"))}
    env.update(terraform_env)
    env.update(
        {
            "CAMPUSBOT_LOCALSTACK_URL": edge,
            "CAMPUSBOT_DATA_DIR": str(workspace / "data"),
            "COLUMNS": "200",
        }
    )
    command = [sys.executable, "-m", "campusbot.cli.main", *args, "--root", str(workspace / "repo")]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=3000)


def statuses(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, str]]:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr[-6000:]}"
    return {row["step"]: row for row in json.loads(result.stdout)}


def client(edge: str, service: str) -> Any:
    return boto3.client(
        service, region_name="us-east-1", endpoint_url=edge, aws_access_key_id="test", aws_secret_access_key="test"
    )


def parameters(edge: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for page in (
        client(edge, "ssm").get_paginator("get_parameters_by_path").paginate(Path="/campusbot/dev/", Recursive=True)
    ):
        found.update({p["Name"].removeprefix("/campusbot/dev/"): p["Value"] for p in page["Parameters"]})
    return found


def test_deploy_redeploy_plan_destroy_against_moto(
    workspace: Path, moto_edge: str, terraform_env: dict[str, str]
) -> None:
    run = lambda *args: platform(workspace, moto_edge, terraform_env, *args)  # noqa: E731

    # 1. first deploy: every stack applied, in order, outputs read back
    first = run("deploy", "--env", "dev", "--target", "localstack", "--via", "local", "--yes", "--json")
    steps = statuses(first)
    assert [steps[s]["status"] for s in ("preflight", "lambdas", "stacks")] == ["done", "done", "done"]
    assert "applied foundation, data, app, conversation, analytics" in steps["stacks"]["detail"]
    applied_order = [
        line.split(":")[0]
        for line in first.stderr.splitlines()
        if line.split(":")[0] in STACKS and "(add, change, destroy)" in line
    ]
    assert applied_order == STACKS
    for step, reason in {
        "image": "no registry",
        "lex": "Lex stays on the local runtime",
        "migrate": "ECS tasks do not run there",
        "smoke": "moto does not run Lambda proxy integrations",
    }.items():
        assert steps[step]["status"] == "skipped" and reason in steps[step]["detail"], (step, steps[step])
    assert steps["documents"]["status"] in ("done", "skipped")

    state = json.loads((workspace / "data" / "deploy" / "localstack-dev" / "state.json").read_text())
    assert set(state["outputs"]) == set(STACKS)
    assert state["outputs"]["conversation"]["chat_url"].endswith("/chat")
    assert state["outputs"]["conversation"]["bot_id"] == "CAMPUSBOT0", "the local runtime's bot"
    assert "api_key_value" not in state["outputs"]["conversation"], "sensitive outputs are not written down"

    deployed = parameters(moto_edge)
    for key in (
        "network/vpc_id",
        "rds/host",
        "app/ecs_cluster_name",
        "lex/bot_id",
        "api/chat_url",
        "analytics/athena_workgroup",
    ):
        assert deployed.get(key), key
    functions = {f["FunctionName"] for f in client(moto_edge, "lambda").list_functions()["Functions"]}
    assert {"campusbot-dev-fulfillment", "campusbot-dev-vectorizer", "campusbot-dev-lex-proxy"} <= functions
    lex_proxy = client(moto_edge, "lambda").get_function(FunctionName="campusbot-dev-lex-proxy")["Configuration"]
    zip_hash = json.loads(
        (workspace / "data" / "deploy" / "localstack-dev" / "vars" / "conversation.tfvars.json").read_text()
    )
    assert lex_proxy["CodeSha256"] == zip_hash["lambda_artifacts"]["lex_proxy"]["hash"], "the packaged zip was deployed"
    for stack in STACKS:
        override = workspace / "repo" / "terraform" / "stacks" / stack / "localstack_providers_override.tf"
        assert moto_edge in override.read_text()

    # 2. the same deploy again changes nothing
    again = statuses(run("deploy", "--env", "dev", "--target", "localstack", "--via", "local", "--yes", "--json"))
    assert again["stacks"]["status"] == "unchanged", again["stacks"]
    assert "5 stacks, no changes" in again["stacks"]["detail"], again["stacks"]
    assert again["lambdas"]["status"] == "unchanged", again["lambdas"]
    assert again["documents"]["status"] in ("unchanged", "skipped")

    # 3. plan (which always refreshes against the endpoint): nothing to create, replace or destroy; the
    # only in-place updates are attributes moto does not keep (MOTO_DRIFT), which real AWS returns
    plan = run("plan", "--env", "dev", "--target", "localstack", "--json")
    assert plan.returncode == 0, plan.stderr[-4000:]
    rows = json.loads(plan.stdout)
    assert [row["stack"] for row in rows] == STACKS
    assert all((row["add"], row["destroy"]) == (0, 0) for row in rows), rows
    unexplained = [
        (row["stack"], change)
        for row in rows
        for change in row["changes"]
        if change["action"] != "update" or _resource_type(change["address"]) not in MOTO_DRIFT
    ]
    assert not unexplained, unexplained

    # 4. destroy in reverse order: nothing left
    destroyed = run("destroy", "--env", "dev", "--target", "localstack", "--yes")
    assert destroyed.returncode == 0, destroyed.stderr[-6000:]
    order = [
        line.split(":")[0] for line in destroyed.stderr.splitlines() if line.startswith(tuple(f"{s}:" for s in STACKS))
    ]
    assert order == [] or order == sorted(order, key=lambda s: -STACKS.index(s))
    assert parameters(moto_edge) == {}
    assert not [
        b["Name"] for b in client(moto_edge, "s3").list_buckets()["Buckets"] if b["Name"].startswith("campusbot-dev")
    ]
    assert not [
        f
        for f in client(moto_edge, "lambda").list_functions()["Functions"]
        if f["FunctionName"].startswith("campusbot-dev")
    ]
    ecs = client(moto_edge, "ecs")
    clusters = ecs.list_clusters()["clusterArns"]
    described = ecs.describe_clusters(clusters=clusters)["clusters"] if clusters else []
    # deleted clusters stay listed as INACTIVE, as in ECS
    assert not [c["clusterName"] for c in described if c["status"] != "INACTIVE"]
