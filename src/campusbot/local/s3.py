"""The local S3: LocalStack when its health endpoint answers on the S3 port, else moto's server in a thread."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)


@dataclass
class LocalS3:
    url: str
    provider: str  # "localstack" | "moto"
    _server: Any = None

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


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


def start_s3(host: str, port: int) -> LocalS3:
    """Use LocalStack if it answers on host:port; else start moto's server there (error if the port is taken)."""
    url = f"http://{host}:{port}"
    if localstack_answers(url):
        return LocalS3(url, "localstack")
    if port_in_use(host, port):
        raise RuntimeError(
            f"port {port} is taken by something that is not LocalStack; free it or set CAMPUSBOT_S3_PORT"
        )
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one INFO line per request otherwise
    return LocalS3(url, "moto", server)


def ensure_buckets(client: Any, *names: str) -> None:
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    for name in names:
        if name and name not in existing:
            client.create_bucket(Bucket=name)
