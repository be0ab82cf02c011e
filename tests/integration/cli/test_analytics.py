"""`platform analytics` on a lake folder (--lake): tables, JSON, CSV, the report, and errors that say what to do."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from campusbot.analytics import lakefiles, layout
from campusbot.analytics.events import ChatEvent
from campusbot.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    events = [
        ChatEvent.create(
            session_id=f"s{n % 2}", env="test", channel="web", intent=intent, nlu_confidence=0.9, state="Fulfilled",
            answer_source="database", slots={}, message_chars=10, latency_ms=10 * (n + 1), now=now,
        )
        for n, intent in enumerate(["Greeting", "Greeting", "RecommendUniversity"])
    ]  # fmt: skip
    lakefiles.write_events(root, layout.load().chat_events, events)
    return root


def test_one_query_as_a_table_json_and_csv(lake: Path) -> None:
    table = runner.invoke(app, ["analytics", "intent_distribution", "--lake", str(lake)])
    assert table.exit_code == 0, table.output
    assert "What students ask" in table.output and "Greeting" in table.output
    as_json = runner.invoke(app, ["analytics", "intent_distribution", "--lake", str(lake), "--json"])
    rows = json.loads(as_json.stdout)["rows"]
    assert [(r["intent"], r["turns"]) for r in rows] == [("Greeting", 2), ("RecommendUniversity", 1)]
    as_csv = runner.invoke(app, ["analytics", "daily_turns", "--lake", str(lake), "--csv"])
    assert as_csv.stdout.splitlines() == ["day,turns,sessions", "2026-11-25,3,2"]


def test_all_queries_go_on_and_name_what_is_missing(lake: Path) -> None:
    every = runner.invoke(app, ["analytics", "--lake", str(lake), "--json"])
    assert every.exit_code == 1  # the DMS tables are not in this lake
    results = {r["query"]: r for r in json.loads(every.stdout)}
    assert results["daily_turns"]["rows"] == [{"day": "2026-11-25", "turns": 3, "sessions": 2}]
    assert "not in the lake yet" in results["registrations_by_field"]["error"]


def test_the_report_is_one_file(lake: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    done = runner.invoke(app, ["analytics", "report", "--lake", str(lake), "--output", str(target)])
    assert done.exit_code == 0, done.output
    html = target.read_text()
    assert html.count('class="card chart') == 11 and "<script src=" not in html and "plotly" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "no query named 'nope'"),
        (["--csv"], "--csv prints one query"),
        (["daily_turns", "--since", "yesterday"], "give a day (2026-11-25) or a span (7d, 4w)"),
        (["daily_turns", "--open"], "are for `platform analytics report`"),
    ],
)
def test_bad_usage_says_what_to_do(lake: Path, args: list[str], message: str) -> None:
    done = runner.invoke(app, ["analytics", *args, "--lake", str(lake)])
    assert done.exit_code == 2 and message in done.output.replace("\n", " ")
