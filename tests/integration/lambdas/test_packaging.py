"""The Lambdas stay light: importing them pulls in neither the database stack nor the ML stack."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "sqlalchemy",
    "asyncpg",
    "alembic",
    "fastapi",
    "torch",
    "sentence_transformers",
    "numpy",
    "campusbot.bootstrap",
)


def test_importing_the_lambdas_stays_light() -> None:
    code = (
        "import sys, campusbot.lambdas.lex_proxy, campusbot.lambdas.fulfillment;"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == ""
