"""The API image: tagged with the hash of what goes into it, pushed to ECR with boto3-issued
credentials, and not built at all when that tag is already in the repository.

The tag is `src-<16 hex>` of the build context the Dockerfile reads (docker/api.Dockerfile,
.dockerignore, pyproject.toml, README.md, src/campusbot without caches). The repository is
IMMUTABLE (terraform/modules/ecr), so a tag names one image forever and a re-deploy of unchanged
code is a no-op. Docker itself is driven through its CLI (`docker build/login/push`) behind the
small `Docker` protocol, so tests replace it with a fake.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Protocol

DOCKERFILE: Final = "docker/api.Dockerfile"
CONTEXT_PATHS: Final = (DOCKERFILE, ".dockerignore", "pyproject.toml", "README.md", "src/campusbot")
SKIPPED_PARTS: Final = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
SKIPPED_SUFFIXES: Final = (".pyc", ".pyo")
PLATFORM: Final = "linux/amd64"  # the task definition's runtime_platform: X86_64


class ImageError(RuntimeError):
    """The image could not be built, authenticated or pushed."""


@dataclass(frozen=True)
class RegistryAuth:
    username: str
    password: str
    registry: str  # host, without https://
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ImageResult:
    uri: str
    tag: str
    pushed: bool
    detail: str


class Docker(Protocol):
    def build(self, context: Path, dockerfile: Path, reference: str, platform: str) -> None: ...

    def login(self, auth: RegistryAuth) -> None: ...

    def push(self, reference: str) -> None: ...


def context_files(root: Path) -> list[Path]:
    """The files of the build context, sorted (relative to root)."""
    files: set[Path] = set()
    for entry in CONTEXT_PATHS:
        path = root / entry
        candidates: Iterable[Path] = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for candidate in candidates:
            relative = candidate.relative_to(root)
            if (
                candidate.is_file()
                and not SKIPPED_PARTS.intersection(relative.parts)
                and not candidate.name.endswith(SKIPPED_SUFFIXES)
            ):
                files.add(relative)
    return sorted(files)


def content_hash(root: Path) -> str:
    """SHA-256 over the context files' paths, executable bits and bytes: same code, same hash."""
    digest = hashlib.sha256()
    for relative in context_files(root):
        path = root / relative
        digest.update(relative.as_posix().encode())
        digest.update(b"\x00x" if path.stat().st_mode & 0o111 else b"\x00-")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def image_tag(root: Path) -> str:
    return f"src-{content_hash(root)[:16]}"


def split_repository_url(url: str) -> tuple[str, str]:
    """`<acct>.dkr.ecr.<region>.amazonaws.com/campusbot-dev/api` → (registry host, repository name)."""
    registry, _, name = url.partition("/")
    if not name:
        raise ImageError(f"not a repository URL: {url!r}")
    return registry, name


def ecr_auth(ecr: Any) -> RegistryAuth:
    """Docker credentials from ECR's GetAuthorizationToken (valid 12 hours)."""
    data = ecr.get_authorization_token()["authorizationData"][0]
    username, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    if not password:
        raise ImageError("ECR returned an authorization token without a password")
    registry = str(data["proxyEndpoint"]).removeprefix("https://").removeprefix("http://").rstrip("/")
    return RegistryAuth(username=username, password=password, registry=registry, expires_at=data.get("expiresAt"))


def image_exists(ecr: Any, repository: str, tag: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        found = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ImageNotFoundException":
            return False
        raise
    return bool(found.get("imageDetails"))


def ensure_image(
    ecr: Any,
    docker: Docker,
    repository_url: str,
    root: Path,
    *,
    on_progress: Callable[[str], None] = lambda _message: None,
) -> ImageResult:
    """The image for the current code in the repository: pushed unless its tag is already there."""
    tag = image_tag(root)
    _registry, repository = split_repository_url(repository_url)
    uri = f"{repository_url}:{tag}"
    if image_exists(ecr, repository, tag):
        return ImageResult(
            uri=uri, tag=tag, pushed=False, detail=f"{repository}:{tag} already in ECR: nothing to build"
        )
    on_progress(f"building {uri} ({PLATFORM})")
    docker.build(root, root / DOCKERFILE, uri, PLATFORM)
    on_progress("logging in to ECR with a GetAuthorizationToken credential")
    docker.login(ecr_auth(ecr))
    on_progress(f"pushing {uri}")
    docker.push(uri)
    return ImageResult(uri=uri, tag=tag, pushed=True, detail=f"built and pushed {repository}:{tag}")


class DockerCli:
    """The docker CLI (BuildKit); credentials go through --password-stdin, never argv."""

    def __init__(self, binary: str = "docker", on_line: Callable[[str], None] = lambda _line: None) -> None:
        self.binary = binary
        self.on_line = on_line

    def build(self, context: Path, dockerfile: Path, reference: str, platform: str) -> None:
        self._run(["build", "--platform", platform, "--file", str(dockerfile), "--tag", reference, str(context)])

    def login(self, auth: RegistryAuth) -> None:
        self._run(["login", "--username", auth.username, "--password-stdin", auth.registry], stdin=auth.password)

    def push(self, reference: str) -> None:
        self._run(["push", reference])

    def _run(self, args: list[str], stdin: str | None = None) -> None:
        try:
            process = subprocess.Popen(
                [self.binary, *args],
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=None,
            )
        except OSError as exc:
            raise ImageError(f"cannot run {self.binary}: {exc}") from exc
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        tail: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            text = line.rstrip()
            tail = [*tail[-19:], text]
            self.on_line(text)
        if process.wait() != 0:
            raise ImageError(f"docker {args[0]} failed: " + " | ".join(line for line in tail if line))
