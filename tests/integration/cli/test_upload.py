"""`platform upload` against moto's S3, and --wait while the local notifier feeds the real vectorizer."""

from __future__ import annotations

import json
import socket
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.fixtures.documents import make_pdf
from tests.fixtures.moto_s3 import MotoS3
from typer.testing import CliRunner, Result

from campusbot.cli.main import app
from campusbot.db.database import Database
from campusbot.lambdas import vectorizer
from campusbot.local.notifier import S3Notifier
from campusbot.settings import get_settings


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "guides").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "guides" / "housing rules.md").write_text("# Housing\n\nGuests may stay three nights a month.\n")
    (root / "guides" / "fees.pdf").write_bytes(make_pdf([(1, "Fees"), (0, "The library card costs 12 euros.")]))
    (root / "notes.txt").write_text("Campus shuttle leaves every 20 minutes.")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (root / ".hidden" / "secret.md").write_text("# nope")
    return root


@pytest.fixture
def bucket_env(s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("CAMPUSBOT_DOCS_BUCKET", s3_bucket)
    get_settings.cache_clear()
    yield s3_bucket
    get_settings.cache_clear()


def keys(moto_s3: MotoS3, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in moto_s3.client().list_objects_v2(Bucket=bucket).get("Contents", []))


def test_folders_files_filters_prefix_and_tags(docs: Path, bucket_env: str, moto_s3: MotoS3) -> None:
    result = CliRunner().invoke(
        app, ["upload", str(docs), str(docs / "photo.jpg"), "--prefix", "campus", "--exclude", "*.txt",
              "--tag", "Housing", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json_rows(result)
    assert [(r["key"], r["status"]) for r in rows] == [
        ("campus/guides/fees.pdf", "uploaded"),
        ("campus/guides/housing rules.md", "uploaded"),
        ("campus/photo.jpg", "uploaded"),  # named explicitly: uploaded, and the vectorizer will say why not
    ]
    assert keys(moto_s3, bucket_env) == [r["key"] for r in rows]
    head = moto_s3.client().head_object(Bucket=bucket_env, Key="campus/guides/housing rules.md")
    assert head["Metadata"] == {"campusbot-tags": "housing"} and head["ContentType"] == "text/markdown"
    assert "uploading 3 file(s)" in result.stderr and "not a type campusbot reads" in result.stderr


@pytest.mark.parametrize("multipart_from", [8 * 1024 * 1024, 1])
def test_small_files_are_one_put_and_large_ones_multipart_both_with_their_etag_and_metadata(
    docs: Path, bucket_env: str, moto_s3: MotoS3, monkeypatch: pytest.MonkeyPatch, multipart_from: int
) -> None:
    """Below boto3's multipart threshold a file is one PutObject (its answer carries the ETag); above it upload_file
    sends parts and a HeadObject reads the ETag (a threshold of 1 byte takes the upload_file path here, with these
    small files). Either way the row carries the object's ETag, which `--wait` matches against the index."""
    from campusbot.cli import upload

    monkeypatch.setattr(upload, "MULTIPART_FROM", multipart_from)
    result = CliRunner().invoke(app, ["upload", str(docs / "guides"), "--tag", "Housing", "--json"])
    assert result.exit_code == 0, result.output
    s3 = moto_s3.client()
    for row in json_rows(result):
        head = s3.head_object(Bucket=bucket_env, Key=row["key"])
        assert row["status"] == "uploaded" and row["etag"] == head["ETag"].strip('"'), row
        assert head["Metadata"] == {"campusbot-tags": "housing"} and head["ContentLength"] == row["size"]


def test_include_and_the_summary_table(docs: Path, bucket_env: str) -> None:
    result = CliRunner().invoke(app, ["upload", str(docs), "--include", "*.txt"])
    assert result.exit_code == 0, result.output
    assert "notes.txt" in result.stdout and "uploaded" in result.stdout and "fees.pdf" not in result.stdout


def test_missing_paths_and_empty_selections_abort(docs: Path, bucket_env: str) -> None:
    missing = CliRunner().invoke(app, ["upload", str(docs / "nope.pdf"), str(docs)])
    assert missing.exit_code == 1 and f"error: no such file or folder: {docs / 'nope.pdf'}" in missing.stderr
    empty = CliRunner().invoke(app, ["upload", str(docs), "--include", "*.xlsx"])
    assert empty.exit_code == 1 and "error: nothing to upload" in empty.stderr


def test_a_missing_bucket_is_created_on_the_local_target(
    docs: Path, moto_s3: MotoS3, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = f"fresh-{unique}"
    monkeypatch.setenv("CAMPUSBOT_DOCS_BUCKET", bucket)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["upload", str(docs / "notes.txt")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"creating bucket {bucket}" in result.stderr and keys(moto_s3, bucket) == ["notes.txt"]


def test_an_unreachable_s3_is_explained(docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["upload", str(docs / "notes.txt")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "is the local runtime running (platform up)?" in result.stderr


@pytest.fixture
def notifier(bedrock_emulator: object, database: Database, moto_s3: MotoS3, bucket_env: str) -> Iterator[S3Notifier]:
    vectorizer.reset()
    with S3Notifier(moto_s3.client(), bucket_env, lambda event: vectorizer.handler(event, None), interval=0.2) as n:
        yield n
    vectorizer.reset()


def json_rows(result: Result) -> list[dict[str, Any]]:
    """The rows `--json` printed; when it printed none, a failure that shows why (stderr, or the exception)."""
    if not result.stdout.strip():
        trace = "".join(traceback.format_exception(result.exception)) if result.exception else ""
        pytest.fail(f"no JSON on stdout (exit {result.exit_code}); stderr: {result.stderr}\n{trace}")
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_wait_follows_each_document_to_indexed_or_failed(docs: Path, notifier: S3Notifier) -> None:
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    result = CliRunner().invoke(app, ["upload", str(docs), str(docs / "broken.pdf"), "--wait", "--timeout", "90",
                                      "--json"])  # fmt: skip
    assert result.exit_code == 1, result.output  # one document failed
    rows: dict[str, Any] = {r["key"]: r for r in json_rows(result)}
    assert rows["guides/housing rules.md"]["status"] == "indexed" and rows["guides/housing rules.md"]["chunks"] == 1
    assert rows["guides/fees.pdf"]["status"] == "indexed"
    assert rows["notes.txt"]["status"] == "indexed"
    assert rows["broken.pdf"]["status"] == "failed" and "broken PDF" in rows["broken.pdf"]["reason"]
    assert "error: 1 of 4 documents were not indexed" in result.stderr

    again = CliRunner().invoke(app, ["upload", str(docs / "notes.txt"), "--wait"])  # same bytes: already indexed
    assert again.exit_code == 0, again.output
    assert "indexed (1 chunks)" in again.stdout


def test_wait_times_out_without_a_vectorizer(docs: Path, bucket_env: str, database: Database) -> None:
    result = CliRunner().invoke(app, ["upload", str(docs / "guides"), "--wait", "--timeout", "1", "--json"])
    assert result.exit_code == 1
    rows = json_rows(result)
    assert {row["status"] for row in rows} == {"not indexed"}
    assert rows[0]["reason"].startswith("still waiting after 1 s: is the vectorizer running")


def test_wait_on_a_database_that_never_answers_still_lists_the_uploads(
    docs: Path, bucket_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The uploads are done before --wait reads the database: when it cannot (down, or restarting under the
    supervisor), it keeps asking until --timeout, then every row is still printed, saying what went wrong."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("CAMPUSBOT_DATABASE_URL", f"postgresql+asyncpg://postgres@127.0.0.1:{port}/campusbot")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["upload", str(docs / "guides"), "--wait", "--timeout", "2", "--json"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    rows = json_rows(result)
    assert [row["key"] for row in rows] == ["fees.pdf", "housing rules.md"]
    assert {row["status"] for row in rows} == {"not indexed"}
    assert rows[0]["reason"].startswith("uploaded, but the database could not be read for 2 s ("), rows[0]
    assert str(port) in rows[0]["reason"], rows[0]  # the connection error itself, naming where it knocked
    assert "error: 2 of 2 documents were not indexed" in result.stderr
