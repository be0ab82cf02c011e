"""The Athena engine against botocore's real Athena model (Stubber): start, poll with progress, paginated
results with the header row skipped and values typed, failures and timeouts reported with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from campusbot.analytics import sql
from campusbot.analytics.athena import AthenaEngine
from campusbot.analytics.engine import AnalyticsError

QUERY = sql.by_name("intent_distribution")
COLUMNS = [
    {"Name": "intent", "Label": "intent", "Type": "varchar"},
    {"Name": "turns", "Label": "turns", "Type": "bigint"},
    {"Name": "share_pct", "Label": "share_pct", "Type": "double"},
    {"Name": "avg_nlu_confidence", "Label": "avg_nlu_confidence", "Type": "double"},
]


def row(*values: str | None) -> dict[str, Any]:
    return {"Data": [{"VarCharValue": v} if v is not None else {} for v in values]}


def execution(state: str, scanned: int = 0, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {
        "QueryExecution": {"QueryExecutionId": "q-1", "Status": status, "Statistics": {"DataScannedInBytes": scanned}}
    }


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def engine(client: Any, **options: Any) -> AthenaEngine:
    return AthenaEngine(client, workgroup="campusbot-dev", database="campusbot_dev", sleep=lambda _s: None, **options)


def test_a_query_runs_polls_and_reads_every_page(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    context = {"Database": "campusbot_dev", "Catalog": "AwsDataCatalog"}
    stubber.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-1"},
        {"QueryString": QUERY.sql, "WorkGroup": "campusbot-dev", "QueryExecutionContext": context},
    )
    stubber.add_response("get_query_execution", execution("QUEUED"), {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_execution", execution("RUNNING", 2048), {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_execution", execution("SUCCEEDED", 4096), {"QueryExecutionId": "q-1"})
    first = {
        "ResultSet": {
            "Rows": [
                row("intent", "turns", "share_pct", "avg_nlu_confidence"),
                row("FallbackIntent", "4", "50.0", None),
            ],
            "ResultSetMetadata": {"ColumnInfo": COLUMNS},
        },
        "NextToken": "page-2",
    }
    second = {
        "ResultSet": {"Rows": [row("Greeting", "4", "50.0", "0.98")], "ResultSetMetadata": {"ColumnInfo": COLUMNS}}
    }
    stubber.add_response("get_query_results", first, {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_results", second, {"QueryExecutionId": "q-1", "NextToken": "page-2"})
    progress: list[str] = []
    result = engine(client, progress=progress.append).run(QUERY)
    assert result.columns == QUERY.column_names
    assert result.rows == [("FallbackIntent", 4, 50.0, None), ("Greeting", 4, 50.0, 0.98)]
    assert result.scanned_bytes == 4096 and result.engine == "athena"
    assert [m.split(" on Athena")[0] for m in progress] == [
        "intent_distribution: queued", "intent_distribution: running", "intent_distribution: succeeded",
    ]  # fmt: skip
    assert "2.0 KB scanned" in progress[1]


def test_since_reads_the_day_partitions_from_that_day(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    sent: dict[str, str] = {}

    def capture(params: dict[str, Any], **_kwargs: Any) -> None:
        sent["sql"] = params["QueryString"]

    client.meta.events.register("provide-client-params.athena.StartQueryExecution", capture)
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"}, None)
    stubber.add_response("get_query_execution", execution("SUCCEEDED"), None)
    stubber.add_response("get_query_results", {"ResultSet": {"Rows": [], "ResultSetMetadata": {"ColumnInfo": COLUMNS}}})
    engine(client, since=date(2026, 11, 1)).run(QUERY)
    assert 'FROM "campusbot_dev"."chat_events"' in sent["sql"] and "dt >= '2026-11-01'" in sent["sql"]
    sql.parse_trino(sent["sql"])  # still one Trino statement


def test_a_failed_query_says_why(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"}, None)
    reason = "TABLE_NOT_FOUND: line 1:6: Table 'campusbot_dev.chat_events' does not exist"
    stubber.add_response("get_query_execution", execution("FAILED", reason=reason), None)
    with pytest.raises(AnalyticsError, match="q-1 failed: TABLE_NOT_FOUND"):
        engine(client).run(QUERY)


def test_a_query_over_the_time_limit_is_cancelled(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"}, None)
    stubber.add_response("get_query_execution", execution("RUNNING"), None)
    stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    with pytest.raises(AnalyticsError, match="was cancelled"):
        engine(client, timeout_seconds=-1).run(QUERY)


def test_a_rejected_start_is_reported(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error("start_query_execution", "InvalidRequestException", "WorkGroup is disabled")
    with pytest.raises(AnalyticsError, match=r"did not start the query.*WorkGroup is disabled"):
        engine(client).run(QUERY)


def test_the_engine_of_an_environment_reads_its_names_from_ssm() -> None:
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    ssm = session.client("ssm")
    with Stubber(ssm) as stubber:
        stubber.add_response(
            "get_parameters_by_path",
            {"Parameters": [{"Name": "/campusbot/dev/analytics/athena_workgroup", "Value": "campusbot-dev"}]},
            {"Path": "/campusbot/dev/", "Recursive": True},
        )

        class Session:
            def client(self, name: str) -> Any:
                return ssm if name == "ssm" else session.client(name)

        with pytest.raises(AnalyticsError, match=r"analytics/glue_database_name is not in SSM.*status --env dev"):
            AthenaEngine.for_environment(Session(), "dev")
