"""Restart bookkeeping for the local runtime, as a process manager (systemd's `Restart=on-failure`,
`RestartSec`, `StartLimitBurst`/`StartLimitIntervalSec`) does it.

Each supervised component (a child process, the embedded PostgreSQL) has a `Restarts` record. When it dies,
`died()` records why (`describe_exit`: the exit code, or the signal that killed it) and when the next start is due:
an exponential backoff (0.5 s, 1 s, 2 s, ... up to `max_delay`) that falls back to the first delay once the
component stayed up for `stable_after` seconds. More than `burst` deaths within `interval` seconds is a crash
loop: `died()` raises `GiveUp`, whose message names the component, how often it died and its last exit reason,
and the runtime stops with that error instead of restarting forever.

The runtime's own loop (`LocalRuntime.wait`) polls the processes (`Popen.poll`) and asks `due()` before it starts
one again; `snapshot()` is what `platform status` shows (restarts, last exit reason, when).

Some components run as threads of the runtime's own process (moto's server, the S3 notifier, the DMS stand-in,
the Firehose delivery stream). `Threads` watches them with the same records and rules: a thread that ended
while the runtime runs is a death (its uncaught exception, caught by `threading.excepthook`, is the exit reason),
and the component's `restart` starts a new thread after the backoff.
"""

from __future__ import annotations

import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Clock = Callable[[], float]


class GiveUp(RuntimeError):
    """A component died too often too quickly: the runtime stops, naming it and why."""


@dataclass(frozen=True)
class RestartPolicy:
    initial_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 10.0
    burst: int = 5  # deaths allowed within `interval` seconds; one more gives up
    interval: float = 60.0
    stable_after: float = 30.0  # up this long: the next death starts the backoff from the beginning again

    def delay(self, consecutive: int) -> float:
        """The wait before start number `consecutive` (1 = the first restart after a stable run)."""
        return float(min(self.max_delay, self.initial_delay * self.factor ** max(0, consecutive - 1)))


@dataclass
class Restarts:
    name: str
    policy: RestartPolicy
    restarts: int = 0
    last_exit: str | None = None
    last_exit_at: float | None = None  # wall clock
    started_at: float = 0.0  # monotonic
    restart_at: float | None = None  # monotonic; set while a restart is pending
    consecutive: int = 0
    deaths: deque[float] = field(default_factory=deque)

    @property
    def pending(self) -> bool:
        return self.restart_at is not None


class Supervisor:
    def __init__(self, clock: Clock = time.monotonic, wall: Clock = time.time) -> None:
        self.clock, self.wall = clock, wall
        self.components: dict[str, Restarts] = {}

    def watch(self, name: str, policy: RestartPolicy | None = None) -> Restarts:
        record = self.components.get(name)
        if record is None:
            record = self.components[name] = Restarts(name, policy or RestartPolicy(), started_at=self.clock())
        return record

    def died(self, name: str, reason: str) -> float:
        """Record a death; the delay until its restart is due, or `GiveUp` when it is a crash loop."""
        record = self.watch(name)
        now = self.clock()
        record.last_exit, record.last_exit_at = reason, self.wall()
        record.deaths.append(now)
        while record.deaths and now - record.deaths[0] > record.policy.interval:
            record.deaths.popleft()
        if len(record.deaths) > record.policy.burst:
            raise GiveUp(
                f"{name} died {len(record.deaths)} times within {record.policy.interval:.0f} s "
                f"(last: {reason}); giving up after {record.restarts} restarts"
            )
        stable = now - record.started_at >= record.policy.stable_after
        record.consecutive = 1 if stable else record.consecutive + 1
        delay = record.policy.delay(record.consecutive)
        record.restart_at = now + delay
        return delay

    def due(self, name: str) -> bool:
        record = self.components.get(name)
        return record is not None and record.restart_at is not None and self.clock() >= record.restart_at

    def started(self, name: str) -> None:
        """The component was started again (counts a restart)."""
        record = self.watch(name)
        record.restarts += 1
        record.restart_at = None
        record.started_at = self.clock()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "restarts": record.restarts,
                "last_exit": record.last_exit,
                "last_exit_at": (
                    time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.last_exit_at))
                    if record.last_exit_at is not None
                    else None
                ),
                "restarting": record.pending,
            }
            for name, record in self.components.items()
        }


def describe_exit(returncode: int) -> str:
    """`Popen.returncode` in words: `exit code 3`, `killed by SIGKILL`."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class WatchedThread:
    name: str
    thread: Callable[[], threading.Thread | None]  # the component's current thread
    restart: Callable[[], None]  # starts a new one (the component's state is kept)


class Threads:
    """The runtime's in-process components under the same supervision as its child processes."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.watched: dict[str, WatchedThread] = {}
        self._crashes: dict[int, str] = {}  # thread ident → its uncaught exception
        self._lock = threading.Lock()
        self._previous_hook = threading.excepthook

    def install(self) -> Threads:
        """Record why a thread died (`threading.excepthook`, chained to the previous hook, which still logs it)."""
        previous = self._previous_hook

        def hook(args: threading.ExceptHookArgs) -> None:
            if args.thread is not None and args.thread.ident is not None:
                with self._lock:
                    self._crashes[args.thread.ident] = f"crashed: {args.exc_type.__name__}: {args.exc_value}"[:300]
            previous(args)

        threading.excepthook = hook
        return self

    def uninstall(self) -> None:
        threading.excepthook = self._previous_hook

    def watch(self, name: str, thread: Callable[[], threading.Thread | None], restart: Callable[[], None]) -> None:
        self.watched[name] = WatchedThread(name, thread, restart)
        self.supervisor.watch(name)

    def check(self) -> list[str]:
        """One round: record each thread that ended, restart those whose backoff is over (`GiveUp` on a crash loop).
        Returns what changed, for the runtime's log."""
        events: list[str] = []
        for watched in self.watched.values():
            record = self.supervisor.watch(watched.name)
            if not record.pending:
                current = watched.thread()
                if current is not None and current.is_alive():
                    continue
                with self._lock:
                    reason = self._crashes.pop(current.ident, None) if current and current.ident else None
                delay = self.supervisor.died(watched.name, reason or "the thread ended")
                events.append(f"{watched.name}: {reason or 'the thread ended'}; starting again in {delay:.1f} s")
            if self.supervisor.due(watched.name):
                watched.restart()
                self.supervisor.started(watched.name)
                events.append(f"{watched.name}: running again")
        return events
