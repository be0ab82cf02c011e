"""The named queries over 1 million synthetic chat events in the lake's layout: wall time per query on DuckDB
(the local engine), and the bytes Athena would scan per query, with and without partition pruning on `dt`.

The lake is a folder written as Firehose writes it (gzip JSON-lines objects of at most 5 MB before compression
under chat-events/dt=YYYY-MM-DD/, 30 days) plus a DMS copy of 5,000 student and 300 company registrations
(full load and a change file, Parquet). Athena bills a JSON table by the compressed bytes of the objects in the
partitions a query reads, so the figure is the sum of those objects' sizes: all days, or the last 7 with
`--since` (the dt predicate); for the Parquet DMS tables it is the files' size (an upper bound: Athena reads only
the columns used).

    python bench/analytics_bench.py [--events 1000000] [--days 30] [--keep DIR] [--screenshot PNG]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from campusbot.analytics import lakefiles, layout, sql
from campusbot.analytics.athena import human_bytes
from campusbot.analytics.duck import LocalLakeEngine
from campusbot.local.dms import Column, parquet_bytes

INTENTS = [  # (intent, share, answer source, latency ms median)
    ("RecommendUniversity", 0.22, "database", 180),
    ("GetUniversityInfo", 0.14, "database", 120),
    ("FindOpportunities", 0.12, "database", 150),
    ("RegisterStudent", 0.10, "database", 90),
    ("GetStudentProfile", 0.05, "database", 80),
    ("Greeting", 0.08, "database", 15),
    ("Help", 0.04, "database", 15),
    ("FallbackIntent", 0.25, "documents", 1400),
]
QUESTIONS = ["where can i park my bike", "is there a gym on campus", "how do i get a library card",
             "when is the cafeteria open", "can i bring my dog to class", "how much is a bus ticket"]  # fmt: skip
UNIVERSITIES = ["Technical University of Munich", "ETH Zurich", "University of Toronto", "LMU Munich",
                "University of Amsterdam", "KU Leuven", "Heidelberg University", "University of Melbourne"]  # fmt: skip
FIELDS = ["Computer Science", "Medicine", "Business", "Law", "Engineering", "Economics", "Psychology"]


def generate_lake(root: Path, events: int, days: int, seed: int = 7) -> int:
    """Write `events` chat turns (plus feedback on 3 % of them) over `days` days; returns the lines written."""
    rng = random.Random(seed)
    chat = layout.load().chat_events
    first = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    weights = [share for _, share, _, _ in INTENTS]
    per_day = events // days
    written = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        lines: list[str] = []
        today = per_day if offset < days - 1 else events - per_day * (days - 1)
        for n in range(today):
            intent, _, source, median = rng.choices(INTENTS, weights)[0]
            moment = day + timedelta(seconds=n * 86_400 // today)
            question, sources = "", "[]"
            if intent == "FallbackIntent":
                source = rng.choices(["documents", "general", "none"], [0.6, 0.3, 0.1])[0]
                question = rng.choice(QUESTIONS) if source != "documents" else ""
            if intent == "RecommendUniversity":
                picks = rng.sample(UNIVERSITIES, 3)
                sources = json.dumps([{"kind": "university", "id": str(i), "title": t} for i, t in enumerate(picks)])
            error = "ThrottlingException" if rng.random() < 0.002 else ""
            event_id = uuid.UUID(int=rng.getrandbits(128)).hex
            record = {
                "event_id": event_id, "occurred_at": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "session_id": f"s-{offset}-{n // 4}", "env": "bench", "channel": "web",
                "intent": None if error else intent, "nlu_confidence": None if error else round(rng.uniform(0.5, 1), 3),
                "state": None if error else "Fulfilled", "answer_source": "none" if error else source, "slots": "{}",
                "message_chars": rng.randint(5, 200), "latency_ms": int(rng.lognormvariate(0, 0.5) * median),
                "error": error, "kind": "turn", "question": question, "sources": sources, "rated_event_id": "",
                "rating": None,
            }  # fmt: skip
            lines.append(json.dumps(record, separators=(",", ":")))
            if rng.random() < 0.03:
                feedback = {**record, "event_id": uuid.UUID(int=rng.getrandbits(128)).hex, "kind": "feedback",
                            "intent": None, "question": "", "sources": "[]", "rated_event_id": event_id,
                            "rating": rng.choice([1, 1, 1, -1])}  # fmt: skip
                lines.append(json.dumps(feedback, separators=(",", ":")))
        lakefiles.write_lines(root, chat, day.date().isoformat(), lines)
        written += len(lines)
    _write_dms(root, rng, first, days)
    return written


def _write_dms(root: Path, rng: random.Random, first: datetime, days: int) -> None:
    dms = layout.load().dms
    student = [Column("id", "integer"), Column("field_of_study", "character varying"),
               Column("created_at", "timestamp with time zone")]  # fmt: skip
    company = [Column("id", "integer"), Column("created_at", "timestamp with time zone")]
    students = [(i, rng.choice(FIELDS), first + timedelta(days=rng.randrange(days))) for i in range(1, 5001)]
    companies = [(i, first + timedelta(days=rng.randrange(days))) for i in range(1, 301)]
    now = datetime.now(UTC)
    files = {
        dms.full_load_key("public", "student_registration", 1): parquet_bytes(
            student, [("I", s) for s in students], dms, now
        ),
        dms.cdc_key("public", "student_registration", now): parquet_bytes(
            student, [("U", (s[0], "Medicine", s[2])) for s in students[:50]], dms, now
        ),
        dms.full_load_key("public", "company_registration", 1): parquet_bytes(
            company, [("I", c) for c in companies], dms, now
        ),
    }
    for key, body in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(body)


def scanned_bytes(root: Path, query: sql.NamedQuery, engine: LocalLakeEngine) -> int:
    """What Athena would bill: the objects of the chat-events partitions the engine selected, the DMS files."""
    total = 0
    if query.reads_chat_events:
        total += sum(Path(file).stat().st_size for file in engine.files)
    for table in query.tables - {"chat_events"}:
        name = table.removeprefix(layout.load().dms.table_prefix)
        total += sum(p.stat().st_size for p in (root / layout.load().dms.folder / "public" / name).rglob("*.parquet"))
    return total


def run(root: Path, since: date | None) -> tuple[float, list[tuple[str, float, int, int]]]:
    started = time.perf_counter()
    engine = LocalLakeEngine(str(root), layout.load(), since=since)
    load = time.perf_counter() - started
    rows = []
    try:
        for query in sql.load_all():
            result = engine.run(query)
            rows.append((query.name, result.seconds, len(result.rows), scanned_bytes(root, query, engine)))
    finally:
        engine.close()
    return load, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="write the lake here and keep it (default: a temp dir)")
    parser.add_argument("--screenshot", type=Path, help="also render the report of this lake to a PNG")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="campusbot-lake-"))
    try:
        started = time.perf_counter()
        lines = generate_lake(root, args.events, args.days)
        objects = list(root.glob("chat-events/dt=*/*"))
        size = sum(p.stat().st_size for p in objects)
        print(f"lake: {lines:,} chat event lines ({args.events:,} turns + feedback) in {len(objects)} gzip objects, "
              f"{human_bytes(size)}, {args.days} days; written in {time.perf_counter() - started:.1f} s")  # fmt: skip
        since = datetime.now(UTC).date() - timedelta(days=6)
        for label, first_day in (("all days", None), (f"--since {since} (7 of {args.days} days)", since)):
            load, rows = run(root, first_day)
            total = load + sum(seconds for _, seconds, _, _ in rows)
            print(f"\n{label}: DuckDB reads the selected partitions once: {load:.2f} s")
            print(f"{'query':32} {'DuckDB s':>9} {'rows':>6} {'Athena would scan':>18}")
            for name, seconds, count, scanned in rows:
                print(f"{name:32} {seconds:9.3f} {count:6d} {human_bytes(scanned):>18}")
            print(f"{'whole set (load + queries)':32} {total:9.2f}    goal < 5 s on 2 cores")
        if args.screenshot:
            _screenshot(root, args.screenshot)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


def _screenshot(root: Path, png: Path) -> None:
    from playwright.sync_api import sync_playwright

    from campusbot.analytics import report
    from campusbot.analytics.engine import run_all

    engine = LocalLakeEngine(str(root), layout.load(), since=datetime.now(UTC).date() - timedelta(days=13))
    page_html = report.render(run_all(engine, sql.load_all()), source="synthetic lake (bench/analytics_bench.py)",
                              since=str(datetime.now(UTC).date() - timedelta(days=13)))  # fmt: skip
    engine.close()
    path = root / "report.html"
    path.write_text(page_html)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"]  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        page.goto(path.as_uri())
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(png), full_page=True)
        browser.close()
    print(f"\nreport screenshot: {png}")


if __name__ == "__main__":
    main()
