"""`--via scalr` end to end through the pipeline: a stateful fake of the Scalr API (httpx.MockTransport)
receives the configuration uploads and runs of all five stacks; the real ScalrClient talks to it, and
every request and answer is checked against Scalr's OpenAPI document (tests/fixtures/scalr_contract.py).
Runs go through Scalr's stages (planning, planned, cost estimate, policy check) and, like Scalr, the
fake refuses (409) to confirm a run that is not paused for confirmation."""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from moto import mock_aws
from tests.fixtures.deploy import RecordingReporter, copy_repository
from tests.fixtures.scalr_contract import ScalrContract

from campusbot.deploy import fingerprint
from campusbot.deploy.pipeline import DeployContext, DeployError, DeployOptions, run_pipeline
from campusbot.deploy.scalr import ScalrClient
from campusbot.deploy.stacks import FUNCTIONS, STACK_NAMES, LambdaArtifact
from campusbot.deploy.steps import STEPS
from campusbot.settings import Settings

HOST = "acme.scalr.io"
JSONAPI = "application/vnd.api+json"


@dataclass
class FakeRun:
    id: str
    workspace: str
    cv: str
    is_dry: bool
    is_destroy: bool
    statuses: list[str]
    current: str = "pending"
    confirmed_at: str | None = None  # the status the run had when the CLI confirmed it
    checks_read: bool = False  # the CLI asked for the run's policy checks
    checks_read_before_confirm: bool = False
    discarded: bool = False

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass
class FakeScalr:
    """Workspaces campusbot-<env>-<stack>; runs plan, wait for confirmation, apply when confirmed."""

    adds: dict[str, int] = field(default_factory=dict)  # per stack; default 3
    policy: dict[str, str] = field(default_factory=dict)  # stack -> passed | hard_failed | soft_failed
    uploads: dict[str, bytes] = field(default_factory=dict)
    runs: list[FakeRun] = field(default_factory=list)
    cvs: dict[str, str] = field(default_factory=dict)
    policy_groups: bool = True  # the environment has the guardrails policy group
    workspace_attributes: dict[str, Any] = field(default_factory=dict)  # overrides per workspace

    def client(self) -> ScalrClient:
        transport = ScalrContract().transport(self.handle, passthrough_hosts=("uploads.example",))
        return ScalrClient(HOST, "t0ken", "acc-1", transport=transport, sleep=lambda _s: None)

    def stack_of(self, workspace_id: str) -> str:
        return workspace_id.removeprefix("ws-")

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/iacp/v3/")
        method = request.method
        if method == "GET" and path == "environments":
            groups = [{"type": "policy-groups", "id": "pgrp-guardrails"}] if self.policy_groups else []
            return self.ok([{"id": "env-dev", "type": "environments", "attributes": {"name": "campusbot-dev"},
                             "relationships": {"policy-groups": {"data": groups}}}])  # fmt: skip
        if method == "GET" and path == "workspaces":
            name = request.url.params["filter[name]"]
            assert request.url.params["filter[environment][name]"] == "campusbot-dev"
            stack = name.removeprefix("campusbot-dev-")
            attributes = {"name": name, "auto-apply": False, "iac-platform": "opentofu", "terraform-version": "1.10.6",
                          "vcs-repo": None, **self.workspace_attributes}  # fmt: skip
            environment = {"environment": {"data": {"type": "environments", "id": "env-dev"}}}
            return self.ok([{"id": f"ws-{stack}", "type": "workspaces", "attributes": attributes,
                             "relationships": environment}])  # fmt: skip
        if method == "POST" and path == "configuration-versions":
            body = json.loads(request.content)
            cv = f"cv-{len(self.cvs) + 1}"
            self.cvs[cv] = body["data"]["relationships"]["workspace"]["data"]["id"]
            return self.ok({"id": cv, "type": "configuration-versions", "attributes": {"status": "pending"},
                            "links": {"upload": f"https://uploads.example/{cv}"}}, 201)  # fmt: skip
        if method == "PUT" and request.url.host == "uploads.example":
            assert "Authorization" not in request.headers, "the token never goes to another host"
            self.uploads[request.url.path.strip("/")] = request.content
            return httpx.Response(200)
        if method == "GET" and path.startswith("configuration-versions/"):
            cv = path.split("/")[1]
            status = "uploaded" if cv in self.uploads else "pending"
            return self.ok({"id": cv, "type": "configuration-versions", "attributes": {"status": status}})
        if method == "POST" and path == "runs":
            data = json.loads(request.content)["data"]
            workspace = data["relationships"]["workspace"]["data"]["id"]
            stack = self.stack_of(workspace)
            verdict = self.policy.get(stack, "passed")
            settle = {"passed": "policy_checked", "hard_failed": "policy_checked", "soft_failed": "policy_override"}[
                verdict
            ]
            if (self.adds.get(stack, 3) == 0 or data["attributes"]["is-dry"]) and verdict == "passed":
                settle = "planned_and_finished"
            # Scalr's stages: the plan, then (a policy group being linked) the policy check.
            stages = ["planning", "planned", "cost_estimating", "cost_estimated"]
            if self.policy_groups:
                stages += ["policy_checking", settle]
            elif settle == "policy_checked":
                stages = ["planning", "planned"]
            else:
                stages.append(settle)
            run = FakeRun(
                id=f"run-{len(self.runs) + 1}",
                workspace=workspace,
                cv=data["relationships"]["configuration-version"]["data"]["id"],
                is_dry=data["attributes"]["is-dry"],
                is_destroy=data["attributes"]["is-destroy"],
                statuses=stages,
            )
            self.runs.append(run)
            return self.ok(self.run_resource(run, "pending"), 201)
        match = re.fullmatch(r"runs/(run-\d+)(/.*)?", path)
        if match:
            run = next(r for r in self.runs if r.id == match.group(1))
            rest = match.group(2) or ""
            if method == "GET" and rest == "":
                run.current = run.statuses.pop(0) if len(run.statuses) > 1 else run.statuses[0]
                return self.ok(self.run_resource(run, run.current))
            if method == "GET" and rest == "/policy-checks":
                run.checks_read = True
                return self.ok([self.policy_check(run)] if self.policy_groups else [])
            if method == "POST" and rest == "/actions/apply":
                paused = {"policy_checked"} if self.policy_groups else {"planned", "cost_estimated"}
                if run.current not in paused or run.statuses[1:]:
                    detail = f"Run was not paused for confirmation ({run.current}). Apply not allowed."
                    return httpx.Response(409, json={"errors": [{"status": "409", "detail": detail}]})
                run.confirmed_at = run.current
                run.checks_read_before_confirm = run.checks_read
                run.statuses = ["applying", "applied"]
                return httpx.Response(202)
            if method == "POST" and rest == "/actions/discard":
                run.discarded = True
                run.statuses = ["discarded"]
                return httpx.Response(202)
        if method == "GET" and path.startswith("plans/"):
            stack = path.split("/")[1].removeprefix("plan-")
            adds = self.adds.get(stack, 3)
            return self.ok({"id": path.split("/")[1], "type": "plans", "attributes": {
                "status": "finished", "has-changes": adds > 0, "resource-additions": adds,
                "resource-changes": 0, "resource-destructions": 0}})  # fmt: skip
        return httpx.Response(404, json={"errors": [{"detail": f"no route {method} {path}"}]})

    def run_resource(self, run: FakeRun, status: str) -> dict[str, Any]:
        stack = self.stack_of(run.workspace)
        return {
            "id": run.id,
            "type": "runs",
            "attributes": {"status": status, "is-dry": run.is_dry, "is-destroy": run.is_destroy, "auto-apply": False},
            "relationships": {
                "workspace": {"data": {"type": "workspaces", "id": run.workspace}},
                "plan": {"data": {"type": "plans", "id": f"plan-{stack}"}},
            },
        }

    def policy_check(self, run: FakeRun) -> dict[str, Any]:
        verdict = self.policy.get(self.stack_of(run.workspace), "passed")
        failed = {
            "hard_failed": ("no_public_data", "hard-mandatory"),
            "soft_failed": ("required_tags", "soft-mandatory"),
        }
        policies = [{"name": "encryption_at_rest", "result": "passed"}]
        if verdict in failed:
            name, _level = failed[verdict]
            policies.append({"name": name, "result": verdict, "messages": [f"{name}: denied"]})
        result = {
            "passed": 1,
            "hard-failed": int(verdict == "hard_failed"),
            "soft-failed": int(verdict == "soft_failed"),
            "policies": policies,
        }
        return {"id": f"polchk-{run.id}", "type": "policy-checks", "attributes": {"status": verdict, "result": result}}

    @staticmethod
    def ok(data: Any, status: int = 200) -> httpx.Response:
        return httpx.Response(status, json={"data": data}, headers={"Content-Type": JSONAPI})

    def run_stacks(self) -> list[str]:
        return [self.stack_of(run.workspace) for run in self.runs]


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def context(tmp_path: Path, scalr: FakeScalr, reporter: RecordingReporter, *, yes: bool = True) -> DeployContext:
    root = copy_repository(tmp_path / "repo", ("terraform", "src/campusbot/bot", "src/campusbot/analytics"))
    settings = Settings(data_dir=tmp_path / "data")
    options = DeployOptions(env="dev", target="aws", via="scalr", yes=yes, from_step="stacks", root=root)
    ctx = DeployContext(
        settings=settings,
        options=options,
        reporter=reporter,
        clients=lambda service: boto3.client(service, region_name="us-east-1"),
        scalr_factory=scalr.client,
    )
    zips = tmp_path / "zips"
    zips.mkdir()
    for name in FUNCTIONS:
        (zips / f"{name}.zip").write_bytes(f"zip of {name}".encode())
        ctx.state.artifacts[name] = LambdaArtifact(name, zips / f"{name}.zip", f"hash-{name}", 11)
    ctx.state.image_uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/campusbot-dev/api:src-0123456789abcdef"
    return ctx


