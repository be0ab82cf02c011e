"""The HTTP adapter of the data API, over httpx's MockTransport (no sockets): what it sends, how it maps answers."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from campusbot.assistant.api_client import (
    ApiConflict,
    ApiNotFound,
    ApiRejected,
    ApiUnavailable,
    HttpApiClient,
    NewStudent,
)

Responder = Callable[[httpx.Request], httpx.Response]
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
        self.respond = respond

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)


def client(respond: Responder) -> tuple[HttpApiClient, Recorder]:
    recorder = Recorder(respond)
    return HttpApiClient("http://api.test/", transport=httpx.MockTransport(recorder)), recorder


def test_user_text_travels_as_query_parameters_never_in_the_path() -> None:
    api, recorder = client(lambda _: httpx.Response(404, json={"detail": "not found"}))
    with pytest.raises(ApiNotFound):
        api.university_by_name("../students/1?x=")
    request = recorder.requests[0]
    assert request.url.path == "/universities/by-name"
    assert request.url.params["name"] == "../students/1?x="


def test_recommendations_send_only_the_given_filters() -> None:
    body = {"field_of_study": "Medicine", "country": "Germany", "max_tuition": None, "student_id": None, "data": []}
    api, recorder = client(lambda _: httpx.Response(200, json=body))
    result = api.recommendations(field="Medicine", country="Germany")
    assert result.field_of_study == "Medicine"
    params = dict(recorder.requests[0].url.params)
    assert params == {"field": "Medicine", "country": "Germany", "limit": "3"}


def test_student_by_email_and_create() -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"data": [STUDENT], "count": 1, "limit": 1, "offset": 0})
        return httpx.Response(201, json={**json.loads(request.content), "id": 8})

    api, recorder = client(respond)
    assert api.student_by_email("ana.garcia@example.edu") is not None
    new = NewStudent(first_name="Bo", last_name="Li", email="bo@example.edu", country="China", field_of_study="Law")
    assert api.create_student(new).id == 8
    assert json.loads(recorder.requests[1].content)["email"] == "bo@example.edu"


@pytest.mark.parametrize("bad", [0, -1, 2**31, True, "7", 1.5])
def test_only_real_row_ids_go_into_a_path(bad: object) -> None:
    api, recorder = client(lambda _: httpx.Response(200, json=STUDENT))
    with pytest.raises(ValueError):
        api.student(bad)  # type: ignore[arg-type]
    assert recorder.requests == []


def test_a_row_id_path() -> None:
    api, recorder = client(lambda _: httpx.Response(200, json=STUDENT))
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
def test_answers_map_to_errors_the_intents_can_act_on(response: httpx.Response, error: type[Exception]) -> None:
    api, _ = client(lambda _: response)
    with pytest.raises(error):
        api.student(9)


def test_a_rejection_names_the_field() -> None:
    body = {"detail": "body.email: bad", "errors": [{"loc": ["body", "email"], "msg": "bad"}]}
    api, _ = client(lambda _: httpx.Response(422, json=body))
    with pytest.raises(ApiRejected) as caught:
        api.student(9)
    assert caught.value.field == "email"


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.ConnectTimeout("x")])
def test_network_failures_are_unavailable(exc: Exception) -> None:
    def fail(_: httpx.Request) -> httpx.Response:
        raise exc

    api, _ = client(fail)
    with pytest.raises(ApiUnavailable):
        api.opportunities(field="Law")


def test_assist_posts_the_question_and_tolerates_a_loose_shape() -> None:
    api, recorder = client(lambda _: httpx.Response(200, json={"answer": "Yes.", "extra": 1}))
    answer = api.assist("can I work while studying?", "s-1")
    assert answer.answer == "Yes."
    assert answer.sources == []
    request = recorder.requests[0]
    assert (request.method, request.url.path) == ("POST", "/assist")
    assert json.loads(request.content) == {"question": "can I work while studying?", "session_id": "s-1"}
