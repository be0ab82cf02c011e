"""Free TCP ports for the local runtime's components."""

from __future__ import annotations

import socket
from collections.abc import Collection


def free_port(host: str = "127.0.0.1", avoid: Collection[int] = ()) -> int:
    """A TCP port nothing listens on right now, and none of `avoid`: the ports the runtime's own components are
    configured for but may not have bound yet (the gateway binds after the Lambda environments have their ports, so
    a port the kernel hands out as free can be the gateway's, which then fails to bind)."""
    while True:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in avoid:
            return port
