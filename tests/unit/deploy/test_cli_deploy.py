"""`platform deploy/plan/destroy/bootstrap` at the CLI: the dry run prints the whole plan of steps with the
names it resolves, and needs no credentials (checked in a subprocess without any AWS variables)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from campusbot.cli.main import app

REPO = Path(__file__).resolve().parents[3]
runner = CliRunner()


def platform(*args: str, tmp_path: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a clean environment: no AWS or Scalr credentials, a private data dir, no network."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SCALR_", "CAMPUSBOT_"))}
    env.update(
        {
            "HOME": str(tmp_path / "home"),  # no ~/.aws either
            "CAMPUSBOT_DATA_DIR": str(tmp_path / "data"),
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "COLUMNS": "200",
            **(extra_env or {}),
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "campusbot.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_dry_run_prints_every_step_with_resolved_names_without_credentials(tmp_path: Path) -> None:
    result = platform("deploy", "--env", "dev", "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    err = result.stderr
    for number, name in enumerate(
        ("preflight", "image", "lambdas", "stacks", "lex", "migrate", "documents", "web", "smoke"), 1
    ):
        assert f"{number}/9 {name}" in err
    assert "tag src-" in err and "campusbot-dev/api" in err
    assert "campusbot.lambdas.vectorizer.handler" in err and "manylinux" in err
    for stack in ("foundation", "data", "app", "conversation", "analytics"):
        assert f"s3://campusbot-tfstate-<account-id>-us-east-1/campusbot/dev/{stack}.tfstate (lockfile)" in err
    assert "terraform/environments/dev.tfvars" in err
    assert "platform seed" in err and "RunTask" in err
    assert "deploy dev: aws via local (dry run)" in result.stdout
    assert not (tmp_path / "data" / "deploy" / "aws-dev" / "state.json").exists(), "a dry run writes nothing"


def test_dry_run_via_scalr_names_the_workspaces(tmp_path: Path) -> None:
    result = platform("deploy", "--env", "prod", "--via", "scalr", "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Scalr workspace campusbot-prod-conversation in campusbot-prod" in result.stderr
    assert "policy checks printed" in result.stderr
    assert "SCALR_TOKEN" in result.stderr


def test_dry_run_of_the_localstack_target_is_honest_about_what_runs_where(tmp_path: Path) -> None:
    result = platform(
        "deploy", "--env", "dev", "--target", "localstack", "--dry-run", tmp_path=tmp_path,
        extra_env={"CAMPUSBOT_LOCALSTACK_URL": "http://127.0.0.1:4599"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert "localstack target: what runs where" in err
    for stays in ("Lex V2", "Bedrock", "RDS engine", "ECS tasks"):
        assert stays in err
    assert "localstack_providers_override.tf: every endpoint → http://127.0.0.1:4599" in err
    assert "create_lex_bot=false" in err
    assert "local state" in err and "localstack-dev/state/foundation.tfstate" in err
    assert "skipped: Lex stays on the local runtime" in err


def test_from_takes_a_step_name() -> None:
    result = runner.invoke(app, ["deploy", "--env", "dev", "--from", "nap", "--dry-run"])
    assert result.exit_code != 0
    assert "nap" in result.output


def test_from_marks_the_earlier_steps_skipped_in_the_dry_run(tmp_path: Path) -> None:
    result = platform("deploy", "--env", "dev", "--dry-run", "--from", "lex", "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    import json

    statuses = {row["step"]: row["status"] for row in json.loads(result.stdout)}
    assert statuses["stacks"] == "skipped" and statuses["lex"] == "planned" and statuses["smoke"] == "planned"


def test_localstack_cannot_go_through_scalr() -> None:
    result = runner.invoke(app, ["deploy", "--env", "dev", "--target", "localstack", "--via", "scalr", "--dry-run"])
    assert result.exit_code == 1
    assert "use --via local" in result.output


def test_destroy_asks_first_and_does_nothing_when_declined(tmp_path: Path) -> None:
    result = platform("destroy", "--env", "dev", "--target", "localstack", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "pass --yes" in result.stderr and "nothing destroyed" in result.stderr
    assert not (tmp_path / "data" / "deploy").exists()


def test_bootstrap_without_credentials_says_what_to_do(tmp_path: Path) -> None:
    result = platform("bootstrap", "--env", "dev", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "no usable AWS credentials" in result.stderr and "aws sso login" in result.stderr


@pytest.mark.parametrize("command", ["deploy", "plan", "destroy", "bootstrap"])
def test_help_of_every_command(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "--env" in result.output


def test_status_of_a_deployed_env_reads_the_ssm_contract(tmp_path: Path, moto_server: str) -> None:
    import boto3

    ssm = boto3.client(
        "ssm", endpoint_url=moto_server, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    ssm.put_parameter(Name="/campusbot/statustest/network/vpc_id", Value="vpc-123", Type="String")
    ssm.put_parameter(Name="/campusbot/statustest/rds/host", Value="db.internal", Type="String")
    env = {"CAMPUSBOT_LOCALSTACK_URL": moto_server}

    as_json = platform(
        "status", "--env", "statustest", "--target", "localstack", "--json", tmp_path=tmp_path, extra_env=env
    )
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    deployed = {stack["name"]: stack["deployed"] for stack in report["stacks"]}
    assert deployed == {"foundation": True, "data": True, "app": False, "conversation": False, "analytics": False}

    shown = platform("status", "--env", "statustest", "--target", "localstack", tmp_path=tmp_path, extra_env=env)
    assert shown.returncode == 0 and "network/vpc_id = vpc-123" in shown.stderr + shown.stdout

    nothing = platform("status", "--env", "nothere", "--target", "localstack", tmp_path=tmp_path, extra_env=env)
    assert nothing.returncode == 3 and "nothing of nothere is deployed" in nothing.stderr


def test_status_of_an_unreachable_endpoint_says_so(tmp_path: Path) -> None:
    from tests.fixtures.deploy import free_port

    env = {"CAMPUSBOT_LOCALSTACK_URL": f"http://127.0.0.1:{free_port()}"}
    result = platform("status", "--env", "dev", "--target", "localstack", tmp_path=tmp_path, extra_env=env)
    assert result.returncode == 3 and "cannot tell the state of dev" in result.stderr


def test_package_prints_the_zips_and_the_image_tag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI around lambda_package.build_all (built for real in tests/integration/deploy/test_lambda_zips.py)."""
    from campusbot.deploy import lambda_package
    from campusbot.deploy.stacks import LambdaArtifact

    built = {"lex_proxy": LambdaArtifact("lex_proxy", tmp_path / "lex_proxy.zip", "aGFzaA==", 123)}
    monkeypatch.setenv("CAMPUSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(lambda_package, "build_all", lambda src, build, cache, **_: built)
    result = runner.invoke(app, ["package", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["image_tag"].startswith("src-")
    assert payload["lambdas"] == [
        {"function": "lex_proxy", "size": 123, "hash": "aGFzaA==", "path": str(tmp_path / "lex_proxy.zip")}
    ]

    def broken(src: Path, build: Path, cache: Path, **_: object) -> None:
        raise lambda_package.PackagingError("pip failed for pydantic-core")

    monkeypatch.setattr(lambda_package, "build_all", broken)
    failed = runner.invoke(app, ["package"])
    assert failed.exit_code == 1 and "pip failed for pydantic-core" in failed.output
