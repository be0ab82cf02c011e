"""The deploy pipeline: options, the context every step gets, step results, and the runner that
honours `--from STEP` and `--dry-run`.

Steps (campusbot.deploy.steps) never print: they talk through the `Reporter` (the CLI's is rich on
stderr; tests record). They read and write a small JSON state per target and environment
(`CAMPUSBOT_DATA_DIR/deploy/<target>-<env>/state.json`: image, Lambda artifacts, stack outputs), so
that `--from STEP` resumes with what the earlier steps produced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from campusbot.deploy.stacks import DeployTarget, LambdaArtifact, Via
from campusbot.files import write_atomically
from campusbot.settings import Settings

if TYPE_CHECKING:
    from campusbot.deploy.targets import Target

log = logging.getLogger(__name__)

STEP_NAMES: Final = ("preflight", "image", "lambdas", "stacks", "lex", "migrate", "documents", "web", "smoke")
StepStatus = Literal["done", "unchanged", "skipped", "failed", "planned"]


class Planned(Exception):
    """Raised by `DeployContext.plan` in a dry run: the step stops after describing what it would do."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("planned")
        self.lines = list(lines)


class DeployError(RuntimeError):
    """A step cannot go on; `fix` says what to do about it."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass(frozen=True)
class StepResult:
    name: str
    status: StepStatus
    detail: str


class Activity(Protocol):
    def advance(self, amount: int = 1) -> None: ...

    def update(self, description: str) -> None: ...


class Reporter(Protocol):
    def step(self, number: int, name: str, title: str) -> None: ...

    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def result(self, result: StepResult) -> None: ...

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None: ...

    def confirm(self, question: str) -> bool: ...

    def activity(self, description: str, total: int | None = None) -> AbstractContextManager[Activity]: ...


ClientFactory = Callable[[str], Any]


def repo_root() -> Path:
    """The checkout holding terraform/ (the installed package's, else the current directory)."""
    here = Path(__file__).resolve().parents[3]
    for candidate in (here, Path.cwd()):
        if (candidate / "terraform" / "stacks").is_dir():
            return candidate
    return Path.cwd()


@dataclass(frozen=True)
class DeployOptions:
    env: str
    target: DeployTarget = "aws"
    via: Via = "local"
    dry_run: bool = False
    from_step: str | None = None
    yes: bool = False
    root: Path = field(default_factory=repo_root)
    # plan every stack, even those whose fingerprint matches their last apply (campusbot.deploy.fingerprint)
    refresh: bool = False

    @property
    def samples(self) -> Path:
        return self.root / "samples" / "documents"

    @property
    def conversations(self) -> Path:
        return self.root / "tests" / "e2e" / "conversations"


@dataclass
class DeployState:
    """What earlier steps produced, kept on disk so that --from resumes."""

    path: Path
    image_uri: str | None = None
    image_tag: str | None = None
    artifacts: dict[str, LambdaArtifact] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)
    # stack → fingerprint of its last successful apply (campusbot.deploy.fingerprint)
    fingerprints: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> DeployState:
        state = cls(path=path)
        if not path.exists():
            return state
        raw = json.loads(path.read_text(encoding="utf-8"))
        state.image_uri = raw.get("image_uri")
        state.image_tag = raw.get("image_tag")
        state.artifacts = {
            name: LambdaArtifact(function=name, path=Path(a["path"]), hash=a["hash"], size=int(a.get("size", 0)))
            for name, a in (raw.get("artifacts") or {}).items()
        }
        state.outputs = raw.get("outputs") or {}
        state.steps = raw.get("steps") or {}
        state.fingerprints = raw.get("fingerprints") or {}
        return state

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "image_uri": self.image_uri,
            "image_tag": self.image_tag,
            "artifacts": {
                name: {"path": str(a.path), "hash": a.hash, "size": a.size}
                for name, a in sorted(self.artifacts.items())
            },
            "outputs": self.outputs,
            "steps": self.steps,
            "fingerprints": self.fingerprints,
        }
        write_atomically(self.path, json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


@dataclass
class DeployContext:
    settings: Settings
    options: DeployOptions
    reporter: Reporter
    clients: ClientFactory | None = None
    docker: Any | None = None
    scalr_factory: Callable[[], Any] | None = None
    account_id: str | None = None
    state: DeployState = field(init=False)
    _parameters: dict[str, str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.state = DeployState.load(self.work_dir / "state.json")

    # -- places ------------------------------------------------------------------------------------

    @property
    def deploy_dir(self) -> Path:
        return self.settings.data_dir.resolve() / "deploy"

    @property
    def work_dir(self) -> Path:
        return self.deploy_dir / f"{self.options.target}-{self.options.env}"

    @property
    def lambda_build_dir(self) -> Path:
        return self.deploy_dir / "build" / "lambda"

    @property
    def lambda_cache_dir(self) -> Path:
        return self.deploy_dir / "lambda-cache"

    @property
    def target(self) -> Target:
        from campusbot.deploy.targets import target_for

        return target_for(self.options.target)

    def plan(self, lines: Sequence[str]) -> None:
        """What the step is about to do, in words. A dry run stops here (the runner prints the lines);
        a real run goes on, so a step's description and its action are one piece of code."""
        if self.options.dry_run:
            raise Planned(lines)

    # -- AWS -------------------------------------------------------------------------------------

    def client(self, service: str) -> Any:
        if self.options.dry_run:
            raise DeployError(f"dry run: no {service} calls")
        if self.clients is None:
            self.clients = self.target.clients(self.settings)
        return self.clients(service)

    def parameters(self, *, refresh: bool = False) -> dict[str, str]:
        """The SSM contract: /campusbot/<env>/<key> → value, keyed by <key>."""
        if self._parameters is None or refresh:
            self._parameters = read_parameters(self.client("ssm"), self.options.env)
        return self._parameters

    def parameter(self, key: str) -> str:
        value = self.parameters().get(key)
        if not value:
            raise DeployError(
                f"SSM parameter /campusbot/{self.options.env}/{key} is missing",
                fix="apply the stacks first (platform deploy, or --from stacks)",
            )
        return value


def default_clients(settings: Settings, target: DeployTarget) -> ClientFactory:
    """boto3 clients for the target: the default credential chain, or the LocalStack edge."""
    from campusbot.deploy.targets import target_for

    return target_for(target).clients(settings)


def read_parameters(ssm: Any, env: str) -> dict[str, str]:
    prefix = f"/campusbot/{env}/"
    values: dict[str, str] = {}
    for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=prefix, Recursive=True):
        for parameter in page.get("Parameters", []):
            values[str(parameter["Name"]).removeprefix(prefix)] = str(parameter.get("Value", ""))
    return values


StepFunction = Callable[[DeployContext], StepResult]


@dataclass(frozen=True)
class Step:
    """A step runs as one function: it calls `ctx.plan(lines)` before it changes or asks anything, so a
    dry run prints those lines and stops there; a skip (a StepResult "skipped") is printed as such."""

    name: str
    title: str
    run: StepFunction


def selected(steps: Sequence[Step], from_step: str | None) -> Iterator[tuple[int, Step, bool]]:
    """(number, step, runs) for every step; the steps before --from do not run."""
    names = [step.name for step in steps]
    if from_step is not None and from_step not in names:
        raise DeployError(f"unknown step {from_step!r}", fix=f"--from takes one of: {', '.join(names)}")
    start = names.index(from_step) if from_step else 0
    for index, step in enumerate(steps):
        yield index + 1, step, index >= start


def run_pipeline(ctx: DeployContext, steps: Sequence[Step]) -> list[StepResult]:
    """Run (or, with --dry-run, describe) the steps; stop at the first failure (DeployError)."""
    results: list[StepResult] = []
    for number, step, runs in selected(steps, ctx.options.from_step):
        ctx.reporter.step(number, step.name, step.title)
        if ctx.options.dry_run:
            for line in _described(ctx, step):
                ctx.reporter.info(line)
            result = StepResult(step.name, "planned" if runs else "skipped", step.title if runs else "before --from")
        elif not runs:
            result = StepResult(step.name, "skipped", f"before --from {ctx.options.from_step}")
        else:
            try:
                result = step.run(ctx)
            except DeployError as exc:
                _record_failure(ctx, step, exc, results)
                raise
            except Exception as exc:  # unforeseen: the message here, the traceback with -v
                log.debug("step %s failed", step.name, exc_info=True)
                error = DeployError(f"{step.name}: {type(exc).__name__}: {exc}", fix="re-run with -v for the traceback")
                _record_failure(ctx, step, error, results)
                raise error from exc
            ctx.state.steps[step.name] = result.status
            ctx.state.save()
        if result.status != "planned":
            ctx.reporter.result(result)
        results.append(result)
    return results


def _described(ctx: DeployContext, step: Step) -> list[str]:
    """The lines of a dry run: up to the step's `ctx.plan`, or the reason it skips."""
    try:
        result = step.run(ctx)
    except Planned as planned:
        return planned.lines
    return [f"skipped: {result.detail}"] if result.status == "skipped" else [result.detail]


def _record_failure(ctx: DeployContext, step: Step, error: DeployError, results: list[StepResult]) -> None:
    result = StepResult(step.name, "failed", str(error))
    ctx.reporter.result(result)
    results.append(result)
    ctx.state.steps[step.name] = "failed"
    ctx.state.save()


def public_outputs(outputs: Mapping[str, Any], sensitive: set[str]) -> dict[str, Any]:
    return {name: value for name, value in outputs.items() if name not in sensitive}
