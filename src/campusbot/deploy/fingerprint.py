"""What a stack's last apply depended on, as one hash, so that a re-run of `platform deploy` skips
the stacks nothing has touched since (as `cdk deploy` skips a stack whose template is unchanged).

The fingerprint covers:
- the configuration: the stack folder (with the backend/provider overrides the CLI wrote), every
  module, and the files of `src/` the stacks read (`SOURCE_INPUTS`);
- the inputs: the variable files passed to Terraform (environment tfvars and the CLI's tfvars.json,
  which carries the image URI and the Lambda zip hashes);
- the state: a local state file's content hash, or the S3 state object's ETag and version, so that
  an apply from another machine (which changes the state) makes this machine plan again.

A stack is skipped only when all three equal what was recorded after its last successful apply (or
plan without changes) *and* no stack before it was applied in the same run. `--refresh` plans every
stack anyway (drift made outside Terraform); `platform plan` always plans.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from campusbot.deploy.backend import Backend, LocalBackend, S3Backend

# The bot's CloudFormation template (rendered from definition.yaml), read by the conversation stack.
BOT_TEMPLATE: Final = "src/campusbot/bot/bot.template.json"
# Files outside terraform/ that the stacks read through ${path.module}/../../../<path>.
SOURCE_INPUTS: Final = (BOT_TEMPLATE, "src/campusbot/analytics/queries")
# Written by terraform itself, not configuration: dot entries (.terraform/, .terraform.lock.hcl) and these.
IGNORED_SUFFIXES: Final = (".tfstate", ".tfstate.backup", ".tfplan")


def _files(path: Path) -> Iterable[Path]:
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        return
    for child in sorted(path.iterdir()):
        if child.name.startswith(".") or child.name.endswith(IGNORED_SUFFIXES):
            continue
        yield from _files(child)


def configuration_hash(root: Path, stack_dir: Path, var_files: Sequence[Path]) -> str:
    """sha256 over the names and bytes of everything the stack's plan reads from disk."""
    digest = hashlib.sha256()
    places = [stack_dir, root / "terraform" / "modules", *(root / p for p in SOURCE_INPUTS)]
    for place in places:
        for file in _files(place):
            name = file.relative_to(root) if file.is_relative_to(root) else file
            digest.update(f"\0{name}\0".encode())
            digest.update(file.read_bytes())
    for index, var_file in enumerate(var_files):
        digest.update(f"\0var-file {index}\0".encode())
        digest.update(var_file.read_bytes() if var_file.exists() else b"<missing>")
    return digest.hexdigest()


def state_identity(backend: Backend, s3: Callable[[], Any]) -> str | None:
    """Identity of the stack's current Terraform state; None when it cannot be told (never skip then).

    `s3` makes an S3 client, called only for the S3 backend."""
    if isinstance(backend, LocalBackend):
        if not backend.path.exists():
            return "local:absent"
        return "local:" + hashlib.sha256(backend.path.read_bytes()).hexdigest()
    if isinstance(backend, S3Backend):
        try:
            head = s3().head_object(Bucket=backend.bucket, Key=backend.key)
        except Exception:  # absent, no permission, no network: unknown, so the stack is planned
            return None
        return f"s3:{head.get('ETag', '')}:{head.get('VersionId', '')}"
    return None  # a remote (Scalr) backend: its runs decide


def fingerprint(configuration: str, state: str | None) -> str | None:
    if state is None:
        return None
    return hashlib.sha256(f"{configuration}\0{state}".encode()).hexdigest()
