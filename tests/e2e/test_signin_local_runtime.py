"""Sign-in through the real local runtime (issue 12): moto cognito-idp tokens → the gateway → the authorizer Lambda
(its own execution environment) → lex_proxy → Lex emulator → fulfillment → data API.

The enumeration test asks for every seeded student by id and by email, anonymously and signed in as another
(registered) student, and finds no personal field in any answer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import jwt
import pytest
from tests.fixtures.cognito import Keys, moto_private_key
from tests.fixtures.local_runtime import RunningRuntime

from campusbot.auth.principal import Principal
from campusbot.auth.signin import CognitoUsers, PoolAddress, generate_password, local_pool
from campusbot.auth.tokens import principal as principal_of
from campusbot.local.runtime import read_state
from campusbot.settings import Settings

# shares_runtime: one local runtime with the other modules so marked (tests/fixtures/local_runtime.py)
pytestmark = [pytest.mark.timeout(900), pytest.mark.shares_runtime]

# Concurrent chat clients of the enumeration test (a few more than the cores: each turn crosses five processes).
ENUMERATION_CLIENTS = 6


@pytest.fixture(scope="module")
def pool(local_runtime: RunningRuntime) -> PoolAddress:
    state = read_state(Settings.from_environment(local_runtime.env))
    address = local_pool(state)
    assert address is not None, "the runtime's state has no cognito block"
    return address


@pytest.fixture(scope="module")
def users(pool: PoolAddress) -> CognitoUsers:
    return CognitoUsers(pool)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client


class Student:
    def __init__(self, users: CognitoUsers, email: str | None = None) -> None:
        self.email = email or f"student-{uuid.uuid4().hex[:10]}@example.org"
        self.password = generate_password()
        self.sub = users.add(self.email, self.password)
        self.token = users.sign_in(self.email, self.password)


def say(http: httpx.Client, url: str, message: str, token: str | None = None, session: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"message": message, **({"session_id": session} if session else {})}
    response = http.post(url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def text(reply: Any) -> str:
    return "\n".join(reply["messages"])


def register(http: httpx.Client, url: str, student: Student, field: str = "medicine", country: str = "Germany") -> str:
    session = f"reg-{uuid.uuid4().hex[:10]}"
    for message in ["register me", "Eve", "Example", field, country, "yes"]:
        reply = say(http, url, message, student.token, session)
    assert "You're registered" in text(reply), text(reply)
    return text(reply)


def seeded_students(http: httpx.Client, api_url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        page = http.get(f"{api_url}/students", params={"limit": 100, "offset": len(found)}).json()
        found += page["data"]
        if len(found) >= page["count"] or not page["data"]:
            return found


def personal_fields(student: dict[str, Any]) -> list[str]:
    fields = [student["email"], f"{student['first_name']} {student['last_name']}", "GPA", "tuition budget"]
    return [f for f in fields if f]


def sample_of_every_kind(students: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first and the last student of every kind (with or without a GPA, a tuition budget, a sign-in), and the
    first and last by id: the students whose questions also go through the whole chain."""
    kinds: dict[tuple[bool, ...], list[dict[str, Any]]] = {}
    for student in students:
        kind = (student["gpa"] is None, student["max_tuition"] is None, student.get("cognito_sub") is None)
        kinds.setdefault(kind, []).append(student)
    picked = [students[0], students[-1]] + [s for group in kinds.values() for s in (group[0], group[-1])]
    return list({s["id"]: s for s in picked}.values())


