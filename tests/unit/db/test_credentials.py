"""Credentials of the RDS-managed secret: read once, kept `ttl` seconds, read again at once after a refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from campusbot.db.credentials import SecretCredentials, SecretCredentialsError


class Secrets:
    def __init__(self) -> None:
        self.password = "first"
        self.calls = 0

    def get_secret_value(self, SecretId: str) -> dict[str, Any]:
        self.calls += 1
        assert SecretId == "arn:secret"
        return {"SecretString": json.dumps({"username": "master", "password": self.password, "engine": "postgres"})}


def test_the_secret_is_read_once_then_again_after_the_ttl() -> None:
    secrets, now = Secrets(), [0.0]
    credentials = SecretCredentials(secrets, "arn:secret", ttl_seconds=60, clock=lambda: now[0])
    assert credentials.get() == ("master", "first")
    secrets.password = "rotated"
    now[0] = 59
    assert credentials.get() == ("master", "first") and secrets.calls == 1
    now[0] = 60
    assert credentials.get() == ("master", "rotated") and secrets.calls == 2


def test_invalidate_reads_the_secret_again_at_once() -> None:
    secrets = Secrets()
    credentials = SecretCredentials(secrets, "arn:secret")
    credentials.get()
    secrets.password = "rotated"
    credentials.invalidate()
    assert credentials.get() == ("master", "rotated")


@pytest.mark.parametrize("value", ["not json", json.dumps({"username": "u"}), json.dumps(["u", "p"])])
def test_a_secret_without_username_and_password_is_named(value: str) -> None:
    class Broken:
        def get_secret_value(self, SecretId: str) -> dict[str, Any]:
            return {"SecretString": value}

    with pytest.raises(SecretCredentialsError, match="arn:secret must be JSON with username and password"):
        SecretCredentials(Broken(), "arn:secret").get()
