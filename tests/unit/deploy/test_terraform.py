"""TerraformStack against a fake `terraform` that records its arguments and prints Terraform's -json UI."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from campusbot.deploy.terraform import Event, TerraformError, TerraformStack, _error_lines, terraform_version

FAKE = r"""#!{python}
import json, os, sys
from pathlib import Path
log = Path(os.environ["FAKE_TF_LOG"])
with log.open("a") as f:
    f.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "data_dir": os.environ.get("TF_DATA_DIR"),
                        "automation": os.environ.get("TF_IN_AUTOMATION")}}) + "\n")
scenario = json.loads(Path(os.environ["FAKE_TF_SCENARIO"]).read_text())
command = sys.argv[1]
if command == "state":
    command = "state " + sys.argv[2]
answer = scenario.get(command, {{"code": 0, "lines": []}})
for line in answer["lines"]:
    print(line if isinstance(line, str) else json.dumps(line))
sys.exit(answer["code"])
"""


def ui(kind: str, **fields: Any) -> dict[str, Any]:
    return {"@level": "info", "@message": fields.pop("message", kind), "type": kind, **fields}


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    binary = tmp_path / "terraform"
    binary.write_text(FAKE.format(python=sys.executable))
    binary.chmod(0o755)
    log, scenario = tmp_path / "calls.jsonl", tmp_path / "scenario.json"
    monkeypatch.setenv("FAKE_TF_LOG", str(log))
    monkeypatch.setenv("FAKE_TF_SCENARIO", str(scenario))

    class Fake:
        path = binary

        def script(self, **answers: dict[str, Any]) -> None:
            scenario.write_text(json.dumps({key.replace("_", " "): value for key, value in answers.items()}))

        def calls(self) -> list[dict[str, Any]]:
            return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    instance = Fake()
    instance.script()
    return instance


def stack(fake: Any, tmp_path: Path, var_files: tuple[Path, ...] = ()) -> TerraformStack:
    directory = tmp_path / "stacks" / "app"
    directory.mkdir(parents=True, exist_ok=True)
    return TerraformStack(
        "app", directory, data_dir=tmp_path / "work" / "app", var_files=var_files, binary=str(fake.path)
    )


PLAN_LINES = [
    ui("version", terraform="1.11.4"),
    ui("refresh_start", hook={"resource": {"addr": "aws_s3_bucket.docs"}}),
    ui("refresh_complete", hook={"resource": {"addr": "aws_s3_bucket.docs"}}),
    ui("planned_change", change={"resource": {"addr": "aws_s3_bucket.docs"}, "action": "update"}),
    ui("planned_change", change={"resource": {"addr": "aws_lambda_function.f"}, "action": "create"}),
    ui("planned_change", change={"resource": {"addr": "aws_iam_role.old"}, "action": "delete"}),
    ui("change_summary", changes={"add": 1, "change": 1, "remove": 1, "import": 0, "operation": "plan"}),
]


def test_plan_parses_the_summary_and_the_planned_changes(fake: Any, tmp_path: Path) -> None:
    fake.script(plan={"code": 2, "lines": PLAN_LINES})
    tf = stack(fake, tmp_path, (tmp_path / "dev.tfvars", tmp_path / "cli.tfvars.json"))
    events: list[Event] = []
    plan = tf.plan(on_event=events.append)
    assert (plan.add, plan.change, plan.destroy) == (1, 1, 1) and plan.has_changes
    assert [c.action for c in plan.changes] == ["update", "create", "delete"]
    assert plan.plan_file == tmp_path / "work" / "app" / "campusbot.tfplan"
    assert [e.kind for e in events].count("refresh") == 2
    argv = fake.calls()[-1]["argv"]
    assert argv[0] == "plan" and "-json" in argv and "-detailed-exitcode" in argv and "-input=false" in argv
    assert argv.index(f"-var-file={tmp_path / 'dev.tfvars'}") < argv.index(f"-var-file={tmp_path / 'cli.tfvars.json'}")
    assert f"-out={plan.plan_file}" in argv and "-destroy" not in argv


def test_no_changes_is_exit_0_and_a_zero_summary(fake: Any, tmp_path: Path) -> None:
    summary = ui("change_summary", changes={"add": 0, "change": 0, "remove": 0, "operation": "plan"})
    fake.script(plan={"code": 0, "lines": [summary]})
    plan = stack(fake, tmp_path).plan()
    assert not plan.has_changes and plan.counts() == "+0 ~0 -0"


def test_a_failed_plan_raises_with_the_error_diagnostics(fake: Any, tmp_path: Path) -> None:
    diagnostic = ui(
        "diagnostic",
        diagnostic={
            "severity": "error",
            "summary": "Invalid count argument",
            "detail": "depends on apply",
            "range": {"filename": "main.tf"},
        },
    )
    warning = ui("diagnostic", diagnostic={"severity": "warning", "summary": "Deprecated"})
    fake.script(plan={"code": 1, "lines": [warning, diagnostic]})
    with pytest.raises(TerraformError) as failure:
        stack(fake, tmp_path).plan()
    assert failure.value.diagnostics == ("Invalid count argument: depends on apply (main.tf)",)
    assert "app: terraform plan failed (exit 1)" in str(failure.value)


def test_destroy_is_a_destroy_plan(fake: Any, tmp_path: Path) -> None:
    fake.script(plan={"code": 2, "lines": [ui("change_summary", changes={"add": 0, "change": 0, "remove": 4})]})
    plan = stack(fake, tmp_path).plan(destroy=True)
    assert plan.destroy == 4 and plan.destroy_plan
    assert "-destroy" in fake.calls()[-1]["argv"]


def test_apply_runs_the_saved_plan_and_reports_progress(fake: Any, tmp_path: Path) -> None:
    fake.script(
        plan={"code": 2, "lines": PLAN_LINES},
        apply={
            "code": 0,
            "lines": [
                ui("apply_start", hook={"resource": {"addr": "aws_lambda_function.f"}, "action": "create"}),
                ui("apply_complete", hook={"resource": {"addr": "aws_lambda_function.f"}, "action": "create"}),
                ui("change_summary", changes={"add": 1, "change": 1, "remove": 1, "operation": "apply"}),
            ],
        },
    )
    tf = stack(fake, tmp_path)
    plan = tf.plan()
    assert plan.plan_file is not None
    plan.plan_file.write_text("saved plan")
    events: list[Event] = []
    summary = tf.apply(plan, on_event=events.append)
    assert (summary.add, summary.change, summary.destroy) == (1, 1, 1)
    assert [e.kind for e in events if e.kind in ("start", "done")] == ["start", "done"]
    argv = fake.calls()[-1]["argv"]
    assert argv[0] == "apply" and argv[-1] == str(plan.plan_file) and "-auto-approve" in argv
    assert not any(a.startswith("-var") for a in argv), "a saved plan carries its variables"
    assert not plan.plan_file.exists(), "an applied plan is removed"


def test_apply_errors_carry_the_failed_resource(fake: Any, tmp_path: Path) -> None:
    fake.script(
        apply={
            "code": 1,
            "lines": [
                ui(
                    "apply_errored",
                    hook={"resource": {"addr": "aws_s3_bucket_logging.x"}},
                    message="x: Creation errored",
                ),
                ui("diagnostic", diagnostic={"severity": "error", "summary": "creating S3 Bucket Logging: 400"}),
            ],
        }
    )
    tf = stack(fake, tmp_path)
    from campusbot.deploy.terraform import PlanSummary

    events: list[Event] = []
    with pytest.raises(TerraformError, match="creating S3 Bucket Logging"):
        tf.apply(PlanSummary("app", 1, 0, 0, plan_file=tmp_path / "p.tfplan"), on_event=events.append)
    assert events[0].kind == "error" and events[0].address == "aws_s3_bucket_logging.x"


def test_outputs_and_sensitive_names(fake: Any, tmp_path: Path) -> None:
    outputs = {
        "chat_url": {"sensitive": False, "type": "string", "value": "https://x/v1/chat"},
        "api_key_value": {"sensitive": True, "type": "string", "value": "secret"},
    }
    fake.script(output={"code": 0, "lines": [json.dumps(outputs)]})
    tf = stack(fake, tmp_path)
    assert tf.output() == {"chat_url": "https://x/v1/chat", "api_key_value": "secret"}
    assert tf.sensitive_outputs() == {"api_key_value"}


def test_every_command_gets_its_own_data_dir_and_runs_in_the_stack(fake: Any, tmp_path: Path) -> None:
    tf = stack(fake, tmp_path)
    tf.init()
    call = fake.calls()[-1]
    assert call["argv"][:1] == ["init"] and "-reconfigure" in call["argv"] and "-input=false" in call["argv"]
    assert call["data_dir"] == str(tmp_path / "work" / "app" / ".terraform")
    assert call["cwd"] == str(tf.directory) and call["automation"] == "1"


def test_init_failure_names_the_error_lines(fake: Any, tmp_path: Path) -> None:
    fake.script(
        init={
            "code": 1,
            "lines": [
                "",
                "│ Error: Failed to get existing workspaces: S3 bucket does not exist.",
                "│ ",
                "│ The referenced S3 bucket must have been previously created.",
            ],
        }
    )
    with pytest.raises(TerraformError, match="S3 bucket does not exist"):
        stack(fake, tmp_path).init()


def test_state_list_is_empty_without_state(fake: Any, tmp_path: Path) -> None:
    fake.script(state_list={"code": 1, "lines": ["No state file was found!"]})
    assert stack(fake, tmp_path).state_resources() == []
    fake.script(state_list={"code": 0, "lines": ["aws_s3_bucket.docs", "data.aws_region.current"]})
    assert stack(fake, tmp_path).state_resources() == ["aws_s3_bucket.docs", "data.aws_region.current"]


def test_version_of_a_missing_binary_is_none(tmp_path: Path) -> None:
    assert terraform_version(str(tmp_path / "nope")) is None


def test_error_lines_of_plain_output() -> None:
    lines = ["╷", "│ Error: Backend initialization required", "│ ", "│ Run terraform init", "╵"]
    assert _error_lines(lines) == ["Error: Backend initialization required Run terraform init"]
