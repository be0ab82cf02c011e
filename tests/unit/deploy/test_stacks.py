from __future__ import annotations

from pathlib import Path

import pytest

from campusbot.deploy.stacks import (
    FUNCTIONS,
    LOCALSTACK_SWITCHES,
    STACK_NAMES,
    DeployInputs,
    LambdaArtifact,
    environment_name,
    get,
    ordered,
    stack_variables,
    workspace_name,
)

REPO = Path(__file__).resolve().parents[3]


def inputs(target: str = "aws") -> DeployInputs:
    artifacts = {name: LambdaArtifact(name, Path(f"/build/{name}.zip"), f"hash-{name}", 10) for name in FUNCTIONS}
    return DeployInputs(
        env="dev",
        region="us-east-1",
        target=target,  # type: ignore[arg-type]
        image_uri="123.dkr.ecr.us-east-1.amazonaws.com/campusbot-dev/api:src-abc",
        artifacts=artifacts,
        slot_type_values={"UniversityName": [{"value": "TUM", "synonyms": []}]},
    )


def test_apply_order_follows_the_ssm_dependencies() -> None:
    names = [stack.name for stack in ordered()]
    assert names == ["foundation", "data", "app", "conversation", "analytics"]
    for stack in ordered():
        assert all(names.index(need) < names.index(stack.name) for need in stack.needs)


def _ssm_locals(stack: str) -> dict[str, object]:
    import hcl2

    with (REPO / "terraform" / "stacks" / stack / "ssm.tf").open() as handle:
        document = hcl2.load(handle)
    merged: dict[str, object] = {}
    for block in document.get("locals", []):
        merged.update(block)
    return merged


def test_every_stack_needs_the_stacks_whose_ssm_outputs_it_reads() -> None:
    """`needs` is the SSM contract of terraform/stacks/*/ssm.tf: a stack reading a key needs its writer."""
    writer: dict[str, str] = {}
    for name in STACK_NAMES:
        for key in _ssm_locals(name).get("ssm_outputs") or {}:  # type: ignore[attr-defined]
            writer[key.strip('"')] = name
    for stack in ordered():
        inputs = [key.strip('"') for key in _ssm_locals(stack.name).get("ssm_inputs") or []]  # type: ignore[attr-defined]
        unknown = [key for key in inputs if key not in writer]
        assert not unknown, f"{stack.name} reads keys no stack writes: {unknown}"
        assert {writer[key] for key in inputs} == set(stack.needs), stack.name


def test_destroy_order_is_the_reverse_and_a_subset_keeps_the_order() -> None:
    assert [s.name for s in ordered(reverse=True)] == list(reversed(STACK_NAMES))
    assert [s.name for s in ordered(["conversation", "foundation"])] == ["foundation", "conversation"]


def test_unknown_stack_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="foundation, data, app"):
        get("network")


def test_every_stack_directory_exists_in_the_repository() -> None:
    for stack in ordered():
        assert (stack.directory(REPO) / "variables.tf").is_file(), stack.name


def test_scalr_names_match_scalr_main_tf() -> None:
    text = (REPO / "scalr" / "main.tf").read_text()
    assert '"${var.name_prefix}-${pair[0]}-${pair[1]}"' in text  # <prefix>-<env>-<layer>
    assert workspace_name("dev", "app") == "campusbot-dev-app"
    assert environment_name("prod") == "campusbot-prod"


def test_app_gets_the_image_and_its_two_lambdas() -> None:
    variables = stack_variables(get("app"), inputs())
    assert variables["api_image_uri"].endswith(":src-abc")
    assert set(variables["lambda_artifacts"]) == {"fulfillment", "vectorizer"}
    assert variables["lambda_artifacts"]["vectorizer"] == {"path": "/build/vectorizer.zip", "hash": "hash-vectorizer"}
    assert "create_lex_bot" not in variables


def test_conversation_gets_lex_proxy_and_the_slot_values() -> None:
    variables = stack_variables(get("conversation"), inputs())
    assert set(variables["lambda_artifacts"]) == {
        "lex_proxy",
        "authorizer",
    }  # issue 12: the authorizer is deployed with it
    assert variables["lex_slot_type_values"]["UniversityName"][0]["value"] == "TUM"


def test_a_bot_template_path_goes_to_the_variable_the_conversation_stack_declares() -> None:
    from dataclasses import replace

    variables = stack_variables(get("conversation"), replace(inputs(), bot_template_path=Path("/x/bot.template.json")))
    assert variables["bot_template_path"] == "/x/bot.template.json"
    declared = (get("conversation").directory(REPO) / "variables.tf").read_text()
    assert 'variable "bot_template_path"' in declared


def test_localstack_switches_off_what_it_cannot_run_and_names_the_local_bot() -> None:
    conversation = stack_variables(get("conversation"), inputs("localstack"))
    assert conversation["create_lex_bot"] is False
    assert conversation["bot_id"] == "CAMPUSBOT0" and conversation["bot_alias_id"] == "TSTALIASID"
    analytics = stack_variables(get("analytics"), inputs("localstack"))
    assert analytics["athena_named_queries"] is False and analytics["create_redshift"] is False
    assert "create_lex_bot" not in stack_variables(get("conversation"), inputs("aws"))


def test_localstack_switches_are_variables_the_stacks_declare() -> None:
    for stack_name, switches in LOCALSTACK_SWITCHES.items():
        declared = (get(stack_name).directory(REPO) / "variables.tf").read_text()
        for variable in switches:
            assert f'variable "{variable}"' in declared, f"{stack_name} does not declare {variable}"


def test_artifact_paths_can_be_rewritten_for_a_scalr_checkout() -> None:
    from dataclasses import replace

    staged = replace(inputs(), artifact_paths={"lex_proxy": "../../../build/lambda/lex_proxy.zip"})
    variables = stack_variables(get("conversation"), staged)
    assert variables["lambda_artifacts"]["lex_proxy"]["path"] == "../../../build/lambda/lex_proxy.zip"
