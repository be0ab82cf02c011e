"""The deploy targets: every step asks `ctx.target`, so no deploy module outside targets.py names a target,
and a step's dry-run words and its run's words come from the same code (the same skip reason)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.fixtures.deploy import RecordingReporter

from campusbot.deploy import steps
from campusbot.deploy.pipeline import DeployContext, DeployOptions, run_pipeline
from campusbot.deploy.targets import TARGETS, AwsTarget, LocalStackTarget, target_for
from campusbot.settings import Settings

DEPLOY = Path(steps.__file__).parent
ASKING_MODULES = ("steps.py", "stackrun.py", "status.py", "stacks.py", "pipeline.py", "inputs.py")


@pytest.mark.parametrize("module", ASKING_MODULES)
def test_the_deploy_modules_ask_their_target_instead_of_testing_its_name(module: str) -> None:
    source = (DEPLOY / module).read_text(encoding="utf-8")
    assert not re.search(r"target\s*[!=]=", source), module
    assert not re.search(r"def describe_\w+", source), module


def test_every_target_name_has_its_implementation() -> None:
    assert isinstance(target_for("aws"), AwsTarget) and isinstance(target_for("localstack"), LocalStackTarget)
    assert set(TARGETS) == {"aws", "localstack"}


@pytest.mark.parametrize("step", ["image", "lex", "migrate"])
def test_a_skipped_step_says_the_same_in_the_dry_run_and_in_the_run(
    tmp_path: Path, reporter: RecordingReporter, step: str
) -> None:
    reason = target_for("localstack").skip(step)
    assert reason and target_for("aws").skip(step) is None
    chosen = [s for s in steps.STEPS if s.name == step]
    settings = Settings(data_dir=tmp_path / "data")
    root = Path(steps.__file__).resolve().parents[3]
    dry = DeployContext(settings, DeployOptions(env="dev", target="localstack", dry_run=True, root=root), reporter)
    run_pipeline(dry, chosen)
    assert f"skipped: {reason}" in " ".join(reporter.lines)
    ran = run_pipeline(
        DeployContext(settings, DeployOptions(env="dev", target="localstack", root=root), reporter), chosen
    )
    assert ran[0].status == "skipped" and reason in ran[0].detail
