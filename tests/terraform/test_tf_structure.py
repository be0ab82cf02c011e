"""Layout and conventions of terraform/: the five-file modules, typed and described variables,
described outputs, version pins, no backend in the stacks, README tables in sync."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terraform.tf_hcl import (
    MODULE_NAMES,
    MODULES,
    STACK_ORDER,
    STACKS,
    TERRAFORM,
    blocks,
    body,
    expr,
    load_dir,
    outputs,
    unquote,
    variables,
)

ALL_DIRS = [MODULES / m for m in MODULE_NAMES] + [STACKS / s for s in STACK_ORDER]


def test_every_service_has_a_module_and_nothing_else_lies_there() -> None:
    assert sorted(p.name for p in MODULES.iterdir() if p.is_dir()) == sorted(MODULE_NAMES)
    assert sorted(p.name for p in STACKS.iterdir() if p.is_dir()) == sorted(STACK_ORDER)


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_module_has_the_five_files(module: str) -> None:
    folder = MODULES / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (folder / name).is_file(), f"{module}: {name} missing"


@pytest.mark.parametrize("folder", ALL_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_variable_has_type_and_description(folder: Path) -> None:
    found = variables(folder)
    assert found, f"{folder} declares no variables"
    for name, spec in found.items():
        assert "type" in spec, f"{folder.name}: variable {name} has no type"
        assert str(unquote(spec.get("description", ""))).strip(), f"{folder.name}: variable {name} has no description"


@pytest.mark.parametrize("folder", ALL_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_output_is_described(folder: Path) -> None:
    found = outputs(folder)
    assert found, f"{folder} declares no outputs"
    for name, spec in found.items():
        assert str(unquote(spec.get("description", ""))).strip(), f"{folder.name}: output {name} has no description"


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_module_outputs_of_counted_resources_use_try(module: str) -> None:
    for name, spec in outputs(MODULES / module).items():
        value = expr(spec["value"])
        if re.search(r"\baws_[a-z0-9_]+\.[a-z0-9_]+\[0\]", value):
            assert "try(" in value, f"{module}: output {name} indexes [0] without try(): {value}"


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_modules_merge_a_tags_variable(module: str) -> None:
    spec = variables(MODULES / module)["tags"]
    assert expr(spec["type"]) == "map(string)"
    text = (MODULES / module / "main.tf").read_text()
    assert "var.tags" in text, f"{module}: tags variable is never used"


@pytest.mark.parametrize("folder", ALL_DIRS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_versions_are_pinned_for_aws_5_and_6(folder: Path) -> None:
    terraform_blocks = [blk for _, blk in blocks(folder, "terraform")]
    assert len(terraform_blocks) == 1
    tf = body(terraform_blocks[0])
    assert unquote(tf["required_version"]) == ">= 1.9"
    aws = tf["required_providers"][0]["aws"]
    assert unquote(aws["source"]) == "hashicorp/aws"
    assert unquote(aws["version"]) == ">= 5.100, < 7"
    assert "backend" not in tf and "cloud" not in tf, f"{folder.name}: backends come from backend_override.tf"


@pytest.mark.parametrize("stack", STACK_ORDER)
def test_stacks_use_only_local_modules_and_hashicorp_aws(stack: str) -> None:
    for doc in load_dir(STACKS / stack).values():
        for blk in doc.get("module", []):
            for name, call in body(blk).items():
                assert str(unquote(call["source"])).startswith("../../modules/"), name
        for blk in doc.get("resource", []):
            for rtype in body(blk):
                assert unquote(rtype).startswith("aws_"), f"{stack}: {rtype} needs a provider outside the mirror"


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_readme_documents_every_input_and_output(module: str) -> None:
    readme = (MODULES / module / "README.md").read_text()
    assert "## Inputs" in readme and "## Outputs" in readme, f"{module}: README lacks the tables"
    inputs_part = readme.split("## Inputs", 1)[1].split("## Outputs", 1)[0]
    outputs_part = readme.split("## Outputs", 1)[1]
    for name in variables(MODULES / module):
        assert f"| `{name}` |" in inputs_part, f"{module}: README misses input {name}"
    for name in outputs(MODULES / module):
        assert f"| `{name}` |" in outputs_part, f"{module}: README misses output {name}"


def test_environments_exist_and_hold_no_secrets() -> None:
    for env in ("dev", "prod"):
        text = (TERRAFORM / "environments" / f"{env}.tfvars").read_text()
        assert f'env                = "{env}"' in text
        assert not re.search(r"(?i)(password|secret_key|access_key|token)\s*=", text), f"{env}.tfvars holds a secret"


def test_dev_is_cheap_and_prod_is_hardened() -> None:
    def values(env: str) -> dict[str, str]:
        text = (TERRAFORM / "environments" / f"{env}.tfvars").read_text()
        return dict(re.findall(r"^(\w+)\s*=\s*(\S+)", text, flags=re.M))

    dev, prod = values("dev"), values("prod")
    assert dev["single_nat_gateway"] == "true" and prod["single_nat_gateway"] == "false"
    assert dev["db_multi_az"] == "false" and prod["db_multi_az"] == "true"
    assert dev["create_redshift"] == "false" and dev["create_quicksight"] == "false"
    assert prod["db_deletion_protection"] == "true" and prod["force_destroy_buckets"] == "false"
