"""Who is asking, as the fulfillment sees it: the only accessor of the caller's identity.

lex_proxy is the only writer of the request attributes below: on every turn it sends them with RecognizeText
(`requestAttributes`) from the principal the API Gateway authorizer verified (a Cognito ID token), and sends none
for an anonymous turn. Lex passes a turn's request attributes to that turn's code hooks only and never keeps them in
the session, so nothing stored (a session attribute, a stale or shared session id) can say who is asking. The
fulfillment reads identity from here and nowhere else (never a session attribute, a slot, or the message).
"""

from __future__ import annotations

from campusbot.assistant.lex_events import LexEvent
from campusbot.auth.principal import Principal

SUB = "campusbot.principal.sub"
EMAIL = "campusbot.principal.email"
KEYS = (SUB, EMAIL)


def caller(event: LexEvent) -> Principal | None:
    """The signed-in student asking in this turn, or None when the turn is anonymous."""
    sub = event.request_attributes.get(SUB)
    if not isinstance(sub, str) or not 1 <= len(sub) <= 128:
        return None
    email = event.request_attributes.get(EMAIL)
    return Principal(sub=sub, email=email if isinstance(email, str) and 0 < len(email) <= 254 else None)


def principal_attributes(principal: Principal | None) -> dict[str, str]:
    """The request attributes that say who is asking (none for an anonymous turn)."""
    if principal is None:
        return {}
    attributes = {SUB: principal.sub}
    if principal.email:
        attributes[EMAIL] = principal.email
    return attributes
