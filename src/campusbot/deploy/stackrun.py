"""Applying, planning and destroying the stacks, locally (python-terraform, backend override) or
through Scalr (configuration versions and runs) — shared by deploy, plan, destroy and status."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from campusbot.deploy import backend, fingerprint
from campusbot.deploy.pipeline import DeployContext, DeployError
from campusbot.deploy.stacks import (
    DeployInputs,
    Stack,
    env_var_file,
    environment_name,
    ordered,
    stack_variables,
    workspace_name,
)
from campusbot.deploy.terraform import Event, PlanSummary, TerraformError, TerraformStack

# What a Scalr run needs of the repository: the stacks and modules, the files the stacks read, the zips.
SCALR_PATHS: Final = ("terraform", *fingerprint.SOURCE_INPUTS, "build/lambda")
SHOWN_CHANGES: Final = 25


@dataclass
class StackOutcome:
    stack: str
    plan: PlanSummary | None = None
    applied: bool = False
    outputs: dict[str, Any] = field(default_factory=dict)
    sensitive: set[str] = field(default_factory=set)
    detail: str = ""


# -- the inputs every stack command needs ------------------------------------------------------------


def require_current_bot_template(root: Path) -> None:
    """Plan or apply only a bot template that is what definition.yaml renders to (else the deploy would ship
    an older bot than the one edited, and than the one the local emulator would run after a render)."""
    from campusbot.bot.cloudformation import is_current
    from campusbot.bot.model import DefinitionError

    template, definition = root / fingerprint.BOT_TEMPLATE, root / "src" / "campusbot" / "bot" / "definition.yaml"
    if not definition.exists():
        return
    try:
        current = is_current(template, definition)
    except DefinitionError as exc:
        raise DeployError(f"the bot definition is invalid: {exc}", "fix definition.yaml") from exc
    if not current:
        raise DeployError(
            f"{fingerprint.BOT_TEMPLATE} is not what definition.yaml renders to",
            "run `platform bot render` (and commit the template)",
        )


def deploy_inputs(ctx: DeployContext) -> DeployInputs:
    settings, options = ctx.settings, ctx.options
    from campusbot.deploy import lex_bot

    template = options.root / fingerprint.BOT_TEMPLATE
    slot_values = lex_bot.slot_type_values(template, settings.seed_random) if template.exists() else {}
    return DeployInputs(
        env=options.env,
        region=settings.region,
        target=options.target,
        image_uri=ctx.state.image_uri,
        artifacts=dict(ctx.state.artifacts),
        slot_type_values=slot_values,
        bot_id=settings.bot_id,
        bot_alias_id=settings.bot_alias_id,
    )


def state_bucket(ctx: DeployContext) -> str:
    if ctx.settings.state_bucket:
        return ctx.settings.state_bucket
    account = ctx.account_id or "<account-id>"
    return backend.state_bucket_name(account, ctx.settings.region)


def stack_backend(ctx: DeployContext, stack: Stack) -> backend.Backend:
    return ctx.target.stack_backend(ctx, stack, state_bucket(ctx))


def var_files(ctx: DeployContext, stack: Stack) -> list[Path]:
    """The environment's tfvars (when there is one), then the CLI's variables (which win)."""
    files = [env_var_file(ctx.options.root, ctx.options.env)]
    return [path for path in files if path.exists()] + [ctx.work_dir / "vars" / f"{stack.name}.tfvars.json"]


def prepare(ctx: DeployContext, stack: Stack, inputs: DeployInputs) -> TerraformStack:
    """Write the overrides and the variables file of `stack`; a TerraformStack ready to init."""
    directory = stack.directory(ctx.options.root)
    if not directory.is_dir():
        raise DeployError(f"stack folder {directory} is missing")
    ctx.target.prepare_stack(ctx, stack, directory)
    backend.write_override(directory, stack_backend(ctx, stack))
    variables_path = ctx.work_dir / "vars" / f"{stack.name}.tfvars.json"
    variables_path.parent.mkdir(parents=True, exist_ok=True)
    variables_path.write_text(
        json.dumps(stack_variables(stack, inputs), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return TerraformStack(
        stack.name,
        directory,
        data_dir=ctx.work_dir / "terraform" / stack.name,
        var_files=var_files(ctx, stack),
        binary=ctx.settings.terraform_bin,
    )


# -- local: python-terraform ------------------------------------------------------------------------


def plan_stack(ctx: DeployContext, tf: TerraformStack, *, destroy: bool = False) -> PlanSummary:
    verb = "planning the destroy of" if destroy else "planning"
    with ctx.reporter.activity(f"{tf.name}: init") as activity:
        tf.init()
        activity.update(f"{tf.name}: {verb} (refreshing)")

        def on_event(event: Event) -> None:
            if event.kind == "refresh" and event.action == "complete":
                activity.advance()
            elif event.kind == "planned":
                activity.update(f"{tf.name}: {event.action} {event.address}")

        return tf.plan(destroy=destroy, on_event=on_event)


def apply_plan(ctx: DeployContext, tf: TerraformStack, plan: PlanSummary) -> None:
    total = plan.add + plan.change + plan.destroy
    verb = "destroying" if plan.destroy_plan else "applying"
    with ctx.reporter.activity(f"{tf.name}: {verb} {plan.counts()}", total=total or None) as activity:

        def on_event(event: Event) -> None:
            if event.kind == "done":
                activity.advance()
                activity.update(f"{tf.name}: {event.action} {event.address}")
            elif event.kind == "start":
                activity.update(f"{tf.name}: {event.action} {event.address} …")
            elif event.kind == "error":
                ctx.reporter.warn(f"{tf.name}: {event.message or event.address + ' failed'}")

        tf.apply(plan, on_event=on_event)


def show_plan(ctx: DeployContext, plan: PlanSummary) -> None:
    changed = [c for c in plan.changes if c.action not in ("noop", "read")]
    for change in changed[:SHOWN_CHANGES]:
        ctx.reporter.info(f"  {_symbol(change.action)} {change.address}")
    if len(changed) > SHOWN_CHANGES:
        ctx.reporter.info(f"  … and {len(changed) - SHOWN_CHANGES} more")


def _symbol(action: str) -> str:
    return {"create": "+", "update": "~", "delete": "-", "replace": "-/+"}.get(action, action)


def apply_local(ctx: DeployContext, stacks: Sequence[Stack], inputs: DeployInputs) -> list[StackOutcome]:
    """init, plan, confirm (aws, unless --yes), apply the saved plan, read the outputs back.

    A stack whose configuration, inputs and state are those of its last apply from this machine is
    skipped (campusbot.deploy.fingerprint), unless --refresh or an earlier stack was applied in this run.
    """
    outcomes = []
    upstream_applied = False
    for stack in stacks:
        tf = prepare(ctx, stack, inputs)
        configuration = fingerprint.configuration_hash(ctx.options.root, tf.directory, tf.var_files)
        where = stack_backend(ctx, stack)
        before = fingerprint.fingerprint(configuration, fingerprint.state_identity(where, lambda: ctx.client("s3")))
        recorded = ctx.state.fingerprints.get(stack.name)
        if not ctx.options.refresh and not upstream_applied and before is not None and before == recorded:
            detail = "unchanged since its last apply (configuration, inputs and state); --refresh plans it"
            recorded_outputs = dict(ctx.state.outputs.get(stack.name, {}))
            outcomes.append(StackOutcome(stack.name, outputs=recorded_outputs, detail=detail))
            continue
        ctx.state.fingerprints.pop(stack.name, None)  # valid again only once this stack has converged
        ctx.state.save()
        try:
            plan = plan_stack(ctx, tf)
            outcome = StackOutcome(stack.name, plan=plan)
            if plan.has_changes:
                ctx.reporter.info(f"{stack.name}: {plan.counts()} (add, change, destroy)")
                show_plan(ctx, plan)
                question = f"apply {plan.counts()} to {stack.name} ({ctx.options.env})?"
                if ctx.target.confirms_apply and not ctx.options.yes and not ctx.reporter.confirm(question):
                    raise DeployError(f"{stack.name}: not applied (declined)", fix="re-run and confirm, or pass --yes")
                apply_plan(ctx, tf, plan)
                outcome.applied = upstream_applied = True
                outcome.detail = f"applied {plan.counts()}"
            else:
                outcome.detail = "no changes"
            outcome.outputs = tf.output()
            outcome.sensitive = tf.sensitive_outputs()
        except TerraformError as exc:
            raise DeployError(str(exc), fix=_terraform_fix(exc)) from exc
        ctx.state.outputs[stack.name] = {k: v for k, v in outcome.outputs.items() if k not in outcome.sensitive}
        after = fingerprint.fingerprint(configuration, fingerprint.state_identity(where, lambda: ctx.client("s3")))
        if after is not None:
            ctx.state.fingerprints[stack.name] = after
        ctx.state.save()
        outcomes.append(outcome)
    return outcomes


def plan_local(ctx: DeployContext, stacks: Sequence[Stack], inputs: DeployInputs) -> list[StackOutcome]:
    """Plan every stack; a stack whose plan fails (e.g. an earlier stack not applied yet) is reported."""
    outcomes = []
    for stack in stacks:
        tf = prepare(ctx, stack, inputs)
        try:
            plan = plan_stack(ctx, tf)
            outcomes.append(StackOutcome(stack.name, plan=plan, detail="changes" if plan.has_changes else "no changes"))
        except TerraformError as exc:
            outcomes.append(StackOutcome(stack.name, detail=f"plan failed: {'; '.join(exc.diagnostics) or exc}"))
    return outcomes


def destroy_local(ctx: DeployContext, stacks: Sequence[Stack], inputs: DeployInputs) -> list[StackOutcome]:
    outcomes = []
    for stack in ordered([s.name for s in stacks], reverse=True):
        tf = prepare(ctx, stack, inputs)
        try:
            plan = plan_stack(ctx, tf, destroy=True)
            if plan.has_changes:
                apply_plan(ctx, tf, plan)
            left = [
                address
                for address in tf.state_resources()
                if not address.startswith("data.") and ".data." not in address
            ]
        except TerraformError as exc:
            raise DeployError(str(exc), fix=_terraform_fix(exc)) from exc
        if left:
            raise DeployError(f"{stack.name}: still in state after destroy: {', '.join(left[:10])}")
        ctx.state.outputs.pop(stack.name, None)
        ctx.state.fingerprints.pop(stack.name, None)
        ctx.state.save()
        outcomes.append(
            StackOutcome(stack.name, plan=plan, applied=plan.has_changes, detail=f"destroyed {plan.destroy}")
        )
    return outcomes


def _terraform_fix(exc: TerraformError) -> str | None:
    text = " ".join(exc.diagnostics) + exc.output
    if "NoSuchBucket" in text or ("S3 bucket" in text and "does not exist" in text):
        return "create the state bucket first: platform bootstrap --env <env>"
    if "ParameterNotFound" in text or "couldn't find resource" in text:
        return "an earlier stack is not applied: deploy them in order (platform deploy)"
    if "No valid credential sources" in text or "ExpiredToken" in text:
        return "refresh your AWS credentials (aws sso login / AWS_PROFILE)"
    if "Failed to query available provider packages" in text or "registry.terraform.io" in text:
        return "terraform cannot reach the registry: check the network or a provider mirror (TF_CLI_CONFIG_FILE)"
    return None


# -- Scalr ---------------------------------------------------------------------------------------------


def stage_configuration(ctx: DeployContext, inputs: DeployInputs, destination: Path) -> Path:
    """A copy of what a Scalr run needs: the Terraform tree with each stack's CLI variables as
    campusbot.auto.tfvars.json (artifact paths relative to the stack), the files the stacks read,
    and the Lambda zips under build/lambda."""
    root = ctx.options.root
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate*", "*_override.tf", ".terraform.lock.hcl", "*.tfplan")
    shutil.copytree(root / "terraform", destination / "terraform", ignore=ignore)
    for relative in SCALR_PATHS[1:3]:
        source = root / relative
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target)
    build = destination / "build" / "lambda"
    build.mkdir(parents=True, exist_ok=True)
    relative_paths = {}
    for name, artifact in inputs.artifacts.items():
        shutil.copy2(artifact.path, build / f"{name}.zip")
        relative_paths[name] = f"../../../build/lambda/{name}.zip"
    staged = replace(inputs, artifact_paths=relative_paths)
    for stack in ordered():
        directory = stack.directory(destination)
        variables = stack_variables(stack, staged)
        # env and region come from the workspace's var file and final environment variables in Scalr
        for key in ("env", "region"):
            variables.pop(key, None)
        (directory / "campusbot.auto.tfvars.json").write_text(json.dumps(variables, indent=2, sort_keys=True) + "\n")
    return destination


def scalr_tarball(ctx: DeployContext, inputs: DeployInputs) -> bytes:
    from campusbot.deploy.scalr import build_configuration_tarball

    with tempfile.TemporaryDirectory(prefix="campusbot-scalr-") as tmp:
        staged = stage_configuration(ctx, inputs, Path(tmp))
        present = [path for path in SCALR_PATHS if (staged / path).exists()]
        return build_configuration_tarball(staged, present)


def check_workspace(stack: Stack, workspace: Any) -> None:
    """The CLI is the only orchestrator of a workspace it runs (scalr/README.md, Why CLI-driven), and
    the stacks need OpenTofu there: Scalr runs Terraform only up to 1.5.7."""
    if workspace.vcs_repo is not None:
        raise DeployError(
            f"{stack.name}: workspace {workspace.name} is bound to {workspace.vcs_repo}: pushes start runs there too",
            fix="remove the VCS binding (scalr/ creates CLI-driven workspaces) so that only this CLI queues runs",
        )
    if workspace.iac_platform != "opentofu":
        raise DeployError(
            f"{stack.name}: workspace {workspace.name} runs {workspace.iac_platform} {workspace.version or ''}".rstrip()
            + ": Scalr offers Terraform only up to 1.5.7 and the stacks need 1.9 or later",
            fix="apply scalr/ (iac_platform opentofu, opentofu_version 1.10+) or switch the workspace to OpenTofu",
        )


def scalr_run(
    ctx: DeployContext,
    client: Any,
    stack: Stack,
    tarball: bytes,
    *,
    destroy: bool = False,
    plan_only: bool = False,
    policy_stage: bool = True,
) -> StackOutcome:
    """One run in the stack's workspace: upload, plan, policy checks, confirm, apply; stop on hard failures.

    ``policy_stage``: the environment has a policy group, so a run is confirmed only once Scalr
    paused it after the policy check (never at ``planned``, before the policies ran)."""
    env = ctx.options.env
    workspace = client.find_workspace(workspace_name(env, stack.name), environment_name(env))
    check_workspace(stack, workspace)
    kind = "destroy" if destroy else "plan" if plan_only else "apply"
    message = f"platform deploy --env {env} --via scalr: {kind} {stack.name}"
    with ctx.reporter.activity(f"{stack.name}: uploading the configuration to {workspace.name}") as activity:
        run = client.start_run(workspace.id, tarball, message=message, plan_only=plan_only, is_destroy=destroy)
        activity.update(f"{stack.name}: run {run.id} {run.status}")
        run = client.wait_for_run(
            run.id,
            policy_stage=policy_stage,
            on_progress=lambda r: activity.update(f"{stack.name}: run {r.id} {r.status}"),
        )
    outcome = StackOutcome(stack.name, detail=f"run {run.id}: {run.status}")
    if run.plan_id:
        summary = client.plan_summary(run)
        outcome.plan = PlanSummary(stack.name, summary.adds, summary.changes, summary.destroys, destroy_plan=destroy)
        ctx.reporter.info(f"{stack.name}: plan {outcome.plan.counts()} (add, change, destroy)")
    checks = client.policy_checks(run.id)
    if checks:
        rows = []
        for check in checks:
            for policy in check.policies or ():
                rows.append((policy.name, policy.enforcement_level, policy.status, "; ".join(policy.messages)[:200]))
            if not check.policies:
                rows.append(("(all)", "", check.status, f"{check.passed} passed, {check.hard_failed} hard failed"))
        ctx.reporter.table(f"policy checks of {stack.name} ({run.id})", ["policy", "level", "result", "messages"], rows)
    if any(check.blocks_apply for check in checks):
        if not run.finished:
            client.discard_run(run.id, "hard-mandatory policy failed")
        raise DeployError(
            f"{stack.name}: a hard-mandatory policy failed in run {run.id}", fix="fix the code the policy names"
        )
    if run.needs_override:
        raise DeployError(
            f"{stack.name}: a soft-mandatory policy failed; run {run.id} waits for an override",
            fix="an approver overrides it in Scalr (or discard the run), then re-run with --from stacks",
        )
    if run.awaits_confirmation(policy_stage=policy_stage):
        has_changes = outcome.plan is None or outcome.plan.has_changes
        if plan_only or not has_changes:
            client.discard_run(run.id, "nothing to apply" if not has_changes else "plan only")
            outcome.detail = f"run {run.id}: no changes" if not has_changes else f"run {run.id}: planned"
            return outcome
        if not ctx.options.yes and not ctx.reporter.confirm(f"confirm run {run.id} on {workspace.name}?"):
            client.discard_run(run.id, "declined at the CLI")
            raise DeployError(f"{stack.name}: run {run.id} discarded (declined)")
        client.apply_run(run.id, "confirmed by platform deploy")
        with ctx.reporter.activity(f"{stack.name}: applying run {run.id}") as activity:
            run = client.wait_for_run(
                run.id,
                policy_stage=policy_stage,
                on_progress=lambda r: activity.update(f"{stack.name}: run {r.id} {r.status}"),
            )
    if not run.succeeded:
        raise DeployError(
            f"{stack.name}: run {run.id} ended {run.status}" + (f": {run.error_message}" if run.error_message else "")
        )
    outcome.applied = run.status == "applied"
    outcome.detail = f"run {run.id}: {run.status}"
    return outcome


def scalr_client(ctx: DeployContext) -> Any:
    if ctx.scalr_factory is not None:
        return ctx.scalr_factory()
    import os

    from campusbot.deploy.scalr import ScalrClient

    missing = [name for name in ("SCALR_HOSTNAME", "SCALR_TOKEN", "SCALR_ACCOUNT_ID") if not os.environ.get(name)]
    if missing:
        raise DeployError(f"--via scalr needs {', '.join(missing)}", fix="export them (scalr/README.md, Use)")
    return ScalrClient(os.environ["SCALR_HOSTNAME"], os.environ["SCALR_TOKEN"], os.environ["SCALR_ACCOUNT_ID"])


def apply_scalr(
    ctx: DeployContext, stacks: Sequence[Stack], inputs: DeployInputs, *, destroy: bool = False, plan_only: bool = False
) -> list[StackOutcome]:
    from campusbot.deploy.scalr import ScalrError

    tarball = scalr_tarball(ctx, inputs)
    ctx.reporter.info(f"configuration: {len(tarball) / 1e6:.1f} MB (stacks, modules, bot definition, Lambda zips)")
    client = scalr_client(ctx)
    try:
        environment = client.find_environment(environment_name(ctx.options.env))
        policy_stage = bool(environment.policy_group_ids)
        if not policy_stage:
            ctx.reporter.warn(f"{environment.name} has no policy group: runs are confirmed after the plan")
        order = ordered([s.name for s in stacks], reverse=destroy)
        return [
            scalr_run(ctx, client, stack, tarball, destroy=destroy, plan_only=plan_only, policy_stage=policy_stage)
            for stack in order
        ]
    except ScalrError as exc:
        raise DeployError(
            f"Scalr: {exc}", fix="check SCALR_HOSTNAME/SCALR_TOKEN and the workspaces (scalr/README.md)"
        ) from exc
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
