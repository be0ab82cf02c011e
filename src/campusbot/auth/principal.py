"""The verified caller (standard library only: lex_proxy and the fulfillment import it, the token checks stay in
the authorizer)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """A verified caller: the Cognito subject (stable user id) and the verified email (None when unverified)."""

    sub: str
    email: str | None
