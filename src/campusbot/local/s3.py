"""The local S3 (and Secrets Manager): LocalStack when its health endpoint answers on the S3 port, else moto's
server in a thread, which serves every service it emulates at that one endpoint."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

import httpx

from campusbot.files import write_atomically

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)


class BucketWrites:
    """The requests that may have changed a bucket's objects, counted by moto's server in this process as it answers
    them: every request but GET, HEAD and OPTIONS whose path (path-style) or host (virtual-hosted style) names the
    bucket. Counted once the server has answered, so by the time a count moves, a listing sees the change.

    The notifier lists the docs bucket only when its count has moved (`S3Notifier(writes=...)`): a listing costs
    moto and the client CPU in proportion to the bucket (68 ms at 300 objects, 217-290 ms at 1,000), and the
    notifier polls every second. LocalStack runs outside this process and counts nothing: the notifier lists at
    every poll there."""

    READS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def watch(self, bucket: str) -> Callable[[], int]:
        """A function giving `bucket`'s count now (0 before any write since the watch began)."""
        with self._lock:
            self._counts.setdefault(bucket, 0)
        return lambda: self._counts[bucket]

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        """`app` (moto's WSGI application), counting the writes to the watched buckets it answers."""

        def counted(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            response = app(environ, start_response)
            if environ.get("REQUEST_METHOD", "GET") not in self.READS and self._counts:
                self._count(str(environ.get("PATH_INFO", "")), str(environ.get("HTTP_HOST", "")))
            return response

        return counted

    def _count(self, path: str, host: str) -> None:
        named = {path.lstrip("/").split("/", 1)[0], host.split(".", 1)[0] if "." in host else ""}
        with self._lock:
            for bucket in named & self._counts.keys():
                self._counts[bucket] += 1


@dataclass
class LocalS3:
    url: str
    provider: str  # "localstack" | "moto"
    _server: Any = None
    writes: BucketWrites | None = None  # moto's, counted in this process; None for LocalStack

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            _close(self._server)
            self._server = None

    @property
    def thread(self) -> threading.Thread | None:
        """moto's server thread (None for LocalStack, which is not ours to supervise)."""
        return getattr(self._server, "_thread", None)

    def restart(self) -> None:
        """moto's server again on the same port, after its thread ended. moto keeps its state (buckets, objects,
        secrets, the user pool) in this process, not in the server, so nothing is lost; the new server goes on
        counting into the same `writes`."""
        if self._server is None or self.writes is None:  # LocalStack: not ours to restart
            return
        with contextlib.suppress(Exception):  # its thread is gone already: free the port
            self._server.stop()
        _close(self._server)
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        self._server = _moto_server(host, int(port), self.writes)


def _close(server: Any) -> None:
    inner = getattr(server, "_server", None)  # the werkzeug server: its listening socket
    if inner is not None:
        inner.server_close()


def _moto_server(host: str, port: int, writes: BucketWrites) -> Any:
    """moto's `ThreadedMotoServer` with its WSGI application wrapped by `writes` (its `_server_entry` is moto's own,
    with that one change: moto has no hook for it)."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class CountingMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = writes.wrap(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    server = CountingMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def localstack_answers(url: str) -> bool:
    try:
        response = httpx.get(f"{url}/_localstack/health", timeout=0.5)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and "services" in response.text


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


class PortTakenError(RuntimeError):
    """The S3 port answers, and not as LocalStack."""


def start_s3(host: str, port: int) -> LocalS3:
    """Use LocalStack if it answers on host:port; else start moto's server there (error if the port is taken)."""
    url = f"http://{host}:{port}"
    if port_in_use(host, port):  # LocalStack, or something else (asked only then: an HTTP client's set-up is CPU)
        if localstack_answers(url):
            return LocalS3(url, "localstack")
        raise PortTakenError(
            f"port {port} is taken by something that is not LocalStack; free it or set CAMPUSBOT_S3_PORT"
        )
    writes = BucketWrites()
    server = _moto_server(host, port, writes)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one INFO line per request otherwise
    return LocalS3(url, "moto", server, writes)


def ensure_buckets(client: Any, *names: str) -> None:
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    for name in names:
        if name and name not in existing:
            client.create_bucket(Bucket=name)


class BucketMirror:
    """A copy of one bucket on disk, so uploaded documents survive a restart of moto (which keeps objects in
    memory only). The runtime feeds it the same S3 events the vectorizer gets (write-through, so a crash loses
    nothing already indexed) and restores it into the fresh moto server at start, before the notifier's sync.

    Its index is a snapshot (index.json) plus a journal of the changes since (journal.jsonl, one line appended per
    change), so an event costs the same whatever the bucket holds: rewriting the whole index at every event cost
    0.4 ms of CPU at 100 documents, 2.5 ms at 1,000 and 12.4 ms at 5,000. The journal is folded into the snapshot at
    `restore` (every start) and whenever it reaches `compact_after` lines; a torn last line (a crash mid-append) is
    ignored, and folding twice changes nothing."""

    compact_after = 1000

    def __init__(self, client: Any, bucket: str, root: Path) -> None:
        self.client = client
        self.bucket = bucket
        self.folder = root / bucket
        self.index_path = self.folder / "index.json"
        self.journal_path = self.folder / "journal.jsonl"
        self._journal_lines: int | None = None  # appended since the last snapshot; counted at the first append
        self._lock = threading.Lock()  # the notifier delivers several events at once: one index update at a time

    def _snapshot(self) -> dict[str, dict[str, str]]:
        try:
            index: dict[str, dict[str, str]] = json.loads(self.index_path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return index

    def _journal(self) -> list[tuple[str, dict[str, str] | None]]:
        """The changes since the snapshot, in order: (key, its entry, or None when removed)."""
        try:
            lines = self.journal_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        changes: list[tuple[str, dict[str, str] | None]] = []
        for line in lines:
            try:
                change = json.loads(line)
                changes.append((str(change["key"]), change["entry"]))
            except (ValueError, KeyError, TypeError):  # a line torn by a crash mid-append
                continue
        return changes

    def _index(self) -> dict[str, dict[str, str]]:
        index = self._snapshot()
        for key, entry in self._journal():
            if entry is None:
                index.pop(key, None)
            else:
                index[key] = entry
        return index

    def _compact(self) -> None:
        """Fold the journal into the snapshot (called with `_lock` held, or before any event)."""
        write_atomically(self.index_path, json.dumps(self._index(), ensure_ascii=False, indent=1))
        self.journal_path.unlink(missing_ok=True)
        self._journal_lines = 0

    def apply(self, event: dict[str, Any]) -> None:
        """Mirror what an S3 notification says happened (created → copy the object, removed → drop it)."""
        changes: dict[str, dict[str, str] | None] = {}  # key: its index entry, None when removed
        for record in event.get("Records", []):
            key = unquote_plus(record.get("s3", {}).get("object", {}).get("key", ""))
            name = str(record.get("eventName", ""))
            if not key:
                continue
            blob = self.folder / "objects" / hashlib.sha256(key.encode()).hexdigest()
            if name.startswith("ObjectCreated"):
                try:
                    response = self.client.get_object(Bucket=self.bucket, Key=key)
                except Exception:  # gone again already: the next event will say so
                    log.warning("mirror: cannot read s3://%s/%s", self.bucket, key, exc_info=True)
                    continue
                blob.parent.mkdir(parents=True, exist_ok=True)
                with blob.open("wb") as out:
                    shutil.copyfileobj(response["Body"], out)
                changes[key] = {"file": blob.name, "content_type": response.get("ContentType", "")}
            elif name.startswith("ObjectRemoved"):
                blob.unlink(missing_ok=True)
                changes[key] = None
        if not changes:
            return
        lines = "".join(json.dumps({"key": k, "entry": e}, ensure_ascii=False) + "\n" for k, e in changes.items())
        with self._lock:
            if self._journal_lines is None:  # the first append of this process: after a torn line, a new line
                self._journal_lines = len(self._journal())
                lines = ("" if self._ends_with_newline() else "\n") + lines
            self.folder.mkdir(parents=True, exist_ok=True)
            with self.journal_path.open("a", encoding="utf-8") as journal:
                journal.write(lines)
            self._journal_lines += len(changes)
            if self._journal_lines >= self.compact_after:
                self._compact()

    def _ends_with_newline(self) -> bool:
        """The journal is empty, absent, or its last line is whole (this process's appends always end one)."""
        try:
            with self.journal_path.open("rb") as journal:
                if journal.seek(0, 2) == 0:
                    return True
                journal.seek(-1, 2)
                return journal.read(1) == b"\n"
        except FileNotFoundError:
            return True

    def restore(self) -> int:
        """Put every mirrored object back into the bucket (the journal folded into the snapshot first); returns how
        many."""
        with self._lock:
            if self.journal_path.exists():
                self._compact()
            index = self._snapshot()
        restored = 0
        for key, entry in index.items():
            blob = self.folder / "objects" / entry["file"]
            if not blob.exists():
                continue
            extra = {"ContentType": entry["content_type"]} if entry.get("content_type") else {}
            with blob.open("rb") as body:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)
            restored += 1
        return restored
