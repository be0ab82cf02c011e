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


def test_platform_api_on_the_embedded_default_stops_its_postgresql_on_sigterm(tmp_path: Path) -> None:
    """Without CAMPUSBOT_DATABASE_URL `platform api` starts an embedded PostgreSQL in its data dir; a SIGTERM (a
    service manager's stop) ends both, as Ctrl-C does: uvicorn raises the signal again after its shutdown, and the
    exit handler that stops the server must still run."""
    from campusbot.local import postgres

    port, data_dir = free_port(), tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPUSBOT_")}
    env["CAMPUSBOT_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "campusbot.cli.main", "api", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, timeout=120)
        assert postgres.is_running(data_dir / "pg")
        process.terminate()
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
        assert not postgres.is_running(data_dir / "pg"), "the embedded PostgreSQL outlived `platform api`"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
