"""Files written whole or not at all (`campusbot.files`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from campusbot.files import replacing, write_atomically


def test_a_file_is_replaced_whole_and_nothing_is_left_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "state.json"  # its folder is created
    write_atomically(target, '{"first": true}')
    write_atomically(target, b'{"second": true}')
    assert target.read_text() == '{"second": true}'
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]


def test_a_write_that_fails_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "index.json"
    target.write_text("kept")
    with pytest.raises(RuntimeError), replacing(target) as temporary:
        temporary.write_text("half writ")
        raise RuntimeError("the writer failed")
    assert target.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


def test_the_temporary_name_keeps_the_suffix_writers_expect(tmp_path: Path) -> None:
    """np.savez appends .npz to a name without it: it would write beside the temporary path, not to it."""
    target = tmp_path / "vectors.npz"
    with replacing(target) as temporary:
        np.savez(temporary, values=np.arange(3))
    assert np.load(target)["values"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.npz"]