STACK_STEP = [step for step in STEPS if step.name == "stacks"]


def test_every_stack_runs_in_order_in_its_workspace(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    scalr = FakeScalr()
    results = run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert scalr.run_stacks() == list(STACK_NAMES)
    assert all(run.confirmed and not run.is_dry and not run.is_destroy for run in scalr.runs)
    assert results[-1].status == "done" and "foundation" in results[-1].detail
    policy_tables = [title for title, _rows in reporter.tables if title.startswith("policy checks")]
    assert len(policy_tables) == 5


def test_the_uploaded_configuration_carries_the_cli_variables_and_the_zips(
    tmp_path: Path, aws: None, reporter: RecordingReporter
) -> None:
    scalr = FakeScalr()
    run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    tarball = next(iter(scalr.uploads.values()))
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        names = set(archive.getnames())
        app = json.load(archive.extractfile("terraform/stacks/app/campusbot.auto.tfvars.json"))  # type: ignore[arg-type]
        conversation = json.load(archive.extractfile("terraform/stacks/conversation/campusbot.auto.tfvars.json"))  # type: ignore[arg-type]
    assert {"build/lambda/fulfillment.zip", "build/lambda/lex_proxy.zip", fingerprint.BOT_TEMPLATE} <= names
    assert "terraform/modules/s3/main.tf" in names
    assert not any(n.endswith("_override.tf") or ".terraform/" in n or n.endswith(".tfstate") for n in names)
    assert app["api_image_uri"].endswith(":src-0123456789abcdef")
    assert app["lambda_artifacts"]["vectorizer"] == {
        "path": "../../../build/lambda/vectorizer.zip",
        "hash": "hash-vectorizer",
    }
    assert "env" not in app, "env and region come from the workspace's var file"
    assert "UniversityName" in conversation["lex_slot_type_values"]
    assert "create_lex_bot" not in conversation


def test_a_hard_mandatory_failure_stops_the_deploy(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    scalr = FakeScalr(policy={"data": "hard_failed"})
    with pytest.raises(DeployError, match="data: a hard-mandatory policy failed"):
        run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert scalr.run_stacks() == ["foundation", "data"]
    assert scalr.runs[1].discarded and not scalr.runs[1].confirmed
    rows = [row for title, rows in reporter.tables if "data" in title for row in rows]
    assert ["no_public_data", "hard-mandatory", "hard_failed", "no_public_data: denied"] in rows


def test_a_soft_mandatory_failure_waits_for_an_approver(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    scalr = FakeScalr(policy={"app": "soft_failed"})
    with pytest.raises(DeployError, match="soft-mandatory") as failure:
        run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert "override" in (failure.value.fix or "")
    assert scalr.run_stacks() == ["foundation", "data", "app"]


def test_without_yes_the_run_is_confirmed_by_asking(tmp_path: Path, aws: None) -> None:
    reporter = RecordingReporter(answer=False)
    scalr = FakeScalr()
    with pytest.raises(DeployError, match="declined"):
        run_pipeline(context(tmp_path, scalr, reporter, yes=False), STACK_STEP)
    assert reporter.questions == ["confirm run run-1 on campusbot-dev-foundation?"]
    assert scalr.runs[0].discarded


def test_nothing_to_apply_is_unchanged(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    scalr = FakeScalr(adds=dict.fromkeys(STACK_NAMES, 0))
    results = run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert results[-1].status == "unchanged"
    assert not any(run.confirmed for run in scalr.runs)


def test_plan_only_and_destroy_runs(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    from campusbot.deploy import stackrun
    from campusbot.deploy.stacks import ordered

    scalr = FakeScalr()
    ctx = context(tmp_path, scalr, reporter)
    planned = stackrun.apply_scalr(ctx, ordered(), stackrun.deploy_inputs(ctx), plan_only=True)
    assert all(run.is_dry and run.current == "planned_and_finished" and not run.confirmed for run in scalr.runs)
    assert [o.plan.add for o in planned if o.plan] == [3] * 5
    scalr.runs.clear()
    stackrun.apply_scalr(ctx, ordered(), stackrun.deploy_inputs(ctx), destroy=True)
    assert scalr.run_stacks() == list(reversed(STACK_NAMES))
    assert all(run.is_destroy and run.confirmed for run in scalr.runs)


def test_missing_scalr_settings_are_named(
    tmp_path: Path, aws: None, reporter: RecordingReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campusbot.deploy import stackrun

    for name in ("SCALR_HOSTNAME", "SCALR_TOKEN", "SCALR_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    ctx = context(tmp_path, FakeScalr(), reporter)
    ctx.scalr_factory = None
    with pytest.raises(DeployError, match="SCALR_HOSTNAME, SCALR_TOKEN, SCALR_ACCOUNT_ID"):
        stackrun.scalr_client(ctx)


def test_a_run_is_confirmed_only_after_its_policy_check(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    # Issue 11: the client confirmed runs at `planned`, before Scalr had run the policy checks.
    scalr = FakeScalr()
    run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert {run.confirmed_at for run in scalr.runs} == {"policy_checked"}
    # the policy results were read (and printed) before each confirmation
    assert all(run.checks_read_before_confirm for run in scalr.runs)
    assert [title for title, _rows in reporter.tables if title.startswith("policy")] == [
        f"policy checks of {stack} (run-{i})" for i, stack in enumerate(STACK_NAMES, start=1)
    ]


def test_without_a_policy_group_the_run_is_confirmed_after_the_plan(
    tmp_path: Path, aws: None, reporter: RecordingReporter
) -> None:
    scalr = FakeScalr(policy_groups=False)
    run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert {run.confirmed_at for run in scalr.runs} == {"planned"}
    assert any("no policy group" in warning for warning in reporter.warnings)


def test_a_workspace_bound_to_the_repository_is_refused(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    # Issue 11: pushes and the CLI both started runs there (two orchestrators for one workspace).
    scalr = FakeScalr(workspace_attributes={"vcs-repo": {"identifier": "campus/campusbot", "branch": "main"}})
    with pytest.raises(DeployError, match="bound to campus/campusbot") as failure:
        run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert "VCS binding" in (failure.value.fix or "")
    assert scalr.runs == [] and scalr.uploads == {}


def test_a_terraform_workspace_is_refused(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    scalr = FakeScalr(workspace_attributes={"iac-platform": "terraform", "terraform-version": "1.5.7"})
    with pytest.raises(DeployError, match=r"runs terraform 1\.5\.7: Scalr offers Terraform only up to 1\.5\.7"):
        run_pipeline(context(tmp_path, scalr, reporter), STACK_STEP)
    assert scalr.runs == []
