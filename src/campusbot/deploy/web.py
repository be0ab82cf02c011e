"""The web chat's deploy: the files of `web/` to the web bucket (module web) with a generated `config.json`, then a
CloudFront invalidation. The config names what the browser needs and nothing secret: the chat API's URL, the
stage's API key (a usage-plan identifier that any browser sees, as API Gateway documents), the Cognito pool."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campusbot.local.web import TYPES, WEB_ROOT

# The files students download: long-cached except the entry points, which name the others.
NO_CACHE = {"index.html", "config.json", "widget.js"}


@dataclass(frozen=True)
class WebUpload:
    key: str
    uploaded: bool


def client_config(
    chat_url: str, *, api_key: str | None = None, cognito: Mapping[str, str] | None = None, max_chars: int = 1024
) -> dict[str, Any]:
    """config.json for a deployed stack (the local runtime's comes from campusbot.local.web.client_config)."""
    base = chat_url.rsplit("/", 1)[0]
    config: dict[str, Any] = {
        "apiUrl": chat_url,
        "feedbackUrl": f"{base}/feedback",
        "title": "campusbot",
        "maxChars": max_chars,
        "cognito": dict(cognito) if cognito else None,
    }
    if api_key:
        config["apiKey"] = api_key
    return config


def web_files(root: Path = WEB_ROOT) -> list[Path]:
    """The files the browser loads (what the local gateway serves), config examples excluded."""
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix in TYPES and not p.name.startswith("config"))


def upload(s3: Any, bucket: str, config: Mapping[str, Any], root: Path = WEB_ROOT) -> list[WebUpload]:
    """Put every web file and config.json; a file whose MD5 equals the object's ETag is not sent again."""
    bodies = {p.name: p.read_bytes() for p in web_files(root)}
    bodies["config.json"] = json.dumps(dict(config), indent=2).encode()
    results: list[WebUpload] = []
    for key, body in bodies.items():
        digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
        try:
            same = s3.head_object(Bucket=bucket, Key=key).get("ETag", "").strip('"') == digest
        except Exception:  # missing object (404) or no head permission: send it
            same = False
        if not same:
            content_type = TYPES.get(Path(key).suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
            cache = "no-cache" if key in NO_CACHE else "public, max-age=300"
            s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, CacheControl=cache)
        results.append(WebUpload(key, not same))
    return results


def invalidate(cloudfront: Any, distribution_id: str) -> str:
    """A CloudFront invalidation of everything (the files are few); its id."""
    answer = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"campusbot-{time.time()}"},
    )
    return str(answer["Invalidation"]["Id"])
