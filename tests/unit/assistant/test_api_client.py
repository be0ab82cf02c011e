"""The HTTP adapter of the data API against a real HTTP server on loopback whose answers each test scripts (as
httpx.Request → httpx.Response): what it sends, how it maps answers, keep-alive, network failures."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import psutil
import pytest

from campusbot.assistant.api_client import (
    MAX_IDLE_CONNECTIONS,
    ApiConflict,
    ApiNotFound,
    ApiRejected,
    ApiUnavailable,
    HttpApiClient,
    NewStudent,
)

Responder = Callable[[httpx.Request], httpx.Response]
Serve = Callable[[Responder], tuple["HttpApiClient", "Recorder"]]
STUDENT = {
    "id": 7,
    "first_name": "Ana",
    "last_name": "García",
    "email": "ana.garcia@example.edu",
    "country": "Spain",
    "field_of_study": "Computer Science",
    "gpa": 3.7,
    "max_tuition": 15000,
    "interests": ["robotics"],
}


class Recorder:
    def __init__(self, respond: Responder) -> None:
        self.requests: list[httpx.Request] = []
        self.connections: set[int] = set()  # client ports seen: one per TCP connection
        self.respond = respond

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)


class _Scripted(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn behind the ALB
    recorder: Recorder

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = f"http://{self.headers.get('Host')}{self.path}"
        request = httpx.Request(self.command, url, headers=dict(self.headers.items()), content=body)
        self.recorder.connections.add(self.client_address[1])
        response = self.recorder(request)
        content = response.read()
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        self.close_connection = "x-then-close" in response.headers  # keep-alive announced, then closed while idle

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Responder], tuple[HttpApiClient, Recorder]]]:
    servers: list[ThreadingHTTPServer] = []

    def start(respond: Responder) -> tuple[HttpApiClient, Recorder]:
        recorder = Recorder(respond)
        handler = type("Handler", (_Scripted,), {"recorder": recorder})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return HttpApiClient(f"http://127.0.0.1:{server.server_address[1]}/", timeout=2), recorder

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_user_text_travels_as_query_parameters_never_in_the_path(serve: Serve) -> None:
    api, recorder = serve(lambda _: httpx.Response(404, json={"detail": "not found"}))
    with pytest.raises(ApiNotFound):
        api.university_by_name("../students/1?x=")
    request = recorder.requests[0]
    assert request.url.path == "/universities/by-name"
    assert request.url.params["name"] == "../students/1?x="


def test_recommendations_send_only_the_given_filters(serve: Serve) -> None:
    body = {"field_of_study": "Medicine", "country": "Germany", "max_tuition": None, "student_id": None, "data": []}
    api, recorder = serve(lambda _: httpx.Response(200, json=body))
    result = api.recommendations(field="Medicine", country="Germany")
    assert result.field_of_study == "Medicine"
    params = dict(recorder.requests[0].url.params)
    assert params == {"field": "Medicine", "country": "Germany", "limit": "3"}


def test_student_by_email_and_create(serve: Serve) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"data": [STUDENT], "count": 1, "limit": 1, "offset": 0})
        return httpx.Response(201, json={**json.loads(request.content), "id": 8})

    api, recorder = serve(respond)
    assert api.student_by_email("ana.garcia@example.edu") is not None
    new = NewStudent(first_name="Bo", last_name="Li", email="bo@example.edu", country="China", field_of_study="Law")
    assert api.create_student(new).id == 8
    assert json.loads(recorder.requests[1].content)["email"] == "bo@example.edu"


@pytest.mark.parametrize("bad", [0, -1, 2**31, True, "7", 1.5])
def test_only_real_row_ids_go_into_a_path(bad: object, serve: Serve) -> None:
    api, recorder = serve(lambda _: httpx.Response(200, json=STUDENT))
    with pytest.raises(ValueError):
        api.student(bad)  # type: ignore[arg-type]
    assert recorder.requests == []


def test_a_row_id_path(serve: Serve) -> None:
    api, recorder = serve(lambda _: httpx.Response(200, json=STUDENT))
    assert api.student(7).first_name == "Ana"
    assert recorder.requests[0].url.path == "/students/7"


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(404, json={"detail": "student 9 not found"}), ApiNotFound),
        (httpx.Response(409, json={"detail": "email already exists"}), ApiConflict),
        (httpx.Response(422, json={"detail": "bad", "errors": [{"loc": ["body", "email"], "msg": "x"}]}), ApiRejected),
        (httpx.Response(500, text="boom"), ApiUnavailable),
        (httpx.Response(503, json={"detail": "db down"}), ApiUnavailable),
        (httpx.Response(200, text="<html>proxy page</html>"), ApiUnavailable),
        (httpx.Response(200, json={"unexpected": True}), ApiUnavailable),
    ],
)
def test_answers_map_to_errors_the_intents_can_act_on(
    response: httpx.Response, error: type[Exception], serve: Serve
) -> None:
    api, _ = serve(lambda _: response)
    with pytest.raises(error):
        api.student(9)


def test_a_rejection_names_the_field(serve: Serve) -> None:
    body = {"detail": "body.email: bad", "errors": [{"loc": ["body", "email"], "msg": "bad"}]}
    api, _ = serve(lambda _: httpx.Response(422, json=body))
    with pytest.raises(ApiRejected) as caught:
        api.student(9)
    assert caught.value.field == "email"


def _refused() -> str:
    with socket.socket() as sock:  # a port nobody listens on any more
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("failure", ["refused", "slow", "hang-up"])
def test_network_failures_are_unavailable(failure: str, serve: Serve) -> None:
    def answer(_: httpx.Request) -> httpx.Response:
        if failure == "slow":
            time.sleep(1.5)  # past the client's read timeout (below)
        return httpx.Response(200, json={"data": []})

    api, _ = serve(answer)
    api = HttpApiClient(api.base_url, timeout=0.5)
    if failure == "refused":
        api = HttpApiClient(_refused(), timeout=2)
    if failure == "hang-up":  # a server that accepts and closes without answering
        listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=lambda: listener.accept()[0].close(), daemon=True).start()
        api = HttpApiClient(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=2)
    with pytest.raises(ApiUnavailable):
        api.opportunities(field="Law")


def test_one_keep_alive_connection_serves_many_requests(serve: Serve) -> None:
    api, recorder = serve(lambda _: httpx.Response(200, json={"data": [], "count": 0}))
    for _ in range(5):
        api.opportunities(field="Law")
    assert len(recorder.requests) == 5
    assert len(recorder.connections) == 1


def test_a_connection_the_server_closed_while_idle_is_replaced(serve: Serve) -> None:
    def close_after(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [], "count": 0}, headers={"X-Then-Close": "1"})

    api, recorder = serve(close_after)
    api.opportunities(field="Law")
    api.opportunities(field="Law")
    assert len(recorder.requests) == 2
    assert len(recorder.connections) == 2


def test_assist_posts_the_question_and_tolerates_a_loose_shape(serve: Serve) -> None:
    api, recorder = serve(lambda _: httpx.Response(200, json={"answer": "Yes.", "extra": 1}))
    answer = api.assist("can I work while studying?", "s-1")
    assert answer.answer == "Yes."
    assert answer.sources == []
    request = recorder.requests[0]
    assert (request.method, request.url.path) == ("POST", "/assist")
    assert json.loads(request.content) == {"question": "can I work while studying?", "session_id": "s-1"}


def test_invocations_on_threads_of_their_own_share_one_connection(serve: Serve) -> None:
    """The local Lambda environment runs each invocation on a new thread: they reuse one keep-alive connection, as
    Lambda's single invocation thread does (a connection per thread opened one per invocation and kept it open)."""
    api, recorder = serve(lambda _: httpx.Response(200, json={"data": [], "count": 0}))
    for _ in range(20):
        invocation = threading.Thread(target=api.opportunities, kwargs={"field": "Law"})
        invocation.start()
        invocation.join()
    assert len(recorder.requests) == 20
    assert len(recorder.connections) == 1
    assert api.idle_connections == 1


def _open_sockets_to(port: int) -> int:
    return sum(1 for c in psutil.Process().net_connections("tcp") if c.raddr and c.raddr.port == port)


def test_connections_beyond_the_idle_limit_are_closed_not_kept(serve: Serve) -> None:
    """A burst of concurrent requests opens a connection each; afterwards at most `max_idle` stay open."""
    release = threading.Event()
    arrived = threading.Semaphore(0)

    def slow(_: httpx.Request) -> httpx.Response:
        arrived.release()
        release.wait(5)
        return httpx.Response(200, json={"data": [], "count": 0})

    api, recorder = serve(slow)
    port = int(api.base_url.rsplit(":", 1)[1])
    burst = [threading.Thread(target=api.opportunities, kwargs={"field": "Law"}) for _ in range(10)]
    for thread in burst:
        thread.start()
    for _ in burst:
        assert arrived.acquire(timeout=5)
    assert len(recorder.connections) == 10
    release.set()
    for thread in burst:
        thread.join()
    assert api.idle_connections == MAX_IDLE_CONNECTIONS
    assert _open_sockets_to(port) == MAX_IDLE_CONNECTIONS
    api.close()
    assert api.idle_connections == 0
    assert _open_sockets_to(port) == 0
