"""Each Lambda as AWS would run it: its zip (deploy/lambda_package.py) unpacked in a clean python3.12 (`-I -S`,
only the runtime's SDK beside it), started with the environment Terraform gives it (derived from the stacks,
endpoints and secrets substituted by a running local runtime), answering real event shapes (tests/events):
API Gateway POST and OPTIONS for lex_proxy, a Lex code hook per intent for fulfillment, an S3 event for the
vectorizer. The vectorizer verifies the database's certificate with the CA bundle shipped inside its zip."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from tests.fixtures.lambda_events import event_names, load_event
from tests.fixtures.local_runtime import RunningRuntime

from campusbot.assistant import messages
from campusbot.assistant.lex_events import response_problems
from campusbot.deploy import lambda_package as packaging
from campusbot.local import lambda_worker
from campusbot.local.lambda_invoke import LambdaInvoker

# shares_runtime: one local runtime with the other modules so marked (tests/fixtures/local_runtime.py)
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.shares_runtime]
SRC = Path(__file__).resolve().parents[2] / "src"
Invoke = Callable[[str], LambdaInvoker]


@pytest.fixture(scope="module")
def state(local_runtime: RunningRuntime) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(local_runtime.platform("status", "--json").stdout)
    return result


@pytest.fixture(scope="module")
def python312() -> str:
    python = packaging.find_interpreter(packaging.LAMBDA_PYTHON)
    if python is None:
        pytest.skip(f"no python{packaging.LAMBDA_PYTHON} on this machine: the Lambda runtime's interpreter")
    return python


@pytest.fixture(scope="module")
def zips(
    tmp_path_factory: pytest.TempPathFactory, python312: str, state: dict[str, Any]
) -> dict[str, packaging.LambdaArtifact]:
    """The three zips, the vectorizer's with a CA bundle at the path Terraform names (here the runtime's CA, which
    signs its database endpoint; in a deploy, the RDS bundle)."""
    snapshot = tmp_path_factory.mktemp("src") / "src"
    shutil.copytree(SRC, snapshot, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    local_ca = Path(state["environments"]["lambda-vectorizer"]["CAMPUSBOT_DB_CA_BUNDLE"])
    base = tmp_path_factory.mktemp("zips")
    try:
        return packaging.build_all(snapshot, base / "build", base / "cache", ca_bundle=local_ca)
    except packaging.PackagingError as exc:
        if any(word in str(exc) for word in ("Connection", "Network", "resolve", "Could not fetch")):
            pytest.skip(f"the package index is unreachable, Lambda wheels cannot be fetched: {exc}")
        raise


@pytest.fixture(scope="module")
def invoke(
    zips: dict[str, packaging.LambdaArtifact],
    state: dict[str, Any],
    python312: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Invoke]:
    sdk = packaging.runtime_sdk_dir(tmp_path_factory.mktemp("runtime-sdk"))
    processes: list[subprocess.Popen[bytes]] = []
    invokers: dict[str, LambdaInvoker] = {}

    def start(function: str) -> LambdaInvoker:
        if function in invokers:
            return invokers[function]
        task = tmp_path_factory.mktemp(f"task-{function}")
        with zipfile.ZipFile(zips[function].path) as archive:
            archive.extractall(task)
        environment = dict(state["environments"][f"lambda-{function}"])
        terraform_path = environment.get("CAMPUSBOT_DB_CA_BUNDLE")
        if terraform_path is not None:  # what Terraform names under /var/task, in this unpacked task root
            environment["CAMPUSBOT_DB_CA_BUNDLE"] = str(task / packaging.RDS_CA_IN_ZIP)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log = (task / "log.txt").open("wb")
        processes.append(
            subprocess.Popen(
                [python312, "-I", "-S", lambda_worker.__file__, "--port", str(port), "--task-root", str(task),
                 "--path", str(sdk)],
                env={**environment, "PYTHONDONTWRITEBYTECODE": "1"}, stdout=log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
        timeout = float(environment["AWS_LAMBDA_FUNCTION_TIMEOUT"])
        invokers[function] = LambdaInvoker(f"http://127.0.0.1:{port}", environment["AWS_LAMBDA_FUNCTION_NAME"], timeout)
        return invokers[function]

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_the_vectorizer_zip_carries_the_ca_bundle_where_terraform_says(
    zips: dict[str, packaging.LambdaArtifact],
) -> None:
    from campusbot.local.aws_environment import LocalValues, StandIns, derive

    values = LocalValues("d", "l", "h", 1, "n", "arn:s", "/ca", "a:1", "B", "A", "en_US", "us-east-1")
    terraform_path = derive(StandIns(values)).functions["vectorizer"].environment["CAMPUSBOT_DB_CA_BUNDLE"]
    assert terraform_path == f"/var/task/{packaging.RDS_CA_IN_ZIP}"
    with zipfile.ZipFile(zips["vectorizer"].path) as archive:
        assert packaging.RDS_CA_IN_ZIP in archive.namelist()
    for function in ("lex_proxy", "fulfillment"):
        with zipfile.ZipFile(zips[function].path) as archive:
            assert packaging.RDS_CA_IN_ZIP not in archive.namelist()


def test_lex_proxy_from_its_zip_answers_a_chat_post_and_the_preflight(invoke: Invoke, state: dict[str, Any]) -> None:
    lex_proxy = invoke("lex_proxy")
    event = load_event("apigw_chat_post")
    event["body"] = json.dumps({"message": "recommend a university for medicine in Germany", "session_id": "zip-1"})
    response = lex_proxy(event)
    assert response["statusCode"] == 200, response
    body = json.loads(response["body"])
    assert (body["intent"], body["state"]) == ("RecommendUniversity", "Fulfilled")
    assert "Heidelberg University" in body["messages"][0]
    preflight = lex_proxy(load_event("apigw_chat_options"))
    web_origin = state["environments"]["lambda-lex_proxy"]["CAMPUSBOT_CORS_ALLOW_ORIGIN"]  # the stack's: the web chat's
    assert web_origin.startswith("http://127.0.0.1:")
    assert preflight["statusCode"] == 204 and preflight["headers"]["Access-Control-Allow-Origin"] == web_origin


@pytest.mark.parametrize("name", event_names("lex_"))
def test_fulfillment_from_its_zip_answers_each_code_hook(invoke: Invoke, name: str) -> None:
    event = load_event(name)
    response = invoke("fulfillment")(event)
    assert response_problems(response) == []
    assert response["sessionState"]["intent"]["name"] == event["sessionState"]["intent"]["name"]
    texts = [message["content"] for message in response.get("messages", [])]
    assert messages.UNEXPECTED not in texts and messages.API_DOWN not in texts, texts


def test_the_vectorizer_from_its_zip_indexes_an_s3_object(
    invoke: Invoke, local_runtime: RunningRuntime, unique: str
) -> None:
    bucket, key = f"zip-docs-{unique}".lower()[:60], "visa-notes.md"
    body = b"# Visa notes\n\nA national visa is needed for studies longer than ninety days.\n"
    s3 = boto3.client("s3", endpoint_url=local_runtime.s3_url, region_name="us-east-1",
                      aws_access_key_id="campusbot-local", aws_secret_access_key="campusbot-local")  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    etag = s3.put_object(Bucket=bucket, Key=key, Body=body)["ETag"].strip('"')
    event = load_event("s3_object_created_put")
    record = event["Records"][0]
    record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    record["s3"]["object"].update(key=key, size=len(body), eTag=etag)
    report = invoke("vectorizer")(event)
    assert (report["indexed"], report["failed"], report["error"]) == (1, 0, 0), report
    documents = httpx.get(f"{local_runtime.api_url}/documents", params={"status": "indexed"}).json()["data"]
    assert any(d["s3_bucket"] == bucket and d["s3_key"] == key for d in documents)
