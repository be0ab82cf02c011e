"""The stacks talk only through SSM parameters under /campusbot/<env>/: each stack reads only
what an earlier stack (foundation → data → app → conversation → analytics) writes."""

from __future__ import annotations

import pytest

from tests.terraform.tf_hcl import (
    STACK_ORDER,
    STACKS,
    expr,
    locals_,
    map_keys,
    resources,
    ssm_reads_in_code,
    string_list,
    unquote,
)


def reads(stack: str) -> list[str]:
    return string_list(locals_(STACKS / stack)["ssm_inputs"])


def writes(stack: str) -> set[str]:
    return map_keys(locals_(STACKS / stack)["ssm_outputs"])


@pytest.mark.parametrize("stack", STACK_ORDER)
def test_parameters_live_under_the_campusbot_env_prefix(stack: str) -> None:
    folder = STACKS / stack
    assert unquote(locals_(folder)["ssm_prefix"]) == "/campusbot/${var.env}"
    found = resources(folder)
    out = found["aws_ssm_parameter.out"]
    assert expr(out["for_each"]) == "local.ssm_outputs"
    assert unquote(out["name"]) == "${local.ssm_prefix}/${each.key}"
    assert [k for k in found if k.startswith("aws_ssm_parameter.")] == ["aws_ssm_parameter.out"]
    data = resources(folder, "data")
    ssm_data = [k for k in data if k.startswith("aws_ssm_parameter.")]
    if stack == "foundation":
        assert ssm_data == []
    else:
        assert ssm_data == ["aws_ssm_parameter.in"]
        assert expr(data["aws_ssm_parameter.in"]["for_each"]) == "toset(local.ssm_inputs)"
        assert unquote(data["aws_ssm_parameter.in"]["name"]) == "${local.ssm_prefix}/${each.value}"


@pytest.mark.parametrize("index", range(len(STACK_ORDER)), ids=STACK_ORDER)
def test_stack_reads_only_what_an_earlier_stack_writes(index: int) -> None:
    stack = STACK_ORDER[index]
    if stack == "foundation":
        assert "ssm_inputs" not in locals_(STACKS / stack)
        return
    earlier = set().union(*(writes(s) for s in STACK_ORDER[:index]))
    missing = set(reads(stack)) - earlier
    assert not missing, f"{stack} reads parameters no earlier stack writes: {sorted(missing)}"


def test_no_parameter_is_written_twice() -> None:
    seen: dict[str, str] = {}
    for stack in STACK_ORDER:
        for key in writes(stack):
            assert key not in seen, f"{key} written by {seen[key]} and {stack}"
            seen[key] = stack


@pytest.mark.parametrize("stack", STACK_ORDER[1:])
def test_every_read_is_declared_and_used(stack: str) -> None:
    declared = set(reads(stack))
    used = ssm_reads_in_code(STACKS / stack)
    assert used <= declared, f"{stack} uses undeclared inputs {sorted(used - declared)}"
    assert declared <= used, f"{stack} reads parameters it never uses {sorted(declared - used)}"
    assert len(declared) == len(reads(stack)), "duplicate inputs"


def test_stacks_read_no_remote_state() -> None:
    for stack in STACK_ORDER:
        text = "".join(p.read_text() for p in (STACKS / stack).glob("*.tf"))
        assert "terraform_remote_state" not in text and "scalr_outputs" not in text
