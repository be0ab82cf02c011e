"""The Scalr API client against the documented JSON:API shapes, through httpx.MockTransport: every
request the client sends and every answer of the fake is checked against Scalr's OpenAPI document
(tests/fixtures/scalr_contract.py)."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.fixtures.scalr_contract import ScalrContract

from campusbot.deploy.scalr import (
    JSONAPI,
    PolicyResult,
    Run,
    ScalrClient,
    ScalrError,
    ScalrTimeout,
    build_configuration_tarball,
)

HOST = "campusbot.scalr.io"
BASE = f"https://{HOST}/api/iacp/v3"
Reply = httpx.Response | Exception


class FakeScalr:
    """Answers requests from per-route queues (the last answer repeats) and records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Reply]] = {}
        self.requests: list[httpx.Request] = []
        self.slept: list[float] = []
        self.now = 0.0

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)] = list(replies)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.method, request.url.path.removeprefix("/api/iacp/v3"))
        if key not in self.routes:
            return httpx.Response(404, json={"errors": [{"status": "404", "detail": f"no route {key}"}]})
        queue = self.routes[key]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def client(self, **kwargs: Any) -> ScalrClient:
        return ScalrClient(
            HOST,
            "t0ken",
            "acc-v0p4k2abc",
            transport=ScalrContract().transport(self.handler, passthrough_hosts=("uploads.example",)),
            sleep=self.sleep,
            clock=lambda: self.now,
            **kwargs,
        )

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content and r.method == "POST" else None for r in self.requests]


@pytest.fixture
def scalr() -> FakeScalr:
    return FakeScalr()


def ok(data: Any, status: int = 200, **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"data": data, **extra}, headers={"Content-Type": JSONAPI})


def workspace(ws_id: str = "ws-v0p4k2gq7l1ch8ra", name: str = "campusbot-dev-data") -> dict[str, Any]:
    return {
        "id": ws_id,
        "type": "workspaces",
        "attributes": {
            "name": name,
            "auto-apply": True,
            "working-directory": "terraform/stacks/data",
            "iac-platform": "opentofu",
            "terraform-version": "1.10.6",
            "vcs-repo": None,
        },
        "relationships": {"environment": {"data": {"type": "environments", "id": "env-v0p4k2c1s9bmq7du"}}},
    }


def run(status: str, *, auto_apply: bool = False, is_dry: bool = False) -> dict[str, Any]:
    return {
        "id": "run-v0p4k2l8e3mt9fqh",
        "type": "runs",
        "attributes": {
            "status": status,
            "message": "deploy data",
            "is-dry": is_dry,
            "is-destroy": False,
            "auto-apply": auto_apply,
            "source": "api",
        },
        "relationships": {
            "workspace": {"data": {"type": "workspaces", "id": "ws-v0p4k2gq7l1ch8ra"}},
            "plan": {"data": {"type": "plans", "id": "plan-v0p4k2m0c7qn8e5t"}},
            "apply": {"data": {"type": "applies", "id": "apply-v0p4k2m0c7qn8e5u"}},
            "configuration-version": {"data": {"type": "configuration-versions", "id": "cv-v0p4k2n3d1rq5hfa"}},
            "policy-checks": {"data": [{"type": "policy-checks", "id": "polchk-v0p4k2p6e4ts1jkb"}]},
        },
    }


def configuration_version(status: str, **attributes: Any) -> dict[str, Any]:
    return {
        "id": "cv-v0p4k2n3d1rq5hfa",
        "type": "configuration-versions",
        "attributes": {"status": status, "auto-queue-runs": False, "is-dry": False, **attributes},
        "relationships": {"workspace": {"data": {"type": "workspaces", "id": "ws-v0p4k2gq7l1ch8ra"}}},
        "links": {"upload": f"{BASE}/configuration-versions/cv-v0p4k2n3d1rq5hfa/upload?token=abc"},
    }


