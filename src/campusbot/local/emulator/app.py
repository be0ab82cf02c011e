"""The AWS emulator's ASGI app: composes the service emulators it is given (Lex V2 runtime, Bedrock runtime).

Every service emulator exposes `router()`; their paths come from the botocore service models, so they do
not collide (`/bots/...` for Lex, `/model/...` for Bedrock). The local runtime serves this on :4567 and sets
AWS_ENDPOINT_URL_LEX_RUNTIME_V2 and AWS_ENDPOINT_URL_BEDROCK_RUNTIME to it.
"""

from __future__ import annotations

from typing import Protocol

from fastapi import APIRouter, FastAPI


class ServiceEmulator(Protocol):
    name: str

    def router(self) -> APIRouter: ...


def create_app(*emulators: ServiceEmulator) -> FastAPI:
    app = FastAPI(title="campusbot AWS emulator", docs_url=None, redoc_url=None, openapi_url=None)
    names = [emulator.name for emulator in emulators]

    @app.get("/_campusbot/health")
    async def health() -> dict[str, object]:
        return {"status": "ok", "services": names}

    for emulator in emulators:
        app.include_router(emulator.router())
    return app
