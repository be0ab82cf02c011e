"""The embedded PostgreSQL's TLS endpoint: what RDS (with rds.force_ssl) looks like to a client, on loopback.

The embedded server's build has no SSL, so the local runtime terminates TLS here and forwards the decrypted
protocol to the server's loopback port, where PostgreSQL itself checks the password (scram-sha-256). A client
speaks the PostgreSQL protocol as to RDS: it sends SSLRequest, gets 'S', does the TLS handshake (the certificate
is the runtime CA's, for `localhost`: `local.tls`), then logs in. A client that does not ask for TLS is refused
with the error RDS gives, a GSSAPI encryption request gets 'N', a CancelRequest is forwarded as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import struct
import threading
from dataclasses import dataclass, field

from campusbot.local.tls import LocalCertificates

log = logging.getLogger(__name__)

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
CHUNK = 64 * 1024


@dataclass
class TlsEndpoint:
    backend_host: str
    backend_port: int
    certificates: LocalCertificates
    host: str = "127.0.0.1"
    port: int = 0
    connections: int = 0
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _server: asyncio.Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self, timeout: float = 10.0) -> TlsEndpoint:
        """Listen in a daemon thread; returns once the port is bound (`self.port`)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.certificates.server_cert, self.certificates.server_key)
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = _new_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(lambda r, w: self._serve(r, w, context), self.host, self.port)
                )
                self.port = int(self._server.sockets[0].getsockname()[1])
            except BaseException as exc:  # the port is taken, or the certificate does not load
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="pg-tls-endpoint", daemon=True)
        self._thread.start()
        ready.wait(timeout)
        if failure:
            raise failure[0]
        return self

    def stop(self, timeout: float = 5.0) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None or loop.is_closed():
            return

        async def shutdown() -> None:
            server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout)
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, context: ssl.SSLContext) -> None:
        self.connections += 1
        try:
            while True:
                length, code = struct.unpack("!ii", await reader.readexactly(8))
                if code == GSSENC_REQUEST:
                    writer.write(b"N")
                    await writer.drain()
                    continue
                break
            if code == SSL_REQUEST:
                writer.write(b"S")
                await writer.drain()
                await writer.start_tls(context)
                await self._forward(reader, writer, b"")
            elif code == CANCEL_REQUEST:
                await self._forward(
                    reader, writer, struct.pack("!ii", length, code) + await reader.readexactly(length - 8)
                )
            else:
                writer.write(_fatal("28000", "no pg_hba.conf entry for host, no encryption: connect with TLS "
                                             "(sslmode=verify-full), as RDS with rds.force_ssl requires"))  # fmt: skip
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, OSError) as exc:
            log.debug("database TLS endpoint: connection ended: %s", exc)
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _forward(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter, first: bytes
    ) -> None:
        backend_reader, backend_writer = await asyncio.open_connection(self.backend_host, self.backend_port)
        if first:
            backend_writer.write(first)
        try:
            await asyncio.gather(_pipe(client_reader, backend_writer), _pipe(backend_reader, client_writer))
        finally:
            with contextlib.suppress(Exception):
                backend_writer.close()


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (uvicorn[standard] brings it): a third of the cost per database round trip."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - depends on the install
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


def _fatal(code: str, message: str) -> bytes:
    """A PostgreSQL ErrorResponse (severity FATAL)."""
    fields = b"".join(kind + value.encode() + b"\0" for kind, value in
                      ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))) + b"\0"  # fmt: skip
    return b"E" + struct.pack("!i", len(fields) + 4) + fields
