"""Entry point of the local runtime's child processes, one per stand-in:

    python -m campusbot.local.serve api --port N
    python -m campusbot.local.serve emulator|gateway --port N --function-url URL --function-timeout S
    python -m campusbot.local.serve api|emulator --port N --await-wiring    (then one JSON line on stdin)

The API runs the same app ECS runs, with the environment the runtime derives from the stacks. The emulator (Lex,
Bedrock) and the gateway (API Gateway) stand in for AWS services; the Lambda they invoke (fulfillment,
lex_proxy) runs in its own execution environment (`local.lambda_worker`) at --function-url.

With --await-wiring the process starts ahead of its wiring: it does what needs none of it (imports; the emulator's
intent recognizer), then reads `{"argv": [...], "env": {...}}` from stdin, the command line and the environment it
would have been started with once the runtime has derived them from the stacks (`LocalRuntime._hand_over`),
takes that environment as its own and only then builds its app and listens: it answers nothing before.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from campusbot.settings import Settings, get_settings

log = logging.getLogger(__name__)


def university_names_from_api(api_url: str) -> Callable[[], Sequence[str]]:
    """The UniversityName slot values, read from the data API (what the deploy step does for Lex).

    Over the standard library's http.client, which the emulator has loaded already (`LambdaInvoker`): httpx imports
    its command line client (click, rich, pygments: ~0.1 s of CPU) whenever those are installed, and this read
    happens in the background right after "ready", where a first chat may be waiting for it."""
    import http.client
    import json
    import urllib.parse

    parsed = urllib.parse.urlsplit(api_url)

    def names() -> Sequence[str]:
        found: list[str] = []
        offset = 0
        connection = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port or 80, timeout=5)
        try:
            while True:
                query = urllib.parse.urlencode({"limit": 100, "offset": offset})
                connection.request("GET", f"{parsed.path.rstrip('/')}/universities?{query}")
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    raise RuntimeError(f"GET /universities answered {response.status}: {body[:200]!r}")
                page = json.loads(body)
                found += [row["name"] for row in page["data"]]
                offset += 100
                if offset >= page["count"]:
                    return found
        finally:
            connection.close()

    return names


def prepare_api(_settings: Settings) -> Any:
    """What the API needs no environment for: its modules (FastAPI, pydantic, SQLAlchemy, the routes)."""
    import campusbot.api.main  # noqa: F401


def build_api(settings: Settings, _args: argparse.Namespace, _prepared: Any = None) -> Any:
    from campusbot.api.main import create_app
    from campusbot.local.postgres import stop_at_sigterm

    stop_at_sigterm()  # without a database URL, the API starts an embedded PostgreSQL of its own
    return create_app(settings)


def _function(args: argparse.Namespace) -> Any:
    from campusbot.local.lambda_invoke import LambdaInvoker

    if not args.function_url:
        raise SystemExit("--function-url is required: where the Lambda this stand-in invokes runs")
    return LambdaInvoker(args.function_url, args.function_name, args.function_timeout)


def build_gateway(settings: Settings, args: argparse.Namespace, _prepared: Any = None) -> Any:
    from campusbot.local.gateway import create_gateway
    from campusbot.local.lambda_invoke import LambdaInvoker
    from campusbot.local.web import COGNITO_PATH, WEB_ROOT, client_config, cognito_route, web_routes

    authorizer = LambdaInvoker(args.authorizer_url, args.authorizer_name, 10.0) if args.authorizer_url else None
    web: list[Any] | None = None
    if WEB_ROOT.is_dir():
        pool = {}
        if args.cognito_url and args.cognito_pool_id and args.cognito_client_id:
            pool = {
                "CAMPUSBOT_COGNITO_USER_POOL_ID": args.cognito_pool_id,
                "CAMPUSBOT_COGNITO_CLIENT_ID": args.cognito_client_id,
                "CAMPUSBOT_COGNITO_ENDPOINT": COGNITO_PATH,
                "CAMPUSBOT_REGION": settings.region,
            }
        web = web_routes(WEB_ROOT, client_config(max_chars=settings.chat_max_chars, environ=pool))
        if pool:
            web.insert(0, cognito_route(args.cognito_url))
    return create_gateway(
        _function(args),
        function_name=args.function_name,
        authorizer=authorizer,
        authorizer_name=args.authorizer_name,
        cors_allow_origin=args.cors_allow_origin,
        region=settings.region,
        web=web,
    )


def prepare_emulator(settings: Settings) -> Any:
    """The bot (the rendered template) and its intent recognizer: the training set's encodings are kept under the
    data dir, so a second start only fits the classifier. Neither depends on what the runtime hands over."""
    from campusbot.bot.cloudformation import load_bot
    from campusbot.local.emulator import nlu_cache
    from campusbot.local.emulator.app import create_app  # noqa: F401  (imported ahead: FastAPI)
    from campusbot.local.emulator.lex_runtime import LexEmulator  # noqa: F401

    definition = load_bot()
    return definition, nlu_cache.recognizer(definition, settings.data_dir / "cache")


def build_emulator(settings: Settings, args: argparse.Namespace, prepared: Any = None) -> Any:
    from campusbot.bootstrap import build_bedrock_emulator
    from campusbot.local.emulator.app import create_app
    from campusbot.local.emulator.lex_runtime import LexEmulator

    definition, recognizer = prepared if prepared is not None else prepare_emulator(settings)
    lex = LexEmulator(
        definition,
        recognizer=recognizer,
        fulfillment=_function(args),
        university_names=university_names_from_api(args.api_url or settings.api_url),
        bot_id=settings.bot_id,
        bot_alias_id=settings.bot_alias_id,
    )
    return create_app(lex, build_bedrock_emulator(settings))


BUILDERS: dict[str, Callable[[Settings, argparse.Namespace, Any], Any]] = {
    "api": build_api,
    "emulator": build_emulator,
    "gateway": build_gateway,
}
# What a component can do before its wiring (--await-wiring); the result goes to its builder.
PREPARERS: dict[str, Callable[[Settings], Any]] = {"api": prepare_api, "emulator": prepare_emulator}


def await_wiring(parser: argparse.ArgumentParser, component: str) -> argparse.Namespace:
    """Block until the runtime hands over the command line and environment (one JSON line on stdin); take them
    as this process's own, as if it had been started with them."""
    line = sys.stdin.readline()
    if not line.strip():
        raise SystemExit("stdin closed before the runtime handed over the wiring (--await-wiring)")
    wiring = json.loads(line)
    environment: dict[str, str] = wiring["env"]
    for name in set(os.environ) - set(environment):
        del os.environ[name]
    os.environ.update(environment)
    get_settings.cache_clear()
    args = parser.parse_args(wiring["argv"])
    if args.component != component or args.await_wiring:
        raise SystemExit(f"the wiring handed over is for {args.component!r}, not {component!r}")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m campusbot.local.serve")
    parser.add_argument("component", choices=sorted(BUILDERS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--function-url", help="the execution environment of the Lambda this stand-in invokes")
    parser.add_argument("--function-name", default="function", help="its name (logs, errors)")
    parser.add_argument("--function-timeout", type=float, default=30.0, help="its timeout in seconds (Terraform's)")
    parser.add_argument("--api-url", help="the data API (the emulator reads UniversityName values from it)")
    parser.add_argument("--authorizer-url", help="gateway: the execution environment of POST /chat's authorizer")
    parser.add_argument("--authorizer-name", default="authorizer", help="gateway: the authorizer function's name")
    parser.add_argument("--cognito-url", help="gateway: the cognito-idp endpoint the web chat signs in through")
    parser.add_argument("--cognito-pool-id", help="gateway: the students' user pool (the web chat's config.json)")
    parser.add_argument("--cognito-client-id", help="gateway: its public app client")
    parser.add_argument(
        "--cors-allow-origin", default="*", help="gateway: Access-Control-Allow-Origin of its own answers"
    )
    parser.add_argument(
        "--await-wiring", action="store_true",
        help="start ahead: prepare, then read the command line and environment as one JSON line on stdin",
    )  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.component} %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO: a formatted, flushed log line per hop of every chat turn (the gateway's and
    # the emulator's Lambda invocations), work on the turn's path that says nothing a failure would not log itself
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from campusbot.local import gc_pauses

    gc_pauses.watch()

    import uvicorn

    if args.component != "api":  # a stand-in (the gateway reads its responses from a Terraform module): the parse
        from campusbot.local.terraform_eval import use_parse_cache  # trees the runtime keeps in the data dir

        use_parse_cache(get_settings().data_dir.resolve() / "cache" / "hcl")
    prepare = PREPARERS.get(args.component)
    if args.await_wiring and prepare is None:
        raise SystemExit(f"{args.component} has nothing to prepare: start it with its wiring")
    prepared = None
    if args.await_wiring:
        began = time.perf_counter()
        prepared = prepare(get_settings()) if prepare is not None else None
        log.info("prepared in %.2f s; waiting for the wiring on stdin", time.perf_counter() - began)
        args = await_wiring(parser, args.component)
    app = BUILDERS[args.component](get_settings(), args, prepared)
    # What start-up built (modules, the models, the app) lives as long as the process: out of the collector's
    # scans, so a full collection in a turn no longer walks ~0.5 M objects (a 100+ ms pause: the chat's p99 tail)
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
