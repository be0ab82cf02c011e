"""The Lambdas' part of the composition root: what lex_proxy, fulfillment and the authorizer build at their first
invocation (the Lex runtime client, ChatProxy, HttpApiClient, TokenVerifier, the chat-event sink).

A module of its own, beside `bootstrap.py` (which re-exports these), for the same reason as `lambda_settings.py`:
the Lambda packager follows every import of a handler, lazy ones included, so a handler that imported the whole
composition root would carry the database, the knowledge base and pydantic in its zip. Only the light builders
live here; each imports what it builds inside the function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_lexv2_runtime import LexRuntimeV2Client

    from campusbot.analytics.events import ChatEventSink
    from campusbot.assistant.api_client import HttpApiClient
    from campusbot.assistant.proxy import ChatProxy
    from campusbot.auth.tokens import TokenVerifier
    from campusbot.lambda_settings import LambdaSettings
    from campusbot.settings import Settings

__all__ = [
    "build_api_client",
    "build_chat_event_sink",
    "build_chat_proxy",
    "build_lex_runtime_client",
    "build_token_verifier",
]


def build_chat_event_sink(settings: LambdaSettings | Settings) -> ChatEventSink:
    """Where lex_proxy records chat turns (never in the turn's critical path): see analytics/events.py."""
    from campusbot.analytics import events

    if settings.chat_events == "log":
        return events.LogChatEventSink()
    if settings.chat_events == "s3" and settings.lake_bucket:
        import boto3
        from botocore.config import Config

        config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
        client = boto3.client("s3", region_name=settings.region, config=config)
        return events.BatchingS3ChatEventSink(client, settings.lake_bucket)
    return events.NullSink()


def build_lex_runtime_client(settings: LambdaSettings | Settings) -> LexRuntimeV2Client:
    """A `lexv2-runtime` client (endpoint from AWS_ENDPOINT_URL_LEX_RUNTIME_V2 when set: the local Lex emulator).

    No retries: a retried turn could run the fulfillment twice; a throttled client gets a 429 instead."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=2, read_timeout=28, retries={"total_max_attempts": 1})
    return boto3.client("lexv2-runtime", region_name=settings.region, config=config)


def build_chat_proxy(settings: LambdaSettings | Settings) -> ChatProxy:
    """lex_proxy's ChatProxy: the Lex runtime client and the chat-event sink, built once per cold start."""
    from campusbot.assistant.proxy import ChatProxy

    return ChatProxy(
        build_lex_runtime_client(settings),
        bot_id=settings.bot_id,
        bot_alias_id=settings.bot_alias_id,
        locale_id=settings.locale_id,
        env=settings.env,
        cors_allow_origin=settings.cors_allow_origin,
        max_chars=settings.chat_max_chars,
        events=build_chat_event_sink(settings),
    )


def build_api_client(settings: LambdaSettings | Settings) -> HttpApiClient:
    """The fulfillment's client of the data service (CAMPUSBOT_API_URL: the internal ALB, or the local API)."""
    from campusbot.assistant.api_client import HttpApiClient

    return HttpApiClient(
        settings.api_url, timeout=settings.api_timeout_seconds, assist_timeout=settings.assist_timeout_seconds
    )


def build_token_verifier(settings: LambdaSettings | Settings) -> TokenVerifier:
    """The authorizer's Cognito ID-token verifier (its JWKS is cached for CAMPUSBOT_COGNITO_JWKS_CACHE_SECONDS)."""
    from campusbot.auth.tokens import TokenVerifier

    if not settings.cognito_issuer or not settings.cognito_client_id:
        raise ValueError("the authorizer needs CAMPUSBOT_COGNITO_ISSUER and CAMPUSBOT_COGNITO_CLIENT_ID")
    return TokenVerifier.from_settings(
        settings.cognito_issuer, settings.cognito_client_id, settings.cognito_jwks_cache_seconds
    )
