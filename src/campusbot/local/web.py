"""The students' web chat (`web/`) served by the local gateway beside `POST /chat`, as CloudFront serves it in AWS.

`GET /` is the full page, `/widget.js` the embeddable widget's loader, `/config.json` the client's configuration
(what `platform deploy` uploads next to the files in AWS: the API's URL, the Cognito pool, title and colours).
Same origin as `/chat`, so no CORS locally. Files are sent with the response headers the CloudFront policy adds
(terraform/modules/web), so a page that breaks the CSP fails locally first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

WEB_ROOT = Path(__file__).resolve().parents[3] / "web"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
}
# The CloudFront response headers policy's content security policy (terraform/modules/web), locally: no inline
# scripts or styles, no other origin but Cognito's endpoint (sign-in) and the API.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src {connect}; frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)


def client_config(*, max_chars: int, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The web client's config.json for the local runtime: the same-origin API and, when the runtime has a Cognito
    pool (CAMPUSBOT_COGNITO_USER_POOL_ID / _CLIENT_ID / _ENDPOINT), its sign-in settings."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {
        "apiUrl": "/chat",
        "feedbackUrl": "/feedback",
        "title": env.get("CAMPUSBOT_WEB_TITLE", "campusbot"),
        "maxChars": max_chars,
        "cognito": None,
    }
    pool, client = env.get("CAMPUSBOT_COGNITO_USER_POOL_ID"), env.get("CAMPUSBOT_COGNITO_CLIENT_ID")
    if pool and client:
        region = env.get("CAMPUSBOT_REGION") or pool.split("_", 1)[0]
        config["cognito"] = {
            "region": region,
            "endpoint": env.get("CAMPUSBOT_COGNITO_ENDPOINT") or f"https://cognito-idp.{region}.amazonaws.com/",
            "userPoolId": pool,
            "clientId": client,
        }
    return config


def security_headers(config: dict[str, Any], frame_ancestors: str | None = None) -> dict[str, str]:
    """The headers CloudFront's policy adds; frame-ancestors: the pages that may embed the widget's frame
    (CAMPUSBOT_WEB_FRAME_ANCESTORS, space-separated origins; 'self' by default)."""
    frame_ancestors = frame_ancestors or os.environ.get("CAMPUSBOT_WEB_FRAME_ANCESTORS") or "'self'"
    cognito = config.get("cognito") or {}
    endpoint = str(cognito.get("endpoint") or "").rstrip("/")
    # a same-origin endpoint (the runtime's Cognito path, below) is already 'self'
    connect = " ".join(x for x in ["'self'", endpoint] if x and not x.startswith("/"))
    return {
        "Content-Security-Policy": CSP.format(connect=connect, ancestors=frame_ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


COGNITO_PATH = "/cognito-idp/"


def cognito_route(upstream: str) -> BaseRoute:
    """`POST /cognito-idp/` forwarded to moto's cognito-idp: the browser's sign-in calls (InitiateAuth) reach the
    runtime's user pool from the page's own origin. In AWS the page calls cognito-idp.<region>.amazonaws.com, which
    answers CORS; moto's server answers no preflight, so locally only the endpoint differs (config.json says which)."""
    import httpx

    async def forward(request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("content-type", "x-amz-target")}
        async with httpx.AsyncClient(timeout=10.0) as client:
            answer = await client.post(upstream, content=await request.body(), headers=headers)
        return Response(answer.content, status_code=answer.status_code,
                        media_type=answer.headers.get("content-type", "application/x-amz-json-1.1"))  # fmt: skip

    return Route(COGNITO_PATH, forward, methods=["POST"])


def web_routes(root: Path, config: dict[str, Any]) -> list[BaseRoute]:
    """Routes serving the files under `root` (no listing, nothing outside it) and the generated config.json."""
    root = root.resolve()
    headers = security_headers(config)

    async def page(request: Request) -> Response:
        name = request.path_params.get("path") or "index.html"
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file() or path.suffix not in TYPES:
            return JSONResponse({"message": "Missing Authentication Token"}, status_code=403)
        response = FileResponse(path, media_type=TYPES[path.suffix], headers=headers)
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def config_json(_: Request) -> Response:
        return Response(json.dumps(config), media_type="application/json", headers={"Cache-Control": "no-store"})

    return [
        Route("/config.json", config_json, methods=["GET"]),
        Route("/", page, methods=["GET", "HEAD"]),
        Route("/{path:path}", page, methods=["GET", "HEAD"]),
    ]
