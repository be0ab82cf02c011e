"""Who is asking, as the fulfillment sees it: the only accessor of the caller's identity.

lex_proxy is the only writer of the session attributes below: on every turn it sets them from the principal the
API Gateway authorizer verified (a Cognito ID token), and removes them for an anonymous turn, overwriting whatever a
client of the Lex runtime may have put there. The fulfillment reads identity from here and nowhere else (never a
slot, never the message), and passes the attributes back to Lex unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from campusbot.assistant.lex_events import LexEvent
from campusbot.auth.principal import Principal

SUB = "campusbot.principal.sub"
EMAIL = "campusbot.principal.email"
KEYS = (SUB, EMAIL)


def caller(event: LexEvent) -> Principal | None:
    """The signed-in student asking in this turn, or None when the turn is anonymous."""
    sub = event.session_attributes.get(SUB)
    if not isinstance(sub, str) or not 1 <= len(sub) <= 128:
        return None
    email = event.session_attributes.get(EMAIL)
    return Principal(sub=sub, email=email if isinstance(email, str) and 0 < len(email) <= 254 else None)


def principal_attributes(principal: Principal | None) -> dict[str, str]:
    """The session attributes that say who is asking (none for an anonymous turn)."""
    if principal is None:
        return {}
    attributes = {SUB: principal.sub}
    if principal.email:
        attributes[EMAIL] = principal.email
    return attributes


def with_principal(current: Mapping[str, str], principal: Principal | None) -> dict[str, str]:
    """`current` session attributes with the principal ones replaced by this turn's (removed when anonymous)."""
    return {**{k: v for k, v in current.items() if k not in KEYS}, **principal_attributes(principal)}
