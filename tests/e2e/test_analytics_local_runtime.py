"""Analytics on the real local runtime: after a scripted set of chats (a recommendation, questions no document
answers, a document question after an upload, a registration), `platform analytics` returns the counts those
chats imply, read by DuckDB from the runtime's S3 lake (chat events as lex_proxy ships them, the DMS stand-in's
copy of the database); `platform analytics report` renders every chart in headless Chromium."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from tests.fixtures.local_runtime import RunningRuntime

from campusbot.analytics import sql
from campusbot.analytics.events import ChatEvent
from campusbot.chat.client import ChatClient, ChatReply

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CAMPUSBOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip
WAIT_SECONDS = 120  # chat events and database changes reach the lake in the background


def analytics(runtime: RunningRuntime, *args: str) -> Any:
    done = runtime.platform("analytics", *args, "--json", check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def eventually(runtime: RunningRuntime, query: str, check: Any) -> list[dict[str, Any]]:
    """The query's rows once `check(rows)` holds (the lake is written in the background), else the last rows."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        rows: list[dict[str, Any]] = analytics(runtime, query)["rows"]
        if check(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(2)


@pytest.fixture(scope="module")
def chats(local_runtime: RunningRuntime) -> dict[str, Any]:
    """The scripted chats, and what each turn answered."""
    before = analytics(local_runtime, "registrations_by_field")["rows"]  # the full load of the seeded database
    uploaded = local_runtime.platform(
        "upload", str(REPO / "samples" / "documents" / "admission-rules-2027.md"), "--wait", "--json"
    )
    assert "indexed" in uploaded.stdout, uploaded.stderr
    email = f"amara.okafor.{int(time.time())}@example.org"
    scripts = [
        ["hello", "recommend a university for medicine in Germany"],
        ["who painted the ceiling of the sistine chapel?", "Who painted the ceiling of the Sistine Chapel"],
        ["When does the winter intake application window close?"],
        [
            "register me",
            "Amara",
            "Okafor",
            "economics",
            "Nigeria",
            "yes",
        ],  # signed in (issue 12): email from the account
    ]
    replies: list[ChatReply] = []
    with ChatClient(local_runtime.chat_url, id_token=local_runtime.id_token(email)) as client:
        for script in scripts:
            session = None
            for message in script:
                reply = client.send(message, session)
                session = reply.session_id
                replies.append(reply)
    assert replies[-1].intent == "RegisterStudent" and replies[-1].state == "Fulfilled", replies[-1]
    # The web client's thumbs (a later issue) as the feedback event it will record: thumbs up on the recommendation
    recommendation = next(r for r in replies if r.intent == "RecommendUniversity")
    assert recommendation.turn_id
    rating = ChatEvent.feedback(
        rated_event_id=recommendation.turn_id, rating=1, session_id=recommendation.session_id, env="dev", channel="web"
    )
    lake = boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{local_runtime.env['CAMPUSBOT_S3_PORT']}", region_name="us-east-1",
        aws_access_key_id="campusbot-local", aws_secret_access_key="campusbot-local",
    )  # fmt: skip
    key = f"chat-events/dt={rating.day}/feedback-{rating.event_id}.json"
    lake.put_object(Bucket="campusbot-lake", Key=key, Body=rating.to_json_line().encode())
    return {"replies": replies, "before": before, "email": email, "day": datetime.now(UTC).date().isoformat()}


def test_turns_intents_and_sessions_are_counted(local_runtime: RunningRuntime, chats: dict[str, Any]) -> None:
    replies: list[ChatReply] = chats["replies"]
    turns = eventually(local_runtime, "daily_turns", lambda rows: sum(r["turns"] for r in rows) >= len(replies))
    assert turns == [{"day": chats["day"], "turns": len(replies), "sessions": len({r.session_id for r in replies})}]
    intents = {r["intent"]: r["turns"] for r in analytics(local_runtime, "intent_distribution")["rows"]}
    assert intents == dict(Counter(r.intent for r in replies))


def test_unanswered_questions_are_the_content_teams_list(local_runtime: RunningRuntime, chats: dict[str, Any]) -> None:
    replies: list[ChatReply] = chats["replies"]
    general = [r for r in replies if r.intent == "FallbackIntent" and "general knowledge" in r.text.lower()]
    assert len(general) == 2
    eventually(local_runtime, "daily_turns", lambda rows: sum(r["turns"] for r in rows) >= len(replies))
    questions = analytics(local_runtime, "top_unanswered_questions")["rows"]
    assert [(q["question"], q["times_asked"], q["answered_from_general_knowledge"]) for q in questions] == [
        ("who painted the ceiling of the sistine chapel", 2, 2)  # typed twice, counted once, normalized
    ]
    rates = analytics(local_runtime, "unanswered_rate")["rows"]
    fallback = sum(1 for r in replies if r.intent == "FallbackIntent")
    assert [(r["turns"], r["fallback_turns"], r["dont_know_turns"]) for r in rates] == [(len(replies), fallback, 0)]


