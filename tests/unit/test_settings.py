from __future__ import annotations

import pytest
from pydantic import ValidationError

from campusbot.settings import (
    API,
    COMPONENTS,
    FULFILLMENT,
    LEX_PROXY,
    VECTORIZER,
    Requirements,
    Settings,
    SettingsError,
)


def test_local_target_needs_nothing_and_uses_the_embedded_database() -> None:
    settings = Settings()
    assert settings.target == "local"
    assert settings.uses_embedded_database


def test_postgres_urls_get_the_asyncpg_driver() -> None:
    assert Settings(database_url="postgres://u:p@h:5432/d").database_url == "postgresql+asyncpg://u:p@h:5432/d"
    assert Settings(database_url="postgresql://u@h/d").database_url == "postgresql+asyncpg://u@h/d"
    assert not Settings(database_url="postgresql://u@h/d").uses_embedded_database


AWS_DATABASE = {
    "db_host": "db.internal",
    "db_secret_arn": "arn:aws:secretsmanager:us-east-1:1:secret:x",
    "db_ca_bundle": "/var/task/rds-ca/global-bundle.pem",
}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "a database: CAMPUSBOT_DB_HOST with CAMPUSBOT_DB_SECRET_ARN"),
        ({"db_host": "db.internal"}, "CAMPUSBOT_DB_SECRET_ARN (the RDS-managed secret"),
        ({"db_host": "db.internal", "db_user": "app", "db_password": "changethis"}, "CAMPUSBOT_DB_SECRET_ARN"),
        ({**AWS_DATABASE, "db_ca_bundle": None}, "CAMPUSBOT_DB_CA_BUNDLE"),
        ({"database_url": "postgresql://app:changeme@db/campusbot"}, "real password"),
        ({"database_url": "postgresql://app@db/campusbot"}, "real password"),
    ],
)
def test_a_component_with_a_database_fails_fast_on_missing_or_placeholder_secrets(
    values: dict[str, str], message: str
) -> None:
    settings = Settings(target="aws", embedding_dimensions=1024, **values)
    with pytest.raises(SettingsError) as raised:
        VECTORIZER.check(settings)
    assert str(raised.value).startswith("vectorizer needs ") and message in str(raised.value)


def test_aws_target_accepts_the_secret_terraform_gives_or_real_credentials() -> None:
    assert VECTORIZER.check(Settings(target="aws", embedding_dimensions=1024, **AWS_DATABASE))
    real = {"db_host": "db", "db_user": "app", "db_password": "s3cr3t-Value", "db_ca_bundle": "/ca.pem"}
    assert API.check(Settings(target="aws", embedding_dimensions=1024, **real))


def test_lex_proxy_needs_no_database_only_its_bot() -> None:
    """Defect 2 of issue 11: lex_proxy with exactly its Terraform environment answered 500 ("needs a database")."""
    terraform = {
        "CAMPUSBOT_BOT_ID": "ABCDEFGHIJ", "CAMPUSBOT_BOT_ALIAS_ID": "KLMNOPQRST", "CAMPUSBOT_LOCALE_ID": "en_US",
        "CAMPUSBOT_LAKE_BUCKET": "lake", "CAMPUSBOT_TARGET": "aws", "CAMPUSBOT_ENV": "dev",
        "CAMPUSBOT_CHAT_EVENTS": "log", "CAMPUSBOT_CORS_ALLOW_ORIGIN": "*",
    }  # fmt: skip
    assert LEX_PROXY.check(Settings.from_environment(terraform)).bot_id == "ABCDEFGHIJ"
    without_bot = {k: v for k, v in terraform.items() if k != "CAMPUSBOT_BOT_ID"}
    with pytest.raises(SettingsError, match="lex_proxy needs CAMPUSBOT_BOT_ID"):
        LEX_PROXY.check(Settings.from_environment(without_bot))
    with pytest.raises(SettingsError, match="lex_proxy needs CAMPUSBOT_BOT_ID"):  # coalesce(var.bot_id, "none")
        LEX_PROXY.check(Settings.from_environment({**terraform, "CAMPUSBOT_BOT_ID": "none"}))


def test_a_local_default_is_not_a_value_in_aws() -> None:
    """The bot id and the API URL have defaults that only make sense on the local runtime."""
    with pytest.raises(SettingsError, match="fulfillment needs CAMPUSBOT_API_URL"):
        FULFILLMENT.check(Settings.from_environment({"CAMPUSBOT_TARGET": "aws"}))
    assert FULFILLMENT.check(Settings.from_environment({"CAMPUSBOT_TARGET": "local"})).api_url.startswith("http://127")


def test_every_requirement_names_real_settings() -> None:
    assert set(COMPONENTS) == {"lex_proxy", "fulfillment", "authorizer", "vectorizer", "api"}
    with pytest.raises(ValueError, match="unknown settings"):
        Requirements("x", ("no_such_setting",))


def test_from_environment_reads_only_the_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_BOT_ID", "FROMSHELL1")
    settings = Settings.from_environment({"AWS_REGION": "eu-west-1", "CAMPUSBOT_DB_PORT": "5433"})
    assert (settings.bot_id, settings.region, settings.db_port) == ("CAMPUSBOT0", "eu-west-1", 5433)
    assert settings.model_fields_set == {"region", "db_port"}


def test_the_region_follows_aws_region_unless_campusbot_region_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAMPUSBOT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert Settings().region == "eu-central-1"
    monkeypatch.setenv("CAMPUSBOT_REGION", "ap-south-1")
    assert Settings().region == "ap-south-1"
    assert Settings(region="us-west-2").region == "us-west-2"


def test_url_from_parts_quotes_credentials() -> None:
    settings = Settings(db_host="db", db_user="app user", db_password="p@ss/word", db_name="cb")
    assert settings.database_url_from_parts() == "postgresql+asyncpg://app%20user:p%40ss%2Fword@db:5432/cb"


def test_environment_variables_use_the_campusbot_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_API_PORT", "9001")
    monkeypatch.setenv("CAMPUSBOT_EMBEDDING_DIMENSIONS", "512")
    settings = Settings()
    assert settings.api_port == 9001 and settings.embedding_dimensions == 512


def test_bad_values_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings(target="moon")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Settings(embedding_dimensions=4)


def test_the_local_embedding_precision_is_auto_unless_fp32_or_bf16_is_asked_for() -> None:
    assert Settings().local_embedding_precision == "auto"
    fp32 = Settings.from_environment({"CAMPUSBOT_LOCAL_EMBEDDING_PRECISION": "fp32"})
    assert fp32.local_embedding_precision == "fp32"
    settings = Settings.from_environment({"CAMPUSBOT_LOCAL_EMBEDDING_PRECISION": "bf16"})
    assert settings.local_embedding_precision == "bf16"
    with pytest.raises(ValidationError):
        Settings.from_environment({"CAMPUSBOT_LOCAL_EMBEDDING_PRECISION": "int8"})


def test_settings_from_an_environment_read_only_that_environment_even_from_threads_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`from_environment` builds its settings class once and hands each call its own mapping: calls from several
    threads at once (the runtime derives environments while other threads start) never see each other's values."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("CAMPUSBOT_EMBEDDING_DIMENSIONS", "256")  # the process's own environment is not read

    def dimensions(value: int) -> int:
        return Settings.from_environment({"CAMPUSBOT_EMBEDDING_DIMENSIONS": str(value)}).embedding_dimensions

    values = [384, 512, 1024] * 20
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(dimensions, values)) == values
    assert Settings.from_environment({}).embedding_dimensions == Settings.model_fields["embedding_dimensions"].default
