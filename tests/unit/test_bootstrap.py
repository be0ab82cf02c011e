"""bootstrap, the composition root: it builds every client the entry points use, and it is (with the CLI's option
parsing and the deploy Target implementations) the only code that tells one target from another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from campusbot import bootstrap
from campusbot.settings import Settings

SRC = Path(bootstrap.__file__).parent
# Who may compare a target's name: the composition root, the deploy targets, the CLI's option parsing, and
# Settings' own requirement check (a component needs its variables only in the aws target).
MAY_NAME_A_TARGET = {"bootstrap.py", "deploy/targets.py", "cli/deploy.py", "settings.py", "lambda_settings.py"}
NAMING = re.compile(
    r"target\s*[!=]=|[!=]=\s*\S*target\b|target\s+(not\s+)?in\s*[(\[{]"
    r"|[\"'](aws|localstack|local)[\"']\s*[!=]=\s*\S*target"
)


def test_no_module_outside_the_composition_root_tests_a_target_name() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).as_posix() not in MAY_NAME_A_TARGET
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NAMING.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "line",
    [
        'if settings.target == "aws":',
        'aws = settings.target != "local" and x',
        'if "localstack" == ctx.options.target:',
        'if options.target in ("aws", "localstack"):',
    ],
)
def test_the_target_name_check_sees_each_form(line: str) -> None:
    assert NAMING.search(line)


def _settings(target: str) -> Settings:
    return Settings.model_validate({"target": target, "s3_port": 4599})


@pytest.fixture
def no_endpoints(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_LEX_RUNTIME_V2"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    return monkeypatch


def test_readers_of_the_lake_get_the_endpoint_bootstraps_s3_client_reaches(no_endpoints: pytest.MonkeyPatch) -> None:
    assert bootstrap.s3_endpoint_for_readers(_settings("local")) == "http://127.0.0.1:4599"
    assert bootstrap.s3_endpoint_for_readers(_settings("aws")) is None  # AWS's own S3: the reader's default
    no_endpoints.setenv("AWS_ENDPOINT_URL_S3", "http://localhost:4566")
    assert bootstrap.s3_endpoint_for_readers(_settings("aws")) == "http://localhost:4566"
    assert bootstrap.s3_endpoint_for_readers(_settings("localstack")) == "http://localhost:4566"


def test_only_the_local_target_keeps_its_lake_in_the_local_runtime(no_endpoints: pytest.MonkeyPatch) -> None:
    assert bootstrap.lake_needs_local_runtime(_settings("local"))
    assert not bootstrap.lake_needs_local_runtime(_settings("localstack"))
    assert not bootstrap.lake_needs_local_runtime(_settings("aws"))
    no_endpoints.setenv("AWS_ENDPOINT_URL", "http://elsewhere:4566")
    assert not bootstrap.lake_needs_local_runtime(_settings("local"))


def test_the_chat_proxy_gets_a_lex_client_without_retries_on_the_configured_endpoint(
    no_endpoints: pytest.MonkeyPatch,
) -> None:
    no_endpoints.setenv("AWS_ENDPOINT_URL_LEX_RUNTIME_V2", "http://127.0.0.1:4567")
    settings = Settings.model_validate(
        {
            "bot_id": "BOT123",
            "bot_alias_id": "ALIAS1",
            "locale_id": "en_GB",
            "cors_allow_origin": "https://a, https://b",
        }
    )
    proxy = bootstrap.build_chat_proxy(settings)
    assert proxy.lex.meta.service_model.service_name == "lexv2-runtime"
    assert proxy.lex.meta.endpoint_url == "http://127.0.0.1:4567"
    assert proxy.lex.meta.config.retries["total_max_attempts"] == 1
    assert (proxy.bot_id, proxy.bot_alias_id, proxy.locale_id) == ("BOT123", "ALIAS1", "en_GB")
    assert proxy.origins == ["https://a", "https://b"]


def test_the_fulfillments_api_client_follows_settings() -> None:
    client = bootstrap.build_api_client(
        Settings.model_validate({"api_url": "http://internal-alb.example:8080/", "api_timeout_seconds": 3})
    )
    assert client.base_url == "http://internal-alb.example:8080"


def test_the_token_verifier_needs_the_issuer_and_the_client() -> None:
    with pytest.raises(ValueError, match="CAMPUSBOT_COGNITO_ISSUER and CAMPUSBOT_COGNITO_CLIENT_ID"):
        bootstrap.build_token_verifier(Settings())
