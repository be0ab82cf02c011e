"""docker/api.Dockerfile and docker/compose.yaml, read as files (no Docker daemon or compose plugin here:
`docker compose config` cannot run on this machine, so the compose model is checked with PyYAML)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
DOCKERFILE = (REPO / "docker" / "api.Dockerfile").read_text()


def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker" / "compose.yaml").read_text())  # type: ignore[no-any-return]


def test_the_image_is_multi_stage_slim_and_non_root() -> None:
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", DOCKERFILE, re.MULTILINE)
    assert [name for _image, name in stages] == ["build", "runtime"]
    assert all("slim" in image for image, _name in stages)
    assert "COPY --from=build /opt/venv /opt/venv" in DOCKERFILE
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert users == ["10001:10001"], "runs as the task definition's container_user"


def test_healthcheck_and_command() -> None:
    assert re.search(r"^HEALTHCHECK .*\n?.*http://127\.0\.0\.1:8000/healthz", DOCKERFILE, re.MULTILINE)
    command = re.search(r"^CMD \[(.*?)\]", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert command is not None
    assert '"uvicorn", "campusbot.api.main:create_app", "--factory"' in command.group(1)
    assert "EXPOSE 8000" in DOCKERFILE


def test_no_local_extra_in_the_image() -> None:
    assert "[local]" not in DOCKERFILE and "torch" not in DOCKERFILE.replace("no torch", "")


def test_the_dockerfile_copies_only_what_dockerignore_lets_in() -> None:
    allowed = {
        line[1:].rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines() if line.startswith("!")
    }
    copied = set()
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.MULTILINE):
        copied.update(sources.split())
    assert copied <= allowed, copied - allowed


def test_compose_has_pgvector_localstack_and_the_api() -> None:
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    assert services["localstack"]["image"].startswith("localstack/localstack")
    api = services["api"]
    assert api["build"] == {"context": "..", "dockerfile": "docker/api.Dockerfile"}
    assert api["environment"]["CAMPUSBOT_DATABASE_URL"].startswith("postgresql://campusbot:")
    assert "@postgres:5432/campusbot" in api["environment"]["CAMPUSBOT_DATABASE_URL"]
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["platform", "seed"]
    assert services["postgres"]["healthcheck"]["test"][1].startswith("pg_isready")


def test_the_localstack_token_comes_from_the_environment_only() -> None:
    text = (REPO / "docker" / "compose.yaml").read_text()
    environment = compose()["services"]["localstack"]["environment"]
    assert environment["LOCALSTACK_AUTH_TOKEN"] == "${LOCALSTACK_AUTH_TOKEN:-}"
    assert not re.search(r"ls-[A-Za-z0-9]{4,}", text), "no token literal in the file"


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0,
    reason="no `docker compose` plugin on this machine",
)
def test_docker_compose_config_accepts_the_file() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(REPO / "docker" / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
