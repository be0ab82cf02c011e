"""Connections as in AWS, against a real server: TLS with verify-full semantics (the runtime's TLS endpoint in
front of a real embedded PostgreSQL, its own CA) and credentials from a real Secrets Manager (moto's server) that
survive a rotation of the password (issue 11, defects 8 and 10).

The module has its own embedded server: making it listen on TCP restarts it, which the session's shared server
must not do under the other tests."""

from __future__ import annotations

import asyncio
import atexit
import json
import secrets
import shutil
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from campusbot.bootstrap import build_database, resolve_database
from campusbot.db.connect import DatabaseTarget
from campusbot.db.tls import verify_full_context
from campusbot.local import postgres
from campusbot.local.pg_tls import TlsEndpoint
from campusbot.local.tls import LocalCertificates, ensure_local_ca
from campusbot.settings import Settings

pytestmark = pytest.mark.slow


@dataclass
class Rds:
    pgdata: Path
    endpoint: TlsEndpoint
    certificates: LocalCertificates
    secrets: Any
    secret_arn: str
    password: str

    def rotate(self) -> str:
        """What RDS's managed rotation does: a new password on the server and in the secret."""
        self.password = secrets.token_urlsafe(16)
        postgres.set_password(self.pgdata, self.password)
        value = json.dumps({"username": "postgres", "password": self.password})
        self.secrets.put_secret_value(SecretId=self.secret_arn, SecretString=value)
        return self.password

    def settings(self, **overrides: Any) -> Settings:
        values = {
            "target": "aws", "db_host": "localhost", "db_port": self.endpoint.port, "db_name": "campusbot",
            "db_secret_arn": self.secret_arn, "db_ca_bundle": self.certificates.ca_cert, "db_pool_size": 2,
        }  # fmt: skip
        return Settings(**{**values, **overrides})


@pytest.fixture(scope="module")
def rds(monkeypatch_module: pytest.MonkeyPatch) -> Iterator[Rds]:
    from moto.server import ThreadedMotoServer

    root = Path(tempfile.mkdtemp(prefix="campusbot-rds-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    postgres.start(root / "pg", "campusbot")
    tcp = postgres.serve_tcp(root / "pg", "campusbot")
    certificates = ensure_local_ca(root / "tls")
    endpoint = TlsEndpoint(tcp.host, tcp.port, certificates).start()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    for name, value in {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
    }.items():  # fmt: skip
        monkeypatch_module.setenv(name, value)
    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(Name="rds!db-test", SecretString="{}")["ARN"]
    instance = Rds(root / "pg", endpoint, certificates, client, arn, "")
    instance.rotate()
    yield instance
    endpoint.stop()
    moto.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


async def _connect(rds: Rds, host: str, context: ssl.SSLContext | bool) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=host, port=rds.endpoint.port, user="postgres", password=rds.password, database="campusbot", ssl=context
    )


async def test_verify_full_accepts_the_right_ca_and_host(rds: Rds) -> None:
    connection = await _connect(rds, "localhost", verify_full_context(rds.certificates.ca_cert))
    try:
        assert await connection.fetchval("SELECT 42") == 42
    finally:
        await connection.close()


async def test_verify_full_refuses_another_ca(rds: Rds, tmp_path: Path) -> None:
    stranger = ensure_local_ca(tmp_path / "other-ca")
    with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer certificate"):
        await _connect(rds, "localhost", verify_full_context(stranger.ca_cert))


async def test_verify_full_refuses_a_host_name_the_certificate_does_not_name(rds: Rds) -> None:
    with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
        await _connect(rds, "127.0.0.1", verify_full_context(rds.certificates.ca_cert))


async def test_a_client_without_tls_is_refused_as_rds_force_ssl_does(rds: Rds) -> None:
    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        await _connect(rds, "localhost", False)


async def test_the_settings_path_connects_with_the_secret_and_tls(rds: Rds) -> None:
    target = resolve_database(rds.settings())
    assert target.ssl is not None and target.ssl.check_hostname and target.ssl.verify_mode == ssl.CERT_REQUIRED
    assert target.credentials is not None and "@localhost:" in target.url and rds.password not in target.url
    database = build_database(rds.settings(), target)
    try:
        async with database.engine.connect() as connection:
            assert await connection.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) is False
            # the TLS session ends at the endpoint, as it ends at RDS's listener; the server sees loopback TCP
            assert await connection.scalar(text("SELECT current_user")) == "postgres"
    finally:
        await database.dispose()


async def test_new_connections_keep_working_after_a_rotation_without_a_restart(rds: Rds) -> None:
    settings = rds.settings()
    database = build_database(settings)
    credentials = resolve_database(settings).credentials  # a separate target: only to show today's behaviour
    assert credentials is not None
    try:
        async with database.engine.connect() as connection:
            assert await connection.scalar(text("SELECT 1")) == 1
        old_password = rds.password
        rds.rotate()
        await database.engine.dispose()  # drop pooled connections: the next one logs in again
        async with database.engine.connect() as connection:
            assert await connection.scalar(text("SELECT 2")) == 2
        # what the code before this change did: the password read once, at start
        stale = DatabaseTarget(
            f"postgresql+asyncpg://postgres:{old_password}@localhost:{rds.endpoint.port}/campusbot",
            ssl=verify_full_context(rds.certificates.ca_cert),
        ).create_engine(null_pool=True)
        with pytest.raises(DBAPIError, match="password authentication failed"):
            async with stale.connect():
                pass
        await stale.dispose()
    finally:
        await database.dispose()


async def test_the_secret_is_read_again_only_when_needed(rds: Rds) -> None:
    target = resolve_database(rds.settings())
    assert target.credentials is not None
    engine = target.create_engine(null_pool=True)
    try:
        for _ in range(3):
            async with engine.connect():
                pass
        assert target.credentials.reads == 1  # cached between connections
        rds.rotate()
        async with engine.connect():
            pass
        assert target.credentials.reads == 2  # refused once, read again, logged in
    finally:
        await engine.dispose()
    await asyncio.sleep(0)
