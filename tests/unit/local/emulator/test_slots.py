"""Slot resolution by type: custom vocabularies with synonyms and typos, numbers, emails, countries, cities,
names, university names from the data, and which slot a value goes to when several could hold it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from campusbot.bot.cloudformation import load_bot
from campusbot.bot.model import BotDefinition, Intent
from campusbot.db.seed.data import build_seed
from campusbot.local.emulator import gazetteer
from campusbot.local.emulator.nlu import english_words
from campusbot.local.emulator.slots import (
    SlotResolver,
    SpellChecker,
    normalize,
    parse_confirmation,
    words_to_number,
)

NAMES = tuple(u.name for u in build_seed().universities)


@pytest.fixture(scope="module")
def definition() -> BotDefinition:
    return load_bot()


@pytest.fixture(scope="module")
def resolver(definition: BotDefinition) -> SlotResolver:
    return SlotResolver(definition, lambda: NAMES, known_words=english_words())


def intent(definition: BotDefinition, name: str) -> Intent:
    found = definition.intent(name)
    assert found is not None
    return found


def slots(resolver: SlotResolver, definition: BotDefinition, intent_name: str, text: str) -> dict[str, str]:
    return {k: v.interpreted for k, v in resolver.extract(intent(definition, intent_name), text).items()}


def reply(resolver: SlotResolver, definition: BotDefinition, intent_name: str, slot: str, text: str) -> dict[str, str]:
    declared = intent(definition, intent_name)
    target = declared.slot(slot)
    assert target is not None
    return {k: v.interpreted for k, v in resolver.resolve_reply(declared, target, text).items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "medicine in germany under 5000 dollars",
            {"fieldOfStudy": "Medicine", "country": "Germany", "maxTuition": "5000"},
        ),
        ("I want to study CS in the USA", {"fieldOfStudy": "Computer Science", "country": "United States"}),
        (
            "comp sci in the UK, max $20,000",
            {"fieldOfStudy": "Computer Science", "country": "United Kingdom", "maxTuition": "20000"},
        ),
        (
            "cheap german universities for med school",
            {"fieldOfStudy": "Medicine", "country": "Germany", "ordering": "cheapest"},
        ),
        ("data science below 15k", {"fieldOfStudy": "Data Science", "maxTuition": "15000"}),
        ("economics for under twenty thousand a year", {"fieldOfStudy": "Economics", "maxTuition": "20000"}),
        ("mechanical engineering in Deutschland", {"fieldOfStudy": "Mechanical Engineering", "country": "Germany"}),
        ("recommend universities for student 7", {"studentId": "7"}),
        ("compter science in swizerland", {"fieldOfStudy": "Computer Science", "country": "Switzerland"}),
    ],
)
def test_recommendation_slots_come_from_anywhere_in_the_sentence(
    resolver: SlotResolver, definition: BotDefinition, text: str, expected: dict[str, str]
) -> None:
    assert slots(resolver, definition, "RecommendUniversity", text) == expected


def test_top_resolution_gives_the_canonical_value_and_keeps_what_was_said(
    resolver: SlotResolver, definition: BotDefinition
) -> None:
    value = resolver.extract(intent(definition, "RecommendUniversity"), "I want to study med school")["fieldOfStudy"]
    assert (value.original, value.interpreted, value.resolved) == ("med school", "Medicine", ("Medicine",))
    assert value.to_lex() == {
        "shape": "Scalar",
        "value": {"originalValue": "med school", "interpretedValue": "Medicine", "resolvedValues": ["Medicine"]},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tell me about TUM", "Technical University of Munich"),
        ("what do you know about eth", "ETH Zurich"),
        ("where is the University of Toronto", "University of Toronto"),
        ("information about heidelberg university", "Heidelberg University"),
        ("tell me about toronto", "University of Toronto"),
        ("how much is tuition at the university of oxford", "University of Oxford"),
        ("tell me about Harvard", "Harvard"),  # ORIGINAL_VALUE: a name outside the data, as said
        ("what programs does universidad de buenos aires offer", "Universidad de Buenos Aires"),
    ],
)
def test_university_names_from_data_aliases_partials_and_as_said(
    resolver: SlotResolver, definition: BotDefinition, text: str, expected: str
) -> None:
    assert slots(resolver, definition, "GetUniversityInfo", text) == {"universityName": expected}


def test_a_university_alias_keeps_the_original_and_resolves_the_name(
    resolver: SlotResolver, definition: BotDefinition
) -> None:
    value = resolver.extract(intent(definition, "GetUniversityInfo"), "tell me about NUS")["universityName"]
    assert value.original == "NUS"
    assert value.resolved == ("National University of Singapore",)


def test_generic_words_are_not_a_university(resolver: SlotResolver, definition: BotDefinition) -> None:
    assert slots(resolver, definition, "GetUniversityInfo", "tell me about a university") == {}


def test_university_names_come_from_the_provider_and_are_cached(definition: BotDefinition) -> None:
    calls: list[int] = []

    def provider() -> list[str]:
        calls.append(1)
        return ["Kestrel Institute of Science"]

    resolver = SlotResolver(definition, provider, known_words=english_words(), names_ttl_seconds=3600)
    for _ in range(3):
        assert slots(resolver, definition, "GetUniversityInfo", "tell me about kestrel institute of science") == {
            "universityName": "Kestrel Institute of Science"
        }
    assert len(calls) == 1


def test_a_failing_provider_leaves_the_definition_values(definition: BotDefinition) -> None:
    def provider() -> list[str]:
        raise ConnectionError("the API is down")

    resolver = SlotResolver(definition, provider)
    assert slots(resolver, definition, "GetUniversityInfo", "tell me about ETH") == {"universityName": "ETH Zurich"}


@pytest.mark.parametrize(
    ("text", "expected"),
    # issue 13: "internships" and "jobs" now fill the kind slot (the filter is applied, not dropped)
    [
        (
            "find internships in computer science in Berlin",
            {"fieldOfStudy": "Computer Science", "city": "Berlin", "kind": "internship"},
        ),
        ("which companies are hiring in fintech", {"industry": "Finance"}),
        ("jobs in the finance industry in London", {"industry": "Finance", "city": "London", "kind": "job"}),
        ("jobs for finance graduates", {"fieldOfStudy": "Finance", "kind": "job"}),
        ("software jobs in NYC", {"industry": "Software", "city": "New York", "kind": "job"}),
        ("internships in munchen", {"city": "Munich", "kind": "internship"}),
        ("openings in são paulo", {"city": "São Paulo"}),
        ("openings in sao paulo", {"city": "São Paulo"}),
        ("IT jobs in Zürich", {"industry": "Software", "city": "Zurich", "kind": "job"}),
        ("is it possible to find a job", {"kind": "job"}),  # "it" is a word here, not the IT industry
        ("show me jobs in Tbilisi", {"city": "Tbilisi", "kind": "job"}),  # AMAZON.City takes a city it does not know
    ],
)
def test_opportunity_slots(
    resolver: SlotResolver, definition: BotDefinition, text: str, expected: dict[str, str]
) -> None:
    assert slots(resolver, definition, "FindOpportunities", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my student id is 42", {"studentId": "42"}),
        ("show the profile for ana.garcia@example.edu", {"email": "ana.garcia@example.edu"}),
        ("my email is Ana.Garcia@Example.EDU", {"email": "ana.garcia@example.edu"}),
        ("find the student with email ana dot garcia at example dot edu", {"email": "ana.garcia@example.edu"}),
        ("look at liam underscore oc at example dot com", {"email": "liam_oc@example.com"}),
    ],
)
def test_profile_slots(resolver: SlotResolver, definition: BotDefinition, text: str, expected: dict[str, str]) -> None:
    assert slots(resolver, definition, "GetStudentProfile", text) == expected


def test_names_from_patterns(resolver: SlotResolver, definition: BotDefinition) -> None:
    assert slots(resolver, definition, "RegisterStudent", "sign me up my name is Ana García") == {
        "firstName": "Ana",
        "lastName": "García",
    }
    assert slots(resolver, definition, "RegisterStudent", "I'm a new student") == {}
    assert slots(resolver, definition, "RegisterStudent", "I am looking to register for law") == {"fieldOfStudy": "Law"}


@pytest.mark.parametrize(
    ("slot", "text", "expected"),
    [
        ("firstName", "Ana", {"firstName": "Ana"}),
        ("firstName", "ana garcia", {"firstName": "Ana", "lastName": "Garcia"}),
        ("firstName", "my name is Priya", {"firstName": "Priya"}),
        ("lastName", "O'Connor", {"lastName": "O'Connor"}),
        ("lastName", "it's garcía lópez", {"lastName": "García López"}),
        ("email", "ana dot garcia at example dot edu", {"email": "ana.garcia@example.edu"}),
        ("email", "sure, it's mei.chen@example.edu", {"email": "mei.chen@example.edu"}),
        ("fieldOfStudy", "medicin", {"fieldOfStudy": "Medicine"}),
        ("fieldOfStudy", "probably AI", {"fieldOfStudy": "Data Science"}),
        ("fieldOfStudy", "medicine in germany", {"fieldOfStudy": "Medicine", "country": "Germany"}),
        ("country", "the UK", {"country": "United Kingdom"}),
        ("country", "I'm from the US", {"country": "United States"}),
        ("country", "german", {"country": "Germany"}),
        ("country", "españa", {"country": "Spain"}),
    ],
)
def test_answers_to_registration_prompts(
    resolver: SlotResolver, definition: BotDefinition, slot: str, text: str, expected: dict[str, str]
) -> None:
    assert reply(resolver, definition, "RegisterStudent", slot, text) == expected


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("fieldOfStudy", "no idea"),
        ("country", "somewhere warm"),
        ("email", "ana at nowhere"),
        ("firstName", "I won't say"),
    ],
)
def test_answers_that_fill_nothing(resolver: SlotResolver, definition: BotDefinition, slot: str, text: str) -> None:
    assert reply(resolver, definition, "RegisterStudent", slot, text) == {}


@pytest.mark.parametrize(
    ("intent_name", "slot", "text", "expected"),
    [
        ("RecommendUniversity", "maxTuition", "twenty thousand", "20000"),
        ("RecommendUniversity", "maxTuition", "15k", "15000"),
        ("RecommendUniversity", "maxTuition", "about $12,500 a year", "12500"),
        ("GetStudentProfile", "studentId", "it's 17", "17"),
        ("GetStudentProfile", "studentId", "one", "1"),
        ("FindOpportunities", "city", "in lisbon please", "Lisbon"),
        ("FindOpportunities", "city", "springfield", "Springfield"),
        ("GetUniversityInfo", "universityName", "the one in munich", "Technical University of Munich"),
        ("GetUniversityInfo", "universityName", "Harvard University", "Harvard University"),
    ],
)
def test_answers_by_type(
    resolver: SlotResolver, definition: BotDefinition, intent_name: str, slot: str, text: str, expected: str
) -> None:
    assert reply(resolver, definition, intent_name, slot, text)[slot] == expected


@pytest.mark.parametrize(
    ("words", "number"),
    [
        ("twenty thousand", 20000),
        ("fifteen hundred", 1500),
        ("one hundred and five", 105),
        ("a thousand", 1000),
        ("two million", 2_000_000),
        ("forty two", 42),
        ("many", None),
    ],
)
def test_words_to_number(words: str, number: int | None) -> None:
    assert words_to_number(words.split()) == number


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", "Confirmed"),
        ("Yeah, go ahead!", "Confirmed"),
        ("sure", "Confirmed"),
        ("that's right", "Confirmed"),
        ("ok", "Confirmed"),
        ("no", "Denied"),
        ("nope", "Denied"),
        ("don't do it", "Denied"),
        ("no thanks", "Denied"),
        ("cancel", "Denied"),
        ("what do you mean", None),
        ("", None),
    ],
)
def test_confirmation_answers(text: str, answer: str | None) -> None:
    assert parse_confirmation(text) == answer


def test_spell_checker_fixes_typos_but_not_known_words() -> None:
    checker = SpellChecker(["medicine", "germany", "computer", "science"], known_words={"german", "medical"})
    assert checker.correct("mediicne") == "medicine"
    assert checker.correct("germny") == "germany"
    assert checker.correct("comptuer") == "computer"
    assert checker.correct("german") == "german"
    assert checker.correct("medical") == "medical"
    assert checker.correct("xyzzy") == "xyzzy"


def test_normalize_folds_case_accents_and_punctuation() -> None:
    assert normalize("Universität  Zürich!") == "universitat zurich"
    assert normalize("Tromsø") == "tromso"


def test_nlu_text_spells_out_university_aliases_and_fixes_typos(resolver: SlotResolver) -> None:
    assert resolver.nlu_text("what courses does UBA teach") == "what courses does Universidad de Buenos Aires teach"
    assert resolver.nlu_text("studying economcs") == "studying economics"


def test_every_seed_city_is_a_known_city() -> None:
    seed = build_seed()
    cities = {u.city for u in seed.universities} | {c.city for c in seed.companies}
    cities |= {o.city for c in seed.companies for o in c.opportunities}
    known = {normalize(c) for c in gazetteer.CITIES}
    assert sorted(c for c in cities if normalize(c) not in known) == []


def test_every_seed_country_is_a_known_country() -> None:
    seed = build_seed()
    countries = {u.country for u in seed.universities} | {s.country for s in seed.students}
    assert sorted(countries - set(gazetteer.COUNTRIES)) == []


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_names_are_reread_in_the_background_after_the_ttl(definition: BotDefinition) -> None:
    current = ["Old Name College"]
    resolver = SlotResolver(definition, lambda: list(current), names_ttl_seconds=0.05)
    info = intent(definition, "GetUniversityInfo")
    assert resolver.extract(info, "tell me about old name college")["universityName"].interpreted == "Old Name College"
    current[:] = ["Brand New Institute"]
    time.sleep(0.1)
    resolver.refresh()  # starts the background read; the current names keep serving meanwhile
    assert wait_for(
        lambda: (
            resolver.extract(info, "tell me about brand new institute")["universityName"].resolved
            == ("Brand New Institute",)
        )
    )


def test_a_failed_read_is_retried(definition: BotDefinition, monkeypatch: pytest.MonkeyPatch) -> None:
    from campusbot.local.emulator import slots as module

    monkeypatch.setattr(module, "RETRY_NAMES", 0.05)
    answers: list[Any] = [ConnectionError("API not up yet"), ["Kestrel Institute of Science"]]

    def provider() -> list[str]:
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return list(answer)

    resolver = SlotResolver(definition, provider)
    info = intent(definition, "GetUniversityInfo")
    assert resolver.extract(info, "tell me about kestrel institute of science")["universityName"].resolved == ()
    time.sleep(0.1)
    assert resolver.extract(info, "tell me about kestrel institute of science")["universityName"].resolved == (
        "Kestrel Institute of Science",
    )


def test_a_turn_during_the_first_read_waits_for_it(definition: BotDefinition) -> None:
    """The runtime starts the first read of the names once ready (`POST /_campusbot/lex/read-names`); a turn that
    comes meanwhile waits for that read instead of resolving without the names."""
    reading, release = threading.Event(), threading.Event()

    def provider() -> list[str]:
        reading.set()
        release.wait(10)
        return ["Kestrel Institute of Science"]

    resolver = SlotResolver(definition, provider, names_ttl_seconds=3600)
    threading.Thread(target=resolver.refresh, daemon=True).start()
    assert reading.wait(10)
    threading.Timer(0.3, release.set).start()
    info = intent(definition, "GetUniversityInfo")
    assert resolver.extract(info, "tell me about kestrel institute of science")["universityName"].resolved == (
        "Kestrel Institute of Science",
    )


def test_the_emulator_reads_the_names_when_the_runtime_asks(definition: BotDefinition) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from campusbot.local import runtime
    from campusbot.local.emulator.lex_runtime import READ_NAMES_PATH, LexEmulator

    calls: list[int] = []

    def provider() -> list[str]:
        calls.append(1)
        return ["Kestrel Institute of Science"]

    class Unused:  # the recognizer and the fulfillment: no turn is taken here
        def recognize(self, text: str) -> list[Any]:
            raise AssertionError("no turn")

    lex = LexEmulator(definition, fulfillment=Unused(), university_names=provider, recognizer=Unused())  # type: ignore[arg-type]
    app = FastAPI()
    app.include_router(lex.router())
    assert runtime.READ_NAMES_PATH == READ_NAMES_PATH
    with TestClient(app) as client:
        assert client.post(runtime.READ_NAMES_PATH).status_code == 202
    assert wait_for(lambda: calls == [1])
    info = intent(definition, "GetUniversityInfo")
    assert lex.resolver.extract(info, "tell me about kestrel institute of science")["universityName"].resolved == (
        "Kestrel Institute of Science",
    )
    assert calls == [1]
