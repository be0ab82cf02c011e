"""A real-looking Lambda context object, for calling a handler directly (tests, the gateway given a handler).
The local runtime runs each Lambda in its own execution environment instead (`local.lambda_worker`)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol


class Handler(Protocol):
    def __call__(self, event: dict[str, Any], context: Any, /) -> dict[str, Any]: ...


@dataclass
class LambdaContext:
    """The attributes and method of the Python Lambda context object that handlers use."""

    function_name: str
    timeout_seconds: float = 30.0
    memory_limit_in_mb: int = 512
    region: str = "us-east-1"
    account_id: str = "000000000000"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))
