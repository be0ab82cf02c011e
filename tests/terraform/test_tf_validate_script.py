"""scripts/tf_validate.sh's validate step: `terraform validate` runs in the stacks (which validates every module they
call) and, alone, in the modules no stack calls. Run on a copy of terraform/ with a module a stack calls broken and a
broken module no stack calls added: the step fails naming the stack, the module and Terraform's error for each. The copy
holds only the data stack, the module it calls and the uncalled one (two validates, not the whole tree's five: the
step itself validates the whole tree in every `make test`). Real terraform (the provider mirror when this machine
has one); skipped without it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.terraform.tf_hcl import REPO, TERRAFORM

SCRIPTS = ("tf_validate.sh", "tf_mirror.sh")
SHARED_TOOLS = Path(os.environ.get("CAMPUSBOT_SHARED_TOOLS", REPO.parent / "shared" / "tools"))

# an undeclared variable referenced in a module only the data stack calls
BROKEN_RDS = 'output "broken" {\n  value = var.not_declared\n}\n'
# a module no stack calls, with an argument aws_s3_bucket does not have
ORPHAN = """terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

resource "aws_s3_bucket" "this" {
  bucket           = "campusbot-orphan"
  no_such_argument = true
}
"""


def _copy_repo(root: Path, folders: tuple[str, ...] = ("stacks/data", "modules/rds")) -> None:
    """The scripts, and the named folders of terraform/ (the data stack calls only the rds module)."""
    for folder in folders:
        shutil.copytree(
            TERRAFORM / folder, root / "terraform" / folder, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
        )
    (root / "scripts").mkdir()
    for name in SCRIPTS:
        shutil.copy2(REPO / "scripts" / name, root / "scripts" / name)


def _run(root: Path, env: dict[str, str], steps: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(root / "scripts" / "tf_validate.sh")],
        cwd=root, env={**env, "TF_VALIDATE_STEPS": steps}, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip


def _block(output: str, header: str) -> str:
    """The log the script printed for one folder: from its `--- <dir>` line to the next folder's."""
    start = output.index(f"--- {header}\n")
    end = output.find("\n--- ", start + 1)
    return output[start : end if end != -1 else len(output)]


def test_validate_step_fails_on_a_module_through_its_stack_and_on_an_uncalled_module_alone(
    tmp_path: Path, terraform_env: dict[str, str]
) -> None:
    root = tmp_path / "repo"
    _copy_repo(root)
    (root / "terraform" / "modules" / "rds" / "broken.tf").write_text(BROKEN_RDS)
    orphan = root / "terraform" / "modules" / "orphan"
    orphan.mkdir()
    (orphan / "main.tf").write_text(ORPHAN)
    env = {**os.environ, "CAMPUSBOT_SHARED_TOOLS": str(SHARED_TOOLS), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    if "TF_PLUGIN_MIRROR" in terraform_env:
        env["TF_PLUGIN_MIRROR"] = terraform_env["TF_PLUGIN_MIRROR"]

    result = _run(root, env, "validate")
    output = result.stdout + result.stderr

    assert result.returncode == 1, output
    assert "modules no stack calls, validated alone: terraform/modules/orphan\n" in output
    stack = _block(output, "terraform/stacks/data")
    assert "Reference to undeclared input variable" in stack
    assert "../../modules/rds/broken.tf" in stack
    assert "INVALID  terraform/modules/rds (in stacks/data: its errors above)" in output
    alone = _block(output, "terraform/modules/orphan")
    assert "Unsupported argument" in alone
    assert "no_such_argument" in alone
    # every stack and every module (the orphan too) has its line; invalid: stacks/data, modules/rds, modules/orphan
    folders = [d for kind in ("stacks", "modules") for d in (root / "terraform" / kind).iterdir() if d.is_dir()]
    assert f"FAIL  terraform validate: 3 of {len(folders)} folders invalid" in output
    for other in ("fmt", "tfcheck", "checkov", "bot template"):
        assert f"skip  {other} (not in TF_VALIDATE_STEPS)" in output
    assert "tf_validate: FAILED" in output


def test_unknown_step_is_refused(tmp_path: Path) -> None:
    _copy_repo(tmp_path)

    result = _run(tmp_path, dict(os.environ), "validate,lint")

    assert result.returncode == 2
    assert "TF_VALIDATE_STEPS: unknown step 'lint'" in result.stderr
