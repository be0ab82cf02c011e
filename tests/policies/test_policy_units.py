"""The policy group's layout, the unit cases of ``*_mock.json``, and ``opa test`` when opa exists."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.policies.policy_eval import LEVELS, POLICY_DIR, PolicyError, deny, mock_cases, policy_levels, policy_names

CASES = [(policy, case) for policy in policy_names() for case in sorted(mock_cases(policy))]


def test_every_rego_file_is_a_listed_policy() -> None:
    files = {p.stem for p in POLICY_DIR.glob("*.rego") if not p.stem.endswith("_test")}
    assert files == set(policy_levels())


@pytest.mark.parametrize("policy", policy_names())
def test_policy_file_follows_the_scalr_contract(policy: str) -> None:
    source = (POLICY_DIR / f"{policy}.rego").read_text()
    assert policy_levels()[policy] in LEVELS
    assert re.search(r"^package terraform$", source, re.M)
    assert re.search(r"^import rego\.v1$", source, re.M)
    assert re.search(r"^deny contains msg if \{$", source, re.M)


def test_enforcement_levels() -> None:
    levels = policy_levels()
    assert {name for name, level in levels.items() if level == "hard-mandatory"} == {
        "no_public_data",
        "encryption_at_rest",
        "no_iam_admin_wildcard",
        "no_provisioners",
        "allowed_regions",
        "prod_deletion_protection",
    }
    assert levels["cloudwatch_logs_kms"] == "advisory"


@pytest.mark.parametrize("policy", policy_names())
def test_rego_tests_cover_every_mock_case(policy: str) -> None:
    tests = set(re.findall(rf"^test_{policy}_(\w+) if ", (POLICY_DIR / f"{policy}_test.rego").read_text(), re.M))
    assert tests == set(mock_cases(policy))


@pytest.mark.parametrize("policy", policy_names())
def test_mock_cases_deny_and_pass(policy: str) -> None:
    cases = mock_cases(policy)
    assert any(case["deny"] for case in cases.values()), "no case where the policy denies"
    assert any(not case["deny"] for case in cases.values()), "no case where the policy passes"


@pytest.mark.parametrize(("policy", "case"), CASES, ids=[f"{p}:{c}" for p, c in CASES])
def test_mock_case(policy: str, case: str) -> None:
    spec = mock_cases(policy)[case]
    assert deny(policy, spec["input"]) == sorted(spec["deny"])


def test_a_broken_policy_is_an_error_not_a_pass() -> None:
    with pytest.raises(Exception, match=r"(?s)."):
        deny("broken", {}, source="package terraform\n\ndeny contains msg if {\n")


def test_a_policy_that_cannot_evaluate_is_an_error() -> None:
    source = "package terraform\n\nimport rego.v1\n\ndeny := 1 if true\n\ndeny := 2 if true\n"
    with pytest.raises((PolicyError, AssertionError)):
        deny("conflict", {}, source=source)


@pytest.mark.skipif(shutil.which("opa") is None, reason="no opa binary on PATH; the mock cases ran through regopy")
@pytest.mark.parametrize("policy", policy_names())
def test_opa_test(policy: str) -> None:
    files = [POLICY_DIR / f"{policy}.rego", POLICY_DIR / f"{policy}_test.rego", POLICY_DIR / f"{policy}_mock.json"]
    done = subprocess.run(
        ["opa", "test", "-v", *map(str, files)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
