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
