"""The one-off migration task: against moto's ECS (which runs nothing and always reports exit 0) for the
happy path, and botocore's Stubber for what moto cannot simulate (a failing command, a task that never
started, RunTask failures)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from campusbot.deploy import runtask

CLUSTER, SERVICE, CONTAINER = "campusbot-dev-api", "campusbot-dev-api", "api"


@pytest.fixture
def ecs_service() -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    """A Fargate-style service in moto: VPC (DNS hostnames on), cluster, task definition with awslogs, service."""
    from moto.moto_api import state_manager

    with mock_aws():
        # moto moves a task to STOPPED after a few describe calls; make it immediate so tests do not sleep
        state_manager.set_transition(model_name="ecs::task", transition={"progression": "immediate"})
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc)["GroupId"]
        ecs = boto3.client("ecs", region_name="us-east-1")
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName="/ecs/campusbot-dev-api")
        ecs.create_cluster(clusterName=CLUSTER)
        definition = ecs.register_task_definition(
            family="campusbot-dev-api",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {
                    "name": CONTAINER,
                    "image": "123.dkr.ecr.us-east-1.amazonaws.com/campusbot-dev/api:src-1",
                    "memory": 512,
                    "essential": True,
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/campusbot-dev-api",
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": CONTAINER,
                        },
                    },
                }
            ],
        )["taskDefinition"]
        ecs.create_service(
            cluster=CLUSTER,
            serviceName=SERVICE,
            taskDefinition=definition["taskDefinitionArn"],
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
        )
        yield ecs, logs, {"subnet": subnet, "group": group, "definition": definition["taskDefinitionArn"]}
        state_manager.unset_transition(model_name="ecs::task")


def test_setup_comes_from_the_running_service(ecs_service: tuple[Any, Any, dict[str, Any]]) -> None:
    ecs, _logs, ids = ecs_service
    setup = runtask.setup_from_service(ecs, CLUSTER, SERVICE)
    assert setup.task_definition == ids["definition"]
    assert setup.container == CONTAINER
    assert setup.subnets == (ids["subnet"],) and setup.security_groups == (ids["group"],)
    assert (setup.log_group, setup.log_stream_prefix) == ("/ecs/campusbot-dev-api", CONTAINER)


def test_a_missing_service_is_a_clear_error(ecs_service: tuple[Any, Any, dict[str, Any]]) -> None:
    ecs, _logs, _ids = ecs_service
    with pytest.raises(runtask.RunTaskError, match="not found"):
        runtask.setup_from_service(ecs, CLUSTER, "nope")


def test_one_off_task_runs_the_override_and_waits_for_exit_0(ecs_service: tuple[Any, Any, dict[str, Any]]) -> None:
    ecs, logs, _ids = ecs_service
    setup = runtask.setup_from_service(ecs, CLUSTER, SERVICE)
    statuses: list[str] = []
    result = runtask.run_one_off(ecs, logs, setup, delay=1, max_attempts=30, on_status=statuses.append)
    assert result.succeeded and result.exit_code == 0
    task = ecs.describe_tasks(cluster=CLUSTER, tasks=[result.task_arn])["tasks"][0]
    assert task["overrides"]["containerOverrides"][0]["command"] == ["platform", "seed"]
    assert task["startedBy"] == "campusbot-deploy"
    assert task["lastStatus"] == "STOPPED"
    assert any("exit code 0" in s for s in statuses)


def test_task_logs_are_read_from_the_awslogs_stream(ecs_service: tuple[Any, Any, dict[str, Any]]) -> None:
    ecs, logs, _ids = ecs_service
    setup = runtask.setup_from_service(ecs, CLUSTER, SERVICE)
    stream = f"{CONTAINER}/{CONTAINER}/0123456789abcdef"
    now = int(time.time() * 1000)  # CloudWatch drops events older than 14 days
    logs.create_log_stream(logGroupName="/ecs/campusbot-dev-api", logStreamName=stream)
    logs.put_log_events(
        logGroupName="/ecs/campusbot-dev-api",
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": f"line {i}"} for i in range(3)],
    )
    lines = runtask.task_logs(logs, setup, "arn:aws:ecs:us-east-1:123:task/campusbot-dev-api/0123456789abcdef")
    assert lines == ["line 0", "line 1", "line 2"]
    assert runtask.task_logs(logs, setup, "arn:aws:ecs:us-east-1:123:task/x/missing")[0].startswith("(logs unavailable")


SETUP = runtask.TaskSetup(
    cluster=CLUSTER,
    task_definition="arn:aws:ecs:us-east-1:123456789012:task-definition/campusbot-dev-api:3",
    container=CONTAINER,
    subnets=("subnet-1",),
    security_groups=("sg-1",),
)
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/campusbot-dev-api/abc"


def stubbed(stopped: dict[str, Any], *, failures: list[dict[str, str]] | None = None) -> Any:
    ecs = boto3.client("ecs", region_name="us-east-1")
    stub = Stubber(ecs)
    if failures is not None:
        stub.add_response("run_task", {"tasks": [], "failures": failures})
    else:
        stub.add_response("run_task", {"tasks": [{"taskArn": TASK_ARN, "lastStatus": "PROVISIONING"}], "failures": []})
        stub.add_response("describe_tasks", {"tasks": [{"taskArn": TASK_ARN, "lastStatus": "STOPPED"}], "failures": []})
        stub.add_response(
            "describe_tasks", {"tasks": [{"taskArn": TASK_ARN, "lastStatus": "STOPPED", **stopped}], "failures": []}
        )
    stub.activate()
    return ecs


def test_a_failing_command_is_an_error_with_its_exit_code() -> None:
    ecs = stubbed(
        {
            "stopCode": "EssentialContainerExited",
            "containers": [{"name": CONTAINER, "exitCode": 3, "reason": "alembic failed"}],
        }
    )
    with pytest.raises(runtask.RunTaskError, match="exited with 3") as failure:
        runtask.run_one_off(ecs, None, SETUP, delay=1, max_attempts=2)
    assert failure.value.result is not None and failure.value.result.exit_code == 3
    assert failure.value.result.stopped_reason == "alembic failed"


def test_a_task_that_never_started_is_an_error() -> None:
    ecs = stubbed(
        {
            "stopCode": "TaskFailedToStart",
            "stoppedReason": "CannotPullContainerError: pull access denied",
            "containers": [{"name": CONTAINER}],
        }
    )
    with pytest.raises(runtask.RunTaskError, match=r"never ran its command.*CannotPullContainerError"):
        runtask.run_one_off(ecs, None, SETUP, delay=1, max_attempts=2)


def test_run_task_failures_are_reported() -> None:
    ecs = stubbed({}, failures=[{"arn": "x", "reason": "RESOURCE:MEMORY", "detail": "no capacity"}])
    with pytest.raises(runtask.RunTaskError, match="RESOURCE:MEMORY no capacity"):
        runtask.run_one_off(ecs, None, SETUP, delay=1, max_attempts=2)


def test_the_request_carries_the_override_and_the_network() -> None:
    ecs = boto3.client("ecs", region_name="us-east-1")
    stub = Stubber(ecs)
    expected = {
        "cluster": CLUSTER,
        "taskDefinition": SETUP.task_definition,
        "count": 1,
        "startedBy": "campusbot-deploy",
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "overrides": {"containerOverrides": [{"name": CONTAINER, "command": ["platform", "seed"]}]},
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}
        },
    }
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK_ARN}], "failures": []}, expected)
    stub.add_response("describe_tasks", {"tasks": [{"taskArn": TASK_ARN, "lastStatus": "STOPPED"}]})
    stub.add_response(
        "describe_tasks", {"tasks": [{"taskArn": TASK_ARN, "containers": [{"name": CONTAINER, "exitCode": 0}]}]}
    )
    with stub:
        assert runtask.run_one_off(ecs, None, SETUP, delay=1, max_attempts=2).succeeded
    stub.assert_no_pending_responses()
