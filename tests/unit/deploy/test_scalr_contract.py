"""campusbot.deploy.scalr against Scalr's published OpenAPI document (tests/fixtures/scalr/, source
and commit in its README): every status the client reasons about exists in the document's enums,
and every call the client makes is an operation of the document with a valid body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from tests.fixtures.scalr_contract import ContractError, ScalrContract, component, enum_of, spec

from campusbot.deploy import scalr
from campusbot.deploy.scalr import JSONAPI, ScalrClient

HOST = "acme.scalr.io"
RUN_STATUSES = enum_of("Run", "attributes", "status")


def test_the_fixture_is_scalrs_api() -> None:
    document = spec()
    assert document["info"]["title"] == "Scalr IACP API"
    assert document["servers"][0]["url"] == "https://{Domain}/api/iacp/v3"
    assert scalr.API_PATH == "/api/iacp/v3/"


@pytest.mark.parametrize(
    "name",
    ["TERMINAL_STATUSES", "SUCCESS_STATUSES", "PLAN_PAUSE_STATUSES", "POLICY_PAUSE_STATUS", "OVERRIDE_STATUS"],
)
def test_every_run_status_the_client_names_is_one_of_scalrs(name: str) -> None:
    value = getattr(scalr, name)
    statuses = {value} if isinstance(value, str) else set(value)
    assert statuses <= RUN_STATUSES, f"{name}: {sorted(statuses - RUN_STATUSES)} are not run statuses"


def test_the_final_statuses_are_the_documented_ending_ones() -> None:
    description = component("Run")["properties"]["attributes"]["properties"]["status"]["description"]
    ending = description.split("Ending statuses:")[1]
    for status in scalr.TERMINAL_STATUSES:
        assert f"`{status}`" in ending or status == "applied", status
    # a saved plan also "ends" in the document, but waits for a confirmation: not final for the client
    assert "planned_and_saved" not in scalr.TERMINAL_STATUSES


def test_the_pause_after_the_policy_check_is_the_one_the_confirm_call_names() -> None:
    confirm = spec()["paths"]["/runs/{run}/actions/apply"]["post"]["description"]
    assert f"`{scalr.POLICY_PAUSE_STATUS}`" in confirm and "`planned`" in confirm


def test_policy_and_configuration_statuses_are_scalrs() -> None:
    assert enum_of("PolicyCheck", "attributes", "status") >= scalr.BLOCKING_CHECK_STATUSES
    results = component("PolicyCheck")["properties"]["attributes"]["properties"]["result"]
    assert set(scalr.FAILED_LEVELS) | {"passed"} == set(
        results["properties"]["policies"]["items"]["properties"]["result"]["enum"]
    )
    assert {"uploaded", "errored"} <= enum_of("ConfigurationVersion", "attributes", "status")


# -- every call of the client, through a fake that answers only what the document allows ---------------


def document(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": data}, headers={"Content-Type": JSONAPI})


RUN = {
    "id": "run-1",
    "type": "runs",
    "attributes": {"status": "policy_checked", "auto-apply": False, "is-dry": False, "is-destroy": False},
    "relationships": {"plan": {"data": {"type": "plans", "id": "plan-1"}}},
}
ANSWERS: dict[tuple[str, str], httpx.Response] = {
    ("GET", "environments"): document(
        [{"id": "env-1", "type": "environments", "attributes": {"name": "campusbot-prod"}, "relationships": {}}]
    ),
    ("GET", "workspaces"): document(
        [
            {
                "id": "ws-1",
                "type": "workspaces",
                "attributes": {"name": "campusbot-prod-data", "iac-platform": "opentofu", "vcs-repo": None},
                "relationships": {"environment": {"data": {"type": "environments", "id": "env-1"}}},
            }
        ]
    ),
    ("POST", "configuration-versions"): document(
        {
            "id": "cv-1",
            "type": "configuration-versions",
            "attributes": {"status": "pending"},
            "links": {"upload": "https://uploads.example/cv-1"},
        },
        201,
    ),
    ("GET", "configuration-versions/cv-1"): document(
        {"id": "cv-1", "type": "configuration-versions", "attributes": {"status": "uploaded"}}
    ),
    ("POST", "runs"): document(RUN, 201),
    ("GET", "runs/run-1"): document(RUN),
    ("GET", "plans/plan-1"): document(
        {"id": "plan-1", "type": "plans", "attributes": {"status": "finished", "has-changes": True}}
    ),
    ("GET", "runs/run-1/policy-checks"): document(
        [{"id": "polchk-1", "type": "policy-checks", "attributes": {"status": "passed", "result": {"passed": 10}}}]
    ),
    ("POST", "runs/run-1/actions/apply"): httpx.Response(202),
    ("POST", "runs/run-1/actions/discard"): httpx.Response(202),
    ("POST", "runs/run-1/actions/cancel"): httpx.Response(202),
}


@pytest.fixture
def calls() -> tuple[ScalrClient, list[str]]:
    seen: list[str] = []
    contract = ScalrContract()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "uploads.example":
            return httpx.Response(200)
        op = contract.operation(request.method, request.url)
        seen.append(f"{op.method} {op.template}")
        return ANSWERS[(request.method, request.url.path.removeprefix("/api/iacp/v3/"))]

    transport = contract.transport(answer, passthrough_hosts=("uploads.example",))
    return ScalrClient(HOST, "t", "acc-1", transport=transport, sleep=lambda _s: None), seen


def test_every_call_of_a_deploy_is_an_operation_of_the_document(calls: tuple[ScalrClient, list[str]]) -> None:
    client, seen = calls
    environment = client.find_environment("campusbot-prod")
    workspace = client.find_workspace("campusbot-prod-data", environment.id)
    run = client.start_run(workspace.id, b"tgz", message="platform deploy")
    run = client.wait_for_run(run.id)
    client.plan_summary(run)
    client.policy_checks(run.id)
    client.apply_run(run.id, "confirmed")
    client.discard_run(run.id, "declined")
    client.cancel_run(run.id, "interrupted")
    assert seen == [
        "GET /environments",
        "GET /workspaces",
        "POST /configuration-versions",
        "GET /configuration-versions/{configuration_version}",
        "POST /runs",
        "GET /runs/{run}",
        "GET /plans/{plan}",
        "GET /runs/{run}/policy-checks",
        "POST /runs/{run}/actions/apply",
        "POST /runs/{run}/actions/discard",
        "POST /runs/{run}/actions/cancel",
    ]


# -- the contract catches what the client used to get wrong ---------------------------------------------


def request(method: str, path: str, **kwargs: Any) -> httpx.Request:
    return httpx.Request(method, f"https://{HOST}/api/iacp/v3/{path}", **kwargs)


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        # the old client sent the confirm comment as a JSON:API document
        (
            lambda: request(
                "POST", "runs/run-1/actions/apply", json={"comment": "x"}, headers={"Content-Type": JSONAPI}
            ),
            "expected ['application/json']",
        ),
        (lambda: request("GET", "runs/run-1/confirm"), "no such path"),
        (lambda: request("DELETE", "runs/run-1"), "allows only"),
        (lambda: request("GET", "workspaces", params={"filter[nom]": "x"}), "undeclared query parameters"),
        (
            lambda: request(
                "POST",
                "runs",
                json={"data": {"type": "runs", "attributes": {"status": "applied"}}},
                headers={"Content-Type": JSONAPI},
            ),
            "body",
        ),
    ],
)
def test_the_contract_refuses_what_the_document_does_not_allow(bad: Callable[[], httpx.Request], error: str) -> None:
    with pytest.raises(ContractError, match=error.replace("[", r"\[").replace("]", r"\]")):
        ScalrContract().check_request(bad())


def test_the_contract_refuses_answers_the_document_does_not_allow() -> None:
    get_run = request("GET", "runs/run-1")
    # `force_canceled` (the old client's terminal status) is not a run status of the document
    wrong = document({"id": "run-1", "type": "runs", "attributes": {"status": "force_canceled"}})
    with pytest.raises(ContractError, match="'force_canceled' is not one of"):
        ScalrContract().check_response(get_run, wrong)
