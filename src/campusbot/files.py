"""Files written whole or not at all: a reader (another process, a later start) never sees one half written.

The new content goes to a temporary file beside the target (same folder, so the rename is atomic on one filesystem),
which then replaces the target; a write that fails leaves the target as it was and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write (with any writer: `np.savez`, a zip library), which replaces `path`
    when the block ends without an error. Its name ends in `path`'s suffix (np.savez appends .npz otherwise) and is
    unique per process and thread."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_native_id()}.tmp{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8) to `path` whole: see `replacing`."""
    with replacing(path) as temporary:
        if isinstance(data, str):
            temporary.write_text(data, encoding="utf-8")
        else:
            temporary.write_bytes(data)
