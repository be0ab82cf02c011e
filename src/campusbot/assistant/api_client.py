"""The data API as the assistant sees it: a port (`DataApi`), its HTTP adapter, and the shapes it answers.

Everything a user said goes to the API as query parameters or JSON bodies; the only path segment ever
built is a validated integer row id. Errors come back as four exceptions the intents can act on:
not found (404), conflict (409), rejected (other 4xx, with the field when the API names it) and
unavailable (connection refused, timeout, 5xx, or an answer that does not parse).
"""

from __future__ import annotations

import dataclasses
import http.client
import json as jsonlib
import logging
import threading
import types
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:  # the fulfillment's cold start imports neither pydantic nor an HTTP library (stdlib http.client)
    pass

MAX_HISTORY = 4  # earlier messages sent with /assist (the API accepts at most 4)

log = logging.getLogger(__name__)

MAX_ROW_ID = 2_147_483_647
CONNECT_TIMEOUT = 2.0
USER_AGENT = "campusbot-fulfillment"
MAX_IDLE_CONNECTIONS = 4  # idle keep-alive connections kept (Lambda runs one invocation at a time: 1 is used)


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
# Plain dataclasses checked as pydantic's lax mode checks them (`model_validate`): a missing field or a value of the
# wrong type is a ShapeError; numbers in strings become numbers; unknown fields are ignored.


class ShapeError(ValueError):
    """An answer that does not have the shape asked for."""


ShapeT = TypeVar("ShapeT", bound="_Shape")


class _Shape:
    @classmethod
    def model_validate(cls: type[ShapeT], payload: Any) -> ShapeT:
        built: ShapeT = _build(cls, payload, {}, cls.__name__)
        return built

    def model_copy(self: ShapeT, *, update: Mapping[str, Any] | None = None) -> ShapeT:
        """A copy with `update`'s fields replaced (not validated, as pydantic's)."""
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]

    def model_dump(self, *, exclude: Set[str] = frozenset()) -> dict[str, Any]:
        dumped = dataclasses.asdict(self)  # type: ignore[call-overload]
        return {key: value for key, value in dumped.items() if key not in exclude}


@dataclass(frozen=True, kw_only=True)
class Program(_Shape):
    id: int
    name: str
    field_of_study: str
    degree: str
    tuition: float
    language: str = ""


@dataclass(frozen=True, kw_only=True)
class University(_Shape):
    id: int
    name: str
    country: str
    city: str
    website: str | None = None
    world_rank: int | None = None
    founded_year: int | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class UniversityDetail(University):
    programs: list[Program] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Recommendation(_Shape):
    university: University
    program: Program
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Recommendations(_Shape):
    field_of_study: str
    country: str | None = None
    max_tuition: float | None = None
    student_id: int | None = None
    data: list[Recommendation] = field(default_factory=list)
    region: str | None = None
    order: str | None = None


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class Student(_Shape):
    id: int
    first_name: str
    last_name: str
    email: str
    country: str
    field_of_study: str
    gpa: float | None = None
    max_tuition: float | None = None
    interests: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class NewStudent(_Shape):
    first_name: str
    last_name: str
    email: str
    country: str
    field_of_study: str
    cognito_sub: str | None = None


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class Page(_Shape, Generic[T]):
    data: list[T]
    count: int = 0