def errors(status: int, *details: str, **headers: str) -> httpx.Response:
    body = {"errors": [{"status": str(status), "title": "Error", "detail": d} for d in details]}
    return httpx.Response(status, json=body, headers=headers)


# -- lookups ---------------------------------------------------------------------------------------


def test_find_workspace_filters_by_name_environment_and_account(scalr: FakeScalr) -> None:
    scalr.on("GET", "/workspaces", ok([workspace()]))
    found = scalr.client().find_workspace("campusbot-dev-data", "campusbot-dev")

    assert found.id == "ws-v0p4k2gq7l1ch8ra"
    assert found.environment_id == "env-v0p4k2c1s9bmq7du"
    assert found.auto_apply is True
    assert found.working_directory == "terraform/stacks/data"
    assert (found.iac_platform, found.version, found.vcs_repo) == ("opentofu", "1.10.6", None)
    request = scalr.requests[0]
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert request.headers["Accept"] == JSONAPI
    assert dict(request.url.params) == {
        "filter[name]": "campusbot-dev-data",
        "filter[environment][name]": "campusbot-dev",
        "filter[account]": "acc-v0p4k2abc",
    }


def test_find_workspace_by_environment_id(scalr: FakeScalr) -> None:
    scalr.on("GET", "/workspaces", ok([workspace()]))
    scalr.client().find_workspace("campusbot-dev-data", "env-v0p4k2c1s9bmq7du")
    assert scalr.requests[0].url.params["filter[environment]"] == "env-v0p4k2c1s9bmq7du"


def test_find_workspace_missing_or_ambiguous(scalr: FakeScalr) -> None:
    scalr.on("GET", "/workspaces", ok([]), ok([workspace("ws-a"), workspace("ws-b")]))
    client = scalr.client()
    with pytest.raises(ScalrError, match="workspace 'campusbot-dev-data' in environment 'campusbot-dev' not found"):
        client.find_workspace("campusbot-dev-data", "campusbot-dev")
    with pytest.raises(ScalrError, match="ambiguous: ws-a, ws-b"):
        client.find_workspace("campusbot-dev-data", "campusbot-dev")


def test_a_workspace_bound_to_a_repository_says_so(scalr: FakeScalr) -> None:
    bound = workspace()
    bound["attributes"]["vcs-repo"] = {"identifier": "campus/campusbot", "branch": "main"}
    scalr.on("GET", "/workspaces", ok([bound]))
    assert scalr.client().find_workspace("campusbot-dev-data", "campusbot-dev").vcs_repo == "campus/campusbot"


def test_find_environment(scalr: FakeScalr) -> None:
    env = {
        "id": "env-v0p4k2c1s9bmq7du",
        "type": "environments",
        "attributes": {"name": "campusbot-prod"},
        "relationships": {"policy-groups": {"data": [{"type": "policy-groups", "id": "pgrp-v0p4k2g9tq3mr1"}]}},
    }
    scalr.on("GET", "/environments", ok([env]))
    found = scalr.client().find_environment("campusbot-prod")
    assert (found.id, found.name, found.policy_group_ids) == (
        "env-v0p4k2c1s9bmq7du",
        "campusbot-prod",
        ("pgrp-v0p4k2g9tq3mr1",),
    )
    assert scalr.requests[0].url.params["filter[account]"] == "acc-v0p4k2abc"


# -- configuration versions -------------------------------------------------------------------------


def test_create_configuration_version_sends_json_api(scalr: FakeScalr) -> None:
    scalr.on("POST", "/configuration-versions", ok(configuration_version("pending"), 201))
    cv = scalr.client().create_configuration_version("ws-v0p4k2gq7l1ch8ra")

    assert cv.id == "cv-v0p4k2n3d1rq5hfa"
    assert cv.status == "pending"
    assert cv.upload_url == f"{BASE}/configuration-versions/cv-v0p4k2n3d1rq5hfa/upload?token=abc"
    assert scalr.requests[0].headers["Content-Type"] == JSONAPI
    assert scalr.bodies()[0] == {
        "data": {
            "type": "configuration-versions",
            "attributes": {"auto-queue-runs": False, "is-dry": False},
            "relationships": {"workspace": {"data": {"type": "workspaces", "id": "ws-v0p4k2gq7l1ch8ra"}}},
        }
    }


