from __future__ import annotations

import base64
import sys
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from campusbot.deploy import image
from campusbot.deploy.image import RegistryAuth

MANIFEST = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}'


def tree(root: Path) -> Path:
    (root / "docker").mkdir(parents=True)
    (root / "docker" / "api.Dockerfile").write_text("FROM python:3.12-slim\n")
    (root / "src" / "campusbot" / "__pycache__").mkdir(parents=True)
    (root / "src" / "campusbot" / "__init__.py").write_text("")
    (root / "src" / "campusbot" / "api.py").write_text("app = 1\n")
    (root / "src" / "campusbot" / "__pycache__" / "api.cpython-311.pyc").write_bytes(b"\x00")
    (root / "pyproject.toml").write_text("[project]\nname='campusbot'\n")
    (root / "README.md").write_text("# campusbot\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_x.py").write_text("")
    return root


def test_the_tag_depends_on_the_build_context_only(tmp_path: Path) -> None:
    root = tree(tmp_path)
    tag = image.image_tag(root)
    assert tag.startswith("src-") and len(tag) == 20
    (root / "src" / "campusbot" / "__pycache__" / "other.pyc").write_bytes(b"cache")
    (root / "tests" / "test_y.py").write_text("not in the image")
    assert image.image_tag(root) == tag
    (root / "src" / "campusbot" / "api.py").write_text("app = 2\n")
    assert image.image_tag(root) != tag


def test_the_executable_bit_counts(tmp_path: Path) -> None:
    root = tree(tmp_path)
    tag = image.image_tag(root)
    (root / "src" / "campusbot" / "api.py").chmod(0o755)
    assert image.image_tag(root) != tag


def test_context_files_match_the_dockerignore() -> None:
    repo = Path(__file__).resolve().parents[3]
    allowed = [
        line[1:].rstrip("/") for line in (repo / ".dockerignore").read_text().splitlines() if line.startswith("!")
    ]
    for relative in image.context_files(repo):
        top = relative.parts[0]
        assert top in allowed or relative.as_posix() in (image.DOCKERFILE, ".dockerignore"), relative


def test_repository_url_split() -> None:
    url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/campusbot-dev/api"
    assert image.split_repository_url(url) == ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "campusbot-dev/api")
    with pytest.raises(image.ImageError):
        image.split_repository_url("no-slash")


@mock_aws
def test_ecr_credentials_come_from_get_authorization_token() -> None:
    auth = image.ecr_auth(boto3.client("ecr", region_name="us-east-1"))
    assert auth.username == "AWS" and auth.password
    assert not auth.registry.startswith("https://")
    assert ".dkr.ecr.us-east-1.amazonaws.com" in auth.registry


def test_ecr_token_without_password_is_refused() -> None:
    class Ecr:
        def get_authorization_token(self) -> dict[str, object]:
            token = base64.b64encode(b"AWS").decode()
            return {"authorizationData": [{"authorizationToken": token, "proxyEndpoint": "https://r"}]}

    with pytest.raises(image.ImageError, match="without a password"):
        image.ecr_auth(Ecr())


@dataclass
class FakeDocker:
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def build(self, context: Path, dockerfile: Path, reference: str, platform: str) -> None:
        self.calls.append(("build", reference, platform, dockerfile.name))

    def login(self, auth: RegistryAuth) -> None:
        self.calls.append(("login", auth.username, auth.registry))

    def push(self, reference: str) -> None:
        self.calls.append(("push", reference))


@mock_aws
def test_ensure_image_builds_and_pushes_a_new_tag_then_skips_it(tmp_path: Path) -> None:
    root = tree(tmp_path)
    ecr = boto3.client("ecr", region_name="us-east-1")
    repository = ecr.create_repository(repositoryName="campusbot-dev/api", imageTagMutability="IMMUTABLE")["repository"]
    docker = FakeDocker()
    first = image.ensure_image(ecr, docker, repository["repositoryUri"], root)
    assert first.pushed and first.uri == f"{repository['repositoryUri']}:{first.tag}"
    assert [c[0] for c in docker.calls] == ["build", "login", "push"]
    assert docker.calls[0][2] == "linux/amd64"
    # what a real push leaves in ECR: the tag
    ecr.put_image(repositoryName="campusbot-dev/api", imageManifest=MANIFEST, imageTag=first.tag)
    docker.calls.clear()
    second = image.ensure_image(ecr, docker, repository["repositoryUri"], root)
    assert not second.pushed and docker.calls == []
    assert "already in ECR" in second.detail


@mock_aws
def test_image_exists_only_for_that_tag() -> None:
    ecr = boto3.client("ecr", region_name="us-east-1")
    ecr.create_repository(repositoryName="repo")
    ecr.put_image(repositoryName="repo", imageManifest=MANIFEST, imageTag="src-1")
    assert image.image_exists(ecr, "repo", "src-1")
    assert not image.image_exists(ecr, "repo", "src-2")


def test_docker_cli_passes_the_password_on_stdin_never_in_argv(tmp_path: Path) -> None:
    log = tmp_path / "docker.log"
    fake = tmp_path / "docker"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'a').write(repr(sys.argv[1:]) + ' stdin=' + "
        "(sys.stdin.read() if 'login' in sys.argv else '') + '\\n')\n"
    )
    fake.chmod(0o755)
    cli = image.DockerCli(binary=str(fake))
    cli.login(RegistryAuth("AWS", "s3cret-token", "1.dkr.ecr.us-east-1.amazonaws.com"))
    cli.build(tmp_path, tmp_path / "docker" / "api.Dockerfile", "repo:tag", "linux/amd64")
    cli.push("repo:tag")
    lines = log.read_text().splitlines()
    assert "s3cret-token" not in lines[0].split(" stdin=")[0]
    assert lines[0].endswith("stdin=s3cret-token")
    assert "'--platform', 'linux/amd64'" in lines[1] and "'push', 'repo:tag'" in lines[2]


def test_docker_cli_failure_is_an_image_error(tmp_path: Path) -> None:
    fake = tmp_path / "docker"
    fake.write_text(f"#!{sys.executable}\nimport sys\nprint('Cannot connect to the Docker daemon')\nsys.exit(1)\n")
    fake.chmod(0o755)
    with pytest.raises(image.ImageError, match="Cannot connect to the Docker daemon"):
        image.DockerCli(binary=str(fake)).push("repo:tag")
    with pytest.raises(image.ImageError, match="cannot run"):
        image.DockerCli(binary=str(tmp_path / "missing")).push("repo:tag")
