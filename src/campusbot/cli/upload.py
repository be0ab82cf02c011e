"""`platform upload PATH…`: documents into the docs bucket, then (with --wait) until each is indexed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from campusbot.settings import Settings


def upload(
    paths: Annotated[list[Path], typer.Argument(help="files and folders (folders recursively)", show_default=False)],
    include: Annotated[
        list[str] | None, typer.Option("--include", "-i", metavar="GLOB", help="only files matching GLOB (repeatable)")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", "-x", metavar="GLOB", help="skip files matching GLOB (repeatable)")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="tag the documents (repeatable); /search?tag= filters")
    ] = None,
    prefix: Annotated[str, typer.Option("--prefix", "-p", help="key prefix in the bucket, e.g. guides/")] = "",
    wait: Annotated[bool, typer.Option("--wait", "-w", help="wait until every document is indexed or failed")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="seconds --wait waits at most")] = 120.0,
    as_json: Annotated[bool, typer.Option("--json", help="print the results as JSON")] = False,
) -> None:
    """Upload documents (txt, md, html, pdf, docx) to the docs bucket, where the vectorizer indexes them.

    Folders are walked recursively; there, only supported types are taken unless --include says otherwise,
    and hidden files are skipped. Keys are the prefix plus the path inside the folder (or the file name).
    With --wait, each document's status is followed until it is indexed (with its chunk count) or failed
    (with the reason). Exits non-zero when any upload or indexing failed or timed out.

    \b
    Examples:
      platform upload samples/documents --wait             the sample documents, followed until indexed
      platform upload guides/ --prefix guides/ --tag visa  keys under guides/, tagged for /search?tag=visa
      platform upload docs/ -x "*draft*" --json            skip drafts, print the results as JSON
    """
    from campusbot.cli.console import abort, emit_json, table
    from campusbot.settings import get_settings

    settings = get_settings()
    files = collect(paths, include or [], exclude or [], prefix)
    if not files:
        abort("nothing to upload: no supported documents (.txt .md .html .pdf .docx) in " + _names(paths))
    results = _put_all(settings, files, tags=tag or [])
    if wait:
        _wait(settings, results, timeout)
    if as_json:
        emit_json(results)
    else:
        table(f"s3://{settings.docs_bucket}", ["key", "size", "status"], [
            (r["key"], _size(r["size"]), _status(r)) for r in results
        ])  # fmt: skip
    failed = [r for r in results if r["status"] not in ("uploaded", "indexed")]
    if failed:
        abort(f"{len(failed)} of {len(results)} documents were not {'indexed' if wait else 'uploaded'}")


def collect(paths: list[Path], include: list[str], exclude: list[str], prefix: str) -> list[tuple[Path, str]]:
    """(file, key) pairs, sorted by key; a missing path aborts with its name."""
    from fnmatch import fnmatch

    from campusbot.cli.console import abort
    from campusbot.knowledge.extract import EXTENSIONS

    prefix = prefix.strip().lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        abort("no such file or folder: " + ", ".join(missing))

    def wanted(relative: str, explicit: bool) -> bool:
        name = relative.rsplit("/", 1)[-1]
        if any(fnmatch(relative, glob) or fnmatch(name, glob) for glob in exclude):
            return False
        if include:
            return any(fnmatch(relative, glob) or fnmatch(name, glob) for glob in include)
        return explicit or Path(name).suffix.lower() in EXTENSIONS

    chosen: dict[str, Path] = {}
    for path in paths:
        if path.is_file():
            if wanted(path.name, explicit=True):
                chosen[prefix + path.name] = path
            continue
        for file in sorted(path.rglob("*")):
            relative = file.relative_to(path).as_posix()
            if not file.is_file() or any(part.startswith(".") for part in relative.split("/")):
                continue
            if wanted(relative, explicit=False):
                chosen[prefix + relative] = file
    return sorted(((file, key) for key, file in chosen.items()), key=lambda pair: pair[1])


UPLOADS_AT_ONCE = 8  # S3 takes parallel PUTs: a folder of small files is bound by round trips, not bandwidth
# boto3's multipart_threshold: a smaller file is one PutObject (upload_file would send one PUT too, after setting up a
# transfer manager and its threads, and the ETag would take a HeadObject more)
MULTIPART_FROM = 8 * 1024 * 1024


def _put_all(settings: Settings, files: list[tuple[Path, str]], *, tags: list[str]) -> list[dict[str, Any]]:
    """Upload `files` (UPLOADS_AT_ONCE at a time), one result per file in the order given."""
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from campusbot.bootstrap import build_s3_client, creates_missing_buckets
    from campusbot.cli.console import abort, err, info, warn
    from campusbot.knowledge.extract import MEDIA_TYPES, detect_kind
    from campusbot.knowledge.ingest import TAGS_METADATA, parse_tags

    s3 = build_s3_client(settings)
    bucket = settings.docs_bucket
    _ensure_bucket(s3, bucket, create=creates_missing_buckets(settings))
    metadata = {TAGS_METADATA: ",".join(parse_tags(",".join(tags)))} if tags else {}
    total = sum(file.stat().st_size for file, _ in files)
    info(f"uploading {len(files)} file(s), {_size(total)}, to s3://{bucket}/")
    results: list[dict[str, Any]] = []
    for file, key in files:
        result: dict[str, Any] = {"key": key, "path": str(file), "size": file.stat().st_size, "status": "uploaded"}
        if result["size"] > settings.docs_max_bytes:
            result["status"] = "skipped"
            result["reason"] = f"over the {_size(settings.docs_max_bytes)} limit (CAMPUSBOT_DOCS_MAX_BYTES)"
        results.append(result)
    unreachable: list[Exception] = []

    def put(file: Path, key: str, result: dict[str, Any], bar: Progress, task: Any) -> None:
        if result["status"] == "skipped":
            bar.advance(task, result["size"])
            return
        if unreachable:  # S3 did not answer another upload: this one would wait for the same timeouts
            result["status"], result["reason"] = "upload failed", "not tried: S3 unreachable"
            return
        extra: dict[str, Any] = {"Metadata": metadata}
        try:
            extra["ContentType"] = MEDIA_TYPES[detect_kind(key)]
        except Exception:  # unknown type: S3's default; the vectorizer will record why it cannot read it
            warn(f"{key}: not a type campusbot reads; it will be recorded as failed")
        bar.update(task, description=key if len(key) <= 40 else "…" + key[-39:])
        try:
            if result["size"] < MULTIPART_FROM:  # one PUT, whose answer carries the ETag
                with file.open("rb") as body:
                    etag = s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)["ETag"]
                bar.advance(task, result["size"])
            else:  # multipart, with progress; the ETag is the object's, not a part's
                s3.upload_file(str(file), bucket, key, ExtraArgs=extra, Callback=lambda sent: bar.advance(task, sent))
                etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
            result["etag"] = str(etag).strip('"')
        except Exception as exc:
            if _unreachable(exc):
                unreachable.append(exc)
            result["status"] = "upload failed"
            result["reason"] = _reason(exc)

    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), console=err
    ) as bar:
        task = bar.add_task("upload", total=total)
        with ThreadPoolExecutor(max_workers=UPLOADS_AT_ONCE, thread_name_prefix="upload") as pool:
            for done in [pool.submit(put, file, key, result, bar, task)
                         for (file, key), result in zip(files, results, strict=True)]:  # fmt: skip
                done.result()
        bar.update(task, description="upload")
    if unreachable:
        abort(f"cannot reach S3 ({_endpoint(s3)}): is the local runtime running (platform up)? {unreachable[0]}")
    return results


def _ensure_bucket(s3: Any, bucket: str, *, create: bool) -> None:
    from campusbot.cli.console import abort, info

    try:
        s3.head_bucket(Bucket=bucket)
        return
    except Exception as exc:
        if _unreachable(exc):
            abort(f"cannot reach S3 ({_endpoint(s3)}): is the local runtime running (platform up)?")
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        if code not in ("404", "NoSuchBucket", "NotFound"):
            abort(f"cannot use bucket {bucket}: {_reason(exc)}")
    if not create:
        abort(f"bucket {bucket} does not exist: deploy the data stack first, or set CAMPUSBOT_DOCS_BUCKET")
    info(f"creating bucket {bucket} on the local S3")
    s3.create_bucket(Bucket=bucket)


def _wait(settings: Settings, results: list[dict[str, Any]], timeout: float) -> None:
    """Poll the document table until every uploaded object's version is indexed or failed, or time runs out.

    The uploads are done by now, so a database that does not answer (not started yet, or restarting under the
    local runtime's supervisor) is asked again until the deadline; then each document still pending says why."""
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from campusbot.cli.console import err, info

    pending = {r["key"]: r for r in results if r["status"] == "uploaded"}
    if not pending:
        return
    if settings.uses_embedded_database:
        info(f"starting embedded PostgreSQL in {settings.pg_dir} ...")

    async def follow() -> str | None:
        """Follow the pending documents; the database's last error if it never answered at the end."""
        import time

        from sqlalchemy.exc import DBAPIError

        from campusbot.bootstrap import build_database, resolve_database
        from campusbot.db.database import Database
        from campusbot.knowledge import store

        deadline = time.monotonic() + timeout
        database: Database | None = None
        failure: str | None = None
        with Progress(
            TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
            TimeElapsedColumn(), console=err,
        ) as bar:  # fmt: skip
            task = bar.add_task("", total=len(pending))
            try:
                while pending and time.monotonic() < deadline:
                    states: list[store.DocumentState] = []
                    try:
                        if database is None:
                            database = build_database(settings, resolve_database(settings))
                        async with database.sessions() as session:
                            states, _ = await store.list_documents(
                                session, bucket=settings.docs_bucket, keys=list(pending), limit=len(pending)
                            )
                        failure = None
                    except (DBAPIError, OSError) as exc:  # not migrated yet, or the database restarting: ask again
                        failure = _reason(exc).splitlines()[0]
                    except Exception as exc:  # the embedded server cannot be started or joined right now
                        failure = f"{type(exc).__name__}: {_reason(exc).splitlines()[0]}"
                    for state in states:
                        result = pending.get(state.key)
                        if result is None or state.etag != result.get("etag"):
                            continue
                        if state.status in ("indexed", "failed"):
                            result["status"] = state.status
                            result["chunks"] = state.chunk_count
                            if state.error:
                                result["reason"] = state.error
                            if state.serving_older_version:
                                result["reason"] = (
                                    f"{state.error}; the previous version (etag {state.served_etag}, "
                                    f"{state.chunk_count} chunks) still answers"
                                )
                            del pending[state.key]
                            bar.advance(task)
                    bar.update(task, description=", ".join(sorted(pending))[:60])
                    if pending:
                        await asyncio.sleep(0.2)
            finally:
                if database is not None:
                    await database.dispose()
        return failure

    failure = asyncio.run(follow())
    for result in pending.values():
        result["status"] = "not indexed"
        result["reason"] = (
            f"uploaded, but the database could not be read for {timeout:.0f} s ({failure}): is the local runtime "
            "running (`platform status`)?"
            if failure
            else f"still waiting after {timeout:.0f} s: is the vectorizer running (locally: `platform up` "
            "runs the S3 notifier)?"
        )


def _status(result: dict[str, Any]) -> str:
    status = str(result["status"])
    if status == "indexed":
        return f"indexed ({result.get('chunks', 0)} chunks)" + (f": {result['reason']}" if result.get("reason") else "")
    return f"{status}: {result['reason']}" if result.get("reason") else status


def _unreachable(exc: BaseException) -> bool:
    from botocore.exceptions import EndpointConnectionError

    return isinstance(exc, EndpointConnectionError) or "Could not connect" in str(exc)


def _endpoint(s3: Any) -> str:
    return str(getattr(getattr(s3, "meta", None), "endpoint_url", "S3"))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:300]


def _names(paths: list[Path]) -> str:
    return ", ".join(str(path) for path in paths)


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} B"