def test_the_upload_url_is_links_upload_only(scalr: FakeScalr) -> None:
    # Scalr's document names it links.upload; the Terraform Cloud spelling (upload-url) is not read.
    cv = configuration_version("pending")
    cv["links"] = {"self": f"{BASE}/configuration-versions/cv-v0p4k2n3d1rq5hfa"}
    scalr.on("POST", "/configuration-versions", ok(cv, 201))
    assert scalr.client().create_configuration_version("ws-x").upload_url is None


def test_upload_to_scalr_host_keeps_the_token(scalr: FakeScalr) -> None:
    scalr.on("PUT", "/configuration-versions/cv-v0p4k2n3d1rq5hfa/upload", httpx.Response(200))
    scalr.client().upload_configuration(f"{BASE}/configuration-versions/cv-v0p4k2n3d1rq5hfa/upload", b"tgz")
    request = scalr.requests[0]
    assert request.method == "PUT"
    assert request.content == b"tgz"
    assert request.headers["Content-Type"] == "application/octet-stream"
    assert request.headers["Authorization"] == "Bearer t0ken"


def test_upload_to_another_host_drops_the_token(scalr: FakeScalr) -> None:
    scalr.on("PUT", "/bucket/cv.tar.gz", httpx.Response(200))
    scalr.client().upload_configuration("https://uploads.example/bucket/cv.tar.gz?sig=1", b"tgz")
    assert scalr.requests[0].url.host == "uploads.example"
    assert "Authorization" not in scalr.requests[0].headers


def test_wait_for_upload(scalr: FakeScalr) -> None:
    scalr.on(
        "GET",
        "/configuration-versions/cv-v0p4k2n3d1rq5hfa",
        ok(configuration_version("pending")),
        ok(configuration_version("pending")),
        ok(configuration_version("uploaded")),
    )
    assert scalr.client().wait_for_upload("cv-v0p4k2n3d1rq5hfa").status == "uploaded"
    assert scalr.slept == [1.0, 1.5]


def test_wait_for_upload_errored(scalr: FakeScalr) -> None:
    failed = configuration_version("errored", **{"error-message": "archive is not a gzip file"})
    scalr.on("GET", "/configuration-versions/cv-v0p4k2n3d1rq5hfa", ok(failed))
    with pytest.raises(ScalrError, match="errored: archive is not a gzip file"):
        scalr.client().wait_for_upload("cv-v0p4k2n3d1rq5hfa")


def test_wait_for_upload_times_out(scalr: FakeScalr) -> None:
    scalr.on("GET", "/configuration-versions/cv-v0p4k2n3d1rq5hfa", ok(configuration_version("pending")))
    with pytest.raises(ScalrTimeout, match="still pending after 10s"):
        scalr.client().wait_for_upload("cv-v0p4k2n3d1rq5hfa", timeout=10)
    assert sum(scalr.slept) <= 10


# -- runs ------------------------------------------------------------------------------------------


def test_create_plan_only_run(scalr: FakeScalr) -> None:
    scalr.on("POST", "/runs", ok(run("pending", is_dry=True), 201))
    created = scalr.client().create_run(
        "ws-v0p4k2gq7l1ch8ra", configuration_version_id="cv-v0p4k2n3d1rq5hfa", message="plan data", plan_only=True
    )
    assert created.id == "run-v0p4k2l8e3mt9fqh"
    assert created.plan_id == "plan-v0p4k2m0c7qn8e5t"
    assert scalr.bodies()[0] == {
        "data": {
            "type": "runs",
            "attributes": {"message": "plan data", "is-dry": True, "is-destroy": False},
            "relationships": {
                "workspace": {"data": {"type": "workspaces", "id": "ws-v0p4k2gq7l1ch8ra"}},
                "configuration-version": {"data": {"type": "configuration-versions", "id": "cv-v0p4k2n3d1rq5hfa"}},
            },
        }
    }