def test_answer_sources_and_recommended_universities(local_runtime: RunningRuntime, chats: dict[str, Any]) -> None:
    replies: list[ChatReply] = chats["replies"]
    eventually(local_runtime, "daily_turns", lambda rows: sum(r["turns"] for r in rows) >= len(replies))
    sources = {r["answer_source"]: r["answers"] for r in analytics(local_runtime, "answer_sources")["rows"]}
    documents = sum(1 for r in replies if r.intent == "FallbackIntent" and r.sources)
    assert documents == 1 and sources["documents"] == 1 and sources["general"] == 2
    fulfilled = sum(1 for r in replies if r.state == "Fulfilled")
    assert sum(sources.values()) == fulfilled
    recommended = [s["title"] for r in replies if r.intent == "RecommendUniversity" for s in r.sources]
    assert len(recommended) == 3
    rows = analytics(local_runtime, "most_recommended_universities")["rows"]
    assert {r["university"]: r["recommendations"] for r in rows} == dict.fromkeys(recommended, 1)
    latency = {r["intent"]: r for r in analytics(local_runtime, "latency_by_intent")["rows"]}
    assert set(latency) == {r.intent for r in replies}
    assert all(row["p50_ms"] <= row["p95_ms"] <= row["max_ms"] for row in latency.values())


def test_feedback_is_counted_on_the_rated_turn(local_runtime: RunningRuntime, chats: dict[str, Any]) -> None:
    rows = eventually(local_runtime, "feedback_by_intent", lambda rows: bool(rows))
    assert rows == [
        {"intent": "RecommendUniversity", "answer_source": "database", "ratings": 1, "thumbs_up": 1, "thumbs_down": 0,
         "thumbs_up_pct": 100.0}
    ]  # fmt: skip


def test_the_registration_reaches_the_lake_through_the_dms_stand_in(
    local_runtime: RunningRuntime, chats: dict[str, Any]
) -> None:
    before = {r["field_of_study"]: r["students"] for r in chats["before"]}
    rows = eventually(
        local_runtime,
        "registrations_by_field",
        lambda rows: (
            {r["field_of_study"]: r["students"] for r in rows}.get("Economics") == before.get("Economics", 0) + 1
        ),
    )
    after = {r["field_of_study"]: r["students"] for r in rows}
    assert after == {**before, "Economics": before.get("Economics", 0) + 1}
    total = httpx.get(f"{local_runtime.api_url}/students", params={"limit": 1}).json()["count"]
    assert sum(after.values()) == total
    per_day = analytics(local_runtime, "registrations_per_day")["rows"]
    assert sum(r["students"] for r in per_day) == total and per_day[-1]["day"] == chats["day"]


def test_the_report_shows_every_chart_in_a_browser(
    local_runtime: RunningRuntime, chats: dict[str, Any], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).is_file(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    eventually(local_runtime, "daily_turns", lambda rows: sum(r["turns"] for r in rows) >= len(chats["replies"]))
    report = tmp_path / "analytics.html"
    done = local_runtime.platform("analytics", "report", "--output", str(report), check=False)
    assert done.returncode == 0, done.stderr
    queries = sql.load_all()
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.goto(report.as_uri())
            page.wait_for_load_state("networkidle")
            sections = page.locator("section.chart")
            assert sections.count() == len(queries)
            for query in queries:
                section = page.locator(f"#query-{query.name}")
                assert section.locator("h2").inner_text() == query.title
                if query.name == "errors_by_day":  # no turn failed
                    assert section.locator(".empty").inner_text() == "No data yet for this period."
                elif query.chart.kind == "table":
                    assert section.locator("tbody tr").count() >= 1, query.name
                else:  # drawn by plotly.js: an SVG with the query's traces
                    assert section.locator(".js-plotly-plot .main-svg").count() >= 1, query.name
            assert "chat turns" in page.locator(".headlines").inner_text()
            page.screenshot(
                path=str(os.environ.get("CAMPUSBOT_REPORT_SCREENSHOT", tmp_path / "report.png")), full_page=True
            )
        finally:
            browser.close()
    assert not errors, errors
    assert all(url.startswith(("file:", "data:", "blob:", "about:")) for url in requests), requests  # no CDN
