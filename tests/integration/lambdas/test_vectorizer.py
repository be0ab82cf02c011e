"""The vectorizer Lambda on the real thing: moto's S3 server, the embedded PostgreSQL (pgvector), and real
all-MiniLM-L6-v2 embeddings through the Bedrock emulator, driven by real S3 event records."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.fixtures.documents import make_docx, make_pdf
from tests.fixtures.moto_s3 import MotoS3

from campusbot.db.database import Database
from campusbot.db.models import DocumentChunk
from campusbot.knowledge import store
from campusbot.lambdas import vectorizer
from campusbot.local.notifier import event_record
from campusbot.settings import get_settings

EVENTS = Path(__file__).resolve().parents[2] / "events"
MAX_BYTES = 300_000

GUIDE_V1 = """# Aurora Merit Scholarship

The Aurora Merit Scholarship pays 4,800 euros a year to first-year master students of campusbot partner
universities. It is renewed each year while the student keeps a grade average of at least 2.5.

## Deadlines

Applications for the winter intake close on 14 February 2027 at noon Central European Time.
"""
GUIDE_V2 = GUIDE_V1.replace("4,800 euros", "5,200 euros").replace("14 February", "28 February")

Handler = Callable[..., Any]


@pytest.fixture
def handler(
    bedrock_emulator: object, moto_s3: MotoS3, database: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Handler]:
    """The Lambda handler after a fresh cold start with a small size limit; call it from a worker thread."""
    monkeypatch.setenv("CAMPUSBOT_DOCS_MAX_BYTES", str(MAX_BYTES))
    monkeypatch.setenv("CAMPUSBOT_EMBEDDING_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    vectorizer.reset()

    async def invoke(event: dict[str, Any]) -> dict[str, Any]:
        report: dict[str, Any] = await asyncio.to_thread(vectorizer.handler, event, None)
        return report

    yield invoke
    vectorizer.reset()
    get_settings.cache_clear()


def put(s3: Any, bucket: str, key: str, body: bytes, **extra: Any) -> dict[str, Any]:
    """Upload an object; the S3 event record S3 would send for it."""
    response = s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
    return event_record("ObjectCreated:Put", bucket, key, size=len(body), etag=response["ETag"], sequencer=_sequencer())


def removed(bucket: str, key: str) -> dict[str, Any]:
    return event_record("ObjectRemoved:Delete", bucket, key, sequencer=_sequencer())


_counter = [0x0065E1A2B3C4D5E600]


def _sequencer() -> str:
    _counter[0] += 1
    return f"{_counter[0]:018X}"


async def state(database: Database, bucket: str, key: str) -> store.DocumentState | None:
    async with database.sessions() as session:
        return await store.document_state(session, bucket, key)


async def chunk_rows(database: Database, document_id: int) -> list[DocumentChunk]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(DocumentChunk).where(DocumentChunk.document_id == document_id).order_by(DocumentChunk.ordinal)
        )
        return list(rows)


async def test_create_reupload_new_version_delete(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    key = "guides/aurora-scholarship.md"

    report = await handler({"Records": [put(s3, s3_bucket, key, GUIDE_V1.encode())]})
    assert (report["indexed"], report["failed"], report["error"]) == (1, 0, 0)
    doc = await state(database, s3_bucket, key)
    assert doc is not None and doc.status == "indexed" and doc.title == "Aurora Merit Scholarship"
    chunks = await chunk_rows(database, doc.id)
    assert len(chunks) == doc.chunk_count >= 2
    assert {chunk.heading for chunk in chunks} == {"Aurora Merit Scholarship", "Aurora Merit Scholarship > Deadlines"}
    assert all(len(chunk.embedding) == 1024 for chunk in chunks)
    first_ids = [chunk.id for chunk in chunks]

    # the same object again (the notification delivered twice, or an identical re-upload): nothing changes
    report = await handler({"Records": [put(s3, s3_bucket, key, GUIDE_V1.encode())]})
    assert report["unchanged"] == 1 and report["indexed"] == 0
    assert [chunk.id for chunk in await chunk_rows(database, doc.id)] == first_ids

    # a new version replaces the chunks
    report = await handler({"Records": [put(s3, s3_bucket, key, GUIDE_V2.encode())]})
    assert report["indexed"] == 1
    chunks = await chunk_rows(database, doc.id)
    assert not {chunk.id for chunk in chunks} & set(first_ids)
    text = " ".join(chunk.content for chunk in chunks)
    assert "5,200 euros" in text and "4,800" not in text and "28 February" in text
    assert (await state(database, s3_bucket, key)).chunk_count == len(chunks)  # type: ignore[union-attr]

    # removal tombstones the document and drops its chunks; a second removal changes nothing
    s3.delete_object(Bucket=s3_bucket, Key=key)
    report = await handler({"Records": [removed(s3_bucket, key)]})
    assert report["deleted"] == 1
    gone = await state(database, s3_bucket, key)
    assert gone is not None and gone.status == "deleted" and gone.chunk_count == 0
    assert await chunk_rows(database, doc.id) == []
    assert (await handler({"Records": [removed(s3_bucket, key)]}))["skipped"] == 1


async def test_bad_documents_fail_with_reasons_and_the_batch_goes_on(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    records = [
        put(s3, s3_bucket, "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R"),
        put(s3, s3_bucket, "junk.txt", bytes(range(256)) * 40),
        put(s3, s3_bucket, "empty.md", b""),
        put(s3, s3_bucket, "oversized.txt", b"campus " * (MAX_BYTES // 7 + 10)),
        put(s3, s3_bucket, "photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        put(s3, s3_bucket, "good.md", GUIDE_V1.encode()),
    ]
    report = await handler({"Records": records})
    assert (report["records"], report["failed"], report["indexed"], report["error"]) == (6, 5, 1, 0)
    reasons = {result["key"]: result["reason"] for result in report["results"]}
    assert "broken PDF" in reasons["broken.pdf"]
    assert "binary content" in reasons["junk.txt"]
    assert "empty file" in reasons["empty.md"]
    assert "the limit is 293.0 KB (CAMPUSBOT_DOCS_MAX_BYTES)" in reasons["oversized.txt"]
    assert "unsupported file type '.png'" in reasons["photo.png"]
    for key, reason in reasons.items():
        doc = await state(database, s3_bucket, key)
        assert doc is not None
        if key == "good.md":
            assert doc.status == "indexed" and doc.error is None
        else:
            assert (doc.status, doc.error, doc.chunk_count) == ("failed", reason, 0)

    # the same broken bytes again: recorded already, nothing to do; a fixed version is indexed
    assert (await handler({"Records": [records[0]]}))["unchanged"] == 1
    fixed = put(s3, s3_bucket, "broken.pdf", make_pdf([(1, "Fixed"), (0, "Now a readable PDF about visas.")]))
    assert (await handler({"Records": [fixed]}))["indexed"] == 1
    doc = await state(database, s3_bucket, "broken.pdf")
    assert doc is not None and (doc.status, doc.error) == ("indexed", None)


async def test_pdf_docx_html_and_a_key_with_spaces_and_unicode(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database, sample_pdf: bytes, sample_docx: bytes
) -> None:
    s3 = moto_s3.client()
    html = b"<html><head><title>Visa notes</title></head><body><h1>Visa</h1><p>Bring the blocked account proof.</p>"
    keys = {
        "pdf/Scholarship Guide 2027.pdf": sample_pdf,
        "handbooks/München intern handbook (2027).docx": sample_docx,
        "visa/notes + tips.html": html,
    }
    report = await handler({"Records": [put(s3, s3_bucket, key, body) for key, body in keys.items()]})
    assert report["indexed"] == 3, report
    docx = await state(database, s3_bucket, "handbooks/München intern handbook (2027).docx")
    assert docx is not None and docx.title == "Nordlicht Robotics intern handbook"
    headings = {chunk.heading for chunk in await chunk_rows(database, docx.id)}
    assert "Intern Handbook > Working hours > Remote days" in headings
    pdf = await state(database, s3_bucket, "pdf/Scholarship Guide 2027.pdf")
    assert pdf is not None and pdf.title == "Scholarship Guide 2027"


async def test_the_aws_event_fixtures_decode_their_keys(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database, sample_docx: bytes
) -> None:
    s3 = moto_s3.client()
    event = json.loads((EVENTS / "s3_object_created_unicode_key.json").read_text())
    event["Records"][0]["s3"]["bucket"]["name"] = s3_bucket
    s3.put_object(Bucket=s3_bucket, Key="handbooks/München intern handbook (2027).docx", Body=sample_docx)
    assert (await handler(event))["indexed"] == 1
    assert await handler(json.loads((EVENTS / "s3_test_event.json").read_text())) == {
        "records": 0,
        "ignored": 0,
        "indexed": 0,
        "unchanged": 0,
        "deleted": 0,
        "failed": 0,
        "skipped": 0,
        "error": 0,
        "chunks": 0,
        "results": [],
        "timings": {"read": 0.0, "extract": 0.0, "chunk": 0.0, "embed": 0.0, "database": 0.0},
    }


async def test_out_of_order_events_follow_the_sequencer(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    key = "late.md"
    early_create = put(s3, s3_bucket, key, GUIDE_V1.encode())
    s3.delete_object(Bucket=s3_bucket, Key=key)
    deletion = removed(s3_bucket, key)
    final_create = put(s3, s3_bucket, key, GUIDE_V2.encode())
    # delivered out of order: the final upload first, then the stale deletion and the stale first upload
    assert (await handler({"Records": [final_create]}))["indexed"] == 1
    assert (await handler({"Records": [deletion]}))["skipped"] == 1
    assert (await handler({"Records": [early_create]}))["skipped"] == 1
    doc = await state(database, s3_bucket, key)
    assert doc is not None and doc.status == "indexed"
    assert "5,200 euros" in " ".join(chunk.content for chunk in await chunk_rows(database, doc.id))


async def test_metadata_title_and_tags_and_unchanged_content_under_a_new_etag(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    key = "guide.md"
    metadata = {"campusbot-title": "Aurora%20guide%20%C3%A9dition%202027", "campusbot-tags": "Scholarships,money"}
    assert (await handler({"Records": [put(s3, s3_bucket, key, GUIDE_V1.encode(), Metadata=metadata)]}))["indexed"]
    doc = await state(database, s3_bucket, key)
    assert doc is not None and (doc.title, doc.tags) == ("Aurora guide édition 2027", ("money", "scholarships"))
    ids = [chunk.id for chunk in await chunk_rows(database, doc.id)]
    # a copy onto itself with new metadata: new etag (moto) or not, the same bytes are not re-embedded
    record = put(s3, s3_bucket, key, GUIDE_V1.encode(), Metadata={"campusbot-tags": "visa"})
    assert (await handler({"Records": [record]}))["unchanged"] == 1
    doc = await state(database, s3_bucket, key)
    assert doc is not None and doc.tags == ("visa",)
    assert [chunk.id for chunk in await chunk_rows(database, doc.id)] == ids


async def test_an_embedding_outage_is_temporary_and_retried(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database, bedrock_faults: Any
) -> None:
    s3 = moto_s3.client()
    record = put(s3, s3_bucket, "outage.md", GUIDE_V1.encode())
    bedrock_faults.fail_next("invoke", "ServiceUnavailableException", times=1)
    report = await handler({"Records": [record]})
    assert report["failed"] == 1
    assert report["results"][0]["reason"].startswith("temporary failure: embedding failed")
    # the same event again (S3's retry, or the next upload): this time it works
    assert (await handler({"Records": [record]}))["indexed"] == 1


async def test_an_object_deleted_before_it_was_read_is_skipped(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str
) -> None:
    s3 = moto_s3.client()
    record = put(s3, s3_bucket, "gone.md", GUIDE_V1.encode())
    s3.delete_object(Bucket=s3_bucket, Key="gone.md")
    report = await handler({"Records": [record]})
    assert report["skipped"] == 1 and report["results"][0]["reason"] == "the object no longer exists"


@pytest.fixture
def s3_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The S3 operations every botocore client calls from now on (the real calls, counted on the way)."""
    import botocore.client

    calls: list[str] = []
    real = botocore.client.BaseClient._make_api_call

    def counted(self: Any, operation: str, params: Any) -> Any:
        if self.meta.service_model.service_name == "s3" and operation in ("HeadObject", "GetObject"):
            calls.append(operation)
        return real(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counted)
    return calls