def test_start_run_uploads_then_queues(scalr: FakeScalr) -> None:
    scalr.on("POST", "/configuration-versions", ok(configuration_version("pending"), 201))
    scalr.on("PUT", "/configuration-versions/cv-v0p4k2n3d1rq5hfa/upload", httpx.Response(200))
    scalr.on("GET", "/configuration-versions/cv-v0p4k2n3d1rq5hfa", ok(configuration_version("uploaded")))
    scalr.on("POST", "/runs", ok(run("pending"), 201))

    started = scalr.client().start_run("ws-v0p4k2gq7l1ch8ra", b"tgz", message="deploy data")

    assert started.status == "pending"
    assert [(r.method, r.url.path.removeprefix("/api/iacp/v3")) for r in scalr.requests] == [
        ("POST", "/configuration-versions"),
        ("PUT", "/configuration-versions/cv-v0p4k2n3d1rq5hfa/upload"),
        ("GET", "/configuration-versions/cv-v0p4k2n3d1rq5hfa"),
        ("POST", "/runs"),
    ]
    assert scalr.bodies()[0]["data"]["attributes"]["auto-queue-runs"] is False
    assert scalr.requests[1].content == b"tgz"


def test_wait_for_run_reports_each_status_once_and_backs_off(scalr: FakeScalr) -> None:
    statuses = ["pending", "pending", "pending", "planning", "planning", "planned_and_finished"]
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", *(ok(run(s, is_dry=True)) for s in statuses))
    seen: list[str] = []

    final = scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh", on_progress=lambda r: seen.append(r.status))

    assert final.succeeded and final.finished
    assert seen == ["pending", "planning", "planned_and_finished"]
    assert scalr.slept == [2.0, 3.0, 4.5, 2.0, 3.0]  # grows while nothing changes, restarts on a change


