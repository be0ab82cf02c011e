"""Lambda's scale-out, for a function the local runtime invokes asynchronously (S3 → vectorizer).

In AWS an execution environment runs one invocation at a time. When every environment of a function is busy, Lambda
starts another (a cold start), up to the function's reserved concurrency (or the account's limit), and keeps it warm
for the invocations that follow. S3 invokes the vectorizer once per object, so a folder of uploads is indexed by
several environments side by side.

`Environments` does the same with the runtime's execution environments (`local.lambda_worker` processes): an
invocation takes an idle, started environment (the one used last first, so a trickle of uploads keeps one warm
environment busy), starts the next environment when none is idle, and waits when every one is busy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Invoke = Callable[[dict[str, Any]], Any]


class Environments:
    """An invoker with the signature of one (`LambdaInvoker`), over up to `size` environments.

    `first` invokes the environment that runs already; `start(index)` starts environment `index` (1 to size - 1)
    and returns its invoker once it answers (a cold start). A start that raises fails that invocation only: the
    environment stays unstarted, and the next invocation that needs it tries again.
    """

    def __init__(self, first: Invoke, start: Callable[[int], Invoke], size: int) -> None:
        if size < 1:
            raise ValueError("a function has at least one execution environment")
        self._invokers: dict[int, Invoke] = {0: first}
        self._start = start
        self._size = size
        self._idle = [0]  # a stack: the environment used last is on top
        self._cold = list(range(1, size))
        self._condition = threading.Condition()

    @property
    def size(self) -> int:
        """Environments at most: as many invocations run at once."""
        return self._size

    @property
    def started(self) -> int:
        with self._condition:
            return self._size - len(self._cold)

    def __call__(self, event: dict[str, Any]) -> Any:
        index = self._acquire()
        try:
            return self._invokers[index](event)
        finally:
            with self._condition:
                self._idle.append(index)
                self._condition.notify()

    def _acquire(self) -> int:
        with self._condition:
            while not self._idle and not self._cold:
                self._condition.wait()
            if self._idle:
                return self._idle.pop()
            index = self._cold.pop(0)
        try:
            invoker = self._start(index)
        except BaseException:
            with self._condition:
                self._cold.insert(0, index)
                self._condition.notify()
            raise
        with self._condition:
            self._invokers[index] = invoker
        return index
