"""Stack fingerprints (campusbot.deploy.fingerprint) and the skip they allow in `apply_local`: the hash
on real files and real moto S3; apply_local with plan/apply replaced by fakes that write a state file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from tests.fixtures.deploy import RecordingReporter

from campusbot.deploy import fingerprint, stackrun
from campusbot.deploy.backend import LocalBackend, RemoteBackend, S3Backend
from campusbot.deploy.pipeline import DeployContext, DeployOptions
from campusbot.deploy.stacks import FUNCTIONS, DeployInputs, LambdaArtifact
from campusbot.deploy.terraform import PlanSummary, ResourceChange, TerraformStack
from campusbot.settings import Settings

REPO = Path(__file__).resolve().parents[3]
STACKS = ("foundation", "data", "app", "conversation", "analytics")


def tree(root: Path) -> Path:
    for relative, text in {
        "terraform/stacks/app/main.tf": 'module "api" { source = "../../modules/ecs" }\n',
        "terraform/modules/ecs/main.tf": 'resource "aws_ecs_cluster" "this" { name = "x" }\n',
        "src/campusbot/bot/bot.template.json": "{}\n",
        "src/campusbot/analytics/queries/top.sql": "select 1;\n",
        "dev.tfvars": 'env = "dev"\n',
    }.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def config_hash(root: Path) -> str:
    return fingerprint.configuration_hash(root, root / "terraform/stacks/app", [root / "dev.tfvars"])


@pytest.mark.parametrize(
    "changed",
    [
        "terraform/stacks/app/main.tf",
        "terraform/modules/ecs/main.tf",
        "src/campusbot/bot/bot.template.json",
        "src/campusbot/analytics/queries/top.sql",
        "dev.tfvars",
    ],
)
def test_every_input_of_the_plan_changes_the_configuration_hash(tmp_path: Path, changed: str) -> None:
    root = tree(tmp_path)
    before = config_hash(root)
    assert config_hash(root) == before, "stable"
    (root / changed).write_text((root / changed).read_text() + "# edited\n")
    assert config_hash(root) != before


def test_a_new_file_changes_the_hash_and_terraform_s_own_files_do_not(tmp_path: Path) -> None:
    root = tree(tmp_path)
    before = config_hash(root)
    stack = root / "terraform/stacks/app"
    (stack / ".terraform" / "providers").mkdir(parents=True)
    (stack / ".terraform" / "providers" / "aws").write_text("binary")
    (stack / ".terraform.lock.hcl").write_text("lock")
    (stack / "terraform.tfstate").write_text("{}")
    assert config_hash(root) == before
    (stack / "backend_override.tf").write_text('terraform { backend "local" {} }\n')
    assert config_hash(root) != before


def test_source_inputs_are_every_file_the_stacks_read_outside_terraform() -> None:
    referenced = set()
    for tf in (REPO / "terraform" / "stacks").glob("*/*.tf"):
        referenced |= set(re.findall(r"\$\{path\.module\}/\.\./\.\./\.\./([^\"}]+)", tf.read_text()))
    assert referenced, "the stacks read the bot definition and the analytics queries"
    assert all(any(ref == p or ref.startswith(p + "/") for p in fingerprint.SOURCE_INPUTS) for ref in referenced)


def test_local_state_identity_follows_the_content(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "app.tfstate")
    assert fingerprint.state_identity(backend, lambda: None) == "local:absent"
    backend.path.write_text('{"serial": 1}')
    first = fingerprint.state_identity(backend, lambda: None)
    backend.path.write_text('{"serial": 2}')
    assert fingerprint.state_identity(backend, lambda: None) not in (first, "local:absent")


@mock_aws
def test_s3_state_identity_is_the_object_version_and_unknown_when_unreadable() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="state")
    s3.put_bucket_versioning(Bucket="state", VersioningConfiguration={"Status": "Enabled"})
    backend = S3Backend("state", "campusbot/dev/app.tfstate", "us-east-1")
    assert fingerprint.state_identity(backend, lambda: s3) is None, "no state object: plan"
    s3.put_object(Bucket="state", Key=backend.key, Body=b'{"serial": 1}')
    first = fingerprint.state_identity(backend, lambda: s3)
    s3.put_object(Bucket="state", Key=backend.key, Body=b'{"serial": 1}')  # same bytes, new version
    second = fingerprint.state_identity(backend, lambda: s3)
    assert first and second and first != second
    assert fingerprint.state_identity(RemoteBackend("scalr", "org", "ws"), lambda: s3) is None
    assert fingerprint.fingerprint("config", None) is None


# -- apply_local skips what has not changed ------------------------------------------------------------


class FakeTerraform:
    """plan_stack/apply_plan stand-ins: `pending` stacks have changes; an apply writes the local state."""

    def __init__(self, ctx: DeployContext) -> None:
        self.ctx = ctx
        self.pending: set[str] = set()
        self.planned: list[str] = []
        self.applied: list[str] = []

    def plan(self, ctx: DeployContext, tf: TerraformStack, *, destroy: bool = False) -> PlanSummary:
        self.planned.append(tf.name)
        changes = (ResourceChange(f"aws_thing.{tf.name}", "update"),) if tf.name in self.pending else ()
        return PlanSummary(tf.name, 0, len(changes), 0, changes)

    def apply(self, ctx: DeployContext, tf: TerraformStack, plan: PlanSummary) -> None:
        self.applied.append(tf.name)
        self.pending.discard(tf.name)
        state = stackrun.stack_backend(ctx, stackrun.ordered([tf.name])[0])
        assert isinstance(state, LocalBackend)
        state.path.parent.mkdir(parents=True, exist_ok=True)
        state.path.write_text(f"applied {len(self.applied)}")


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[DeployContext, FakeTerraform, DeployInputs]:
    root = tmp_path / "repo"
    for stack in STACKS:
        (root / "terraform" / "stacks" / stack).mkdir(parents=True)
        (root / "terraform" / "stacks" / stack / "main.tf").write_text(f"# {stack}\n")
    (root / "terraform" / "modules" / "m").mkdir(parents=True)
    (root / "terraform" / "modules" / "m" / "main.tf").write_text("# module\n")
    options = DeployOptions(env="dev", target="localstack", via="local", yes=True, root=root)
    ctx = DeployContext(settings=Settings(data_dir=tmp_path / "data"), options=options, reporter=RecordingReporter())
    fake = FakeTerraform(ctx)
    monkeypatch.setattr(stackrun, "plan_stack", fake.plan)
    monkeypatch.setattr(stackrun, "apply_plan", fake.apply)
    monkeypatch.setattr(TerraformStack, "output", lambda self: {"name": self.name})
    monkeypatch.setattr(TerraformStack, "sensitive_outputs", lambda self: set())
    artifacts = {n: LambdaArtifact(n, Path(f"/b/{n}.zip"), f"h-{n}", 1) for n in FUNCTIONS}
    inputs = DeployInputs("dev", "us-east-1", "localstack", "repo/api:tag-1", artifacts)
    return ctx, fake, inputs


def run(ctx: DeployContext, inputs: DeployInputs, **options: Any) -> list[stackrun.StackOutcome]:
    ctx.options = replace(ctx.options, **options)
    return stackrun.apply_local(ctx, stackrun.ordered(), inputs)


def test_a_rerun_skips_every_converged_stack_without_planning(deployment: Any) -> None:
    ctx, fake, inputs = deployment
    fake.pending = set(STACKS)
    first = run(ctx, inputs)
    assert [o.applied for o in first] == [True] * 5 and fake.applied == list(STACKS)

    fake.planned.clear()
    again = run(ctx, inputs)
    assert fake.planned == [] and not any(o.applied for o in again)
    assert all("unchanged since its last apply" in o.detail for o in again)
    assert again[2].outputs == {"name": "app"}, "outputs come from the last apply"


def test_a_changed_input_plans_that_stack_and_every_later_one_after_an_apply(deployment: Any) -> None:
    ctx, fake, inputs = deployment
    run(ctx, inputs)  # nothing pending: plans only, fingerprints recorded
    fake.planned.clear()
    changed = replace(inputs, image_uri="repo/api:tag-2")
    fake.pending = {"app"}
    outcomes = run(ctx, changed)
    # foundation/data do not take the image: skipped; app applied; conversation/analytics read app's SSM: planned
    assert fake.planned == ["app", "conversation", "analytics"] and fake.applied == ["app"]
    assert [o.applied for o in outcomes] == [False, False, True, False, False]


def test_refresh_plans_every_stack_and_outside_state_changes_are_noticed(deployment: Any) -> None:
    ctx, fake, inputs = deployment
    run(ctx, inputs)
    fake.planned.clear()
    run(ctx, inputs, refresh=True)
    assert fake.planned == list(STACKS)

    fake.planned.clear()
    run(ctx, inputs, refresh=False)
    assert fake.planned == []
    # another machine applied data: its state changed under us
    state = stackrun.stack_backend(ctx, stackrun.ordered(["data"])[0])
    assert isinstance(state, LocalBackend)
    state.path.parent.mkdir(parents=True, exist_ok=True)
    state.path.write_text("applied elsewhere")
    run(ctx, inputs)
    assert fake.planned == ["data"]


def test_a_failed_apply_forgets_the_fingerprint(deployment: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, fake, inputs = deployment
    run(ctx, inputs)
    changed = replace(inputs, image_uri="repo/api:tag-3")
    fake.pending = {"app"}

    def broken(ctx: DeployContext, tf: TerraformStack, plan: PlanSummary) -> None:
        from campusbot.deploy.terraform import TerraformError

        raise TerraformError(tf.name, "apply", 1, ["Error: boom"])

    monkeypatch.setattr(stackrun, "apply_plan", broken)
    with pytest.raises(stackrun.DeployError, match="boom"):
        run(ctx, changed)
    assert "app" not in ctx.state.fingerprints and "foundation" in ctx.state.fingerprints
    monkeypatch.setattr(stackrun, "apply_plan", fake.apply)
    fake.planned.clear()
    run(ctx, inputs)  # back to the old inputs: app must still be planned (its apply never converged)
    assert fake.planned[0] == "app"
