"""A database that cannot be reached fails the whole invocation (to be retried) instead of losing the record."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from tests.fixtures.lambda_events import load_event

from campusbot.knowledge.ingest import Ingestor, IngestUnavailable, unavailable


class Unused:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"{name} must not be reached while the database is down")


async def test_an_unreachable_database_fails_the_invocation_for_a_retry() -> None:
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")  # nothing listens on port 1
    ingestor = Ingestor(async_sessionmaker(engine), Unused(), Unused())  # type: ignore[arg-type]
    try:
        with pytest.raises(IngestUnavailable, match="s3://"):
            await ingestor.handle_event(load_event("s3_object_created_put"))
        with pytest.raises(IngestUnavailable):
            await ingestor.handle_event(load_event("s3_object_removed_delete"))
    finally:
        await engine.dispose()


def test_what_counts_as_unavailable() -> None:
    assert unavailable(ConnectionRefusedError())
    assert unavailable(EndpointConnectionError(endpoint_url="http://127.0.0.1:4566"))
    assert unavailable(ClientError({"Error": {"Code": "SlowDown"}}, "GetObject"))
    assert not unavailable(ClientError({"Error": {"Code": "AccessDenied"}}, "GetObject"))
    assert not unavailable(ValueError("a bug"))
