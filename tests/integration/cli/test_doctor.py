from __future__ import annotations

import json

from typer.testing import CliRunner

from campusbot.cli.main import app


def test_doctor_prints_a_table_of_checks() -> None:
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0
    for name in (
        "python",
        "embedded postgres",
        "terraform/tofu",
        "docker",
        "aws credentials",
        "scalr token",
        "localstack",
    ):
        assert name in result.stdout


def test_doctor_json_is_machine_readable() -> None:
    result = CliRunner().invoke(app, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert checks["python"]["status"] == "ok"
    assert checks["embedded postgres"]["status"] == "ok"
    assert {c["status"] for c in checks.values()} <= {"ok", "missing", "warn", "off"}
