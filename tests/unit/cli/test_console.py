from __future__ import annotations

import pytest
import typer

from campusbot.cli import console


def test_abort_prints_to_stderr_and_exits_with_the_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as raised:
        console.abort("the bucket is gone", 3)
    assert raised.value.exit_code == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error: the bucket is gone" in captured.err


def test_emit_json_goes_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    console.emit_json({"a": 1, "ü": "ö"})
    captured = capsys.readouterr()
    assert '"ü": "ö"' in captured.out and captured.err == ""
