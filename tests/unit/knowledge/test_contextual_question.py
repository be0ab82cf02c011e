"""A follow-up that refers back is joined to the user's previous message before retrieval (issue 13)."""

from __future__ import annotations

from campusbot.knowledge.answer import contextual_question


def test_a_short_referring_question_takes_the_previous_message() -> None:
    joined = contextual_question("do I need a visa there?", ["hi", "recommend computer science in Germany"])
    assert joined == "recommend computer science in Germany — do I need a visa there?"


def test_a_question_that_stands_alone_is_unchanged() -> None:
    history = ["recommend computer science in Germany"]
    assert contextual_question("how do I apply for a German student visa", history) == (
        "how do I apply for a German student visa"
    )
    assert contextual_question("is it expensive?", []) == "is it expensive?"
    long = "what documents does it say I need to bring to the consulate appointment for the visa"
    assert contextual_question(long, history) == long


def test_an_existential_there_does_not_refer_back() -> None:
    """A student trial: "Is there a quiet hours rule in Kestrel Hall?" after "hello" was joined to the greeting
    and found no document; it names its own subject."""
    history = ["recommend computer science in Germany", "hello"]
    for question in (
        "Is there a quiet hours rule in Kestrel Hall?",
        "are there any fees for the application?",
        "there is a deadline for housing, right?",
    ):
        assert contextual_question(question, history) == question


def test_a_there_that_ends_the_question_still_refers_back() -> None:
    history = ["tell me about ETH Zurich"]
    assert contextual_question("how many students are there?", history) == (
        "tell me about ETH Zurich — how many students are there?"
    )
    assert contextual_question("is the rent high there?", history) == (
        "tell me about ETH Zurich — is the rent high there?"
    )
