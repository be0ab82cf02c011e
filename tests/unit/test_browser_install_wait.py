"""`make test` installs the browser alongside the tests: the browser fixtures wait for its exit status file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from tests.fixtures.browser import INSTALL_STATUS, await_browser_install


def test_without_the_variable_nothing_is_awaited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INSTALL_STATUS, raising=False)
    await_browser_install(timeout=0)


def test_the_fixture_waits_until_the_install_has_ended(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    status = tmp_path / "browser-status"
    monkeypatch.setenv(INSTALL_STATUS, str(status))
    ended = threading.Event()
    writer = threading.Timer(0.3, lambda: (status.write_text("0\n"), ended.set()))
    writer.start()
    await_browser_install(timeout=30)
    assert ended.is_set()
    writer.join()


def test_a_failed_install_fails_the_browser_tests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    status = tmp_path / "browser-status"
    status.write_text("100\n")
    monkeypatch.setenv(INSTALL_STATUS, str(status))
    with pytest.raises(pytest.fail.Exception, match=r"`make browser` failed \(exit status 100\)"):
        await_browser_install(timeout=1)


def test_an_install_that_never_ends_fails_after_the_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(INSTALL_STATUS, str(tmp_path / "never-written"))
    with pytest.raises(pytest.fail.Exception, match="did not end within"):
        await_browser_install(timeout=0.3)
