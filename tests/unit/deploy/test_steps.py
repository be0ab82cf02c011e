"""The steps one by one, against moto (SSM contract, ECR, ECS, S3, API Gateway), fakes (Docker), a local
chat endpoint, and botocore's Stubber (Lex). The localstack-target behaviour of each step is checked too."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from tests.fixtures.deploy import RecordingReporter, free_port
from tests.unit.deploy.test_image import MANIFEST, FakeDocker

from campusbot import diagnostics
from campusbot.deploy import steps
from campusbot.deploy.pipeline import DeployContext, DeployError, DeployOptions
from campusbot.settings import Settings

ENV = "dev"


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def context(root: Path, reporter: RecordingReporter, *, target: str = "aws", **settings: Any) -> DeployContext:
    options = DeployOptions(env=ENV, target=target, via="local", yes=True, root=root)  # type: ignore[arg-type]
    ctx = DeployContext(settings=Settings(data_dir=root / ".campusbot", **settings), options=options, reporter=reporter)
    if target == "aws":
        ctx.clients = lambda service: boto3.client(service, region_name="us-east-1")
    return ctx


def put_parameters(**values: str) -> None:
    ssm = boto3.client("ssm", region_name="us-east-1")
    for key, value in values.items():
        ssm.put_parameter(Name=f"/campusbot/{ENV}/{key.replace('__', '/')}", Value=value, Type="String")


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for relative in ("docker/api.Dockerfile", "pyproject.toml", "README.md", "src/campusbot/__init__.py"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(relative)
    (root / "terraform" / "environments").mkdir(parents=True)
    (root / "terraform" / "environments" / "dev.tfvars").write_text('env = "dev"\n')
    return root


# -- preflight --------------------------------------------------------------------------------------------


def test_preflight_lists_everything_missing_at_once(
    tmp_path: Path, aws: None, reporter: RecordingReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("campusbot.deploy.terraform.terraform_version", lambda binary: (1, 9, 0))
    monkeypatch.setattr(
        diagnostics, "check_docker", lambda: diagnostics.Check("docker", "warn", "daemon not reachable", "")
    )
    ctx = context(repo(tmp_path), reporter)
    with pytest.raises(DeployError) as failure:
        steps.preflight(ctx)
    message = str(failure.value)
    assert "terraform: install Terraform >= 1.10" in message
    assert "docker: start the Docker daemon" in message
    assert "state bucket: platform bootstrap --env dev" in message
    assert ctx.account_id == "123456789012"
    rows = {row[0]: row[1] for row in reporter.tables[-1][1]}
    assert rows["aws credentials"] == "ok" and rows["environment"] == "ok"


def test_preflight_passes_once_the_state_bucket_exists(
    tmp_path: Path, aws: None, reporter: RecordingReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("campusbot.deploy.terraform.terraform_version", lambda binary: (1, 11, 4))
    monkeypatch.setattr(
        diagnostics, "check_terraform", lambda: diagnostics.Check("terraform/tofu", "ok", "terraform 1.11.4", "")
    )
    monkeypatch.setattr(diagnostics, "check_docker", lambda: diagnostics.Check("docker", "ok", "daemon 27.0", ""))
    ctx = context(repo(tmp_path), reporter)
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="campusbot-tfstate-123456789012-us-east-1")
    assert steps.preflight(ctx).status == "done"


def test_preflight_of_the_localstack_target_needs_an_endpoint(
    tmp_path: Path, reporter: RecordingReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("campusbot.deploy.terraform.terraform_version", lambda binary: (1, 11, 4))
    ctx = context(repo(tmp_path), reporter, target="localstack", localstack_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(DeployError, match="localstack endpoint: start LocalStack"):
        steps.preflight(ctx)


def test_preflight_via_scalr_needs_its_variables(
    tmp_path: Path, aws: None, reporter: RecordingReporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SCALR_HOSTNAME", "SCALR_TOKEN", "SCALR_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(diagnostics, "check_docker", lambda: diagnostics.Check("docker", "ok", "daemon", ""))
    ctx = context(repo(tmp_path), reporter)
    ctx.options = DeployOptions(env=ENV, via="scalr", root=ctx.options.root)
    with pytest.raises(DeployError, match="scalr: export SCALR_HOSTNAME, SCALR_TOKEN, SCALR_ACCOUNT_ID"):
        steps.preflight(ctx)


# -- image ------------------------------------------------------------------------------------------------


def test_image_is_pushed_once_then_left_alone(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    ecr = boto3.client("ecr", region_name="us-east-1")
    url = ecr.create_repository(repositoryName="campusbot-dev/api")["repository"]["repositoryUri"]
    put_parameters(ecr__api_repository_url=url)
    ctx = context(repo(tmp_path), reporter)
    ctx.docker = docker = FakeDocker()
    first = steps.image(ctx)
    assert first.status == "done" and [c[0] for c in docker.calls] == ["build", "login", "push"]
    assert ctx.state.image_uri == f"{url}:{ctx.state.image_tag}"
    ecr.put_image(repositoryName="campusbot-dev/api", imageManifest=MANIFEST, imageTag=str(ctx.state.image_tag))
    docker.calls.clear()
    assert steps.image(ctx).status == "unchanged" and docker.calls == []


def test_image_in_the_localstack_target_is_skipped_with_the_reason(tmp_path: Path, reporter: RecordingReporter) -> None:
    ctx = context(repo(tmp_path), reporter, target="localstack")
    result = steps.image(ctx)
    assert result.status == "skipped" and "no registry" in result.detail
    assert ctx.state.image_uri is not None and ctx.state.image_uri.startswith("campusbot-dev/api:src-")


# -- stacks -------------------------------------------------------------------------------------------------


def test_stacks_need_the_image_and_zips_of_an_earlier_run(tmp_path: Path, reporter: RecordingReporter) -> None:
    with pytest.raises(DeployError, match="unknown") as failure:
        steps.stacks_step(context(repo(tmp_path), reporter))
    assert "--from image" in (failure.value.fix or "")


# -- lex ------------------------------------------------------------------------------------------------------


def test_lex_checks_the_deployed_alias(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    put_parameters(lex__bot_id="BOT1234567", lex__bot_alias_id="ALIAS12345", lex__locale_id="en_US")
    lexv2 = boto3.client("lexv2-models", region_name="us-east-1")
    stub = Stubber(lexv2)
    stub.add_response(
        "describe_bot_alias",
        {"botAliasId": "ALIAS12345", "botAliasName": "live", "botVersion": "2", "botAliasStatus": "Available"},
    )
    stub.add_response("describe_bot_locale", {"botId": "BOT1234567", "localeId": "en_US", "botLocaleStatus": "Built"})
    stub.add_response("describe_bot_locale", {"botId": "BOT1234567", "localeId": "en_US", "botLocaleStatus": "Built"})
    stub.activate()
    ctx = context(repo(tmp_path), reporter)
    ctx.clients = lambda service: lexv2 if service == "lexv2-models" else boto3.client(service, region_name="us-east-1")
    result = steps.lex_step(ctx)
    assert result.status == "unchanged" and "version 2" in result.detail


def test_lex_missing_parameters_say_to_apply_the_stacks(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    with pytest.raises(DeployError, match="lex/bot_id is missing"):
        steps.lex_step(context(repo(tmp_path), reporter))


def test_lex_in_the_localstack_target_stays_local(tmp_path: Path, reporter: RecordingReporter) -> None:
    result = steps.lex_step(context(repo(tmp_path), reporter, target="localstack"))
    assert result.status == "skipped" and "local runtime" in result.detail


# -- migrate --------------------------------------------------------------------------------------------------


def test_migrate_runs_platform_seed_on_the_service_task_definition(
    tmp_path: Path, aws: None, reporter: RecordingReporter
) -> None:
    from moto.moto_api import state_manager
    from tests.unit.deploy.test_runtask import CLUSTER, SERVICE

    state_manager.set_transition(model_name="ecs::task", transition={"progression": "immediate"})
    try:
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="api", Description="api", VpcId=vpc)["GroupId"]
        ecs = boto3.client("ecs", region_name="us-east-1")
        ecs.create_cluster(clusterName=CLUSTER)
        arn = ecs.register_task_definition(
            family="api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
            containerDefinitions=[{"name": "api", "image": "api:1", "memory": 512}],
        )["taskDefinition"]["taskDefinitionArn"]  # fmt: skip
        ecs.create_service(
            cluster=CLUSTER, serviceName=SERVICE, taskDefinition=arn, desiredCount=0, launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
        )  # fmt: skip
        put_parameters(app__ecs_cluster_name=CLUSTER, app__ecs_service_name=SERVICE)
        result = steps.migrate(context(repo(tmp_path), reporter))
    finally:
        state_manager.unset_transition(model_name="ecs::task")
    assert result.status == "done" and "exited 0" in result.detail
    assert any("platform seed" in line for line in reporter.activity_log)


def test_migrate_in_the_localstack_target_is_skipped(tmp_path: Path, reporter: RecordingReporter) -> None:
    result = steps.migrate(context(repo(tmp_path), reporter, target="localstack"))
    assert result.status == "skipped" and "ECS tasks do not run" in result.detail


# -- documents --------------------------------------------------------------------------------------------------


def test_documents_are_uploaded_once(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    root = repo(tmp_path)
    (root / "samples" / "documents").mkdir(parents=True)
    (root / "samples" / "documents" / "visa.md").write_text("# Visa\n")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="docs")
    put_parameters(s3__docs_bucket_name="docs")
    assert steps.documents_step(context(root, reporter)).status == "done"
    assert steps.documents_step(context(root, reporter)).status == "unchanged"


def test_no_sample_documents_is_a_skip(tmp_path: Path, reporter: RecordingReporter) -> None:
    result = steps.documents_step(context(repo(tmp_path), reporter))
    assert result.status == "skipped" and "no sample documents" in result.detail


# -- smoke ------------------------------------------------------------------------------------------------------


class ChatHandler(BaseHTTPRequestHandler):
    seen_keys: ClassVar[list[str | None]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        ChatHandler.seen_keys.append(self.headers.get("x-api-key"))
        reply = {"session_id": body.get("session_id") or "s", "intent": "Greeting", "slots": {}, "state": "Fulfilled",
                 "messages": ["Hello! I am campusbot."], "sources": []}  # fmt: skip
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture
def chat_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/chat"
    finally:
        server.shutdown()


def conversations(root: Path, expect: str) -> None:
    folder = root / "tests" / "e2e" / "conversations"
    folder.mkdir(parents=True)
    (folder / "01_greeting.yaml").write_text(
        f"name: greeting\nturns:\n  - say: hi\n    intent: Greeting\n    expect: [{expect}]\n"
    )


def test_smoke_talks_to_the_deployed_chat_url_with_the_stage_key(
    tmp_path: Path, aws: None, reporter: RecordingReporter, chat_endpoint: str
) -> None:
    root = repo(tmp_path)
    conversations(root, "campusbot")
    key = boto3.client("apigateway", region_name="us-east-1").create_api_key(
        name="k", enabled=True, value="k3y-value-123456789012"
    )
    put_parameters(api__chat_url=chat_endpoint, api__api_key_id=key["id"])
    ChatHandler.seen_keys.clear()
    result = steps.smoke(context(root, reporter))
    assert result.status == "done" and "1 conversations passed" in result.detail
    assert ChatHandler.seen_keys == ["k3y-value-123456789012"]


def test_a_failing_conversation_fails_the_step(
    tmp_path: Path, aws: None, reporter: RecordingReporter, chat_endpoint: str
) -> None:
    root = repo(tmp_path)
    conversations(root, "tuition")
    put_parameters(api__chat_url=chat_endpoint)
    with pytest.raises(DeployError, match="1 of 1 smoke conversations failed"):
        steps.smoke(context(root, reporter))
    assert any("reply lacks 'tuition'" in str(row) for _title, rows in reporter.tables for row in rows)


def test_smoke_against_moto_is_skipped_with_the_reason(
    tmp_path: Path, reporter: RecordingReporter, moto_server: str
) -> None:
    root = repo(tmp_path)
    conversations(root, "campusbot")
    result = steps.smoke(context(root, reporter, target="localstack", localstack_url=moto_server))
    assert result.status == "skipped" and "moto does not run Lambda proxy integrations" in result.detail


def test_documents_against_moto_are_skipped_with_the_reason(
    tmp_path: Path, reporter: RecordingReporter, moto_server: str
) -> None:
    root = repo(tmp_path)
    (root / "samples" / "documents").mkdir(parents=True)
    (root / "samples" / "documents" / "visa.md").write_text("# Visa\n")
    result = steps.documents_step(context(root, reporter, target="localstack", localstack_url=moto_server))
    assert result.status == "skipped" and "TLS-only policy" in result.detail


def test_an_s3_refusal_is_a_deploy_error(tmp_path: Path, aws: None, reporter: RecordingReporter) -> None:
    root = repo(tmp_path)
    (root / "samples" / "documents").mkdir(parents=True)
    (root / "samples" / "documents" / "visa.md").write_text("# Visa\n")
    put_parameters(s3__docs_bucket_name="no-such-bucket")
    with pytest.raises(DeployError, match="uploading to s3://no-such-bucket failed"):
        steps.documents_step(context(root, reporter))
