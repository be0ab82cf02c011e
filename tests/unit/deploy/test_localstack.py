from __future__ import annotations

from pathlib import Path

import pytest
from tests.fixtures.deploy import parse_hcl

from campusbot.deploy import localstack


def test_provider_override_points_every_endpoint_at_the_edge_like_tflocal() -> None:
    text = localstack.provider_override("http://127.0.0.1:4566/", "eu-west-1")
    provider = parse_hcl(text)["provider"][0]["aws"]
    assert provider["region"] == "eu-west-1"
    assert provider["access_key"] == "test" and provider["secret_key"] == "test"
    for flag in ("s3_use_path_style", "skip_credentials_validation", "skip_metadata_api_check"):
        assert provider[flag] is True, flag
    # the account id comes from the edge's STS: ARNs the provider builds itself must name it
    assert "skip_requesting_account_id" not in provider
    endpoints = provider["endpoints"][0]
    assert set(endpoints) == set(localstack.ENDPOINT_SERVICES)
    assert set(endpoints.values()) == {"http://127.0.0.1:4566"}


def test_every_service_the_stacks_use_has_an_endpoint() -> None:
    used = {
        "s3",
        "iam",
        "ssm",
        "lambda",
        "apigateway",
        "ec2",
        "kms",
        "ecr",
        "ecs",
        "elbv2",
        "rds",
        "logs",
        "sqs",
        "sns",
        "cognitoidp",
    }
    assert used <= set(localstack.ENDPOINT_SERVICES)
    # aliases next to their canonical names make the provider refuse the block
    assert not {"cloudwatchlogs", "cloudwatchlog", "elasticloadbalancingv2", "lexmodelsv2"} & set(
        localstack.ENDPOINT_SERVICES
    )


def test_override_is_written_and_removed(tmp_path: Path) -> None:
    path = localstack.write_provider_override(tmp_path, "http://localhost:4566", "us-east-1")
    assert path.name == "localstack_providers_override.tf"
    assert localstack.remove_provider_override(tmp_path) is True
    assert not path.exists()
    assert localstack.remove_provider_override(tmp_path) is False


def test_override_files_are_gitignored() -> None:
    ignored = (Path(__file__).resolve().parents[3] / ".gitignore").read_text().split()
    assert "localstack_providers_override.tf" in ignored and "backend_override.tf" in ignored


def test_clients_follow_localstack_client_conventions() -> None:
    s3 = localstack.client("s3", "http://127.0.0.1:4599", "us-east-1")
    assert s3.meta.endpoint_url == "http://127.0.0.1:4599"
    assert s3.meta.region_name == "us-east-1"
    assert localstack.session("http://localhost:4566", "us-east-1").get_credentials().access_key == "test"


def test_edge_needs_a_url() -> None:
    assert localstack.edge("http://localhost:4566") == ("localhost", 4566)
    with pytest.raises(ValueError):
        localstack.edge("localhost")


def test_nothing_answering_is_reported_as_none() -> None:
    from tests.fixtures.deploy import free_port

    assert localstack.answers(f"http://127.0.0.1:{free_port()}", timeout=0.3) is None


def test_moto_is_told_apart_from_localstack(moto_server: str) -> None:
    assert localstack.answers(moto_server) == "moto"


def test_honest_lists_name_what_stays_local() -> None:
    stays = {part.service for part in localstack.STAYS_LOCAL}
    assert {"Lex V2", "Bedrock", "RDS engine", "ECS tasks"} <= stays
    runs = " ".join(part.service for part in localstack.RUNS_THERE)
    for service in ("S3", "Lambda", "API Gateway", "IAM", "SSM"):
        assert service in runs


def test_execute_api_url_on_localstack() -> None:
    url = localstack.execute_api_url("http://localhost:4566/", "abc123", "v1")
    assert url == "http://localhost:4566/restapis/abc123/v1/_user_request_/chat"
