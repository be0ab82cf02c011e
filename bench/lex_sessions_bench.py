"""The Lex emulator's session store under many live sessions: the cost of one turn's store work (take the session,
give it back) with 100 to 20,000 sessions alive within the idle TTL, as a steady load of new visitors leaves them
(the soak's chat turns each start a session; the bot's TTL keeps them 600 s).

    .venv/bin/python bench/lex_sessions_bench.py
"""

from __future__ import annotations

import os
import platform
import time

from campusbot.local.emulator.sessions import SessionKey, SessionStore


def per_turn_us(live: int, turns: int = 2_000) -> float:
    store = SessionStore(ttl_seconds=600)
    for n in range(live):
        with store.turn(SessionKey("BOT", "ALIAS", "en_US", f"visitor-{n}")):
            pass
    began = time.perf_counter()
    for n in range(turns):
        with store.turn(SessionKey("BOT", "ALIAS", "en_US", f"visitor-{n % live}")):
            pass
    return (time.perf_counter() - began) / turns * 1e6


def main() -> None:
    load = os.getloadavg()
    print(f"Lex emulator session store — {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, host load {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")  # fmt: skip
    print(f"{'live sessions':>13} {'store work per turn':>20}")
    for live in (100, 1_000, 5_000, 20_000):
        print(f"{live:>13} {per_turn_us(live):>17.1f} µs")


if __name__ == "__main__":
    main()
