"""What campusbot says: fixed texts and the small formatters the intents share."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from campusbot.bot.vocabulary import canonical_field, fields_of_study

GREETING = (
    "Hi, I'm campusbot! I can recommend universities, tell you about a university, find internships and "
    "jobs, and show or create your student registration. What would you like to do?"
)
HELP = (
    "Here is what I can do, with things you can say:\n"
    '- Recommend universities: "recommend a university for medicine in Germany", '
    '"computer science programs under 20000 dollars"\n'
    '- Describe a university: "tell me about ETH Zurich"\n'
    '- Find internships and jobs: "find software engineering internships in Berlin", '
    '"which companies are hiring in finance"\n'
    '- Follow up on an answer: "what about in Canada?", "cheaper ones", "tell me more about the first one", '
    '"only remote ones", "start over"\n'
    '- Show your registration, once signed in: "show my profile"\n'
    '- Register as a student: "register me"\n'
    "- Anything else about studying: I answer from campusbot's documents, or say when I use general knowledge."
)
API_DOWN = "Sorry, I can't reach campusbot's data right now, so I can't answer that. Please try again in a minute."
UNEXPECTED = "Sorry, something went wrong on my side while answering. Please try again, or ask me something else."
UNKNOWN_INTENT = 'Sorry, I can\'t help with that yet. Say "help" to see what I can do.'
CANNOT_ANSWER = (
    "I'm sorry, I can't answer that right now. I can recommend universities, describe a university, find "
    'internships and jobs, or register you: say "help" for examples.'
)
NOT_HEARD = "Sorry, I didn't catch a question there. What would you like to know?"
GENERAL_KNOWLEDGE = "(This answer comes from general knowledge, not from campusbot's documents.)"
SIGN_IN_PROFILE = (
    "Your profile is personal, so I can only show it to you once you are signed in. Please sign in and ask me again "
    '(for example "show my profile").'
)
SIGN_IN_REGISTER = (
    "Please sign in first: a registration belongs to your account, and I take your email from it. "
    'Once you are signed in, say "register me".'
)
NOT_REGISTERED = 'You are not registered yet. Say "register me" and I will sign you up.'
ONLY_OWN_PROFILE = (
    'Sorry, I can only show your own registration, never another student\'s. Say "show my profile" to see yours.'
)
DECLINED = 'Okay, I have not registered you. You can start again any time by saying "register me".'

EXAMPLE_FIELDS = ("Computer Science", "Medicine", "Business Administration", "Law")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


def money(amount: float) -> str:
    return f"${amount:,.0f}"


def listing(items: Sequence[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 2:
        return f" {conjunction} ".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def known_field(text: str) -> str | None:
    """The canonical field of study a text names ("cs" → "Computer Science"), or None when unknown."""
    canonical = canonical_field(text)
    by_fold = {name.casefold(): name for name in fields_of_study()}
    return by_fold.get(canonical.casefold())


def field_suggestions(text: str, limit: int = 3) -> list[str]:
    """Fields close to an unknown one: those containing it ("engineering"), then similar spellings."""
    names = fields_of_study()
    folded = text.strip().casefold()
    containing = [name for name in names if folded and len(folded) >= 3 and folded in name.casefold()]
    by_fold = {name.casefold(): name for name in names}
    similar = [by_fold[m] for m in difflib.get_close_matches(folded, list(by_fold), n=limit, cutoff=0.75)]
    suggestions = list(dict.fromkeys(containing + similar))[:limit]
    return suggestions or list(EXAMPLE_FIELDS[:limit])


def unknown_field(text: str, question: str) -> str:
    suggestions = field_suggestions(text)
    return f'I don\'t know the field "{text}". Did you mean {listing(suggestions, "or")}? {question}'


def valid_email(text: str) -> bool:
    return len(text) <= 254 and EMAIL.match(text) is not None
