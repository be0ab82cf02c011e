"""scalr/ gives Scalr workspaces it can run: OpenTofu (Scalr runs Terraform only up to 1.5.7) at a
version the stacks accept, a pinned OPA that reads `import rego.v1`, runs started only by the CLI
(no VCS binding, no run triggers, no automatic runs: one orchestrator per run), and final
environment variables that the stacks declare."""

from __future__ import annotations

import re
from pathlib import Path

from tests.terraform.tf_hcl import REPO, STACK_ORDER, STACKS, TERRAFORM, body, expr, resources, unquote, variables

SCALR = REPO / "scalr"
POLICIES = SCALR / "policies"
# The last Terraform release Scalr runs (the last MPL one); anything newer is OpenTofu there.
SCALR_MAX_TERRAFORM = (1, 5, 7)


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def default(name: str) -> str | None:
    value = variables(SCALR)[name].get("default")
    return None if value is None else str(unquote(value))


def workspace() -> dict[str, object]:
    return resources(SCALR)["scalr_workspace.stack"]


def satisfies(candidate: tuple[int, ...], constraint: str) -> bool:
    """Terraform version constraints as the stacks write them: comma-separated `>=`, `<`, `=` parts."""
    for part in constraint.split(","):
        match = re.fullmatch(r"\s*(>=|<=|>|<|=|!=)?\s*([0-9.]+)\s*", part)
        assert match, f"unexpected constraint {part!r}"
        op, bound = match.group(1) or "=", version(match.group(2))
        width = max(len(candidate), len(bound))
        left, right = candidate + (0,) * (width - len(candidate)), bound + (0,) * (width - len(bound))
        ok = {
            ">=": left >= right,
            "<=": left <= right,
            ">": left > right,
            "<": left < right,
            "=": left == right,
            "!=": left != right,
        }
        if not ok[op]:
            return False
    return True


# -- defect 5: what Scalr can run ------------------------------------------------------------------


def test_workspaces_run_opentofu_because_scalr_stops_terraform_at_1_5_7() -> None:
    ws = workspace()
    assert unquote(ws["iac_platform"]) == "opentofu"
    assert expr(ws["terraform_version"]) == "var.opentofu_version"
    pinned = default("opentofu_version")
    assert pinned is not None and re.fullmatch(r"\d+\.\d+\.\d+", pinned), "an exact version, not 'latest'"
    assert version(pinned) > SCALR_MAX_TERRAFORM


def test_the_opentofu_version_reads_the_stacks_and_has_the_s3_lockfile() -> None:
    pinned = version(str(default("opentofu_version")))
    # OpenTofu 1.10 added S3-native locking (use_lockfile), which the CLI's backend override writes.
    assert pinned >= (1, 10, 0)
    for stack in STACK_ORDER:
        [terraform_block] = [
            b for path in (STACKS / stack).glob("*.tf") for b in _terraform_blocks(path) if "required_version" in b
        ]
        constraint = str(unquote(terraform_block["required_version"]))
        assert satisfies(pinned, constraint), f"{stack}: OpenTofu {pinned} does not satisfy {constraint}"


def _terraform_blocks(path: Path) -> list[dict[str, object]]:
    from tests.terraform.tf_hcl import load_file

    return [body(b) for b in load_file(path).get("terraform", [])]


# Language features OpenTofu 1.10 does not have (OpenTofu is not installed here, so its `validate`
# cannot run): write-only arguments and ephemeral resources (OpenTofu 1.11), Terraform 1.14's actions
# and list resources, and a `cloud` block (Terraform Cloud only).
TERRAFORM_ONLY = {
    "write-only argument": re.compile(r"^\s*\w+_wo(_version)?\s*=", re.M),
    "ephemeral block": re.compile(r"^\s*ephemeral\s+\"", re.M),
    "action block": re.compile(r"^\s*action\s+\"", re.M),
    "list block": re.compile(r"^\s*list\s+\"", re.M),
    "cloud block": re.compile(r"^\s*cloud\s*\{", re.M),
}


def test_the_stacks_use_nothing_opentofu_1_10_lacks() -> None:
    found = [
        f"{path.relative_to(REPO)}: {what}"
        for path in sorted(TERRAFORM.rglob("*.tf"))
        if ".terraform" not in path.parts
        for what, pattern in TERRAFORM_ONLY.items()
        if pattern.search(path.read_text())
    ]
    assert not found, found


def test_the_policy_group_pins_an_opa_that_reads_rego_v1() -> None:
    group = resources(SCALR)["scalr_policy_group.guardrails"]
    assert expr(group["opa_version"]) == "var.opa_version"
    pinned = default("opa_version")
    assert pinned is not None, "opa_version must be pinned: Scalr's default OPA may predate import rego.v1"
    assert version(pinned) >= (0, 59, 0)
    policies = sorted(POLICIES.glob("*.rego"))
    assert policies
    for policy in policies:
        assert "import rego.v1" in policy.read_text(), f"{policy.name}: the pin assumes Rego v1"


# -- defect 6: one orchestrator per run ------------------------------------------------------------


def test_runs_start_only_when_the_cli_queues_them() -> None:
    ws = workspace()
    assert unquote(ws["auto_queue_runs"]) == "never"
    assert "vcs_repo" not in ws and "vcs_provider_id" not in ws, "a push must not start a second orchestrator"
    assert not [name for name in resources(SCALR) if name.startswith("scalr_run_trigger.")]
    assert not [name for name in variables(SCALR) if name.startswith("vcs_driven")]


# -- defect 10: the final environment variables exist in every stack -------------------------------


def test_every_final_environment_variable_is_declared_by_every_stack() -> None:
    from tests.terraform.tf_hcl import locals_

    merged = expr(locals_(SCALR)["environment_terraform_variables"])
    keys = re.findall(r"merge\(\{\s*(\w+)\s*=\s*env\s*\}", merged)
    assert keys, merged
    for stack in STACK_ORDER:
        declared = variables(STACKS / stack)
        for key in keys:
            assert key in declared, f"Scalr sets {key!r} (final) but terraform/stacks/{stack} does not declare it"
