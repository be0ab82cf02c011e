"""The QuickSight analysis draws what `platform analytics report` draws: one visual per named query, in the
queries' order, with the chart kind, axes and columns of each query's header (rendered with terraform console)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from campusbot.analytics import sql
from tests.terraform.tf_hcl import MODULES, REPO

QUERIES = REPO / "src" / "campusbot" / "analytics" / "queries"
EXPRESSION = "jsonencode({order = local.visual_order, visuals = local.visuals})"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, terraform_env: dict[str, str]) -> dict[str, Any]:
    env = {**os.environ, **terraform_env}
    module = tmp_path_factory.mktemp("quicksight") / "quicksight"
    shutil.copytree(MODULES / "quicksight", module, ignore=shutil.ignore_patterns(".terraform*"))
    env.update({"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"})
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
        cwd=module, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    variables = {
        "name": "campusbot-test",
        "aws_account_id": "123456789012",
        "athena_workgroup_name": "wg",
        "glue_database_name": "campusbot_test",
        "queries_dir": str(QUERIES),
    }
    console = subprocess.run(
        ["terraform", "console", "-no-color", *[f"-var={k}={v}" for k, v in variables.items()]],
        cwd=module, env=env, input=EXPRESSION, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert console.returncode == 0, console.stderr
    result: dict[str, Any] = json.loads(json.loads(console.stdout.strip().splitlines()[-1]))
    return result


def test_one_visual_per_query_in_the_reports_order(rendered: dict[str, Any]) -> None:
    assert rendered["order"] == [query.name.replace("_", "-") for query in sql.load_all()]


def test_each_visual_is_drawn_as_the_query_says(rendered: dict[str, Any]) -> None:
    for query in sql.load_all():
        visual = rendered["visuals"][query.name.replace("_", "-")]
        assert (visual["kind"], visual["title"]) == (query.chart.kind, query.title)
        assert (visual["x"], tuple(visual["y"]), visual["color"]) == (query.chart.x, query.chart.y, query.chart.color)
        assert [(c["name"], c["type"]) for c in visual["columns"]] == list(query.columns)
        for table in query.tables:  # QuickSight's custom SQL names the Glue database
            assert f'"campusbot_test".{table}' in visual["sql"], (query.name, table)
        assert "--" not in visual["sql"]
