"""Scalr API client: find workspaces, upload configurations, create and follow runs, read their
plans and policy checks, confirm or stop them.

Speaks JSON:API (``application/vnd.api+json``) to ``https://<hostname>/api/iacp/v3`` with a bearer
token; the run actions (apply, discard, cancel) take a plain ``application/json`` comment. Paths,
bodies and statuses follow Scalr's OpenAPI document (``tests/fixtures/scalr/openapi-public.yml``,
checked by ``tests/unit/deploy/test_scalr_contract.py``). A run through the API takes four calls:
create a configuration version (``auto-queue-runs`` false), PUT the tarball to its ``links.upload``
URL, wait until it is ``uploaded``, then create the run against it. :meth:`ScalrClient.start_run`
does the four.

A run is confirmed only once Scalr has paused it for confirmation after its last stage: in an
environment with a policy group that is ``policy_checked`` (``planned`` then only means the plan
finished and the cost estimate and policy checks are still to come).

Requests time out after ``timeout`` seconds. 429 and 5xx answers and transport errors are retried
with exponential backoff (``Retry-After`` is honoured); requests that create something (POST) are
only retried when the server cannot have acted on them (429, 503, no connection). Every failure is a
:class:`ScalrError` carrying the HTTP status and the ``errors[].detail`` texts of the answer.
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import urlsplit

import httpx

JSONAPI: Final = "application/vnd.api+json"
JSON: Final = "application/json"
API_PATH: Final = "/api/iacp/v3/"

# Run statuses (the enum of Scalr's Run schema) after which nothing more happens.
TERMINAL_STATUSES: Final = frozenset({"applied", "planned_and_finished", "errored", "discarded", "canceled"})
SUCCESS_STATUSES: Final = frozenset({"applied", "planned_and_finished"})
# Where a run without auto-apply pauses for confirmation: after its last stage. With a policy group
# linked to the environment the last stage is the policy check, so only `policy_checked` pauses;
# without one, the plan (`planned`), post-plan tasks or the cost estimate may be the last stage.
POLICY_PAUSE_STATUS: Final = "policy_checked"
PLAN_PAUSE_STATUSES: Final = frozenset({"planned", "post_plan_finished", "cost_estimated"})
# A soft-mandatory policy failed: the run waits for an override whatever its auto-apply says.
OVERRIDE_STATUS: Final = "policy_override"
# Policy check statuses that stop an apply (nothing overrides them).
BLOCKING_CHECK_STATUSES: Final = frozenset({"hard_failed", "errored"})

RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
# Answers that mean the server did not act on the request, so even a POST may be sent again.
UNPROCESSED_STATUSES: Final = frozenset({429, 503})

EXCLUDED_DIRS: Final = frozenset({".terraform", ".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
# State, plans, local overrides (backend_override.tf, the LocalStack provider override) and lock
# files made against the local provider mirror stay on the laptop.
EXCLUDED_FILES: Final = (
    "*.tfstate",
    "*.tfstate.*",
    "*.tfplan",
    "override.tf",
    "override.tf.json",
    "*_override.tf",
    "*_override.tf.json",
    ".terraform.lock.hcl",
    "*.pyc",
)


class ScalrError(RuntimeError):
    """A Scalr API call failed. ``details`` are the JSON:API ``errors[].detail`` texts."""

    def __init__(self, message: str, *, status_code: int | None = None, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.details = tuple(details)


class ScalrTimeout(ScalrError):
    """A configuration version or run did not settle in time."""


@dataclass(frozen=True)
class Environment:
    id: str
    name: str
    # Policy groups linked to the environment: when there are any, every run ends with a policy check.
    policy_group_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    environment_id: str
    auto_apply: bool
    working_directory: str
    iac_platform: str = "terraform"
    version: str = ""
    # The repository the workspace is bound to (a push starts runs there); None when CLI-driven.
    vcs_repo: str | None = None


@dataclass(frozen=True)
class ConfigurationVersion:
    id: str
    status: str
    upload_url: str | None
    error_message: str | None = None


@dataclass(frozen=True)
class Run:
    id: str
    status: str
    message: str
    is_dry: bool
    is_destroy: bool
    auto_apply: bool
    workspace_id: str | None
    plan_id: str | None
    apply_id: str | None
    error_message: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status in SUCCESS_STATUSES

    def awaits_confirmation(self, *, policy_stage: bool = True) -> bool:
        """Scalr paused the run for :meth:`ScalrClient.apply_run` (or a discard) after its last stage.

        ``policy_stage``: the environment has a policy group, so the run is not paused before its
        policy check has finished (``planned`` is then only a step on the way to ``policy_checked``).
        """
        if self.auto_apply or self.is_dry:
            return False
        if self.status == POLICY_PAUSE_STATUS:
            return True
        return not policy_stage and self.status in PLAN_PAUSE_STATUSES

    @property
    def needs_override(self) -> bool:
        """A soft-mandatory policy failed; an approver must override it in Scalr, or the run is discarded."""
        return self.status == OVERRIDE_STATUS

    def settled(self, *, policy_stage: bool = True) -> bool:
        """Nothing will change without someone acting: finished, or waiting for a confirmation or override."""
        return self.finished or self.needs_override or self.awaits_confirmation(policy_stage=policy_stage)


@dataclass(frozen=True)
class PlanSummary:
    status: str
    has_changes: bool
    adds: int
    changes: int
    destroys: int


@dataclass(frozen=True)
class PolicyResult:
    """One policy's verdict in a policy check."""

    name: str
    enforcement_level: str
    status: str
    messages: tuple[str, ...]


