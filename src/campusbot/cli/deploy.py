"""`platform deploy`, `plan`, `destroy`, `bootstrap`: the stacks on AWS (laptop or Scalr) or LocalStack.

Only typer at import time; the deploy machinery (campusbot.deploy) loads when a command runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer

if TYPE_CHECKING:
    from campusbot.deploy.pipeline import DeployContext, DeployOptions, StepResult

TargetOption = Annotated[
    Literal["aws", "localstack"], typer.Option("--target", help="aws, or localstack (CAMPUSBOT_LOCALSTACK_URL)")
]
ViaOption = Annotated[Literal["local", "scalr"], typer.Option("--via", help="local terraform, or runs in Scalr")]
EnvOption = Annotated[str, typer.Option("--env", help="environment: terraform/environments/<env>.tfvars")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")]
RootOption = Annotated[Path | None, typer.Option("--root", hidden=True, help="checkout holding terraform/")]
StepName = Literal["preflight", "image", "lambdas", "stacks", "lex", "migrate", "documents", "web", "smoke"]

RESULT_STYLE = {
    "done": "[green]done[/]",
    "unchanged": "[green]unchanged[/]",
    "skipped": "[dim]skipped[/]",
    "failed": "[red]failed[/]",
    "planned": "[cyan]planned[/]",
}


class _Activity:
    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task, amount)

    def update(self, description: str) -> None:
        self._progress.update(self._task, description=description)


class ConsoleReporter:
    """Progress and step tables on stderr (rich); stdout stays for the final summary."""

    def __init__(self, *, total_steps: int = 9, interactive: bool = True) -> None:
        self.total_steps = total_steps
        self.interactive = interactive

    def step(self, number: int, name: str, title: str) -> None:
        from campusbot.cli.console import err

        err.rule(f"[bold]{number}/{self.total_steps} {name}[/] · {title}", align="left", style="dim")

    def info(self, message: str) -> None:
        from campusbot.cli.console import info

        info(message)

    def warn(self, message: str) -> None:
        from campusbot.cli.console import warn

        warn(message)

    def result(self, result: StepResult) -> None:
        from campusbot.cli.console import err

        err.print(f"{RESULT_STYLE[result.status]} {result.detail}", highlight=False)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        from rich.table import Table

        from campusbot.cli.console import err

        grid = Table(title=title, title_justify="left", header_style="bold")
        for column in columns:
            grid.add_column(column, overflow="fold")
        for row in rows:
            grid.add_row(*("" if cell is None else str(cell) for cell in row))
        err.print(grid)

    def confirm(self, question: str) -> bool:
        import sys

        if not self.interactive or not sys.stdin.isatty():
            from campusbot.cli.console import warn

            warn(f"{question} — no terminal to ask: pass --yes")
            return False
        return typer.confirm(question, default=False, err=True)

    @contextmanager
    def activity(self, description: str, total: int | None = None) -> Iterator[_Activity]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from campusbot.cli.console import err

        columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
        if total:
            columns += [BarColumn(), MofNCompleteColumn()]
        columns.append(TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            yield _Activity(progress, progress.add_task(description, total=total))


def _context(options: DeployOptions) -> DeployContext:
    from campusbot.deploy.pipeline import DeployContext
    from campusbot.settings import get_settings

    return DeployContext(settings=get_settings(), options=options, reporter=ConsoleReporter())


def _options(env: str, target: str, via: str, root: Path | None, **extra: Any) -> DeployOptions:
    from campusbot.cli.console import abort
    from campusbot.deploy.pipeline import DeployOptions, repo_root

    if target == "localstack" and via == "scalr":
        abort("--target localstack runs terraform here: use --via local")
    options = DeployOptions(env=env, target=target, via=via, root=(root or repo_root()).resolve(), **extra)  # type: ignore[arg-type]
    if not (options.root / "terraform" / "stacks").is_dir():
        abort(f"no terraform/stacks under {options.root}: run from the campusbot checkout")
    return options


def _fail(exc: Exception) -> NoReturn:
    from campusbot.cli.console import abort

    fix = getattr(exc, "fix", None)
    abort(f"{exc}" + (f"\n  fix: {fix}" if fix else ""))


def deploy(
    env: EnvOption = "dev",
    via: ViaOption = "local",
    target: TargetOption = "aws",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print every step with resolved names; no calls")] = False,
    from_step: Annotated[StepName | None, typer.Option("--from", help="resume at this step")] = None,
    yes: YesOption = False,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="plan every stack, also those unchanged since their last apply from here (finds outside drift)",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the step results as JSON")] = False,
    root: RootOption = None,
) -> None:
    """Deploy campusbot: preflight, image, Lambda zips, stacks, Lex, migrations + seed, documents, web, smoke.

    Every step can be re-run: a stack whose configuration, variables and Terraform state are those of
    its last apply from this machine is skipped without a plan (--refresh plans it anyway).

    Examples:

        platform deploy --env dev --dry-run           # the plan of steps, no credentials needed

        platform deploy --env dev                      # laptop: terraform with an S3 backend

        platform deploy --env dev --via scalr          # runs in the Scalr workspaces, policies enforced

        platform deploy --env dev --target localstack  # against LocalStack (or moto) on :4566

        platform deploy --env dev --from stacks        # resume after a failure

        platform deploy --env dev --refresh            # plan every stack again (drift made outside Terraform)
    """
    from campusbot.cli.console import emit_json, success, table
    from campusbot.deploy.pipeline import DeployError, run_pipeline
    from campusbot.deploy.steps import STEPS

    options = _options(env, target, via, root, dry_run=dry_run, from_step=from_step, yes=yes, refresh=refresh)
    ctx = _context(options)
    if dry_run:
        _dry_run_header(ctx)
    try:
        results = run_pipeline(ctx, STEPS)
    except DeployError as exc:
        _fail(exc)
    if as_json:
        emit_json([{"step": r.name, "status": r.status, "detail": r.detail} for r in results])
    else:
        title = f"deploy {env}: {target} via {via}" + (" (dry run)" if dry_run else "")
        table(title, ["step", "result", "detail"], [(r.name, RESULT_STYLE[r.status], r.detail) for r in results])
    if not dry_run:
        success(f"{env} deployed ({target} via {via})")


def _dry_run_header(ctx: DeployContext) -> None:
    options = ctx.options
    ctx.reporter.info(
        f"dry run: {options.env} → {options.target} via {options.via}; state in {ctx.work_dir} "
        "(nothing is called or written)"
    )
    ctx.target.explain(ctx, ctx.reporter)


def plan(
    env: EnvOption = "dev",
    via: ViaOption = "local",
    target: TargetOption = "aws",
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    root: RootOption = None,
) -> None:
    """Plan every stack and print a summary table of adds, changes and destroys (nothing is applied).

    \b
    Examples:
      platform plan --env dev                  every stack's adds, changes, destroys
      platform plan --env prod --via scalr     plan-only runs in the Scalr workspaces
      platform plan --env dev --json           the summary and each changed address as JSON
    """
    from campusbot.cli.console import emit_json, table
    from campusbot.deploy import stackrun
    from campusbot.deploy.inputs import stack_inputs
    from campusbot.deploy.pipeline import DeployError
    from campusbot.deploy.stacks import ordered

    ctx = _context(_options(env, target, via, root, yes=True))
    try:
        stackrun.require_current_bot_template(ctx.options.root)
        inputs = stack_inputs(ctx)
        if via == "scalr":
            outcomes = stackrun.apply_scalr(ctx, ordered(), inputs, plan_only=True)
        else:
            outcomes = stackrun.plan_local(ctx, ordered(), inputs)
    except DeployError as exc:
        _fail(exc)
    rows = [
        (
            o.stack,
            o.plan.add if o.plan else "",
            o.plan.change if o.plan else "",
            o.plan.destroy if o.plan else "",
            o.detail,
        )
        for o in outcomes
    ]
    if as_json:
        emit_json(
            [
                {
                    **dict(zip(("stack", "add", "change", "destroy", "detail"), row, strict=True)),
                    "changes": [
                        {"address": c.address, "action": c.action}
                        for c in (o.plan.changes if o.plan else ())
                        if c.action not in ("noop", "read")
                    ],
                }
                for row, o in zip(rows, outcomes, strict=True)
            ]
        )
    else:
        for outcome in outcomes:
            if outcome.plan and outcome.plan.has_changes:
                ctx.reporter.info(f"{outcome.stack}: {outcome.plan.counts()} (add, change, destroy)")
                stackrun.show_plan(ctx, outcome.plan)
        table(f"plan {env}: {target} via {via}", ["stack", "add", "change", "destroy", "detail"], rows)


def destroy(
    env: EnvOption = "dev",
    via: ViaOption = "local",
    target: TargetOption = "aws",
    yes: YesOption = False,
    root: RootOption = None,
) -> None:
    """Destroy every stack in reverse order (analytics → foundation), after a confirmation.

    The Terraform state bucket stays (`platform bootstrap` made it; delete it by hand when the account is done).

    \b
    Examples:
      platform destroy --env dev                       asks first
      platform destroy --env dev --yes                 for scripts
      platform destroy --env dev --target localstack   the LocalStack (or moto) loop
    """
    from campusbot.cli.console import abort, success, table
    from campusbot.deploy import stackrun
    from campusbot.deploy.inputs import stack_inputs
    from campusbot.deploy.pipeline import DeployError
    from campusbot.deploy.stacks import ordered

    ctx = _context(_options(env, target, via, root, yes=yes))
    names = ", ".join(stack.name for stack in ordered(reverse=True))
    if not yes and not ctx.reporter.confirm(f"destroy {names} of {env} ({target} via {via})? Data is lost"):
        abort("nothing destroyed")
    try:
        inputs = stack_inputs(ctx)
        if via == "scalr":
            outcomes = stackrun.apply_scalr(ctx, ordered(), inputs, destroy=True)
        else:
            outcomes = stackrun.destroy_local(ctx, ordered(), inputs)
    except DeployError as exc:
        _fail(exc)
    table(f"destroy {env}: {target} via {via}", ["stack", "result"], [(o.stack, o.detail) for o in outcomes])
    success(f"{env} destroyed ({target})")


def bootstrap(
    env: EnvOption = "dev",
    root: RootOption = None,
) -> None:
    """Create (or converge) the Terraform state bucket: versioned, SSE-KMS, public access blocked, TLS only.

    The bucket is campusbot-tfstate-<account>-<region> (CAMPUSBOT_STATE_BUCKET names another); run it once
    per account and region before the first `platform deploy` from a laptop.

    \b
    Example:
      platform bootstrap --env dev
    """
    from campusbot.cli.console import info, success
    from campusbot.deploy.steps import bootstrap_state

    ctx = _context(_options(env, "aws", "local", root))
    try:
        report = bootstrap_state(ctx)
    except Exception as exc:  # credentials, permissions: the message says which
        _fail(exc)
    if report.created:
        success(f"created s3://{report.bucket} (versioned, SSE-KMS, private, TLS only)")
    elif report.changed:
        success(f"s3://{report.bucket}: set {', '.join(report.changed)}")
    else:
        success(f"s3://{report.bucket} is already set up: nothing changed")
    info(f"state keys: campusbot/{env}/<stack>.tfstate, locked with S3 lockfiles")


def show_deployed_status(env: str, target: str, as_json: bool) -> None:
    """`platform status --env ENV`: per stack deployed or not with its outputs (SSM), the chat health."""
    from campusbot.cli.console import abort, emit_json, info, table, warn
    from campusbot.deploy.status import deployed_status
    from campusbot.settings import get_settings

    report = deployed_status(get_settings(), env, target)  # type: ignore[arg-type]
    if as_json:
        emit_json(report)
    else:
        info(f"{env} on {report['endpoint']}")
        if report["stacks"]:
            table(
                f"stacks of {env}",
                ["stack", "deployed", "outputs"],
                [
                    (
                        stack["name"],
                        "yes" if stack["deployed"] else "no",
                        "\n".join(f"{key} = {value}" for key, value in stack["outputs"].items()) or "-",
                    )
                    for stack in report["stacks"]
                ],
            )
        for check in report["health"]:
            state = "ok" if check["ok"] else "FAILING"
            timing = f"{check['status']}, {check['latency_ms']} ms"
            info(f"{check['name']} {check['url']}: {state} ({timing}) {check['detail']}")
        steps = report["local_state"].get("steps") or {}
        if steps:
            table("last deploy from this machine", ["step", "result"], list(steps.items()))
    if report["error"]:
        if not as_json:
            warn(report["error"])
        abort(f"cannot tell the state of {env}: {report['error']}", 3)
    if not any(stack["deployed"] for stack in report["stacks"]):
        abort(f"nothing of {env} is deployed on {report['endpoint']}", 3)


def package(
    as_json: Annotated[bool, typer.Option("--json", help="print the artifacts as JSON")] = False,
    root: RootOption = None,
) -> None:
    """Build the Lambda zips (reproducible, manylinux wheels) and compute the API image tag; deploy nothing.

    The same sources give the same bytes, so an unchanged zip keeps its source_code_hash in Terraform.
    """
    from campusbot.cli.console import emit_json, table
    from campusbot.deploy import image as images
    from campusbot.deploy import lambda_package as packaging

    ctx = _context(_options("dev", "aws", "local", root))
    try:
        try:
            ca_bundle: Path | None = packaging.rds_ca_bundle(ctx.lambda_cache_dir)
        except packaging.PackagingError as exc:  # `platform deploy` needs it and says so; a look at the zips does not
            ca_bundle = None
            ctx.reporter.warn(f"the vectorizer zip is built without the RDS CA bundle: {exc}")
        with ctx.reporter.activity("packaging Lambdas (cached)"):
            artifacts = packaging.build_all(
                ctx.options.root / "src", ctx.lambda_build_dir, ctx.lambda_cache_dir, ca_bundle=ca_bundle
            )
    except Exception as exc:  # a pip or import-check failure: its message says which
        _fail(exc)
    tag = images.image_tag(ctx.options.root)
    rows = [(a.function, a.size, a.hash, str(a.path)) for a in artifacts.values()]
    if as_json:
        lambdas = [{"function": f, "size": size, "hash": h, "path": path} for f, size, h, path in rows]
        emit_json({"image_tag": tag, "lambdas": lambdas})
    else:
        table(f"Lambda zips (API image tag {tag})", ["function", "bytes", "source_code_hash", "zip"], rows)
