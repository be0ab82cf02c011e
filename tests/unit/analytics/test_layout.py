"""The lake layout reads the analytics stack's HCL as `hcl2.load` does, whether its parse trees come from the local
runtime's parse cache or from the parser."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from campusbot.analytics import layout
from campusbot.local import terraform_eval
from campusbot.local.aws_environment import terraform_root
from campusbot.local.terraform_eval import use_parse_cache


def _files() -> list[Path]:
    files = sorted(terraform_root().rglob("*.tf"))
    assert files
    return files


def test_documents_read_through_the_parse_cache_are_hcl2_load_s(tmp_path: Path) -> None:
    cache = tmp_path / "hcl"
    try:
        for source in _files():
            with source.open() as handle:
                expected = dict(hcl2.load(handle))
            use_parse_cache(None)
            assert layout._load(source) == expected, source
            use_parse_cache(cache)
            assert layout._load(source) == expected, source  # parsed, then kept
            assert layout._load(source) == expected, source  # read back
        assert len(list(cache.glob("*.pickle"))) == len({path.read_text() for path in _files()})
    finally:
        use_parse_cache(None)


def test_a_document_read_back_from_the_cache_is_neither_parsed_nor_transformed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transformation of a parse tree into `hcl2.load`'s dicts costs as much as the parse: the runtime's DMS
    start spent 0.4 s of CPU on it under the GIL, beside the first chats. The cache keeps the dicts themselves."""
    from hcl2 import api

    source = terraform_root() / "stacks" / "analytics" / "main.tf"
    use_parse_cache(tmp_path / "hcl")
    try:
        expected = layout._load(source)

        def never(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("parsed or transformed again")

        monkeypatch.setattr(terraform_eval, "_parse", never)
        monkeypatch.setattr(api, "transform", never)
        assert layout._load(source) == expected
    finally:
        use_parse_cache(None)
