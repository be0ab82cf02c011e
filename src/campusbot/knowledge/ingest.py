"""The vectorizer's use case: S3 event records → read object → extract → chunk → embed → store.

Per record, in this order (each step can end it with an outcome):
1. the document was last changed by a newer event of this key (S3 sequencer) → `skipped`;
2. HEAD the object: gone → `skipped` (its removal event follows); over `CAMPUSBOT_DOCS_MAX_BYTES` → `failed`
   without downloading it; same etag as the indexed document → `unchanged` (title/tags refreshed from metadata);
3. GET it (reading at most the limit + 1 bytes); same SHA-256 as the indexed content → `unchanged`;
4. extract (→ `failed` with the reason: unknown type, broken file, binary junk, empty), chunk, embed in batches
   of `CAMPUSBOT_EMBED_BATCH_SIZE`, and replace the document's chunks in one transaction → `indexed`.
A version that fails leaves the document `failed` with the reason, and the chunks of the last indexed version
(`served_etag`) keep answering until a good version replaces them; the served content uploaded again restores
the document to `indexed` without re-embedding. Removal events tombstone the document (`deleted`, chunks gone).
A failure of the embedding service is recorded as `failed` with a reason that starts with "temporary failure:",
and the next event for that object retries it; failures of the content are permanent for that etag (the same
bytes would fail the same way).

One bad record never stops the others: every record ends in a `RecordResult`, and `IngestReport` sums them up.
Title and tags come from the object's user metadata (`x-amz-meta-campusbot-title`, URL-encoded, and
`x-amz-meta-campusbot-tags`, comma-separated), which `platform upload` sets; else from the document itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import unquote, unquote_plus

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campusbot.knowledge import store
from campusbot.knowledge.chunking import Chunk, Tokenizer, chunk_sections
from campusbot.knowledge.embeddings import (
    FANOUT_CALLS,
    Embedder,
    EmbeddingDimensionError,
    EmbeddingError,
    EmbeddingRejected,
)
from campusbot.knowledge.extract import ExtractionError, extract

log = logging.getLogger(__name__)

TEMPORARY = "temporary failure: "
TITLE_METADATA = "campusbot-title"
TAGS_METADATA = "campusbot-tags"

Outcome = Literal["indexed", "unchanged", "deleted", "failed", "skipped", "error"]


class IngestUnavailable(RuntimeError):
    """A dependency (the database, S3) could not be reached: the whole invocation fails, to be retried."""


def unavailable(exc: BaseException) -> bool:
    """A connection failure rather than a fault of the record: refused or dropped connections, a database that is
    starting or shutting down, a connection invalidated under SQLAlchemy."""
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectionError as S3ConnectionError
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OSError | S3ConnectionError | InterfaceError | OperationalError):
        return True
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        return code in ("ServiceUnavailable", "SlowDown", "InternalError", "500", "503")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    sqlstate = str(getattr(getattr(exc, "orig", None), "sqlstate", "") or getattr(exc, "sqlstate", "") or "")
    return sqlstate.startswith(("08", "57P"))  # connection exceptions, operator intervention (shutdown)


class ObjectReader(Protocol):
    """The part of an S3 client the vectorizer uses (boto3's `s3` client, or a fake in unit tests)."""

    def head_object(self, *, Bucket: str, Key: str) -> Mapping[str, Any]: ...

    def get_object(self, *, Bucket: str, Key: str) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class IngestLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_chars: int = 2_000_000
    chunk_tokens: int = 200
    chunk_overlap: int = 40
    batch_size: int = 32
    # records of one event (an SQS batch of up to 10) indexed at the same time: their chunks reach the embedding
    # model together (Titan calls overlap; the local MiniLM batches across documents). Records of one key stay in
    # order, one after another.
    record_concurrency: int = 4
    # embed the chunks of every record of a wave (the next pending record of each key) in one fan-out, once they
    # are all extracted and chunked: a forward pass of the local MiniLM then carries the chunks of every document
    # (11-12 texts per pass instead of 6 on the bench corpus), and Titan gets all the calls at once. Each record
    # still fails alone. On a quiet 2-core machine (bench/ingest_bench.py, modes "after" and "waves", 4 alternated
    # rounds) it ingested 81-84 chunks/s against 72-77 and used 6-9 % less CPU per chunk; on 2 cores shared with
    # other work it was no faster in wall time (the wave waits for its slowest record, and reading/storing no
    # longer overlap embedding) but still used 5-10 % less CPU. `embed_together=False` indexes each record alone.
    embed_together: bool = True
    # embed_documents calls in flight at once in that fan-out (each fans out over the embedder's own concurrency,
    # `CAMPUSBOT_EMBEDDING_BATCH_CONCURRENCY`): texts in flight <= embed_calls x batch concurrency
    embed_calls: int = FANOUT_CALLS


@dataclass(frozen=True)
class S3Record:
    event_name: str
    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None
    sequencer: str | None = None

    @property
    def action(self) -> Literal["create", "remove", "ignore"]:
        if self.event_name.startswith("ObjectCreated:"):
            return "create"
        if self.event_name.startswith(("ObjectRemoved:", "LifecycleExpiration:")):
            return "remove"
        return "ignore"


@dataclass
class RecordResult:
    bucket: str
    key: str
    event: str
    outcome: Outcome
    document_id: int | None = None
    chunks: int = 0
    reason: str | None = None
    seconds: float = 0.0


@dataclass
class Timings:
    """Where an ingestion spent its time (the knowledge benchmark reports the split)."""

    read: float = 0.0
    extract: float = 0.0
    chunk: float = 0.0
    embed: float = 0.0
    database: float = 0.0

    def add(self, other: Timings) -> None:
        for name in ("read", "extract", "chunk", "embed", "database"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class IngestReport:
    results: list[RecordResult] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    ignored: int = 0  # records of events the vectorizer does not handle (tagging, restore, ...)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def chunks(self) -> int:
        return sum(result.chunks for result in self.results if result.outcome == "indexed")

    def to_dict(self) -> dict[str, Any]:
        outcomes: tuple[Outcome, ...] = ("indexed", "unchanged", "deleted", "failed", "skipped", "error")
        return {
            "records": len(self.results),
            "ignored": self.ignored,
            **{outcome: self.count(outcome) for outcome in outcomes},
            "chunks": self.chunks,
            "results": [asdict(result) for result in self.results],
            "timings": {name: round(value, 4) for name, value in asdict(self.timings).items()},
        }


def parse_event(event: Mapping[str, Any]) -> list[S3Record]:
    """The S3 records of a Lambda event: direct S3 notifications or S3 → SQS messages; s3:TestEvent → []."""
    if event.get("Event") == "s3:TestEvent":
        return []
    records: list[S3Record] = []
    for raw in event.get("Records") or []:
        if not isinstance(raw, Mapping):
            continue
        if raw.get("eventSource") == "aws:sqs":  # S3 → SQS → Lambda: the S3 event is the message body
            try:
                body = json.loads(raw.get("body") or "{}")
            except ValueError:
                log.warning("SQS message is not JSON; ignored")
                continue
            if isinstance(body, Mapping):
                records.extend(parse_event(body))
            continue
        s3 = raw.get("s3")
        if raw.get("eventSource") != "aws:s3" or not isinstance(s3, Mapping):
            continue
        obj = s3.get("object") or {}
        bucket = (s3.get("bucket") or {}).get("name")
        key = obj.get("key")
        if not bucket or key is None:
            continue
        size = obj.get("size")
        records.append(
            S3Record(
                event_name=str(raw.get("eventName", "")),
                bucket=str(bucket),
                key=unquote_plus(str(key)),
                size=int(size) if isinstance(size, int | float) else None,
                etag=str(obj["eTag"]).strip('"') if obj.get("eTag") else None,
                sequencer=str(obj["sequencer"]) if obj.get("sequencer") else None,
            )
        )
    return records


class Ingestor:
    """Applies S3 records to the document store. Thread-safe enough for one event loop; reuse it."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        s3: ObjectReader,
        embedder: Embedder,
        limits: IngestLimits | None = None,
        *,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        self.sessions = sessions
        self.s3 = s3
        self.embedder = embedder
        self.limits = limits or IngestLimits()
        self.tokenizer = tokenizer

    async def handle_event(self, event: Mapping[str, Any]) -> IngestReport:
        """Every record of the event; records of different keys concurrently (`record_concurrency`), the records
        of one key in event order. The report lists the results in event order."""
        report = IngestReport()
        records = parse_event(event)
        report.ignored = sum(1 for record in records if record.action == "ignore")
        by_key: dict[tuple[str, str], list[int]] = {}
        for index, record in enumerate(records):
            if record.action != "ignore":
                by_key.setdefault((record.bucket, record.key), []).append(index)
        outcomes: dict[int, tuple[RecordResult, Timings]] = {}
        if self.limits.embed_together and self.limits.record_concurrency > 1 and len(by_key) > 1:
            await self._in_waves(records, list(by_key.values()), outcomes)
        else:
            gate = asyncio.Semaphore(max(1, self.limits.record_concurrency))

            async def one_key(indexes: list[int]) -> None:
                async with gate:
                    for index in indexes:
                        record, timings = records[index], Timings()
                        outcomes[index] = (await self.handle_record(record, timings), timings)
                        _log(record, outcomes[index][0])

            if len(by_key) == 1:
                await one_key(next(iter(by_key.values())))
            else:
                await asyncio.gather(*(one_key(indexes) for indexes in by_key.values()))
        for index in sorted(outcomes):
            result, timings = outcomes[index]
            report.results.append(result)
            report.timings.add(timings)
        return report

    async def _in_waves(
        self, records: list[S3Record], keys: list[list[int]], outcomes: dict[int, tuple[RecordResult, Timings]]
    ) -> None:
        """Wave after wave, the next pending record of every key (one key's records stay in order): read, extract
        and chunk them concurrently (`record_concurrency` at once), embed all their chunks in one fan-out, then
        store each document (again `record_concurrency` at once). Removals and records that end before embedding
        (unchanged, skipped, failed extraction) end in the first step."""
        gate = asyncio.Semaphore(max(1, self.limits.record_concurrency))
        pending = [list(indexes) for indexes in keys]
        while pending:
            wave = [indexes.pop(0) for indexes in pending]
            pending = [indexes for indexes in pending if indexes]
            for index, result, timings in await self._wave([records[index] for index in wave], gate):
                outcomes[wave[index]] = (result, timings)

    async def _wave(self, records: list[S3Record], gate: asyncio.Semaphore) -> list[tuple[int, RecordResult, Timings]]:
        """One wave (records of different keys): prepare each, embed them together, store each."""
        started = time.perf_counter()
        timings = [Timings() for _ in records]

        async def prepare(record: S3Record, spent: Timings) -> RecordResult | _Prepared:
            async with gate:
                if record.action == "remove":
                    return await self.handle_record(record, spent)
                return await self._guarded(record, self._prepare(record, spent))

        prepared = list(await asyncio.gather(*(prepare(r, t) for r, t in zip(records, timings, strict=True))))
        ready = [index for index, value in enumerate(prepared) if isinstance(value, _Prepared)]
        embedded: list[list[list[float]] | BaseException] = []
        if ready:
            began = time.perf_counter()
            groups = [[chunk.embedding_text for chunk in _ready(prepared[index]).chunks] for index in ready]
            embedded = await asyncio.to_thread(self._embed_groups, groups)
            for index in ready:
                timings[index].embed += time.perf_counter() - began

        async def finish(index: int, vectors: list[list[float]] | BaseException) -> RecordResult | _Prepared:
            async with gate:
                work = self._finish(records[index], _ready(prepared[index]), vectors, timings[index])
                return await self._guarded(records[index], work)

        finished = await asyncio.gather(*(finish(i, vectors) for i, vectors in zip(ready, embedded, strict=True)))
        for index, result in zip(ready, finished, strict=True):
            prepared[index] = result
        out: list[tuple[int, RecordResult, Timings]] = []
        for index, value in enumerate(prepared):
            assert isinstance(value, RecordResult)
            if value.seconds == 0.0:
                value.seconds = round(time.perf_counter() - started, 4)
            _log(records[index], value)
            out.append((index, value, timings[index]))
        return out

    async def handle_record(self, record: S3Record, timings: Timings | None = None) -> RecordResult:
        started = time.perf_counter()
        timings = timings or Timings()
        work = self.remove(record, timings) if record.action == "remove" else self.index(record, timings)
        result = await self._guarded(record, work)
        assert isinstance(result, RecordResult)
        result.seconds = round(time.perf_counter() - started, 4)
        return result

    async def _guarded(
        self, record: S3Record, work: Coroutine[Any, Any, RecordResult | _Prepared]
    ) -> RecordResult | _Prepared:
        """`work`'s outcome; an unexpected exception becomes this record's `error` (one bad record must not stop
        the batch), an unreachable database or S3 fails the invocation, a configuration error is raised."""
        try:
            return await work
        except (store.DimensionMismatchError, store.SchemaMissingError, EmbeddingDimensionError):
            raise  # configuration errors: every record would fail the same way; say so loudly
        except Exception as exc:  # one bad record must not stop the batch
            if unavailable(exc):
                # the database (or S3) is unreachable: fail the invocation so that it is retried (Lambda's retries,
                # SQS redelivery, the local notifier); every change is idempotent, so records already done are
                # `unchanged` then
                raise IngestUnavailable(f"s3://{record.bucket}/{record.key}: {_describe(exc)}") from exc
            log.exception("s3://%s/%s: unexpected error", record.bucket, record.key)
            return RecordResult(record.bucket, record.key, record.event_name, "error", reason=_describe(exc))

    async def remove(self, record: S3Record, timings: Timings) -> RecordResult:
        began = time.perf_counter()
        async with self.sessions() as session:
            state = await store.document_state(session, record.bucket, record.key)
        async with self.sessions() as session:
            deleted = await store.save_deleted(session, record.bucket, record.key, record.sequencer)
        timings.database += time.perf_counter() - began
        if deleted:
            return RecordResult(record.bucket, record.key, record.event_name, "deleted", state.id if state else None)
        reason = "not indexed" if state is None or state.status == "deleted" else "a newer event changed it"
        return RecordResult(record.bucket, record.key, record.event_name, "skipped", reason=reason)

    async def index(self, record: S3Record, timings: Timings) -> RecordResult:
        prepared = await self._prepare(record, timings)
        if isinstance(prepared, RecordResult):
            return prepared
        began = time.perf_counter()
        vectors: list[list[float]] | BaseException
        try:
            vectors = await self._embed(prepared.chunks)
        except EmbeddingError as exc:
            vectors = exc
        timings.embed += time.perf_counter() - began
        return await self._finish(record, prepared, vectors, timings)

    async def _prepare(self, record: S3Record, timings: Timings) -> RecordResult | _Prepared:
        """Everything before embedding: the record's outcome when it ends here, else its chunks to embed."""
        began = time.perf_counter()
        async with self.sessions() as session:
            state = await store.document_state(session, record.bucket, record.key)
        timings.database += time.perf_counter() - began
        if state is not None and not store.sequencer_applies(state.sequencer, record.sequencer):
            return _result(record, "skipped", state.id, reason="a newer event already changed this document")

        headed: store.ObjectVersion | None = None  # from a HEAD, when one is needed
        if state is not None or (record.size or 0) > self.limits.max_bytes:
            # a known document: its ETag may show it unchanged without reading it; a file the event says is too
            # large: refused without reading it. A new document of an allowed size is read at once: the GET's
            # headers carry what a HEAD would (one request fewer per upload, in AWS as locally)
            began = time.perf_counter()
            try:
                head = await asyncio.to_thread(self.s3.head_object, Bucket=record.bucket, Key=record.key)
            except Exception as exc:
                if _not_found(exc):
                    return _result(record, "skipped", reason="the object no longer exists")
                raise
            timings.read += time.perf_counter() - began
            headed = self._version(record, head)

            if state is not None and state.etag == headed.etag and _settled(state):
                await self._refresh_metadata(state, headed, timings)
                return _result(record, "unchanged", state.id, state.chunk_count)
            if headed.size > self.limits.max_bytes:
                limit = _size(self.limits.max_bytes)
                reason = f"file is {_size(headed.size)}; the limit is {limit} (CAMPUSBOT_DOCS_MAX_BYTES)"
                return await self._failed(record, headed, reason, timings)

        began = time.perf_counter()
        try:
            data, version = await asyncio.to_thread(self._read, record, headed)
        except Exception as exc:
            if _not_found(exc):
                return _result(record, "skipped", reason="the object no longer exists")
            raise
        timings.read += time.perf_counter() - began
        if len(data) > self.limits.max_bytes:
            reason = f"file is larger than the limit of {_size(self.limits.max_bytes)} (CAMPUSBOT_DOCS_MAX_BYTES)"
            return await self._failed(record, version, reason, timings)
        if state is not None and state.status == "indexed" and state.content_hash == version.content_hash:
            await self._refresh_metadata(state, version, timings, force=True)
            return _result(record, "unchanged", state.id, state.chunk_count)
        if state is not None and state.serving_older_version and state.served_content_hash == version.content_hash:
            began = time.perf_counter()
            async with self.sessions() as session:
                restored = await store.save_restored(session, state.id, version)
            timings.database += time.perf_counter() - began
            if restored:  # the good file uploaded again after a bad one: its chunks already answer
                reason = "the same content as the version still being served; nothing re-embedded"
                return _result(record, "indexed", state.id, state.chunk_count, reason)

        began = time.perf_counter()
        try:
            extracted = await asyncio.to_thread(
                extract, data, record.key, version.content_type, max_bytes=self.limits.max_bytes,
                max_chars=self.limits.max_chars,
            )  # fmt: skip
        except ExtractionError as exc:
            timings.extract += time.perf_counter() - began
            return await self._failed(record, version, exc.reason, timings)
        del data
        timings.extract += time.perf_counter() - began
        if version.title is None:
            version = _replace(version, title=extracted.title)

        began = time.perf_counter()
        chunks = await asyncio.to_thread(
            chunk_sections, extracted.sections(), size=self.limits.chunk_tokens, overlap=self.limits.chunk_overlap,
            tokenizer=self.tokenizer,
        )  # fmt: skip
        timings.chunk += time.perf_counter() - began
        if not chunks:
            reason = "no text to index after extraction"
            return await self._failed(record, version, reason, timings)

        note = (
            f"indexed the first {self.limits.max_chars:,} characters only (CAMPUSBOT_DOCS_MAX_CHARS)"
            if extracted.truncated
            else None
        )
        return _Prepared(version, chunks, note)

    async def _finish(
        self, record: S3Record, prepared: _Prepared, vectors: list[list[float]] | BaseException, timings: Timings
    ) -> RecordResult:
        """Store the embedded document, or record why embedding failed."""
        if isinstance(vectors, EmbeddingDimensionError) or not isinstance(vectors, list | EmbeddingError):
            raise vectors
        if isinstance(vectors, EmbeddingError):
            permanent = isinstance(vectors, EmbeddingRejected)
            reason = ("" if permanent else TEMPORARY) + f"embedding failed: {vectors}"
            return await self._failed(record, prepared.version, reason, timings)
        began = time.perf_counter()
        async with self.sessions() as session:
            document_id = await store.save_indexed(session, prepared.version, prepared.chunks, vectors,
                                                   note=prepared.note)  # fmt: skip
        timings.database += time.perf_counter() - began
        if document_id is None:
            return _result(record, "skipped", reason="a newer event changed this document meanwhile")
        return _result(record, "indexed", document_id, len(prepared.chunks), prepared.note)

    # ----------------------------------------------------------------------------------------- helpers

    def _version(self, record: S3Record, head: Mapping[str, Any]) -> store.ObjectVersion:
        metadata = {str(k).lower(): str(v) for k, v in (head.get("Metadata") or {}).items()}
        title = unquote(metadata[TITLE_METADATA]).strip() if metadata.get(TITLE_METADATA) else None
        return store.ObjectVersion(
            bucket=record.bucket,
            key=record.key,
            etag=str(head.get("ETag", "")).strip('"') or record.etag,
            size=int(head.get("ContentLength", record.size or 0)),
            sequencer=record.sequencer,
            content_type=(str(head.get("ContentType")) if head.get("ContentType") else None),
            title=title[:300] if title else None,
            tags=parse_tags(metadata.get(TAGS_METADATA, "")),
        )

    def _read(self, record: S3Record, version: store.ObjectVersion | None) -> tuple[bytes, store.ObjectVersion]:
        """The object's bytes (at most one past the limit) and its version, from the HEAD read before (`version`)
        or, without one, from the GET's own headers."""
        response = self.s3.get_object(Bucket=record.bucket, Key=record.key)
        if version is None:
            version = self._version(record, response)
        body = response["Body"]
        try:
            data: bytes = body.read(self.limits.max_bytes + 1)
        finally:
            body.close()
        etag = str(response.get("ETag", "")).strip('"') or version.etag
        return data, _replace(
            version, etag=etag, size=max(len(data), version.size), content_hash=hashlib.sha256(data).hexdigest()
        )

    async def _embed(self, chunks: Sequence[Chunk]) -> list[list[float]]:
        vectors: list[list[float]] = []
        size = self.limits.batch_size
        for start in range(0, len(chunks), size):
            batch = [chunk.embedding_text for chunk in chunks[start : start + size]]
            vectors.extend(await asyncio.to_thread(self.embedder.embed_documents, batch))
        return vectors

    def _embed_groups(self, groups: Sequence[Sequence[str]]) -> list[list[list[float]] | BaseException]:
        """The vectors of every group of texts (a record's chunks), all in one fan-out: `embed_calls` calls of at
        most `batch_size` texts in flight at once. A group whose call fails gets that exception instead, alone."""
        size = self.limits.batch_size
        calls = [(group, start) for group, texts in enumerate(groups) for start in range(0, len(texts), size)]
        out: list[list[list[float]] | BaseException] = [[[] for _ in texts] for texts in groups]
        workers = max(1, min(self.limits.embed_calls, len(calls)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embed-wave") as pool:
            futures = [pool.submit(self.embedder.embed_documents, groups[g][start : start + size])
                       for g, start in calls]  # fmt: skip
            for (group, start), future in zip(calls, futures, strict=True):
                try:
                    vectors = future.result()
                except Exception as exc:  # this record's failure, not the others'
                    if not isinstance(out[group], BaseException):
                        out[group] = exc
                    continue
                slot = out[group]
                if not isinstance(slot, BaseException):
                    slot[start : start + len(vectors)] = vectors
        return out

    async def _failed(
        self, record: S3Record, version: store.ObjectVersion, reason: str, timings: Timings
    ) -> RecordResult:
        """`failed` with the reason (and, when an older version's chunks keep answering, which one), or `skipped`
        when a newer event changed the document meanwhile."""
        began = time.perf_counter()
        async with self.sessions() as session:
            document_id = await store.save_failed(session, version, reason)
            state = await store.get_document(session, document_id) if document_id is not None else None
        timings.database += time.perf_counter() - began
        if document_id is None:
            return _result(record, "skipped", reason="a newer event changed this document meanwhile")
        if state is not None and state.serving_older_version:
            reason += (
                f"; still answering from the previous version (etag {state.served_etag}, {state.chunk_count} chunks)"
            )
        return _result(record, "failed", document_id, reason=reason)

    async def _refresh_metadata(
        self, state: store.DocumentState, version: store.ObjectVersion, timings: Timings, *, force: bool = False
    ) -> None:
        title_changed = version.title is not None and version.title != state.title
        if not (force or title_changed or version.tags != state.tags or version.sequencer != state.sequencer):
            return
        began = time.perf_counter()
        async with self.sessions() as session:
            await store.save_metadata(session, state.id, version)
        timings.database += time.perf_counter() - began


@dataclass(frozen=True)
class _Prepared:
    """A record read, extracted and chunked: what is left is embedding its chunks and storing them."""

    version: store.ObjectVersion
    chunks: list[Chunk]
    note: str | None


def _ready(value: RecordResult | _Prepared) -> _Prepared:
    assert isinstance(value, _Prepared)
    return value


def _log(record: S3Record, result: RecordResult) -> None:
    level = logging.WARNING if result.outcome in ("failed", "error") else logging.INFO
    log.log(level, "%s s3://%s/%s: %s %s", record.event_name, record.bucket, record.key, result.outcome,
            result.reason or f"({result.chunks} chunks)")  # fmt: skip


def _result(
    record: S3Record, outcome: Outcome, document_id: int | None = None, chunks: int = 0, reason: str | None = None
) -> RecordResult:
    return RecordResult(record.bucket, record.key, record.event_name, outcome, document_id, chunks, reason)


def _settled(state: store.DocumentState) -> bool:
    """Indexed, or failed for a reason the same bytes would hit again."""
    return state.status == "indexed" or (state.status == "failed" and not (state.error or "").startswith(TEMPORARY))


def parse_tags(raw: str) -> tuple[str, ...]:
    """Comma-separated tags → lowercase, deduplicated, sorted; characters other than [a-z0-9 _-] dropped."""
    tags = {re.sub(r"[^a-z0-9 _\-]", "", tag.strip().lower())[:60].strip() for tag in raw.split(",")}
    return tuple(sorted(tag for tag in tags if tag))


def _replace(version: store.ObjectVersion, **changes: Any) -> store.ObjectVersion:
    from dataclasses import replace

    return replace(version, **changes)


def _not_found(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    if not isinstance(response, Mapping):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} bytes"
