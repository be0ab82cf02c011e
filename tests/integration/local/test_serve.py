"""A stand-in started ahead of its wiring (`serve --await-wiring`, what `platform up` does with the API and the
emulator): it prepares, listens only once the runtime handed over its command line and environment, and runs with
that environment, not the one it was spawned with. Real processes, real ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from campusbot.local import postgres
from campusbot.local.ports import free_port
from campusbot.local.s3 import port_in_use

PREPARED = "waiting for the wiring on stdin"


def _spawn_ahead(component: str, port: int, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "campusbot.local.serve", component, "--port", str(port), "--await-wiring"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)


def _wait_for(predicate: object, what: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        if process.poll() is not None:
            pytest.fail(f"exited ({process.returncode}) before {what}: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    pytest.fail(f"no {what} in {timeout:.0f} s: {log.read_text()[-2000:]}")


def _hand_over(process: subprocess.Popen[bytes], argv: list[str], env: dict[str, str]) -> None:
    assert process.stdin is not None
    process.stdin.write(json.dumps({"argv": argv, "env": env}).encode() + b"\n")
    process.stdin.close()


def _base(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "HOME")}
    return {**keep, "PYTHONUNBUFFERED": "1", "CAMPUSBOT_DATA_DIR": str(tmp_path / "data")}


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_api_started_ahead_listens_only_after_its_wiring(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "api.log"
    process = _spawn_ahead("api", port, log, _base(tmp_path))
    try:
        _wait_for(lambda: PREPARED in log.read_text(), "preparation", process, log)
        time.sleep(0.5)  # prepared and waiting: still nothing listens, however long the wiring takes
        assert process.poll() is None
        assert not port_in_use("127.0.0.1", port)
        env = {**_base(tmp_path), "CAMPUSBOT_EMBEDDING_DIMENSIONS": "384"}
        _hand_over(process, ["api", "--port", str(port)], env)

        def answers() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_for(answers, "answer on /healthz", process, log)
        # with no database URL it started an embedded PostgreSQL of its own: a SIGTERM stops both (uvicorn raises
        # the signal again after its shutdown; the exit handler that stops the server must still run)
        pgdata = tmp_path / "data" / "pg"
        assert postgres.is_running(pgdata)
        process.terminate()
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
        assert not postgres.is_running(pgdata), "the API's embedded PostgreSQL outlived it"
    finally:
        _stop(process)


def test_the_environment_handed_over_is_the_one_the_component_runs_with(tmp_path: Path) -> None:
    """Spawned with a local environment, handed over one of the aws target without a database: the API refuses to
    start, naming what the handed-over environment lacks (the spawn-time environment would have started)."""
    port, log = free_port(), tmp_path / "api.log"
    process = _spawn_ahead("api", port, log, _base(tmp_path))
    try:
        _wait_for(lambda: PREPARED in log.read_text(), "preparation", process, log)
        _hand_over(process, ["api", "--port", str(port)], {**_base(tmp_path), "CAMPUSBOT_TARGET": "aws"})
        assert process.wait(timeout=60) != 0
        assert "api needs" in log.read_text()
        assert not port_in_use("127.0.0.1", port)
    finally:
        _stop(process)


def test_a_wiring_for_another_component_is_refused(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "api.log"
    process = _spawn_ahead("api", port, log, _base(tmp_path))
    try:
        _wait_for(lambda: PREPARED in log.read_text(), "preparation", process, log)
        _hand_over(process, ["gateway", "--port", str(port)], _base(tmp_path))
        assert process.wait(timeout=60) != 0
        assert "not 'api'" in log.read_text()
    finally:
        _stop(process)


def test_a_component_with_nothing_to_prepare_cannot_start_ahead(tmp_path: Path) -> None:
    log = tmp_path / "gateway.log"
    process = _spawn_ahead("gateway", free_port(), log, _base(tmp_path))
    try:
        assert process.wait(timeout=60) != 0
        assert "nothing to prepare" in log.read_text()
    finally:
        _stop(process)


def test_the_emulator_reads_every_page_of_university_names_from_the_api() -> None:
    """What the emulator asks the data API for the UniversityName slot values: every page, over real HTTP."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    from campusbot.local.serve import university_names_from_api

    names = [f"University {n}" for n in range(230)]
    asked: list[str] = []

    class Api(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            url = urlsplit(self.path)
            query = {key: int(values[0]) for key, values in parse_qs(url.query).items()}
            status, page = (200, names[query["offset"] : query["offset"] + query["limit"]])
            if url.path != "/universities":
                status, page = 404, []
            body = json.dumps({"data": [{"name": name} for name in page], "count": len(names)}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        read = university_names_from_api(f"http://127.0.0.1:{server.server_address[1]}")
        assert list(read()) == names
        assert asked == [f"/universities?limit=100&offset={offset}" for offset in (0, 100, 200)]
        with pytest.raises(RuntimeError, match="answered 404"):
            university_names_from_api(f"http://127.0.0.1:{server.server_address[1]}/elsewhere")()
    finally:
        server.shutdown()
        server.server_close()
