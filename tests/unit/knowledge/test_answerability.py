"""The word-level half of the answerability rule and the decision: names, answer types, coverage, evidence."""

from __future__ import annotations

import pytest

from campusbot.knowledge.answerability import Evidence, Question, Thresholds, decide, lexical

HOUSING = "Kestrel Hall housing\nRooms in Kestrel Hall cost 410 euros a month. Quiet hours start at 22:00."


def test_names_are_asked_about_in_any_case_for_known_places() -> None:
    asked = Question.parse("how much does it cost to study in the netherlands")
    assert asked.terms == ("cost", "study", "netherlands") and asked.entities == ("netherlands",)
    assert asked.answer_type == "amount"
    assert Question.parse("Are pets allowed in Kestrel Hall?").entities == ("kestrel", "hall")
    assert Question.parse("Can you tell us about rooms?").entities == ()  # "us" is not the United States


@pytest.mark.parametrize(
    ("question", "kind"),
    [("When does orientation week start?", "time"), ("What is the deadline to apply?", "time"),
     ("What does printing a page cost?", "amount"), ("How many pages should a thesis have?", "number"),
     ("Can friends stay overnight?", None)],
)  # fmt: skip
def test_the_answer_type_a_question_asks_for(question: str, kind: str | None) -> None:
    assert Question.parse(question).answer_type == kind


def test_a_passage_without_the_named_place_does_not_answer() -> None:
    found = lexical(Question.parse("What does a room cost in Mumbai?"), HOUSING)
    judgement = decide(found, [], Thresholds())
    assert not judgement.answers and judgement.reason == "does not mention mumbai"


def test_a_passage_without_the_kind_of_answer_does_not_answer() -> None:
    found = lexical(
        Question.parse("When do quiet hours in Kestrel Hall start?"), "Kestrel Hall quiet hours start soon."
    )
    assert found.coverage == 1.0 and not found.type_found
    assert decide(found, [], Thresholds()).reason == "holds no time for the question"


def test_inflections_count_as_found_and_coverage_is_a_share_of_terms() -> None:
    found = lexical(Question.parse("How much do rooms in Kestrel Hall cost?"), HOUSING)
    assert found.missing_terms == () and found.coverage == 1.0 and decide(found, [], Thresholds()).answers
    partial = lexical(Question.parse("Are pets allowed in Kestrel Hall rooms?"), HOUSING)
    assert partial.missing_terms == ("pets", "allowed") and partial.coverage == pytest.approx(0.6)


def test_every_missing_term_needs_evidence_from_the_embedding_model() -> None:
    found = lexical(Question.parse("Are pets allowed in Kestrel Hall rooms?"), HOUSING)
    thresholds = Thresholds(min_coverage=0.6, min_alone=0.3, min_drop=-0.02)
    unchecked = decide(found, [Evidence("pets", 0.5, 0.1)], thresholds)
    assert not unchecked.answers and unchecked.reason == "could not check allowed on the embedding model"
    unrelated = decide(found, [Evidence("pets", 0.04, -0.1), Evidence("allowed", 0.1, 0.0)], thresholds)
    assert not unrelated.answers and unrelated.reason == "says nothing about pets"
    related = decide(found, [Evidence("pets", 0.31, -0.1), Evidence("allowed", 0.1, -0.02)], thresholds)
    assert related.answers and related.reason == "answers"
    low = decide(found, [Evidence("pets", 0.9, 0.2), Evidence("allowed", 0.9, 0.2)], Thresholds(min_coverage=0.7))
    assert not low.answers and "60%" in low.reason


def test_leaving_a_term_out() -> None:
    asked = Question.parse("Are pets allowed? I love pets, petsitting too.")
    assert asked.without("pets") == "Are allowed? I love , petsitting too."
