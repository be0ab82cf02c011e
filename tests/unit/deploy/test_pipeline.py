from __future__ import annotations

from pathlib import Path

import pytest
from tests.fixtures.deploy import RecordingReporter

from campusbot.deploy.pipeline import (
    STEP_NAMES,
    DeployContext,
    DeployError,
    DeployOptions,
    DeployState,
    Step,
    StepResult,
    run_pipeline,
)
from campusbot.deploy.stacks import LambdaArtifact
from campusbot.deploy.steps import STEPS
from campusbot.settings import Settings


def context(tmp_path: Path, reporter: RecordingReporter, **options: object) -> DeployContext:
    settings = Settings(data_dir=tmp_path / "data")
    return DeployContext(
        settings=settings, options=DeployOptions(env="dev", root=tmp_path, **options), reporter=reporter
    )  # type: ignore[arg-type]


def recording_steps(ran: list[str], fail: str | None = None) -> list[Step]:
    def make(name: str) -> Step:
        def run(ctx: DeployContext) -> StepResult:
            ctx.plan([f"would {name}"])
            ran.append(name)
            if name == fail:
                raise DeployError(f"{name} broke", fix="mend it")
            return StepResult(name, "done", f"{name} ok")

        return Step(name, f"the {name} step", run)

    return [make(name) for name in STEP_NAMES]


def test_the_eight_steps_in_order() -> None:
    assert [step.name for step in STEPS] == list(STEP_NAMES)
    assert STEP_NAMES == ("preflight", "image", "lambdas", "stacks", "lex", "migrate", "documents", "web", "smoke")


def test_from_resumes_at_the_step_and_skips_the_earlier_ones(tmp_path: Path, reporter: RecordingReporter) -> None:
    ran: list[str] = []
    results = run_pipeline(context(tmp_path, reporter, from_step="lex"), recording_steps(ran))
    assert ran == ["lex", "migrate", "documents", "web", "smoke"]
    assert [r.status for r in results] == ["skipped"] * 4 + ["done"] * 5
    assert reporter.steps == list(STEP_NAMES), "every step is still announced"


def test_unknown_from_step_names_the_valid_ones(tmp_path: Path, reporter: RecordingReporter) -> None:
    with pytest.raises(DeployError) as failure:
        run_pipeline(context(tmp_path, reporter, from_step="nap"), recording_steps([]))
    assert "preflight, image" in (failure.value.fix or "")


def test_a_failure_stops_the_pipeline_and_is_recorded(tmp_path: Path, reporter: RecordingReporter) -> None:
    ran: list[str] = []
    ctx = context(tmp_path, reporter)
    with pytest.raises(DeployError, match="stacks broke"):
        run_pipeline(ctx, recording_steps(ran, fail="stacks"))
    assert ran == ["preflight", "image", "lambdas", "stacks"]
    assert reporter.results[-1].status == "failed"
    assert DeployState.load(ctx.state.path).steps == {
        "preflight": "done",
        "image": "done",
        "lambdas": "done",
        "stacks": "failed",
    }


def test_dry_run_describes_every_step_and_runs_none(tmp_path: Path, reporter: RecordingReporter) -> None:
    ran: list[str] = []
    ctx = context(tmp_path, reporter, dry_run=True)
    results = run_pipeline(ctx, recording_steps(ran))
    assert ran == []
    assert list(reporter.lines) == [f"would {name}" for name in STEP_NAMES]
    assert {r.status for r in results} == {"planned"}
    assert not ctx.state.path.exists(), "a dry run writes nothing"


def test_dry_run_refuses_aws_calls(tmp_path: Path, reporter: RecordingReporter) -> None:
    ctx = context(tmp_path, reporter, dry_run=True)
    with pytest.raises(DeployError, match="dry run"):
        ctx.client("sts")


def test_state_round_trips(tmp_path: Path) -> None:
    state = DeployState(path=tmp_path / "state.json", image_uri="repo:src-1", image_tag="src-1")
    state.artifacts["lex_proxy"] = LambdaArtifact("lex_proxy", tmp_path / "lex_proxy.zip", "h=", 12)
    state.outputs["foundation"] = {"vpc_id": "vpc-1"}
    state.save()
    loaded = DeployState.load(state.path)
    assert loaded.image_uri == "repo:src-1" and loaded.artifacts["lex_proxy"].hash == "h="
    assert loaded.outputs == {"foundation": {"vpc_id": "vpc-1"}}


def test_work_dirs_are_per_target_and_env(tmp_path: Path, reporter: RecordingReporter) -> None:
    aws = context(tmp_path, reporter)
    local = context(tmp_path, reporter, target="localstack")
    assert aws.work_dir != local.work_dir
    assert aws.work_dir.name == "aws-dev" and local.work_dir.name == "localstack-dev"
    assert aws.lambda_build_dir == local.lambda_build_dir, "the zips do not depend on the target"


def test_an_unforeseen_exception_becomes_a_step_failure_with_its_type(
    tmp_path: Path, reporter: RecordingReporter
) -> None:
    def boom(ctx: DeployContext) -> StepResult:
        raise KeyError("Parameters")

    ctx = context(tmp_path, reporter)
    with pytest.raises(DeployError, match="preflight: KeyError: 'Parameters'") as failure:
        run_pipeline(ctx, [Step("preflight", "checks", boom)])
    assert isinstance(failure.value.__cause__, KeyError)
    assert "-v" in (failure.value.fix or "")
    assert DeployState.load(ctx.state.path).steps == {"preflight": "failed"}
