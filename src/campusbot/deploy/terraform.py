"""Terraform for one stack, through python-terraform: init with the backend override, plan with a
parsed summary, apply of the saved plan, outputs, destroy — with progress events.

python-terraform builds every command line (`Terraform.generate_cmd_string`: its option
conventions, `-var-file` lists, flags). The commands themselves run here rather than through
`Terraform.cmd`, because the deploy needs what python-terraform 0.10 cannot give: a per-stack
environment (TF_DATA_DIR keeps each target/env's `.terraform` apart), line-by-line streaming of
Terraform's machine-readable UI (`-json`) for progress, and a destroy without the `-force` flag that
Terraform >= 0.15 rejects (a destroy here is `plan -destroy` + `apply` of that plan).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from python_terraform import IsFlagged, Terraform

PLAN_FILE: Final = "campusbot.tfplan"
LOCK_TIMEOUT: Final = "300s"

EventKind = Literal["refresh", "planned", "start", "progress", "done", "error", "diagnostic", "summary", "message"]


@dataclass(frozen=True)
class Event:
    """One line of Terraform's machine-readable UI, reduced to what progress reporting needs."""

    kind: EventKind
    address: str = ""
    action: str = ""
    message: str = ""


EventCallback = Callable[[Event], None]


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries Terraform's error diagnostics."""

    def __init__(self, stack: str, command: str, returncode: int, diagnostics: Sequence[str], output: str = "") -> None:
        detail = "; ".join(diagnostics) if diagnostics else _tail(output)
        super().__init__(f"{stack}: terraform {command} failed (exit {returncode}): {detail}")
        self.stack = stack
        self.command = command
        self.returncode = returncode
        self.diagnostics = tuple(diagnostics)
        self.output = output


@dataclass(frozen=True)
class ResourceChange:
    address: str
    action: str  # create | update | delete | replace | read | noop | move | import


@dataclass(frozen=True)
class PlanSummary:
    stack: str
    add: int
    change: int
    destroy: int
    changes: tuple[ResourceChange, ...] = ()
    plan_file: Path | None = None
    destroy_plan: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.change or self.destroy)

    def counts(self) -> str:
        return f"+{self.add} ~{self.change} -{self.destroy}"


@dataclass(frozen=True)
class ApplySummary:
    stack: str
    add: int
    change: int
    destroy: int
    seconds: float


@dataclass
class _Result:
    returncode: int
    lines: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    changes: list[ResourceChange] = field(default_factory=list)


def terraform_version(binary: str = "terraform") -> tuple[int, int, int] | None:
    """The version of the binary (terraform or tofu), or None when it cannot run."""
    try:
        result = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    try:
        text = json.loads(result.stdout).get("terraform_version", "")
    except ValueError:
        return None
    numbers = [int(part) for part in text.split("-")[0].split(".")[:3] if part.isdigit()]
    major, minor, patch = [*numbers, 0, 0, 0][:3]
    return major, minor, patch


class TerraformStack:
    """One root module (a stack directory) with its own data dir, var files and environment."""

    def __init__(
        self,
        name: str,
        directory: Path,
        *,
        data_dir: Path,
        var_files: Sequence[Path] = (),
        binary: str = "terraform",
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.directory = directory
        self.data_dir = data_dir
        self.var_files = tuple(var_files)
        self._tf = Terraform(working_dir=str(directory), terraform_bin_path=binary)
        self._env = dict(env or {})

    # -- commands ----------------------------------------------------------------------------

    def init(self) -> None:
        """`terraform init -reconfigure`: providers, modules and the backend of backend_override.tf."""
        argv = self._tf.generate_cmd_string("init", input=False, reconfigure=IsFlagged, no_color=IsFlagged)
        result = self._run(argv, json_ui=False)
        if result.returncode != 0:
            raise TerraformError(
                self.name, "init", result.returncode, _error_lines(result.lines), "\n".join(result.lines)
            )

    def plan(self, *, destroy: bool = False, on_event: EventCallback | None = None) -> PlanSummary:
        """Plan into campusbot.tfplan in the data dir; the summary counts adds, changes and destroys."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        plan_file = self.data_dir / PLAN_FILE
        argv = self._tf.generate_cmd_string(
            "plan",
            json=IsFlagged,
            input=False,
            lock_timeout=LOCK_TIMEOUT,
            detailed_exitcode=IsFlagged,
            destroy=IsFlagged if destroy else None,
            var_file=[str(path) for path in self.var_files],
            out=str(plan_file),
        )
        result = self._run(argv, on_event=on_event)
        if result.returncode not in (0, 2):
            raise TerraformError(self.name, "plan", result.returncode, result.diagnostics, "\n".join(result.lines))
        counts = result.summary
        return PlanSummary(
            stack=self.name,
            add=counts.get("add", 0),
            change=counts.get("change", 0),
            destroy=counts.get("remove", 0),
            changes=tuple(result.changes),
            plan_file=plan_file,
            destroy_plan=destroy,
        )

    def apply(self, plan: PlanSummary, *, on_event: EventCallback | None = None) -> ApplySummary:
        """Apply the saved plan (never a fresh one: what was shown is what is applied)."""
        if plan.plan_file is None:
            raise ValueError(f"{self.name}: the plan was not saved")
        started = time.monotonic()
        argv = [
            *self._tf.generate_cmd_string(
                "apply", json=IsFlagged, input=False, lock_timeout=LOCK_TIMEOUT, auto_approve=IsFlagged
            ),
            str(plan.plan_file),
        ]
        result = self._run(argv, on_event=on_event)
        command = "destroy" if plan.destroy_plan else "apply"
        if result.returncode != 0:
            raise TerraformError(self.name, command, result.returncode, result.diagnostics, "\n".join(result.lines))
        plan.plan_file.unlink(missing_ok=True)
        counts = result.summary
        return ApplySummary(
            stack=self.name,
            add=counts.get("add", 0),
            change=counts.get("change", 0),
            destroy=counts.get("remove", 0),
            seconds=time.monotonic() - started,
        )

    def output(self) -> dict[str, Any]:
        """Every output's value (sensitive ones included: callers decide what to show)."""
        return {name: entry.get("value") for name, entry in self._outputs().items()}

    def sensitive_outputs(self) -> set[str]:
        return {name for name, entry in self._outputs().items() if entry.get("sensitive")}

    def _outputs(self) -> dict[str, dict[str, Any]]:
        argv = self._tf.generate_cmd_string("output", json=IsFlagged, no_color=IsFlagged)
        result = self._run(argv, json_ui=False)
        if result.returncode != 0:
            raise TerraformError(
                self.name, "output", result.returncode, _error_lines(result.lines), "\n".join(result.lines)
            )
        text = "\n".join(line for line in result.lines if not line.startswith("Warning"))
        try:
            raw = json.loads(text or "{}")
        except ValueError as exc:
            raise TerraformError(self.name, "output", 0, [f"not JSON: {exc}"], text) from exc
        return {name: entry for name, entry in raw.items() if isinstance(entry, dict)}

    def state_resources(self) -> list[str]:
        """Addresses in the state (`terraform state list`); empty when there is no state yet."""
        argv = self._tf.generate_cmd_string("state list")
        result = self._run(argv, json_ui=False)
        if result.returncode != 0:
            return []
        return [line.strip() for line in result.lines if line.strip()]

    # -- process -----------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",  # no version check against checkpoint-api.hashicorp.com
                "TF_DATA_DIR": str(self.data_dir / ".terraform"),
            }
        )
        env.update(self._env)
        return env

    def _run(self, argv: list[str], *, json_ui: bool = True, on_event: EventCallback | None = None) -> _Result:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            argv,
            cwd=self.directory,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        result = _Result(returncode=0)
        assert process.stdout is not None
        for line in _lines(process.stdout):
            result.lines.append(line)
            if not json_ui:
                continue
            event = _parse(line, result)
            if event is not None and on_event is not None:
                on_event(event)
        result.returncode = process.wait()
        return result