async def test_a_new_document_is_read_with_one_get_and_a_known_one_is_headed_first(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, s3_calls: list[str], database: Database
) -> None:
    s3 = moto_s3.client()
    title = {"campusbot-title": "The%20Aurora%20guide"}
    new = put(s3, s3_bucket, "titled/guide.md", GUIDE_V1.encode(), Metadata=title)
    s3_calls.clear()
    assert (await handler({"Records": [new]}))["indexed"] == 1
    doc = await state(database, s3_bucket, "titled/guide.md")
    assert doc is not None and doc.title == "The Aurora guide"  # the metadata of the GET's headers
    assert s3_calls == ["GetObject"]  # no HeadObject: nothing to compare with, the GET's headers say it all

    again = put(s3, s3_bucket, "titled/guide.md", GUIDE_V1.encode(), Metadata=title)
    s3_calls.clear()
    assert (await handler({"Records": [again]}))["unchanged"] == 1
    assert s3_calls == ["HeadObject"]  # known and unchanged: its ETag says so, the body is not read

    oversized = put(s3, s3_bucket, "huge.txt", b"campus " * (MAX_BYTES // 7 + 10))
    s3_calls.clear()
    report = await handler({"Records": [oversized]})
    assert "the limit is 293.0 KB" in report["results"][0]["reason"]
    assert s3_calls == ["HeadObject"]  # the event's size is over the limit: refused without reading it


async def test_a_dimension_mismatch_stops_the_cold_start_with_the_fix(
    bedrock_emulator: object, moto_s3: MotoS3, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPUSBOT_EMBEDDING_DIMENSIONS", "256")
    get_settings.cache_clear()
    vectorizer.reset()
    try:
        with pytest.raises(store.DimensionMismatchError, match=r"vector\(1024\).*CAMPUSBOT_EMBEDDING_DIMENSIONS=1024"):
            await asyncio.to_thread(vectorizer.handler, {"Records": []}, None)
    finally:
        get_settings.cache_clear()
        vectorizer.reset()


def test_the_vectorizer_imports_no_torch() -> None:
    code = "import sys, campusbot.lambdas.vectorizer; sys.exit(1 if 'torch' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_docx_builder_round_trips() -> None:  # guards the fixtures the other tests rely on
    from campusbot.knowledge.extract import extract

    assert extract(make_docx([(1, "A"), (0, "b c")]), "x.docx").sections()[0].heading == "A"


BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R"


def chunk_text(chunks: list[DocumentChunk]) -> str:
    return " ".join(chunk.content for chunk in chunks)


async def test_a_corrupt_new_version_keeps_the_good_one_answering_until_a_good_one_replaces_it(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    """Issue 15: a corrupt PDF uploaded over a good document's key no longer deletes its chunks."""
    s3 = moto_s3.client()
    key = "guides/aurora.pdf"
    good = put(s3, s3_bucket, key, make_pdf([(1, "Aurora Merit Scholarship"), (0, GUIDE_V1)]))
    assert (await handler({"Records": [good]}))["indexed"] == 1
    doc = await state(database, s3_bucket, key)
    assert doc is not None and doc.served_etag == doc.etag
    served = [chunk.id for chunk in await chunk_rows(database, doc.id)]
    assert served and "4,800 euros" in chunk_text(await chunk_rows(database, doc.id))

    corrupt = put(s3, s3_bucket, key, BROKEN_PDF)
    report = await handler({"Records": [corrupt]})
    [result] = report["results"]
    assert result["outcome"] == "failed" and "broken PDF" in result["reason"]
    assert "still answering from the previous version" in result["reason"]
    failed = await state(database, s3_bucket, key)
    assert failed is not None and (failed.status, failed.chunk_count) == ("failed", len(served))
    assert failed.error is not None and "broken PDF" in failed.error
    assert failed.etag == corrupt["s3"]["object"]["eTag"] and failed.served_etag == doc.etag
    assert [chunk.id for chunk in await chunk_rows(database, doc.id)] == served

    # repeated and late deliveries of the corrupt version change nothing
    assert (await handler({"Records": [corrupt, corrupt]}))["unchanged"] == 2
    assert (await handler({"Records": [good]}))["skipped"] == 1  # older than the corrupt one
    assert [chunk.id for chunk in await chunk_rows(database, doc.id)] == served

    fixed = put(s3, s3_bucket, key, make_pdf([(1, "Aurora Merit Scholarship"), (0, GUIDE_V2)]))
    assert (await handler({"Records": [fixed]}))["indexed"] == 1
    replaced = await state(database, s3_bucket, key)
    assert replaced is not None and (replaced.status, replaced.error) == ("indexed", None)
    assert replaced.served_etag == replaced.etag == fixed["s3"]["object"]["eTag"]
    text = chunk_text(await chunk_rows(database, doc.id))
    assert "5,200 euros" in text and "4,800" not in text

    # a later corrupt version, then the deletion: the deletion still deletes
    assert (await handler({"Records": [put(s3, s3_bucket, key, BROKEN_PDF)]}))["failed"] == 1
    s3.delete_object(Bucket=s3_bucket, Key=key)
    assert (await handler({"Records": [removed(s3_bucket, key)]}))["deleted"] == 1
    gone = await state(database, s3_bucket, key)
    assert gone is not None and (gone.status, gone.chunk_count, gone.served_etag) == ("deleted", 0, None)
    assert await chunk_rows(database, doc.id) == []


async def test_the_good_file_uploaded_again_after_a_bad_one_is_restored_without_re_embedding(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    key = "restore.md"
    assert (await handler({"Records": [put(s3, s3_bucket, key, GUIDE_V1.encode())]}))["indexed"] == 1
    doc = await state(database, s3_bucket, key)
    assert doc is not None
    served = [chunk.id for chunk in await chunk_rows(database, doc.id)]
    assert (await handler({"Records": [put(s3, s3_bucket, key, b"")]}))["failed"] == 1
    report = await handler({"Records": [put(s3, s3_bucket, key, GUIDE_V1.encode())]})
    assert report["indexed"] == 1 and "nothing re-embedded" in report["results"][0]["reason"]
    restored = await state(database, s3_bucket, key)
    assert restored is not None and (restored.status, restored.error) == ("indexed", None)
    assert [chunk.id for chunk in await chunk_rows(database, doc.id)] == served


async def test_concurrent_good_and_bad_versions_never_leave_the_document_without_knowledge(
    handler: Handler, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    """Two invocations at once (S3 may deliver a key's events to concurrent Lambdas), in both orders."""
    s3 = moto_s3.client()
    for round_, key in enumerate(("race-a.md", "race-b.md")):
        original = put(s3, s3_bucket, key, GUIDE_V1.encode())
        assert (await handler({"Records": [original]}))["indexed"] == 1
        newer_good = put(s3, s3_bucket, key, GUIDE_V2.encode())
        newest_bad = put(s3, s3_bucket, key, bytes(range(256)) * 40)
        records = [newer_good, newest_bad] if round_ == 0 else [newest_bad, newer_good]
        await asyncio.gather(*(handler({"Records": [record]}) for record in records), handler({"Records": records}))
        doc = await state(database, s3_bucket, key)
        assert doc is not None and doc.status == "failed" and doc.etag == newest_bad["s3"]["object"]["eTag"]
        chunks = await chunk_rows(database, doc.id)
        assert chunks and len(chunks) == doc.chunk_count
        assert len({chunk.ordinal for chunk in chunks}) == len(chunks)  # one version's chunks, not a mix
        # the chunks are those of the version the document names: the original, or the newer good one
        expected = "5,200 euros" if doc.served_etag == newer_good["s3"]["object"]["eTag"] else "4,800 euros"
        assert doc.served_etag in (original["s3"]["object"]["eTag"], newer_good["s3"]["object"]["eTag"])
        assert expected in chunk_text(chunks)
