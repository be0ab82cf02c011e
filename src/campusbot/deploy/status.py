"""The deployed stack at a glance, for `platform status --env ENV`: per stack whether it is deployed
and its outputs (from the SSM contract /campusbot/<env>/…, which every stack writes whatever the
backend or via), plus the health of the public chat endpoint. Never raises: it reports."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from campusbot.deploy.stacks import STACKS, DeployTarget
from campusbot.settings import Settings

# The SSM key prefixes each stack writes (terraform/stacks/<stack>/ssm.tf).
STACK_PREFIXES = {
    "foundation": ("network/", "kms/", "s3/", "ecr/"),
    "data": ("rds/",),
    "app": ("app/", "lambda/fulfillment", "lambda/vectorizer"),
    "conversation": ("lex/", "lambda/lex_proxy", "api/", "observability/"),
    "analytics": ("analytics/",),
}


def deployed_status(
    settings: Settings, env: str, target: DeployTarget = "aws", *, clients: Any | None = None, timeout: float = 5.0
) -> dict[str, Any]:
    """{"env", "target", "endpoint", "stacks": [{"name", "deployed", "outputs"}], "health": [...], "error"}.

    `clients` is a `service -> boto3 client` callable (default: the target's credential chain or
    LocalStack edge). Outputs are the stack's SSM parameters (keys without the /campusbot/<env>/ prefix).
    """
    from campusbot.deploy.pipeline import read_parameters
    from campusbot.deploy.targets import target_for

    where = target_for(target)

    report: dict[str, Any] = {
        "env": env,
        "target": target,
        "endpoint": where.endpoint(settings),
        "stacks": [],
        "health": [],
        "error": None,
        "local_state": _local_state(settings, env, target),
    }
    try:
        factory = clients or where.clients(settings)
        parameters = read_parameters(factory("ssm"), env)
    except Exception as exc:  # no credentials, endpoint down: say so
        report["error"] = f"cannot read /campusbot/{env}/ from SSM: {exc}"
        return report
    for stack in STACKS:
        prefixes = STACK_PREFIXES[stack.name]
        outputs = {key: value for key, value in sorted(parameters.items()) if key.startswith(prefixes)}
        report["stacks"].append({"name": stack.name, "deployed": bool(outputs), "outputs": outputs})
    chat_url = parameters.get("api/chat_url")
    if chat_url and where.checks_chat_health:
        report["health"].append(_chat_health(factory, chat_url, parameters.get("api/api_key_id"), timeout))
    return report


def _chat_health(factory: Any, url: str, key_id: str | None, timeout: float) -> dict[str, Any]:
    import httpx

    check: dict[str, Any] = {"name": "chat", "url": url, "ok": False, "status": None, "latency_ms": None, "detail": ""}
    headers = {}
    try:
        if key_id:
            value = factory("apigateway").get_api_key(apiKey=key_id, includeValue=True).get("value")
            if value:
                headers["x-api-key"] = str(value)
        started = time.monotonic()
        response = httpx.post(url, json={"message": "hello"}, headers=headers, timeout=timeout)
        check["latency_ms"] = round((time.monotonic() - started) * 1000)
        check["status"] = response.status_code
        check["ok"] = response.status_code == 200 and "messages" in response.text
        check["detail"] = "answers" if check["ok"] else response.text[:200]
    except Exception as exc:
        check["detail"] = f"{type(exc).__name__}: {exc}"
    return check


def _local_state(settings: Settings, env: str, target: str) -> dict[str, Any]:
    """What the last deploy from this machine recorded (image, zips, step results)."""
    import json

    path = Path(settings.data_dir).resolve() / "deploy" / f"{target}-{env}" / "state.json"
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return {"image_uri": raw.get("image_uri"), "steps": raw.get("steps", {})}
