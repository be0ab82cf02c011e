from __future__ import annotations

import pytest
from pydantic import ValidationError

from campusbot.settings import Settings


def test_local_target_needs_nothing_and_uses_the_embedded_database() -> None:
    settings = Settings()
    assert settings.target == "local"
    assert settings.uses_embedded_database


def test_postgres_urls_get_the_asyncpg_driver() -> None:
    assert Settings(database_url="postgres://u:p@h:5432/d").database_url == "postgresql+asyncpg://u:p@h:5432/d"
    assert Settings(database_url="postgresql://u@h/d").database_url == "postgresql+asyncpg://u@h/d"
    assert not Settings(database_url="postgresql://u@h/d").uses_embedded_database


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "CAMPUSBOT_TARGET=aws needs a database"),
        ({"db_host": "db.internal"}, "CAMPUSBOT_DB_PASSWORD is missing or a placeholder"),
        ({"db_host": "db.internal", "db_password": "changethis"}, "CAMPUSBOT_DB_PASSWORD is missing or a placeholder"),
        ({"database_url": "postgresql://app:changeme@db/campusbot"}, "placeholder password"),
        ({"database_url": "postgresql://app@db/campusbot"}, "placeholder password"),
    ],
)
def test_aws_target_fails_fast_on_missing_or_placeholder_secrets(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(target="aws", **values)
    assert message in str(raised.value)


def test_aws_target_accepts_real_credentials_or_a_secret_arn() -> None:
    assert Settings(target="aws", db_host="db", db_user="app", db_password="s3cr3t-Value").db_host == "db"
    assert Settings(target="aws", db_host="db", db_secret_arn="arn:aws:secretsmanager:us-east-1:1:secret:x")


def test_url_from_parts_quotes_credentials() -> None:
    settings = Settings(db_host="db", db_user="app user", db_password="p@ss/word", db_name="cb")
    assert settings.database_url_from_parts() == "postgresql+asyncpg://app%20user:p%40ss%2Fword@db:5432/cb"


def test_environment_variables_use_the_campusbot_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_API_PORT", "9001")
    monkeypatch.setenv("CAMPUSBOT_EMBEDDING_DIMENSIONS", "1024")
    settings = Settings()
    assert settings.api_port == 9001 and settings.embedding_dimensions == 1024


def test_bad_values_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings(target="moon")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Settings(embedding_dimensions=4)