class FulfillmentTurns:
    """The turns of the enumeration that skip the gateway, the authorizer and the lex_proxy Lambda: the Lex V2 runtime
    built in this process exactly as the runtime's emulator builds it (`local.serve.build_emulator`: the deployed bot
    definition, the emulator's real intent recognizer and slot resolver, the UniversityName values from the runtime's
    API), invoking the runtime's own fulfillment Lambda execution environment, which calls the runtime's API. Each turn
    is a new Lex session, and the turn carries the request attributes lex_proxy sends (`identity.principal_attributes`
    of the principal, none when anonymous); its answer is read with lex_proxy's own `to_reply`."""

    def __init__(self, runtime: RunningRuntime) -> None:
        from campusbot.bot.cloudformation import load_bot
        from campusbot.local.emulator import nlu_cache
        from campusbot.local.emulator.lex_runtime import LexEmulator
        from campusbot.local.lambda_invoke import LambdaInvoker
        from campusbot.local.serve import university_names_from_api

        settings = Settings.from_environment(runtime.env)
        state = read_state(settings)
        assert state is not None, "the runtime wrote no state"
        environment = state["environments"]["lambda-fulfillment"]
        self.function = LambdaInvoker(
            state["children"]["lambda-fulfillment"]["url"],
            environment["AWS_LAMBDA_FUNCTION_NAME"],
            float(environment["AWS_LAMBDA_FUNCTION_TIMEOUT"]),
        )
        definition = load_bot()
        self.lex = LexEmulator(
            definition,
            recognizer=nlu_cache.recognizer(definition, runtime.data_dir / "cache"),
            fulfillment=self.function,
            university_names=university_names_from_api(runtime.api_url),
            bot_id=settings.bot_id,
            bot_alias_id=settings.bot_alias_id,
        )
        self.bot = (settings.bot_id, settings.bot_alias_id, definition.locale.id)

    def say(self, message: str, principal: Principal | None) -> Any:
        from campusbot.assistant.identity import principal_attributes
        from campusbot.assistant.proxy import to_reply

        session = f"enum-{uuid.uuid4().hex}"
        wanted = principal_attributes(principal)
        body: dict[str, Any] = {"text": message, **({"requestAttributes": wanted} if wanted else {})}
        return to_reply(self.lex.recognize_text(*self.bot, session, body), session).body()

    def close(self) -> None:
        self.lex.close()
        self.function.close()


def test_enumeration_finds_no_personal_field(
    local_runtime: RunningRuntime, users: CognitoUsers, http: httpx.Client
) -> None:
    """Every seeded student is asked for by id and by email, anonymously and signed in as another registered student
    (4 questions a student, about 4,800 in all), and no answer holds a personal field of the student asked about.

    What the property is about is what the fulfillment and the API answer given who asks (the principal in the turn's
    Lex request attributes) and whom the question names (the slots). So the questions about a sample of students (the
    first and last of every kind, every question kind, anonymous and signed in) go through the whole chain (gateway →
    authorizer Lambda → lex_proxy Lambda → Lex emulator → fulfillment Lambda → API), and the rest go from a Lex V2
    runtime built in this process as the runtime's own (`FulfillmentTurns`) into the runtime's fulfillment Lambda and
    API, with the request attributes lex_proxy would send for the same principal. That is the same proof: each sampled
    question is asked both ways and must get the same intent, state and messages (the identity the chain propagates is
    the one the direct turns carry), and every question, both ways, is checked for leaks. The whole chain for all 4,800
    made this `make test`'s longest test (133 s); the hops before Lex were about half of each turn (issue 18: 400 turns
    each way alternated in one runtime at load 6-8, 44-52 ms a turn through the chain, 22-31 direct)."""
    attacker = Student(users)
    register(http, local_runtime.chat_url, attacker)
    students = [s for s in seeded_students(http, local_runtime.api_url) if s["email"] != attacker.email]
    assert len(students) >= 100
    # the principal the authorizer derives from the attacker's ID token (the chain verifies its signature too)
    principal = principal_of(jwt.decode(attacker.token, options={"verify_signature": False}))
    Ask = tuple[dict[str, Any], str, str | None]
    asks: list[Ask] = [
        (student, question, token)
        for student in students
        for question in (f"show the profile of student {student['id']}", f"show the profile for {student['email']}")
        for token in (None, attacker.token)
    ]
    sampled_ids = {s["id"] for s in sample_of_every_kind(students)}
    sampled = [ask for ask in asks if ask[0]["id"] in sampled_ids]
    kinds = {(question.split()[3], token is None) for _, question, token in sampled}
    assert kinds == {(word, anonymous) for word in ("of", "for") for anonymous in (False, True)}, kinds
    direct = FulfillmentTurns(local_runtime)

    def leaks(student: dict[str, Any], question: str, reply: Any) -> list[tuple[str, str]]:
        said = text(reply).lower()
        return [(question, field) for field in personal_fields(student) if field.lower() in said]

    def through_the_chain(ask: Ask) -> tuple[list[tuple[str, str]], list[tuple[str, Any, Any]]]:
        student, question, token = ask
        chained = say(http, local_runtime.chat_url, question, token)
        straight = direct.say(question, principal if token else None)
        seen = [(question, (r["intent"], r["state"], r["messages"])) for r in (chained, straight)]
        differ = [(question, seen[0][1], seen[1][1])] if seen[0][1] != seen[1][1] else []
        return leaks(student, question, chained) + leaks(student, question, straight), differ

    def straight_in(same_text: list[Ask]) -> list[tuple[str, str]]:
        """One question, anonymously and then signed in, in one thread: the second turn finds the text's encoding in
        the recognizer's cache (as the emulator does for a text it saw), where two threads asking at once both ran
        MiniLM on it (issue 18: most of this test's CPU)."""
        return [
            leak
            for student, question, token in same_text
            for leak in leaks(student, question, direct.say(question, principal if token else None))
        ]

    # Several turns at a time: each hop waits on the next process, so one at a time left the cores idle.
    try:
        with ThreadPoolExecutor(max_workers=ENUMERATION_CLIENTS) as pool:
            checked = list(pool.map(through_the_chain, sampled))
            rest = [ask for ask in asks if ask[0]["id"] not in sampled_ids]
            by_text: dict[str, list[Ask]] = {}
            for ask in rest:
                by_text.setdefault(ask[1], []).append(ask)
            found = [leak for leaks_of in pool.map(straight_in, by_text.values()) for leak in leaks_of]
    finally:
        direct.close()
    assert [d for _, differ in checked for d in differ] == [], "the direct turns answer as the whole chain does"
    assert [leak for chain_leaks, _ in checked for leak in chain_leaks] + found == []
    assert len(sampled) + len(rest) == len(asks) == 4 * len(students)