def test_wait_for_run_stops_when_a_confirmation_is_needed(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", ok(run("planning")), ok(run("policy_checked")))
    final = scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh")
    assert final.awaits_confirmation() and not final.finished


def test_planned_is_not_a_pause_while_the_policy_checks_are_to_come(scalr: FakeScalr) -> None:
    # Issue 11: a run was confirmed at `planned`, before its policy check ran.
    statuses = ["planning", "planned", "cost_estimating", "policy_checking", "policy_checked"]
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", *(ok(run(s)) for s in statuses))
    seen: list[str] = []
    final = scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh", on_progress=lambda r: seen.append(r.status))
    assert seen == statuses
    assert final.status == "policy_checked" and final.awaits_confirmation()


def test_without_a_policy_group_planned_is_the_pause(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", ok(run("planning")), ok(run("planned")))
    final = scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh", policy_stage=False)
    assert final.status == "planned" and final.awaits_confirmation(policy_stage=False)


def test_wait_for_run_with_auto_apply_goes_on_to_applied(scalr: FakeScalr) -> None:
    statuses = ["planned", "policy_checked", "applying", "applied"]
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", *(ok(run(s, auto_apply=True)) for s in statuses))
    assert scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh").status == "applied"


def test_wait_for_run_stops_at_a_soft_policy_failure(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", ok(run("policy_override", auto_apply=True)))
    final = scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh")
    assert final.needs_override and final.settled


def test_errored_run_carries_the_reason(scalr: FakeScalr) -> None:
    failed = run("errored")
    failed["attributes"]["error-message"] = "Error: creating RDS DB Instance: InvalidParameterCombination"
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", ok(run("planning")), ok(failed))
    final = scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh")
    assert final.finished and not final.succeeded
    assert final.error_message == "Error: creating RDS DB Instance: InvalidParameterCombination"


def test_wait_for_run_times_out(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", ok(run("applying")))
    with pytest.raises(ScalrTimeout, match="still applying after 60s"):
        scalr.client().wait_for_run("run-v0p4k2l8e3mt9fqh", timeout=60)


@pytest.mark.parametrize(
    ("status", "settled"),
    [
        ("errored", True),
        ("discarded", True),
        ("canceled", True),
        ("applying", False),
        ("cost_estimating", False),
        ("post_plan_finished", False),
    ],
)
def test_run_states_with_auto_apply(status: str, settled: bool) -> None:
    state = Run("run-x", status, "", False, False, True, None, None, None)
    assert state.settled() is settled
    assert state.succeeded is False


@pytest.mark.parametrize(
    ("status", "with_policies", "without_policies"),
    [
        ("planned", False, True),
        ("post_plan_finished", False, True),
        ("cost_estimated", False, True),
        ("policy_checking", False, False),
        ("policy_checked", True, True),
        ("applying", False, False),
    ],
)
def test_run_states_waiting_for_confirmation(status: str, with_policies: bool, without_policies: bool) -> None:
    state = Run("run-x", status, "", False, False, False, None, None, None)
    assert state.awaits_confirmation(policy_stage=True) is with_policies
    assert state.awaits_confirmation(policy_stage=False) is without_policies
    assert state.settled() is with_policies and not state.finished


def test_a_dry_run_never_awaits_confirmation() -> None:
    assert not Run("run-x", "policy_checked", "", True, False, False, None, None, None).awaits_confirmation()


@pytest.mark.parametrize(
    ("action", "method"),
    [("apply", "apply_run"), ("discard", "discard_run"), ("cancel", "cancel_run")],
)
def test_run_actions(scalr: FakeScalr, action: str, method: str) -> None:
    scalr.on("POST", f"/runs/run-v0p4k2l8e3mt9fqh/actions/{action}", httpx.Response(202))
    do: Callable[[str, str], None] = getattr(scalr.client(), method)
    do("run-v0p4k2l8e3mt9fqh", "by platform deploy")
    assert scalr.bodies()[0] == {"comment": "by platform deploy"}
    assert scalr.requests[0].headers["Content-Type"] == "application/json"  # a comment, not a JSON:API document


# -- plans and policy checks -------------------------------------------------------------------------


def test_plan_summary(scalr: FakeScalr) -> None:
    plan = {
        "id": "plan-v0p4k2m0c7qn8e5t",
        "type": "plans",
        "attributes": {
            "status": "finished",
            "has-changes": True,
            "resource-additions": 12,
            "resource-changes": 3,
            "resource-destructions": 1,
        },
    }
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh", ok(run("planned")))
    scalr.on("GET", "/plans/plan-v0p4k2m0c7qn8e5t", ok(plan))
    client = scalr.client()
    summary = client.plan_summary(client.get_run("run-v0p4k2l8e3mt9fqh"))
    assert (summary.adds, summary.changes, summary.destroys, summary.has_changes) == (12, 3, 1, True)


def test_plan_summary_needs_a_plan() -> None:
    with pytest.raises(ScalrError, match="has no plan yet"):
        ScalrClient(HOST, "t", "acc-x").plan_summary(Run("run-x", "pending", "", False, False, False, None, None, None))


def test_policy_checks(scalr: FakeScalr) -> None:
    check = {
        "id": "polchk-v0p4k2p6e4ts1jkb",
        "type": "policy-checks",
        "attributes": {
            "status": "hard_failed",
            "result": {
                "result": False,
                "passed": 8,
                "total-failed": 2,
                "hard-failed": 1,
                "soft-failed": 0,
                "advisory-failed": 1,
                "duration-ms": 412,
                "policies": [
                    {
                        "name": "no_public_data",
                        "result": "hard_failed",
                        "messages": ["aws_db_instance.main: publicly_accessible is true"],
                        "unit-path": "scalr/policies/no_public_data.rego",
                    },
                    {"name": "cloudwatch_logs_kms", "result": "advisory_failed", "messages": ["x"]},
                    {"name": "required_tags", "result": "passed"},
                ],
            },
        },
    }
    scalr.on("GET", "/runs/run-v0p4k2l8e3mt9fqh/policy-checks", ok([check]))

    (found,) = scalr.client().policy_checks("run-v0p4k2l8e3mt9fqh")

    assert found.blocks_apply
    assert (found.passed, found.hard_failed, found.soft_failed, found.advisory_failed) == (8, 1, 0, 1)
    assert found.policies == (
        PolicyResult(
            "no_public_data", "hard-mandatory", "hard_failed", ("aws_db_instance.main: publicly_accessible is true",)
        ),
        PolicyResult("cloudwatch_logs_kms", "advisory", "advisory_failed", ("x",)),
        PolicyResult("required_tags", "", "passed", ()),
    )


def test_policy_check_that_passed(scalr: FakeScalr) -> None:
    check = {"id": "polchk-1", "type": "policy-checks", "attributes": {"status": "passed", "result": {"passed": 10}}}
    scalr.on("GET", "/runs/run-1/policy-checks", ok([check]))
    (found,) = scalr.client().policy_checks("run-1")
    assert not found.blocks_apply and found.policies == ()


# -- errors, retries, timeouts ------------------------------------------------------------------------


def test_json_api_error_details(scalr: FakeScalr) -> None:
    scalr.on("POST", "/runs", errors(422, "Workspace is locked", "Configuration version is not uploaded"))
    with pytest.raises(ScalrError) as caught:
        scalr.client().create_run("ws-1", configuration_version_id="cv-1", message="m")
    assert caught.value.status_code == 422
    assert caught.value.details == ("Workspace is locked", "Configuration version is not uploaded")
    assert str(caught.value) == (
        "POST /api/iacp/v3/runs: HTTP 422: Workspace is locked; Configuration version is not uploaded"
    )


def test_error_without_json_body(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-1", httpx.Response(401, text="Unauthorized"))
    with pytest.raises(ScalrError, match="HTTP 401: Unauthorized") as caught:
        scalr.client().get_run("run-1")
    assert caught.value.status_code == 401


def test_retries_429_after_retry_after(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-1", errors(429, "Rate limit", **{"Retry-After": "3"}), ok(run("applied")))
    assert scalr.client().get_run("run-1").status == "applied"
    assert scalr.slept == [3.0]


def test_retries_5xx_with_exponential_backoff(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-1", errors(502, "bad gateway"), errors(500, "oops"), ok(run("applied")))
    assert scalr.client().get_run("run-1").status == "applied"
    assert scalr.slept == [1.0, 2.0]


def test_retries_give_up(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-1", errors(503, "maintenance"))
    with pytest.raises(ScalrError, match="HTTP 503: maintenance") as caught:
        scalr.client(max_retries=2).get_run("run-1")
    assert caught.value.status_code == 503
    assert len(scalr.requests) == 3


def test_post_is_not_repeated_after_a_500(scalr: FakeScalr) -> None:
    scalr.on("POST", "/runs", errors(500, "internal error"), ok(run("pending"), 201))
    with pytest.raises(ScalrError, match="HTTP 500"):
        scalr.client().create_run("ws-1", configuration_version_id="cv-1", message="m")
    assert len(scalr.requests) == 1


def test_post_is_repeated_after_a_503(scalr: FakeScalr) -> None:
    scalr.on("POST", "/runs", errors(503, "busy"), ok(run("pending"), 201))
    assert scalr.client().create_run("ws-1", configuration_version_id="cv-1", message="m").status == "pending"
    assert len(scalr.requests) == 2


def test_read_timeouts_are_retried_then_reported(scalr: FakeScalr) -> None:
    scalr.on("GET", "/runs/run-1", httpx.ReadTimeout("timed out"))
    with pytest.raises(ScalrError, match="GET /api/iacp/v3/runs/run-1: ReadTimeout: timed out"):
        scalr.client(max_retries=3).get_run("run-1")
    assert len(scalr.requests) == 4
    assert scalr.slept == [1.0, 2.0, 4.0]


def test_a_post_that_may_have_arrived_is_not_repeated(scalr: FakeScalr) -> None:
    scalr.on("POST", "/runs", httpx.ReadTimeout("timed out"))
    with pytest.raises(ScalrError, match="ReadTimeout"):
        scalr.client().create_run("ws-1", configuration_version_id="cv-1", message="m")
    assert len(scalr.requests) == 1


def test_a_post_that_never_connected_is_repeated(scalr: FakeScalr) -> None:
    scalr.on("POST", "/runs", httpx.ConnectError("refused"), ok(run("pending"), 201))
    assert scalr.client().create_run("ws-1", configuration_version_id="cv-1", message="m").status == "pending"


def test_request_timeout_is_configured() -> None:
    with ScalrClient(f"https://{HOST}/", "t", "acc-x", timeout=7.5) as client:
        assert client.hostname == HOST
        assert client._http.timeout == httpx.Timeout(7.5)


# -- configuration tarball ----------------------------------------------------------------------------


def make_repo(root: Path) -> None:
    files = {
        "terraform/stacks/data/main.tf": 'module "rds" {\n  source = "../../modules/rds"\n}\n',
        "terraform/stacks/data/backend_override.tf": "# laptop backend\n",
        "terraform/stacks/data/.terraform.lock.hcl": "# local mirror hashes\n",
        "terraform/stacks/data/.terraform/providers/x": "binary",
        "terraform/stacks/data/terraform.tfstate": "{}",
        "terraform/modules/rds/main.tf": 'resource "aws_db_instance" "this" {}\n',
        "terraform/modules/rds/scripts/check.sh": "#!/bin/sh\n",
        "terraform/environments/dev.tfvars": 'environment = "dev"\n',
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "terraform/modules/rds/scripts/check.sh").chmod(0o775)


PATHS = ["terraform/stacks/data", "terraform/modules", "terraform/environments/dev.tfvars"]


def test_tarball_keeps_the_repository_layout_and_leaves_local_files_out(tmp_path: Path) -> None:
    make_repo(tmp_path)
    with tarfile.open(fileobj=io.BytesIO(build_configuration_tarball(tmp_path, PATHS)), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert sorted(members) == [
            "terraform/environments/dev.tfvars",
            "terraform/modules/rds/main.tf",
            "terraform/modules/rds/scripts/check.sh",
            "terraform/stacks/data/main.tf",
        ]
        assert members["terraform/modules/rds/scripts/check.sh"].mode == 0o755
        assert members["terraform/stacks/data/main.tf"].mode == 0o644
        assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members.values()} == {(0, 0, 0, "", "")}
        extracted = tar.extractfile("terraform/environments/dev.tfvars")
        assert extracted is not None and extracted.read() == b'environment = "dev"\n'


def test_tarball_is_reproducible(tmp_path: Path) -> None:
    make_repo(tmp_path)
    first = build_configuration_tarball(tmp_path, PATHS)
    (tmp_path / "terraform/modules/rds/main.tf").touch()
    assert build_configuration_tarball(tmp_path, list(reversed(PATHS))) == first
    (tmp_path / "terraform/modules/rds/main.tf").write_text("changed\n")
    assert build_configuration_tarball(tmp_path, PATHS) != first


def test_tarball_refuses_paths_outside_or_missing(tmp_path: Path) -> None:
    make_repo(tmp_path)
    with pytest.raises(ValueError, match="outside"):
        build_configuration_tarball(tmp_path / "terraform", ["../README.md"])
    with pytest.raises(FileNotFoundError, match="terraform/stacks/app"):
        build_configuration_tarball(tmp_path, ["terraform/stacks/app"])
