"""`platform api` as a real process on a real port: served over HTTP, stopped cleanly by SIGINT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from campusbot.db.database import Database

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up in {timeout}s")


def test_platform_api_serves_http_and_stops_on_ctrl_c(seeded: Database, data_dir: Path) -> None:
    port = free_port()
    env = {**os.environ, "CAMPUSBOT_DATABASE_URL": seeded.url, "CAMPUSBOT_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "campusbot.cli.main", "api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process)
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        universities = httpx.get(f"{base}/universities", params={"country": "Canada"}).json()
        assert any(u["name"] == "University of Toronto" for u in universities["data"])
        recs = httpx.get(f"{base}/universities/recommendations", params={"field": "medicine", "country": "Germany"})
        assert recs.status_code == 200 and recs.json()["data"]
        missing = httpx.get(f"{base}/students/2147483647")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "campusbot data service"
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=20)
    assert code == 0