def _lines(stream: Any) -> Iterator[str]:
    for raw in stream:
        yield raw.rstrip("\n")


def _parse(line: str, result: _Result) -> Event | None:
    """Turn one `-json` UI line into an Event, recording summaries, planned changes and errors."""
    try:
        message = json.loads(line)
    except ValueError:
        return Event("message", message=line) if line.strip() else None
    if not isinstance(message, dict):
        return None
    kind = message.get("type")
    hook = message.get("hook") or {}
    address = str((hook.get("resource") or {}).get("addr", ""))
    if kind == "diagnostic":
        diagnostic = message.get("diagnostic") or {}
        text = str(diagnostic.get("summary", ""))
        if diagnostic.get("detail"):
            text += f": {diagnostic['detail']}"
        if diagnostic.get("severity") == "error":
            where = (diagnostic.get("range") or {}).get("filename")
            result.diagnostics.append(f"{text} ({where})" if where else text)
        return Event(
            "diagnostic",
            address=str(diagnostic.get("address", "")),
            action=str(diagnostic.get("severity", "")),
            message=text,
        )
    if kind == "change_summary":
        changes = message.get("changes") or {}
        result.summary = {key: int(changes.get(key, 0)) for key in ("add", "change", "remove", "import")}
        return Event("summary", action=str(changes.get("operation", "")), message=str(message.get("@message", "")))
    if kind == "planned_change":
        change = message.get("change") or {}
        resource_address = str((change.get("resource") or {}).get("addr", ""))
        action = str(change.get("action", ""))
        result.changes.append(ResourceChange(resource_address, action))
        return Event("planned", address=resource_address, action=action)
    if kind in ("refresh_start", "refresh_complete"):
        return Event("refresh", address=address, action=kind.removeprefix("refresh_"))
    if kind == "apply_start":
        return Event("start", address=address, action=str(hook.get("action", "")))
    if kind == "apply_progress":
        return Event(
            "progress",
            address=address,
            action=str(hook.get("action", "")),
            message=str(hook.get("elapsed_seconds", "")),
        )
    if kind == "apply_complete":
        return Event("done", address=address, action=str(hook.get("action", "")))
    if kind == "apply_errored":
        return Event(
            "error", address=address, action=str(hook.get("action", "")), message=str(message.get("@message", ""))
        )
    return None


def _error_lines(lines: Sequence[str]) -> list[str]:
    """The `Error: …` lines of a plain (non -json) command, with the line after each."""
    found = []
    for index, line in enumerate(lines):
        stripped = line.strip().lstrip("│╷╵ ").strip()
        if stripped.startswith("Error:"):
            following = next(
                (
                    rest.strip().lstrip("│ ").strip()
                    for rest in lines[index + 1 : index + 4]
                    if rest.strip().lstrip("│ ").strip()
                ),
                "",
            )
            found.append(f"{stripped} {following}".strip())
    return found


def _tail(output: str, lines: int = 15) -> str:
    kept = [line for line in output.splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "no output"
