"""free_port never hands out a port another component is configured for (a collision seen in CI: the gateway's
configured port, not yet bound, went to a Lambda environment, and the gateway then failed to bind)."""

from __future__ import annotations

import socket

import pytest

from campusbot.local import ports


class _Kernel:
    """socket.socket's stand-in: bind(0) gets the next port of a fixed sequence."""

    def __init__(self, handed_out: list[int]) -> None:
        self.handed_out = handed_out

    def __call__(self) -> _Kernel:
        return self

    def __enter__(self) -> _Kernel:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def bind(self, address: tuple[str, int]) -> None:
        self.port = self.handed_out.pop(0)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


def test_a_configured_port_the_kernel_hands_out_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    kernel = _Kernel([3000, 4566, 41234])
    monkeypatch.setattr(ports.socket, "socket", kernel)
    assert ports.free_port(avoid={3000, 4566, 8000}) == 41234
    assert kernel.handed_out == []


def test_the_port_is_really_free() -> None:
    port = ports.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # nothing holds it
    assert ports.free_port(avoid={port}) != port