@dataclass(kw_only=True)
class AssistAnswer(_Shape):
    """POST /assist: an answer, where it came from, and its citations (kept loose: that API is young)."""

    answer: str = ""
    answer_source: str = "general"
    sources: list[Any] = field(default_factory=list)  # cleaned (bounded, scalar fields) before use


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
    """DataApi over HTTP: the standard library's http.client (no HTTP library on the cold start's path) with a
    small pool of idle keep-alive connections, kept while the execution environment lives.

    A request takes the most recently used idle connection (or opens one) and gives it back when the answer has
    been read; at most `max_idle` wait, the rest are closed. Connections are not tied to a thread: an invoker that
    runs each invocation on a thread of its own (the local Lambda environment) reuses one connection as Lambda's
    single invocation thread does, instead of opening one per invocation and keeping every one of them open."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 8.0,
        assist_timeout: float = 20.0,
        max_idle: int = MAX_IDLE_CONNECTIONS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self._scheme, self._host, self._port, self._prefix = parts.scheme, parts.hostname, parts.port, parts.path
        self._timeout = timeout
        self._assist_timeout = assist_timeout
        self._connect_timeout = min(CONNECT_TIMEOUT, timeout)
        self._max_idle = max_idle
        self._idle: list[http.client.HTTPConnection] = []  # last in, first out: the warmest connection first
        self._generation = 0  # close() moves it on: a connection out at that moment is not taken back
        self._lock = threading.Lock()

    @property
    def idle_connections(self) -> int:
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._generation += 1
        for connection in idle:
            connection.close()

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
        timeout: float | None = None,
    ) -> Any:
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        target = path + ("?" + urlencode(query) if query else "")
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers["content-type"] = "application/json"
        try:
            status, raw = self._exchange(method, target, headers, body, timeout or self._timeout)
        except TimeoutError as exc:
            raise ApiUnavailable(f"{method} {path}: timed out ({type(exc).__name__})") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise ApiUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if status >= 500:
            raise ApiUnavailable(f"{method} {path}: HTTP {status}")
        payload = _json(raw)
        if status == 404:
            raise ApiNotFound(_detail(payload) or f"{path} not found")
        if status == 409:
            raise ApiConflict(_detail(payload) or "conflict")
        if status >= 400:
            raise ApiRejected(_detail(payload) or f"HTTP {status}", _field(payload))
        if payload is None:
            raise ApiUnavailable(f"{method} {path}: the answer is not JSON")
        return payload

    def _exchange(
        self, method: str, target: str, headers: dict[str, str], body: bytes | None, timeout: float
    ) -> tuple[int, bytes]:
        """One request on an idle keep-alive connection (or a new one); a connection the server closed while idle is
        replaced once (the request never reached it), any other failure is the caller's."""
        for attempt in (1, 2):
            connection, reused, generation = self._checkout()
            try:
                if connection.sock is None:
                    connection.connect()
                connection.sock.settimeout(timeout)
                connection.request(method, self._prefix + target, body=body, headers=headers)
                response = connection.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                if reused and attempt == 1:
                    continue
                raise
            except BaseException:
                connection.close()
                raise
            if response.will_close:
                connection.close()
            else:
                self._checkin(connection, generation)
            return response.status, raw
        raise AssertionError("unreachable")

    def _checkout(self) -> tuple[http.client.HTTPConnection, bool, int]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True, self._generation
            generation = self._generation
        connection: http.client.HTTPConnection
        if self._scheme == "https":
            connection = http.client.HTTPSConnection(self._host, self._port, timeout=self._connect_timeout)
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self._connect_timeout)
        return connection, False, generation

    def _checkin(self, connection: http.client.HTTPConnection, generation: int) -> None:
        with self._lock:
            if generation == self._generation and len(self._idle) < self._max_idle:
                self._idle.append(connection)
                return
        connection.close()


def _parse(shape: type[ShapeT], payload: Any) -> ShapeT:
    """`payload` as `shape` (a shape class, or Page[...] of one), or ApiUnavailable saying what does not fit."""
    origin, args = get_origin(shape), get_args(shape)
    cls: type[ShapeT] = origin or shape
    typevars = dict(zip(getattr(cls, "__parameters__", ()), args, strict=False))
    try:
        return _build(cls, payload, typevars, cls.__name__)
    except ShapeError as exc:
        raise ApiUnavailable(f"unexpected answer for {cls.__name__}: {exc}") from exc


_HINTS: dict[type, dict[str, Any]] = {}


def _build(cls: type[ShapeT], payload: Any, typevars: dict[Any, Any], where: str) -> ShapeT:
    if isinstance(payload, cls):
        return payload
    if not isinstance(payload, dict):
        raise ShapeError(f"{where}: expected an object, got {type(payload).__name__}")
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    values = {}
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.name in payload:
            values[spec.name] = _coerce(payload[spec.name], hints[spec.name], typevars, f"{where}.{spec.name}")
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ShapeError(f"{where}.{spec.name}: missing")
    return cls(**values)


_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def _coerce(value: Any, hint: Any, typevars: dict[Any, Any], where: str) -> Any:
    if isinstance(hint, TypeVar):
        hint = typevars.get(hint, Any)
    if hint is Any:
        return value
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(hint) if arg is not type(None)]
        if value is None and len(options) < len(get_args(hint)):
            return None
        problems = []
        for option in options:
            try:
                return _coerce(value, option, typevars, where)
            except ShapeError as exc:
                problems.append(str(exc))
        raise ShapeError("; ".join(problems))
    if origin is list:
        if not isinstance(value, list):
            raise ShapeError(f"{where}: expected a list")
        (item,) = get_args(hint) or (Any,)
        return [_coerce(v, item, typevars, f"{where}[{i}]") for i, v in enumerate(value)]
    if hint is str:
        if isinstance(value, str):
            return value
    elif hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | str) and str(value).strip().lower() in _TRUE | _FALSE:
            return str(value).strip().lower() in _TRUE
    elif hint is int:
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
    elif hint is float:
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                pass
    elif isinstance(hint, type) and issubclass(hint, _Shape):
        return _build(hint, value, typevars, where)
    else:
        raise ShapeError(f"{where}: no rule for {hint!r}")
    raise ShapeError(f"{where}: {value!r} is not a valid {getattr(hint, '__name__', hint)}")


def _query_value(value: Any) -> str:
    """A query parameter as httpx wrote it: booleans lower-case, everything else str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _row_id(value: int) -> int:
    """An id that may go into a path: a real int in the database's range, nothing else."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROW_ID:
        raise ValueError(f"not a row id: {value!r}")
    return value


def _json(raw: bytes) -> Any:
    try:
        return jsonlib.loads(raw)
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
