"""TLS to PostgreSQL with libpq's `sslmode=verify-full` semantics: the server certificate must chain to the given
CA bundle (CERT_REQUIRED) and name the host we connected to (check_hostname).

In AWS the bundle is Amazon RDS's (shipped in the image and the vectorizer zip at build time, never downloaded at
run time); on the local runtime it is the CA the runtime generated for the embedded PostgreSQL
(`campusbot.local.tls`), so the same code path runs in both places.
"""

from __future__ import annotations

import ssl
from pathlib import Path


class DatabaseTlsError(RuntimeError):
    """The CA bundle is missing or unreadable; the message says which file and where it should come from."""


def verify_full_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """An SSLContext that verifies the server against `ca_bundle` (None: the system's trust store) and its host name."""
    if ca_bundle is not None and not ca_bundle.is_file():
        raise DatabaseTlsError(
            f"CAMPUSBOT_DB_CA_BUNDLE={ca_bundle} does not exist: the deploy build ships the RDS CA bundle there "
            "(docker/api.Dockerfile, the vectorizer zip); the local runtime points it at its own CA"
        )
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_bundle) if ca_bundle else None)
    except (ssl.SSLError, OSError) as exc:
        raise DatabaseTlsError(f"CAMPUSBOT_DB_CA_BUNDLE={ca_bundle} is not a PEM CA bundle: {exc}") from exc
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    return context
