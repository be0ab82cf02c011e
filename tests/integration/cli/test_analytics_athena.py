"""`platform analytics --env E` end to end against a moto server: the workgroup and database from SSM, the
query started in that workgroup (with the day partitions of --since), results read back and printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import boto3
import httpx
from tests.fixtures.moto_s3 import MotoS3

from campusbot.analytics import sql


def test_a_query_runs_in_the_environments_workgroup(moto_s3: MotoS3, unique: str) -> None:
    env_name = f"e{unique[:8]}".lower()
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    ssm = session.client("ssm", endpoint_url=moto_s3.url)
    athena = session.client("athena", endpoint_url=moto_s3.url)
    workgroup, database = f"campusbot-{env_name}", f"campusbot_{env_name}"
    ssm.put_parameter(Name=f"/campusbot/{env_name}/analytics/athena_workgroup", Value=workgroup, Type="String")
    ssm.put_parameter(Name=f"/campusbot/{env_name}/analytics/glue_database_name", Value=database, Type="String")
    athena.create_work_group(Name=workgroup, Configuration={"ResultConfiguration": {"OutputLocation": "s3://r/"}})
    columns = [
        {"Name": c, "Label": c, "Type": t} for c, t in [("day", "varchar"), ("turns", "bigint"), ("sessions", "bigint")]
    ]
    rows = [["day", "turns", "sessions"], ["2026-11-24", "12", "5"], ["2026-11-25", "30", "9"]]
    queued = {"results": [{"rows": [{"Data": [{"VarCharValue": v} for v in r]} for r in rows], "column_info": columns}]}
    httpx.post(f"{moto_s3.url}/moto-api/static/athena/query-results", json=queued).raise_for_status()

    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUSBOT_", "AWS_ENDPOINT_URL"))}
    environment.update({"AWS_ENDPOINT_URL": moto_s3.url, "AWS_DEFAULT_REGION": "us-east-1"})
    done = subprocess.run(
        [sys.executable, "-m", "campusbot.cli.main", "analytics", "daily_turns", "--env", env_name,
         "--since", "2026-11-24", "--json"],
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["query"], result["engine"]) == ("daily_turns", "athena")
    assert result["rows"] == [
        {"day": "2026-11-24", "turns": 12, "sessions": 5},
        {"day": "2026-11-25", "turns": 30, "sessions": 9},
    ]
    [execution_id] = athena.list_query_executions(WorkGroup=workgroup)["QueryExecutionIds"]
    execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
    assert execution["QueryExecutionContext"]["Database"] == database
    sent = execution["Query"]
    assert f'"{database}"."chat_events"' in sent and "dt >= '2026-11-24'" in sent
    expected = sql.restrict_chat_events(sql.by_name("daily_turns").tree(), date(2026, 11, 24), database)
    assert sql.parse_trino(sent) == expected  # the query file, with the partitions of --since


def test_an_environment_without_the_analytics_stack_is_named(moto_s3: MotoS3) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUSBOT_", "AWS_ENDPOINT_URL"))}
    environment.update({"AWS_ENDPOINT_URL": moto_s3.url, "AWS_DEFAULT_REGION": "us-east-1"})
    done = subprocess.run(
        [sys.executable, "-m", "campusbot.cli.main", "analytics", "daily_turns", "--env", "nowhere"],
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert "/campusbot/nowhere/analytics/athena_workgroup is not in SSM" in done.stderr
