"""Step 7: the sample documents into the documents bucket, where the vectorizer picks them up.

Idempotent: an object whose ETag already equals the file's MD5 (single-part upload) is left alone,
so a re-run sends nothing and triggers no re-indexing. Keys keep the folder layout under
`samples/`. The readable types and their media types are the knowledge pipeline's
(campusbot.knowledge.extract), as in `platform upload`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from campusbot.knowledge.extract import EXTENSIONS, MEDIA_TYPES

PREFIX: Final = "samples/"


@dataclass(frozen=True)
class Upload:
    key: str
    size: int
    uploaded: bool


def sample_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in EXTENSIONS
    )


def upload_samples(
    s3: Any, bucket: str, folder: Path, *, on_progress: Callable[[Upload], None] = lambda _upload: None
) -> list[Upload]:
    from botocore.exceptions import ClientError

    results = []
    for path in sample_files(folder):
        data = path.read_bytes()
        key = PREFIX + path.relative_to(folder).as_posix()
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        try:
            etag = str(s3.head_object(Bucket=bucket, Key=key).get("ETag", "")).strip('"')
        except ClientError:
            etag = ""
        uploaded = etag != md5
        if uploaded:
            content_type = MEDIA_TYPES[EXTENSIONS[path.suffix.lower()]]
            s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)
        result = Upload(key=key, size=len(data), uploaded=uploaded)
        on_progress(result)
        results.append(result)
    return results