@dataclass(frozen=True)
class PolicyCheck:
    """The policy check of a run: overall status, counts and the per-policy results."""

    id: str
    status: str
    passed: int
    hard_failed: int
    soft_failed: int
    advisory_failed: int
    policies: tuple[PolicyResult, ...]

    @property
    def blocks_apply(self) -> bool:
        """Hard-mandatory failures and evaluation errors stop the run; nothing overrides them."""
        return self.status in BLOCKING_CHECK_STATUSES


ProgressCallback = Callable[[Run], None]


class ScalrClient:
    """A typed client for the parts of the Scalr API a deploy needs."""

    def __init__(
        self,
        hostname: str,
        token: str,
        account_id: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hostname = hostname.removeprefix("https://").rstrip("/")
        self.account_id = account_id
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.Client(
            base_url=f"https://{self.hostname}{API_PATH}",
            headers={"Authorization": f"Bearer {token}", "Accept": JSONAPI},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- lookups -------------------------------------------------------------------------------

    def find_environment(self, name: str) -> Environment:
        found = self._list("environments", {"filter[name]": name, "filter[account]": self.account_id})
        resource = _single(found, f"environment {name!r}")
        return Environment(
            id=resource["id"],
            name=_attributes(resource).get("name", name),
            policy_group_ids=tuple(_related_ids(resource, "policy-groups")),
        )

    def find_workspace(self, name: str, environment: str) -> Workspace:
        """The workspace ``name`` in ``environment`` (an ``env-…`` id or an environment name)."""
        key = "filter[environment]" if environment.startswith("env-") else "filter[environment][name]"
        found = self._list("workspaces", {"filter[name]": name, key: environment, "filter[account]": self.account_id})
        return _workspace(_single(found, f"workspace {name!r} in environment {environment!r}"))

    # -- configuration versions ----------------------------------------------------------------

    def create_configuration_version(
        self, workspace_id: str, *, auto_queue_runs: bool = False, is_dry: bool = False
    ) -> ConfigurationVersion:
        body = _document(
            "configuration-versions",
            {"auto-queue-runs": auto_queue_runs, "is-dry": is_dry},
            workspace=("workspaces", workspace_id),
        )
        return _configuration_version(self._send("POST", "configuration-versions", body)["data"])

    def get_configuration_version(self, cv_id: str) -> ConfigurationVersion:
        return _configuration_version(self._send("GET", f"configuration-versions/{cv_id}")["data"])

    def upload_configuration(self, upload_url: str, tarball: bytes) -> None:
        """PUT the ``.tar.gz`` to the upload URL; the token goes along only to the Scalr host itself."""
        own_host = urlsplit(upload_url).hostname == self.hostname
        headers = {"Content-Type": "application/octet-stream"}
        self._request("PUT", upload_url, content=tarball, headers=headers, authorized=own_host)

    def wait_for_upload(self, cv_id: str, *, timeout: float = 300.0, interval: float = 1.0) -> ConfigurationVersion:
        """Poll until the configuration version is ``uploaded``; ``errored`` raises with Scalr's message."""
        deadline = self._clock() + timeout
        delays = self._intervals(interval, 5.0)
        while True:
            cv = self.get_configuration_version(cv_id)
            if cv.status == "uploaded":
                return cv
            if cv.status == "errored":
                raise ScalrError(f"configuration version {cv_id} errored: {cv.error_message or 'no reason given'}")
            delay = next(delays)
            if self._clock() + delay > deadline:
                raise ScalrTimeout(f"configuration version {cv_id} still {cv.status} after {timeout:.0f}s")
            self._sleep(delay)

    # -- runs ----------------------------------------------------------------------------------

    def create_run(
        self,
        workspace_id: str,
        *,
        configuration_version_id: str | None,
        message: str,
        plan_only: bool = False,
        is_destroy: bool = False,
    ) -> Run:
        """Queue a run; ``plan_only`` makes it a dry run that ends at ``planned_and_finished``."""
        relationships: dict[str, tuple[str, str]] = {"workspace": ("workspaces", workspace_id)}
        if configuration_version_id is not None:
            relationships["configuration-version"] = ("configuration-versions", configuration_version_id)
        body = _document("runs", {"message": message, "is-dry": plan_only, "is-destroy": is_destroy}, **relationships)
        return _run(self._send("POST", "runs", body)["data"])

    def start_run(
        self,
        workspace_id: str,
        tarball: bytes,
        *,
        message: str,
        plan_only: bool = False,
        is_destroy: bool = False,
        upload_timeout: float = 300.0,
    ) -> Run:
        """Upload ``tarball`` as a new configuration version of the workspace and queue a run on it."""
        cv = self.create_configuration_version(workspace_id, auto_queue_runs=False, is_dry=plan_only)
        if cv.upload_url is None:
            raise ScalrError(f"configuration version {cv.id} came without an upload URL")
        self.upload_configuration(cv.upload_url, tarball)
        self.wait_for_upload(cv.id, timeout=upload_timeout)
        return self.create_run(
            workspace_id, configuration_version_id=cv.id, message=message, plan_only=plan_only, is_destroy=is_destroy
        )

    def get_run(self, run_id: str) -> Run:
        return _run(self._send("GET", f"runs/{run_id}")["data"])

    def wait_for_run(
        self,
        run_id: str,
        *,
        policy_stage: bool = True,
        on_progress: ProgressCallback | None = None,
        timeout: float = 3600.0,
        interval: float = 2.0,
        max_interval: float = 15.0,
    ) -> Run:
        """Poll the run until it is settled (see :meth:`Run.settled`; ``policy_stage`` as there), with
        a growing interval that starts again at ``interval`` whenever the status changes.
        ``on_progress`` sees every new status."""
        deadline = self._clock() + timeout
        last_status: str | None = None
        delays = self._intervals(interval, max_interval)
        while True:
            run = self.get_run(run_id)
            if run.status != last_status:
                last_status = run.status
                delays = self._intervals(interval, max_interval)
                if on_progress is not None:
                    on_progress(run)
            if run.settled(policy_stage=policy_stage):
                return run
            delay = next(delays)
            if self._clock() + delay > deadline:
                raise ScalrTimeout(f"run {run_id} still {run.status} after {timeout:.0f}s")
            self._sleep(delay)

    def apply_run(self, run_id: str, comment: str = "") -> None:
        """Confirm a run Scalr paused for confirmation (:meth:`Run.awaits_confirmation`); 409 otherwise."""
        self._send("POST", f"runs/{run_id}/actions/apply", {"comment": comment}, content_type=JSON)

    def discard_run(self, run_id: str, comment: str = "") -> None:
        """Drop a run that waits for confirmation or an override."""
        self._send("POST", f"runs/{run_id}/actions/discard", {"comment": comment}, content_type=JSON)

    def cancel_run(self, run_id: str, comment: str = "") -> None:
        """Interrupt a run that is planning or applying."""
        self._send("POST", f"runs/{run_id}/actions/cancel", {"comment": comment}, content_type=JSON)

    # -- plans and policy checks -----------------------------------------------------------------

    def plan_summary(self, run: Run) -> PlanSummary:
        if run.plan_id is None:
            raise ScalrError(f"run {run.id} has no plan yet")
        attributes = _attributes(self._send("GET", f"plans/{run.plan_id}")["data"])
        return PlanSummary(
            status=str(attributes.get("status", "")),
            has_changes=bool(attributes.get("has-changes", False)),
            adds=int(attributes.get("resource-additions") or 0),
            changes=int(attributes.get("resource-changes") or 0),
            destroys=int(attributes.get("resource-destructions") or 0),
        )

    def policy_checks(self, run_id: str) -> list[PolicyCheck]:
        return [_policy_check(item) for item in self._send("GET", f"runs/{run_id}/policy-checks").get("data", [])]

    # -- HTTP ------------------------------------------------------------------------------------

    def _list(self, path: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        data = self._send("GET", path, params=params).get("data", [])
        return [item for item in data if isinstance(item, dict)]

    def _send(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
        content_type: str = JSONAPI,
    ) -> dict[str, Any]:
        headers = {"Content-Type": content_type} if body is not None else {}
        response = self._request(method, path, json=body, params=params, headers=headers)
        if not response.content:
            return {}
        payload = response.json()
        if not isinstance(payload, dict):
            raise ScalrError(f"{method} {path}: expected a JSON:API document, got {type(payload).__name__}")
        return payload

    def _request(
        self,
        method: str,
        url: str,
        *,
        json: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        authorized: bool = True,
    ) -> httpx.Response:
        safe_to_repeat = method != "POST"
        attempt = 0
        while True:
            request = self._http.build_request(method, url, json=json, content=content, params=params, headers=headers)
            if not authorized:
                del request.headers["Authorization"]
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if attempt >= self._max_retries or not (safe_to_repeat or unsent):
                    raise ScalrError(f"{method} {request.url.path}: {type(exc).__name__}: {exc}") from exc
                self._sleep(self._delay(attempt, None))
                attempt += 1
                continue
            retryable = response.status_code in RETRY_STATUSES and (
                safe_to_repeat or response.status_code in UNPROCESSED_STATUSES
            )
            if retryable and attempt < self._max_retries:
                self._sleep(self._delay(attempt, response))
                attempt += 1
                continue
            if response.is_error:
                raise _error(method, request.url.path, response)
            return response

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after is not None and retry_after.strip().isdigit():
            return min(float(retry_after), self._max_backoff)
        return float(min(self._backoff * 2**attempt, self._max_backoff))

    @staticmethod
    def _intervals(start: float, ceiling: float) -> Iterator[float]:
        delay = start
        while True:
            yield delay
            delay = min(delay * 1.5, ceiling)


# -- configuration tarball -------------------------------------------------------------------------


def build_configuration_tarball(root: Path, paths: Iterable[str]) -> bytes:
    """A reproducible ``.tar.gz`` of ``paths`` (files or folders, relative to ``root``).

    The same files give the same bytes: entries sorted, times and owners zeroed, modes reduced to
    0644/0755, no gzip timestamp. State, plans, ``*_override.tf``, lock files and tool caches are
    left out (see ``EXCLUDED_FILES``). The archive keeps the repository layout, so a workspace
    whose working directory is ``terraform/stacks/<layer>`` finds ``../../modules`` beside it.
    """
    root = root.resolve()
    files = sorted({file for path in paths for file in _files_under(root, path)})
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.GNU_FORMAT) as tar,
    ):
        for relative in files:
            source = root / relative
            data = source.read_bytes()
            info = tarfile.TarInfo(relative.as_posix())
            info.size = len(data)
            info.mode = 0o755 if source.stat().st_mode & 0o111 else 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _files_under(root: Path, path: str) -> Iterator[PurePosixPath]:
    target = (root / path).resolve()
    if not target.is_relative_to(root):
        raise ValueError(f"{path} is outside {root}")
    if not target.exists():
        raise FileNotFoundError(f"{path} does not exist under {root}")
    candidates = [target] if target.is_file() else sorted(target.rglob("*"))
    for candidate in candidates:
        relative = PurePosixPath(candidate.relative_to(root).as_posix())
        if candidate.is_file() and not candidate.is_symlink() and not _excluded(relative):
            yield relative


def _excluded(relative: PurePosixPath) -> bool:
    if any(part in EXCLUDED_DIRS for part in relative.parts[:-1]):
        return True
    return any(fnmatch.fnmatchcase(relative.name, pattern) for pattern in EXCLUDED_FILES)


# -- JSON:API --------------------------------------------------------------------------------------


def _document(kind: str, attributes: Mapping[str, Any], **relationships: tuple[str, str]) -> dict[str, Any]:
    """``{"data": {"type", "attributes", "relationships"}}``; relationships map to (type, id)."""
    data: dict[str, Any] = {"type": kind, "attributes": dict(attributes)}
    if relationships:
        data["relationships"] = {
            name: {"data": {"type": rel_type, "id": rel_id}} for name, (rel_type, rel_id) in relationships.items()
        }
    return {"data": data}


def _attributes(resource: Mapping[str, Any]) -> dict[str, Any]:
    attributes = resource.get("attributes")
    return attributes if isinstance(attributes, dict) else {}


def _related_id(resource: Mapping[str, Any], name: str) -> str | None:
    relationship = (resource.get("relationships") or {}).get(name) or {}
    data = relationship.get("data") if isinstance(relationship, dict) else None
    return str(data["id"]) if isinstance(data, dict) and "id" in data else None


def _related_ids(resource: Mapping[str, Any], name: str) -> list[str]:
    relationship = (resource.get("relationships") or {}).get(name) or {}
    data = relationship.get("data") if isinstance(relationship, dict) else None
    return [str(item["id"]) for item in data or [] if isinstance(item, dict) and "id" in item]


def _single(found: list[dict[str, Any]], what: str) -> dict[str, Any]:
    if not found:
        raise ScalrError(f"{what} not found")
    if len(found) > 1:
        raise ScalrError(f"{what} is ambiguous: {', '.join(str(item.get('id')) for item in found)}")
    return found[0]


def _workspace(resource: Mapping[str, Any]) -> Workspace:
    attributes = _attributes(resource)
    vcs_repo = attributes.get("vcs-repo")
    return Workspace(
        id=str(resource["id"]),
        name=str(attributes.get("name", "")),
        environment_id=_related_id(resource, "environment") or "",
        auto_apply=bool(attributes.get("auto-apply", False)),
        working_directory=str(attributes.get("working-directory") or ""),
        iac_platform=str(attributes.get("iac-platform") or "terraform"),
        version=str(attributes.get("terraform-version") or ""),
        vcs_repo=str(vcs_repo.get("identifier") or "?") if isinstance(vcs_repo, dict) else None,
    )


def _configuration_version(resource: Mapping[str, Any]) -> ConfigurationVersion:
    """The upload URL is ``links.upload``, in the answer to the create call only."""
    attributes = _attributes(resource)
    links = resource.get("links")
    upload_url = links.get("upload") if isinstance(links, dict) else None
    return ConfigurationVersion(
        id=str(resource["id"]),
        status=str(attributes.get("status", "")),
        upload_url=str(upload_url) if upload_url else None,
        error_message=attributes.get("error-message"),
    )


def _run(resource: Mapping[str, Any]) -> Run:
    attributes = _attributes(resource)
    return Run(
        id=str(resource["id"]),
        status=str(attributes.get("status", "")),
        message=str(attributes.get("message") or ""),
        is_dry=bool(attributes.get("is-dry", False)),
        is_destroy=bool(attributes.get("is-destroy", False)),
        auto_apply=bool(attributes.get("auto-apply", False)),
        workspace_id=_related_id(resource, "workspace"),
        plan_id=_related_id(resource, "plan"),
        apply_id=_related_id(resource, "apply"),
        error_message=attributes.get("error-message"),
    )


def _policy_check(resource: Mapping[str, Any]) -> PolicyCheck:
    attributes = _attributes(resource)
    result = attributes.get("result")
    if not isinstance(result, dict):
        result = {}
    policies = [entry for entry in result.get("policies") or [] if isinstance(entry, dict)]
    return PolicyCheck(
        id=str(resource["id"]),
        status=str(attributes.get("status", "")),
        passed=int(result.get("passed") or 0),
        hard_failed=int(result.get("hard-failed") or 0),
        soft_failed=int(result.get("soft-failed") or 0),
        advisory_failed=int(result.get("advisory-failed") or 0),
        policies=tuple(_policy_result(entry) for entry in policies),
    )


# A policy's result names the enforcement level it failed at (Scalr's `result.policies[].result`).
FAILED_LEVELS: Final = {
    "hard_failed": "hard-mandatory",
    "soft_failed": "soft-mandatory",
    "advisory_failed": "advisory",
}


def _policy_result(entry: Mapping[str, Any]) -> PolicyResult:
    """One entry of ``result.policies``: ``name``, ``result`` (passed | hard_failed | soft_failed |
    advisory_failed) and the policy's ``messages``."""
    result = str(entry.get("result") or "")
    messages = entry.get("messages") or []
    return PolicyResult(
        name=str(entry.get("name") or ""),
        enforcement_level=FAILED_LEVELS.get(result, ""),
        status=result,
        messages=tuple(str(m) for m in messages) if isinstance(messages, list) else (str(messages),),
    )


def _error(method: str, path: str, response: httpx.Response) -> ScalrError:
    details = _error_details(response)
    reason = "; ".join(details) if details else (response.reason_phrase or "no details")
    return ScalrError(
        f"{method} {path}: HTTP {response.status_code}: {reason}",
        status_code=response.status_code,
        details=details,
    )


def _error_details(response: httpx.Response) -> list[str]:
    try:
        payload = response.json()
    except ValueError:
        text = response.text.strip()
        return [text[:500]] if text else []
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return []
    texts = (error.get("detail") or error.get("title") for error in errors if isinstance(error, dict))
    return [str(text) for text in texts if text]
