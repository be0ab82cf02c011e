"""Which engine runs the named queries: the composition root of `platform analytics`.

Kept out of campusbot.bootstrap on purpose: the Lambda packager follows every import of the modules a handler
reaches, and bootstrap is one of them; DuckDB, sqlglot and Plotly must stay out of the Lambda zips.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from campusbot.bootstrap import s3_endpoint_for_readers
from campusbot.settings import Settings

if TYPE_CHECKING:
    from campusbot.analytics.duck import S3Access
    from campusbot.analytics.engine import Progress, QueryEngine


def build_engine(
    settings: Settings,
    *,
    env: str | None = None,
    since: date | None = None,
    lake: str | None = None,
    progress: Progress | None = None,
) -> QueryEngine:
    """Where `platform analytics` runs the named queries: a deployed environment's Athena workgroup (`env`, its
    names read from SSM /campusbot/<env>/analytics/…), else DuckDB over the lake: `lake` (a folder, or
    s3://bucket), by default the lake bucket on the S3 that build_s3_client reaches (the local runtime's)."""
    from campusbot.analytics import layout

    if env is not None:
        import boto3

        from campusbot.analytics.athena import AthenaEngine

        session = boto3.Session(region_name=settings.region)
        return AthenaEngine.for_environment(session, env, since=since, progress=progress)
    from campusbot.analytics.duck import LocalLakeEngine

    root = lake or f"s3://{settings.lake_bucket}"
    access = _lake_access(settings) if root.startswith("s3://") else None
    return LocalLakeEngine(root, layout.load(), since=since, s3=access)


def _lake_access(settings: Settings) -> S3Access:
    """The endpoint and credentials bootstrap's S3 client uses, for DuckDB's S3 reader."""
    import boto3

    from campusbot.analytics.duck import S3Access

    endpoint = s3_endpoint_for_readers(settings)  # bootstrap knows which S3 the target reaches
    credentials = boto3.Session(region_name=settings.region).get_credentials()
    frozen = credentials.get_frozen_credentials() if credentials is not None else None
    return S3Access(
        region=settings.region,
        key_id=str(frozen.access_key) if frozen else "test",  # the local S3 takes any credentials
        secret=str(frozen.secret_key) if frozen else "test",
        session_token=frozen.token if frozen else None,
        endpoint=endpoint,
    )
