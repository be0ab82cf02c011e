"""One-off ECS tasks: the API's task definition with a command override (migrations + seed), run in
the service's own network, waited for, its exit code checked and its CloudWatch logs shown.

The task definition, subnets and security groups are read from the running ECS service, so the
command runs with exactly the image, secrets, roles and network the API has. ECS reports success
for any stopped task (the `tasks_stopped` waiter has no failure acceptor): the container's
`exitCode` decides, and a task that never started (no exit code) is a failure too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

SEED_COMMAND: Final = ("platform", "seed")  # migrates to head, then loads the seed data idempotently
STARTED_BY: Final = "campusbot-deploy"


class RunTaskError(RuntimeError):
    """The one-off task could not start, or ended with a non-zero (or no) exit code."""

    def __init__(self, message: str, result: TaskResult | None = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass(frozen=True)
class TaskSetup:
    cluster: str
    task_definition: str
    container: str
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    assign_public_ip: str = "DISABLED"
    log_group: str | None = None
    log_stream_prefix: str | None = None
    launch_type: str = "FARGATE"


@dataclass(frozen=True)
class TaskResult:
    task_arn: str
    exit_code: int | None
    stop_code: str | None
    stopped_reason: str | None
    log_lines: tuple[str, ...] = field(default_factory=tuple)

    @property
    def succeeded(self) -> bool:
        return self.exit_code == 0


def setup_from_service(ecs: Any, cluster: str, service: str) -> TaskSetup:
    """The service's task definition, essential container, network and log configuration."""
    found = ecs.describe_services(cluster=cluster, services=[service])
    services = found.get("services") or []
    if not services:
        reasons = "; ".join(f"{f.get('arn')}: {f.get('reason')}" for f in found.get("failures", []))
        raise RunTaskError(
            f"ECS service {service} not found in cluster {cluster}" + (f" ({reasons})" if reasons else "")
        )
    description = services[0]
    task_definition = description["taskDefinition"]
    network = (description.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    definition = ecs.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
    containers = definition.get("containerDefinitions") or []
    if not containers:
        raise RunTaskError(f"task definition {task_definition} has no containers")
    container = next((c for c in containers if c.get("essential", True)), containers[0])
    options = (container.get("logConfiguration") or {}).get("options") or {}
    launch_type = description.get("launchType") or "FARGATE"
    return TaskSetup(
        cluster=cluster,
        task_definition=task_definition,
        container=container["name"],
        subnets=tuple(network.get("subnets") or ()),
        security_groups=tuple(network.get("securityGroups") or ()),
        assign_public_ip=network.get("assignPublicIp") or "DISABLED",
        log_group=options.get("awslogs-group"),
        log_stream_prefix=options.get("awslogs-stream-prefix"),
        launch_type=launch_type,
    )


def run_one_off(
    ecs: Any,
    logs: Any | None,
    setup: TaskSetup,
    command: Sequence[str] = SEED_COMMAND,
    *,
    environment: dict[str, str] | None = None,
    delay: int = 6,
    max_attempts: int = 200,
    on_status: Callable[[str], None] = lambda _status: None,
) -> TaskResult:
    """Run `command` in a new task, wait for it to stop, fetch its logs; raise unless it exited 0."""
    override: dict[str, Any] = {"name": setup.container, "command": list(command)}
    if environment:
        override["environment"] = [{"name": k, "value": v} for k, v in sorted(environment.items())]
    arguments: dict[str, Any] = {
        "cluster": setup.cluster,
        "taskDefinition": setup.task_definition,
        "count": 1,
        "startedBy": STARTED_BY,
        "overrides": {"containerOverrides": [override]},
        "launchType": setup.launch_type,
    }
    if setup.subnets:
        arguments["networkConfiguration"] = {
            "awsvpcConfiguration": {
                "subnets": list(setup.subnets),
                "securityGroups": list(setup.security_groups),
                "assignPublicIp": setup.assign_public_ip,
            }
        }
    if setup.launch_type == "FARGATE":
        arguments["platformVersion"] = "LATEST"
    response = ecs.run_task(**arguments)
    failures = response.get("failures") or []
    tasks = response.get("tasks") or []
    if failures or not tasks:
        reasons = "; ".join(f"{f.get('reason')} {f.get('detail') or ''}".strip() for f in failures) or "no task started"
        raise RunTaskError(f"ECS did not start the task: {reasons}")
    task_arn = tasks[0]["taskArn"]
    on_status(f"task {task_arn.rsplit('/', 1)[-1]} {tasks[0].get('lastStatus', 'PROVISIONING')}: {' '.join(command)}")
    ecs.get_waiter("tasks_stopped").wait(
        cluster=setup.cluster, tasks=[task_arn], WaiterConfig={"Delay": delay, "MaxAttempts": max_attempts}
    )
    described = ecs.describe_tasks(cluster=setup.cluster, tasks=[task_arn])["tasks"][0]
    container: dict[str, Any] = next(
        (c for c in described.get("containers", []) if c.get("name") == setup.container), {}
    )
    exit_code = container.get("exitCode")
    result = TaskResult(
        task_arn=task_arn,
        exit_code=exit_code if isinstance(exit_code, int) else None,
        stop_code=described.get("stopCode"),
        stopped_reason=described.get("stoppedReason") or container.get("reason"),
        log_lines=tuple(task_logs(logs, setup, task_arn)) if logs is not None else (),
    )
    on_status(f"task stopped: exit code {result.exit_code}, {result.stop_code or 'no stop code'}")
    if result.exit_code is None:
        raise RunTaskError(
            f"the task never ran its command ({result.stop_code}: {result.stopped_reason or 'no reason given'})", result
        )
    if result.exit_code != 0:
        raise RunTaskError(
            f"`{' '.join(command)}` exited with {result.exit_code} ({result.stopped_reason or ''})", result
        )
    return result


def task_logs(logs: Any, setup: TaskSetup, task_arn: str, limit: int = 500) -> list[str]:
    """The container's CloudWatch log lines (awslogs stream `<prefix>/<container>/<task id>`)."""
    if not setup.log_group or not setup.log_stream_prefix:
        return []
    from botocore.exceptions import ClientError

    stream = f"{setup.log_stream_prefix}/{setup.container}/{task_arn.rsplit('/', 1)[-1]}"
    lines: list[str] = []
    token: str | None = None
    try:
        while len(lines) < limit:
            arguments: dict[str, Any] = {
                "logGroupName": setup.log_group,
                "logStreamName": stream,
                "startFromHead": True,
            }
            if token:
                arguments["nextToken"] = token
            page = logs.get_log_events(**arguments)
            lines.extend(str(event.get("message", "")).rstrip() for event in page.get("events", []))
            if page.get("nextForwardToken") in (None, token) or not page.get("events"):
                break
            token = page.get("nextForwardToken")
    except ClientError as exc:
        lines.append(f"(logs unavailable: {exc.response.get('Error', {}).get('Message', exc)})")
    return lines[:limit]
