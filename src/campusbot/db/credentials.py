"""Database credentials from a Secrets Manager secret (the RDS-managed master secret), for every new connection.

RDS rotates its managed secret (every 7 days by default): the password a process read at start stops working for
new connections. `SecretCredentials` keeps the secret's username/password for `ttl` seconds and reads it again
after that, or at once after the server refused them (`invalidate()`), so connections opened after a rotation
use the new password without a restart. Connections already open stay valid (PostgreSQL checks the password
only at login).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

Clock = Callable[[], float]


class SecretCredentialsError(RuntimeError):
    """The secret could not be read or has no username/password; the message names the secret."""


class SecretCredentials:
    """(username, password) of secret `secret_id`, read through `client` (a boto3 `secretsmanager` client)."""

    def __init__(self, client: Any, secret_id: str, *, ttl_seconds: float = 900.0, clock: Clock = time.monotonic):
        self.client = client
        self.secret_id = secret_id
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.reads = 0
        self._cached: tuple[str, str] | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> tuple[str, str]:
        """The cached credentials, or the secret's current ones when none are cached or they are older than ttl."""
        with self._lock:
            if self._cached is None or self.clock() - self._read_at >= self.ttl_seconds:
                self._cached = self._read()
                self._read_at = self.clock()
            return self._cached

    def invalidate(self) -> None:
        """Forget the cached credentials (the server refused them: the secret was rotated)."""
        with self._lock:
            self._cached = None

    def _read(self) -> tuple[str, str]:
        try:
            value = self.client.get_secret_value(SecretId=self.secret_id)["SecretString"]
            secret = json.loads(value)
            username, password = secret["username"], secret["password"]
        except (KeyError, TypeError, ValueError) as exc:
            raise SecretCredentialsError(
                f"secret {self.secret_id} must be JSON with username and password (as RDS writes it)"
            ) from exc
        except Exception as exc:
            raise SecretCredentialsError(f"cannot read the database secret {self.secret_id}: {exc}") from exc
        self.reads += 1
        return str(username), str(password)
