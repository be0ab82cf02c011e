"""Entry point of the local runtime's child processes, one per stand-in:

    python -m campusbot.local.serve api|emulator|gateway --port N

Each runs the same code the AWS target runs (the FastAPI app, the Lambda handlers) behind the stand-in for
the AWS service in front of it. Configuration comes from the environment the runtime sets.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from campusbot.settings import Settings, get_settings

log = logging.getLogger(__name__)


def university_names_from_api(api_url: str) -> Callable[[], Sequence[str]]:
    """The UniversityName slot values, read from the data API (what the deploy step does for Lex)."""

    def names() -> Sequence[str]:
        found: list[str] = []
        offset = 0
        with httpx.Client(base_url=api_url, timeout=5) as http:
            while True:
                page = http.get("/universities", params={"limit": 100, "offset": offset}).json()
                found += [row["name"] for row in page["data"]]
                offset += 100
                if offset >= page["count"]:
                    return found

    return names


def build_api(settings: Settings) -> Any:
    from campusbot.api.main import create_app

    return create_app(settings)


def build_gateway(_settings: Settings) -> Any:
    from campusbot.lambdas import lex_proxy
    from campusbot.local.gateway import create_gateway

    return create_gateway(lex_proxy.handler)


def build_emulator(settings: Settings) -> Any:
    from campusbot.bootstrap import build_bedrock_emulator
    from campusbot.bot.cloudformation import load_bot
    from campusbot.lambdas import fulfillment
    from campusbot.local.emulator.app import create_app
    from campusbot.local.emulator.lex import LexEmulator

    lex = LexEmulator(
        load_bot(),
        fulfillment=fulfillment.handler,
        university_names=university_names_from_api(settings.api_url),
        bot_id=settings.bot_id,
        bot_alias_id=settings.bot_alias_id,
    )
    return create_app(lex, build_bedrock_emulator(settings))


BUILDERS: dict[str, Callable[[Settings], Any]] = {
    "api": build_api,
    "emulator": build_emulator,
    "gateway": build_gateway,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m campusbot.local.serve")
    parser.add_argument("component", choices=sorted(BUILDERS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {args.component} %(levelname)s %(name)s: %(message)s")

    import uvicorn

    app = BUILDERS[args.component](get_settings())
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
