"""Everything the bot suggests the user say must work when said (issue 13): every phrase the fulfillment's texts
put in quotes after "say", "saying", "for example" or "Try", and every example of the Help text, is collected
from the source of campusbot.assistant, and the emulator's intent classifier (real MiniLM, trained on the deployed
bot template) must recognize each as the intent the suggestion means.

A new suggestion fails here until its intent is named in INTENDED. Follow-ups ("cheaper ones") are gated by input
contexts in Lex; the classifier here sees no contexts, and the dialogue set (tests/e2e/dialogues) plays them
after a search, where the gate is open."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from campusbot.assistant import messages
from campusbot.local.emulator.nlu import IntentRecognizer

ASSISTANT = Path(messages.__file__).resolve().parent
CUE = re.compile(r"""(?:\bsay|\bsaying|for example|\bTry)\s+"([^"{}]+?)"(?=[\s.,;:)?'"]|$)""", re.IGNORECASE)
QUOTED = re.compile(r'"([^"{}]+)"')

INTENDED = {
    "help": "Help",
    "recommend a university for medicine in Germany": "RecommendUniversity",
    "computer science programs under 20000 dollars": "RecommendUniversity",
    "recommend universities for me": "RecommendUniversity",
    "tell me about ETH Zurich": "GetUniversityInfo",
    "Technical University of Munich": "GetUniversityInfo",  # the full name a student is asked to try
    "find software engineering internships in Berlin": "FindOpportunities",
    "which companies are hiring in finance": "FindOpportunities",
    "what about in Canada?": "RefineRecommendation",
    "cheaper ones": "RefineRecommendation",
    "tell me more about the first one": "ChooseResult",
    "only remote ones": "RefineOpportunities",
    "start over": "StartOver",
    "show my profile": "GetStudentProfile",
    "register me": "RegisterStudent",
}


def texts(path: Path) -> list[str]:
    """The module's string literals, implicit concatenations joined, f-string fields as {}."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            out.append("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))  # type: ignore[misc]
    return out


def suggestions() -> list[str]:
    found: dict[str, None] = {}
    for path in sorted(ASSISTANT.rglob("*.py")):
        for text in texts(path):
            for phrase in CUE.findall(text):
                found.setdefault(phrase.strip())
    for line in messages.HELP.splitlines()[1:]:
        for phrase in QUOTED.findall(line):
            found.setdefault(phrase.strip())
    return list(found)


def test_every_suggestion_has_an_intended_intent() -> None:
    found = suggestions()
    assert len(found) >= 12, found
    unnamed = [phrase for phrase in found if phrase not in INTENDED]
    assert not unnamed, f"name the intent of these suggestions in INTENDED: {unnamed}"
    stale = set(INTENDED) - set(found)
    assert not stale, f"INTENDED names suggestions the bot no longer makes: {stale}"


@pytest.mark.parametrize("phrase", suggestions())
def test_a_suggestion_recognizes_to_its_intent(lex_recognizer: IntentRecognizer, phrase: str) -> None:
    ranked = lex_recognizer.recognize(phrase)
    assert ranked[0].name == INTENDED.get(phrase), [(s.name, s.score) for s in ranked[:3]]