def test_bad_tokens_are_401_json_with_cors_never_5xx(
    local_runtime: RunningRuntime, pool: PoolAddress, users: CognitoUsers, http: httpx.Client
) -> None:
    student = Student(users)
    claims = jwt.decode(student.token, options={"verify_signature": False})
    moto_key = moto_private_key()

    def signed(**changes: Any) -> str:
        return jwt.encode({**claims, **changes}, moto_key, algorithm="RS256", headers={"kid": "dummy"})

    header, payload, _ = student.token.split(".")
    other_client = users.client.create_user_pool_client(
        UserPoolId=pool.user_pool_id,
        ClientName=f"other-{uuid.uuid4().hex[:6]}",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    other = users.client.initiate_auth(
        ClientId=other_client, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": student.email, "PASSWORD": student.password},
    )["AuthenticationResult"]  # fmt: skip
    none_header = jwt.utils.base64url_encode(b'{"alg":"none","kid":"dummy"}').decode()
    forged_claims = jwt.utils.base64url_encode(b'{"sub":"x"}').decode()
    bad = {
        "malformed": "Bearer not.a.jwt",
        "not bearer": f"Basic {student.token}",
        "expired": "Bearer " + signed(exp=int(time.time()) - 60, iat=int(time.time()) - 3700),
        "wrongly signed": "Bearer " + Keys(kid="dummy").token(**claims),
        "alg none": f"Bearer {none_header}.{payload}.",
        "other pool": "Bearer " + signed(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0000"),
        "other client": f"Bearer {other['IdToken']}",
        "access token": f"Bearer {other['AccessToken']}",
        "tampered": f"Bearer {header}.{forged_claims}.{student.token.split('.')[2]}",
    }
    for name, authorization in bad.items():
        response = http.post(
            local_runtime.chat_url,
            json={"message": "show my profile"},
            headers={"Authorization": authorization, "Origin": "https://campusbot.example.edu"},
        )
        assert response.status_code == 401, (name, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/json"), name
        assert response.json()["error"], name
        assert response.headers["access-control-allow-origin"], name


def test_own_profile_register_then_recommend_for_me(
    local_runtime: RunningRuntime, users: CognitoUsers, http: httpx.Client
) -> None:
    student = Student(users)
    assert "not registered yet" in text(say(http, local_runtime.chat_url, "show my profile", student.token))
    registered = register(http, local_runtime.chat_url, student, "computer science", "Germany")
    own = text(say(http, local_runtime.chat_url, "show my profile", student.token))
    assert "Eve Example" in own and student.email in own and "Computer Science" in own
    again = say(http, local_runtime.chat_url, "register me", student.token)
    assert "already registered" in text(again)
    recommended = say(http, local_runtime.chat_url, "recommend universities for me", student.token)
    assert recommended["intent"] == "RecommendUniversity" and recommended["state"] == "Fulfilled"
    assert "Computer Science" in text(recommended) and "Germany" in text(recommended), text(recommended)
    student_id = registered.split("student id is ")[1].split(".")[0]
    profile = http.get(f"{local_runtime.api_url}/students/{student_id}").json()
    assert profile["cognito_sub"] == student.sub and profile["email"] == student.email


def test_a_deleted_user_or_a_user_without_registration_is_not_registered_yet(
    local_runtime: RunningRuntime, pool: PoolAddress, users: CognitoUsers, http: httpx.Client
) -> None:
    student = Student(users)
    assert "not registered yet" in text(say(http, local_runtime.chat_url, "show my profile", student.token))
    users.client.admin_delete_user(UserPoolId=pool.user_pool_id, Username=student.email)
    said = text(say(http, local_runtime.chat_url, "show the profile of student 1", student.token))
    assert "not registered yet" in said
    anonymous = text(say(http, local_runtime.chat_url, "register me"))
    assert "sign in first" in anonymous


def test_identity_is_the_turns_own_never_the_sessions(
    local_runtime: RunningRuntime, users: CognitoUsers, http: httpx.Client
) -> None:
    """Issue 18: lex_proxy sends the principal as the turn's request attributes (one Lex call, no GetSession). A
    session a student signed into answers the next anonymous turn anonymously, and a principal planted in a
    session's attributes by any other client of the Lex runtime counts for nothing."""
    import boto3

    student = Student(users)
    register(http, local_runtime.chat_url, student)
    session = f"shared-{uuid.uuid4().hex[:10]}"
    # anonymous first, leaving an intent with unfilled slots in the session, then signed in on the same session (until
    # issue 18 lex_proxy echoed the stored state back, JSON nulls included, and this turn was a 502)
    recommended = say(http, local_runtime.chat_url, "recommend a university for medicine in Germany", None, session)
    assert None in recommended["slots"].values()
    assert student.email in text(say(http, local_runtime.chat_url, "show my profile", student.token, session))
    anonymous = text(say(http, local_runtime.chat_url, "show my profile", None, session))
    assert "once you are signed in" in anonymous and student.email not in anonymous
    settings = Settings.from_environment(local_runtime.env)
    state = read_state(settings)
    assert state is not None
    lex = boto3.client(
        "lexv2-runtime", endpoint_url=state["children"]["emulator"]["url"], region_name=settings.region,
        aws_access_key_id="local", aws_secret_access_key="local",
    )  # fmt: skip
    planted = f"planted-{uuid.uuid4().hex[:10]}"
    principal = {"campusbot.principal.sub": student.sub, "campusbot.principal.email": student.email}
    lex.recognize_text(botId=settings.bot_id, botAliasId=settings.bot_alias_id, localeId="en_US", sessionId=planted,
                       text="hello", sessionState={"sessionAttributes": principal})  # fmt: skip
    stored = lex.get_session(botId=settings.bot_id, botAliasId=settings.bot_alias_id, localeId="en_US",
                             sessionId=planted)  # fmt: skip
    assert stored["sessionState"]["sessionAttributes"].get("campusbot.principal.sub") == student.sub  # it is there
    said = text(say(http, local_runtime.chat_url, "show my profile", None, planted))
    assert "once you are signed in" in said and student.email not in said
