"""The data API as the assistant sees it: a port (`DataApi`), its HTTP adapter, and the shapes it answers.

Everything a user said goes to the API as query parameters or JSON bodies; the only path segment ever
built is a validated integer row id. Errors come back as four exceptions the intents can act on:
not found (404), conflict (409), rejected (other 4xx, with the field when the API names it) and
unavailable (connection refused, timeout, 5xx, or an answer that does not parse).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_HISTORY = 4  # earlier messages sent with /assist (the API accepts at most 4)

log = logging.getLogger(__name__)

MAX_ROW_ID = 2_147_483_647
CONNECT_TIMEOUT = 2.0
USER_AGENT = "campusbot-fulfillment"


class ApiError(Exception):
    """The data API did not give the answer asked for."""


class ApiUnavailable(ApiError):
    """Unreachable, too slow, a 5xx, or an answer that does not parse."""


class ApiNotFound(ApiError):
    pass


class ApiConflict(ApiError):
    pass


class ApiRejected(ApiError):
    """A 4xx other than 404/409 (bad input); `field` names the offending field when the API says."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# Shapes (the API's public schemas, only the fields the assistant uses; unknown fields are ignored) -------


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Program(_Shape):
    id: int
    name: str
    field_of_study: str
    degree: str
    tuition: float
    language: str = ""


class University(_Shape):
    id: int
    name: str
    country: str
    city: str
    website: str | None = None
    world_rank: int | None = None
    founded_year: int | None = None
    description: str | None = None


class UniversityDetail(University):
    programs: list[Program] = Field(default_factory=list)


class Recommendation(_Shape):
    university: University
    program: Program
    score: float = 0.0
    reasons: list[str] = Field(default_factory=list)


class Recommendations(_Shape):
    field_of_study: str
    country: str | None = None
    max_tuition: float | None = None
    student_id: int | None = None
    data: list[Recommendation] = Field(default_factory=list)
    region: str | None = None
    order: str | None = None


class TuitionSummary(_Shape):
    country: str
    field_of_study: str | None = None
    degree: str | None = None
    programs: int = 0
    universities: int = 0
    lowest: float | None = None
    median: float | None = None
    highest: float | None = None
    tuition_free: int = 0


class Student(_Shape):
    id: int
    first_name: str
    last_name: str
    email: str
    country: str
    field_of_study: str
    gpa: float | None = None
    max_tuition: float | None = None
    interests: list[str] = Field(default_factory=list)


class NewStudent(_Shape):
    first_name: str
    last_name: str
    email: str
    country: str
    field_of_study: str
    cognito_sub: str | None = None


class Opportunity(_Shape):
    id: int
    title: str
    kind: str
    field_of_study: str = ""
    city: str = ""
    country: str = ""
    remote: bool = False
    company_name: str = ""
    industry: str = ""


T = TypeVar("T")


class Page(_Shape, Generic[T]):
    data: list[T]
    count: int = 0


class AssistAnswer(BaseModel):
    """POST /assist: an answer, where it came from, and its citations (kept loose: that API is young)."""

    model_config = ConfigDict(extra="ignore")
    answer: str = ""
    answer_source: str = "general"
    sources: list[Any] = Field(default_factory=list)  # cleaned (bounded, scalar fields) before use


# The port ------------------------------------------------------------------------------------------------


class DataApi(Protocol):
    def recommendations(
        self,
        *,
        field: str,
        country: str | None = None,
        max_tuition: float | None = None,
        student_id: int | None = None,
        limit: int = 3,
        region: str | None = None,
        order: str | None = None,
        degree: str | None = None,
    ) -> Recommendations: ...

    def university_by_name(self, name: str) -> UniversityDetail: ...

    def tuition(self, *, country: str, field: str | None = None, degree: str | None = None) -> TuitionSummary: ...

    def student(self, student_id: int) -> Student: ...

    def student_by_email(self, email: str) -> Student | None: ...

    def student_by_sub(self, sub: str) -> Student | None: ...

    def create_student(self, student: NewStudent) -> Student: ...

    def opportunities(
        self,
        *,
        field: str | None = None,
        industry: str | None = None,
        city: str | None = None,
        limit: int = 5,
        kind: str | None = None,
        remote: bool | None = None,
    ) -> Page[Opportunity]: ...

    def assist(self, question: str, session_id: str, history: Sequence[str] = ()) -> AssistAnswer: ...


# The HTTP adapter ---------------------------------------------------------------------------------------


