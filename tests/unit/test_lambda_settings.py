"""The Lambdas' settings reader (no pydantic) against the full Settings: one definition (VARS), the same values
from the same environment, the same requirement errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from pydantic import ValidationError

from campusbot import lambda_settings
from campusbot.lambda_settings import FULFILLMENT, LEX_PROXY, VARS, LambdaSettings, SettingsError
from campusbot.settings import Settings, env_name

TERRAFORM_LEX_PROXY = {
    "CAMPUSBOT_BOT_ID": "ABCDEFGHIJ", "CAMPUSBOT_BOT_ALIAS_ID": "KLMNOPQRST", "CAMPUSBOT_LOCALE_ID": "en_US",
    "CAMPUSBOT_LAKE_BUCKET": "lake", "CAMPUSBOT_TARGET": "aws", "CAMPUSBOT_ENV": "dev",
    "CAMPUSBOT_CHAT_EVENTS": "log", "CAMPUSBOT_CORS_ALLOW_ORIGIN": "*", "AWS_REGION": "eu-west-1",
}  # fmt: skip


def test_every_field_is_a_settings_field_with_the_same_type_default_and_bounds() -> None:
    light = get_type_hints(LambdaSettings)
    names = [f.name for f in dataclasses.fields(LambdaSettings) if f.name != "fields_set"]
    assert sorted(names) == sorted(VARS)
    for name in names:
        full = Settings.model_fields[name]
        assert light[name] == full.annotation, name
        assert full.default == VARS[name].default == getattr(LambdaSettings(), name), name
        bounds = {type(m).__name__.lower(): getattr(m, type(m).__name__.lower()) for m in full.metadata}
        var = VARS[name]
        assert bounds == {k: v for k, v in (("ge", var.ge), ("gt", var.gt), ("le", var.le)) if v is not None}, name


@pytest.mark.parametrize(
    "environ",
    [
        TERRAFORM_LEX_PROXY,
        {"CAMPUSBOT_API_URL": "http://alb.internal:8080", "CAMPUSBOT_API_TIMEOUT_SECONDS": "3.5"},
        {"campusbot_chat_max_chars": "512", "AWS_DEFAULT_REGION": "ap-south-1", "CAMPUSBOT_BOT_ID": ""},
        {"CAMPUSBOT_REGION": "us-west-2", "AWS_REGION": "eu-west-1", "CAMPUSBOT_COGNITO_JWKS_CACHE_SECONDS": "0"},
        {},
    ],
)
def test_both_readers_read_the_same_values_from_the_same_environment(
    environ: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As a process started with `environ` reads them (an empty value is unset, as env_ignore_empty says)."""
    import os

    for key in list(os.environ):
        if key.upper().startswith("CAMPUSBOT_") or key.upper() in ("AWS_REGION", "AWS_DEFAULT_REGION"):
            monkeypatch.delenv(key)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # no .env
    full = Settings()
    light = LambdaSettings.from_environ()
    for name in VARS:
        assert getattr(light, name) == getattr(full, name), name
        assert light.is_set(name) == full.is_set(name), name


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CAMPUSBOT_CHAT_MAX_CHARS", "5000"),
        ("CAMPUSBOT_CHAT_MAX_CHARS", "0"),
        ("CAMPUSBOT_API_TIMEOUT_SECONDS", "not a number"),
        ("CAMPUSBOT_API_TIMEOUT_SECONDS", "0"),
        ("CAMPUSBOT_CHAT_EVENTS", "kafka"),
        ("CAMPUSBOT_TARGET", "gcp"),
        ("CAMPUSBOT_COGNITO_JWKS_CACHE_SECONDS", "1.5"),
    ],
)
def test_a_value_the_full_settings_rejects_is_rejected_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Settings.from_environment({variable: value})
    with pytest.raises(SettingsError, match=variable):
        LambdaSettings.from_environ({variable: value})


def test_requirements_give_the_same_errors_for_both_readers() -> None:
    without_bot = {k: v for k, v in TERRAFORM_LEX_PROXY.items() if k != "CAMPUSBOT_BOT_ID"}
    for read in (Settings.from_environment, LambdaSettings.from_environ):
        settings: Any = read(TERRAFORM_LEX_PROXY)
        assert LEX_PROXY.check(settings).bot_id == "ABCDEFGHIJ"
        with pytest.raises(SettingsError, match="lex_proxy needs CAMPUSBOT_BOT_ID"):
            LEX_PROXY.check(read(without_bot))
        with pytest.raises(SettingsError, match="lex_proxy needs CAMPUSBOT_BOT_ID"):
            LEX_PROXY.check(read({**TERRAFORM_LEX_PROXY, "CAMPUSBOT_BOT_ID": "none"}))
        with pytest.raises(SettingsError, match="fulfillment needs CAMPUSBOT_API_URL"):
            FULFILLMENT.check(read({"CAMPUSBOT_TARGET": "aws"}))


def test_the_variable_names_are_those_of_the_full_settings() -> None:
    assert [lambda_settings.env_names(n)[0] for n in VARS] == [env_name(n) for n in VARS]
    assert lambda_settings.env_names("region") == ("CAMPUSBOT_REGION", "AWS_REGION", "AWS_DEFAULT_REGION")


def test_require_reads_the_process_environment_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_TARGET", "aws")
    monkeypatch.setenv("CAMPUSBOT_API_URL", "http://alb.internal")
    assert lambda_settings.require(FULFILLMENT).api_url == "http://alb.internal"
    monkeypatch.delenv("CAMPUSBOT_API_URL")
    with pytest.raises(SettingsError, match="fulfillment needs CAMPUSBOT_API_URL"):
        lambda_settings.require(FULFILLMENT)
    with pytest.raises(ValueError, match="reads a database"):
        lambda_settings.require(lambda_settings.VECTORIZER)