class HttpApiClient:
    """DataApi over HTTP (httpx, one connection pool per cold start)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 8.0,
        assist_timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        self._assist_timeout = httpx.Timeout(assist_timeout, connect=min(CONNECT_TIMEOUT, assist_timeout))
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=self._timeout,
            headers={"user-agent": USER_AGENT, "accept": "application/json"},
            follow_redirects=False,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def recommendations(
        self,
        *,
        field: str,
        country: str | None = None,
        max_tuition: float | None = None,
        student_id: int | None = None,
        limit: int = 3,
        region: str | None = None,
        order: str | None = None,
        degree: str | None = None,
    ) -> Recommendations:
        params = {
            "field": field,
            "country": country,
            "max_tuition": max_tuition,
            "limit": limit,
            "region": region,
            "order": order,
            "degree": degree,
        }
        if student_id is not None:
            params["student_id"] = _row_id(student_id)
        return _parse(Recommendations, self._request("GET", "/universities/recommendations", params=params))

    def tuition(self, *, country: str, field: str | None = None, degree: str | None = None) -> TuitionSummary:
        params = {"country": country, "field": field, "degree": degree}
        return _parse(TuitionSummary, self._request("GET", "/universities/tuition", params=params))

    def university_by_name(self, name: str) -> UniversityDetail:
        return _parse(UniversityDetail, self._request("GET", "/universities/by-name", params={"name": name}))

    def student(self, student_id: int) -> Student:
        return _parse(Student, self._request("GET", f"/students/{_row_id(student_id)}"))

    def student_by_email(self, email: str) -> Student | None:
        page = _parse(Page[Student], self._request("GET", "/students", params={"email": email, "limit": 1}))
        return page.data[0] if page.data else None

    def student_by_sub(self, sub: str) -> Student | None:
        """The registration owned by a Cognito subject (its caller's own), if any."""
        page = _parse(Page[Student], self._request("GET", "/students", params={"cognito_sub": sub, "limit": 1}))
        return page.data[0] if page.data else None

    def create_student(self, student: NewStudent) -> Student:
        return _parse(Student, self._request("POST", "/students", json=student.model_dump()))

    def opportunities(
        self,
        *,
        field: str | None = None,
        industry: str | None = None,
        city: str | None = None,
        limit: int = 5,
        kind: str | None = None,
        remote: bool | None = None,
    ) -> Page[Opportunity]:
        params = {"field": field, "industry": industry, "city": city, "limit": limit, "kind": kind}
        if remote is not None:
            params["remote"] = "true" if remote else "false"
        return _parse(Page[Opportunity], self._request("GET", "/opportunities", params=params))

    def assist(self, question: str, session_id: str, history: Sequence[str] = ()) -> AssistAnswer:
        body: dict[str, Any] = {"question": question, "session_id": session_id}
        if history:
            body["history"] = list(history)[-MAX_HISTORY:]
        return _parse(AssistAnswer, self._request("POST", "/assist", json=body, timeout=self._assist_timeout))

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(method, path, params=query, json=json, timeout=timeout or self._timeout)
        except httpx.TimeoutException as exc:
            raise ApiUnavailable(f"{method} {path}: timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise ApiUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise ApiUnavailable(f"{method} {path}: HTTP {response.status_code}")
        payload = _json(response)
        if response.status_code == 404:
            raise ApiNotFound(_detail(payload) or f"{path} not found")
        if response.status_code == 409:
            raise ApiConflict(_detail(payload) or "conflict")
        if response.status_code >= 400:
            raise ApiRejected(_detail(payload) or f"HTTP {response.status_code}", _field(payload))
        if payload is None:
            raise ApiUnavailable(f"{method} {path}: the answer is not JSON")
        return payload


ShapeT = TypeVar("ShapeT", bound=BaseModel)


def _parse(shape: type[ShapeT], payload: Any) -> ShapeT:
    try:
        return shape.model_validate(payload)
    except ValidationError as exc:
        raise ApiUnavailable(f"unexpected answer for {shape.__name__}: {exc.error_count()} problem(s)") from exc


def _row_id(value: int) -> int:
    """An id that may go into a path: a real int in the database's range, nothing else."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROW_ID:
        raise ValueError(f"not a row id: {value!r}")
    return value


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail(payload: Any) -> str | None:
    if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
        return str(payload["detail"])[:300]
    return None


def _field(payload: Any) -> str | None:
    """The body field a 422 problem names (`errors[0].loc[-1]`), if any."""
    if not isinstance(payload, dict) or not isinstance(payload.get("errors"), list) or not payload["errors"]:
        return None
    first = payload["errors"][0]
    loc = first.get("loc") if isinstance(first, dict) else None
    return str(loc[-1]) if isinstance(loc, list) and loc else None
