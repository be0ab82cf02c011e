"""The Bedrock emulator's own behaviour: warming, health, the fault queue, the app composition."""

from __future__ import annotations

import threading

import httpx
import pytest
from tests.fixtures.bedrock_emulator import BedrockEmulatorServer

from campusbot import bootstrap
from campusbot.llm.extractive import ExtractiveGenerator
from campusbot.local.emulator.bedrock import BedrockEmulator, Faults
from campusbot.settings import Settings


class FakeModel:
    """Stands in for MiniLM where only loading matters."""

    def __init__(self) -> None:
        self.loaded = False
        self.done = threading.Event()

    def load(self) -> None:
        self.loaded = True
        self.done.set()


def test_warm_on_start_loads_in_the_background_when_the_app_is_built() -> None:
    model = FakeModel()
    BedrockEmulator(ExtractiveGenerator(), minilm=model, warm_on_start=True).router()  # type: ignore[arg-type]
    assert model.done.wait(10)


def test_without_warm_on_start_nothing_loads_until_asked() -> None:
    model = FakeModel()
    BedrockEmulator(ExtractiveGenerator(), minilm=model).router()  # type: ignore[arg-type]
    assert not model.done.wait(0.2)


def test_a_delayed_warm_waits_then_loads() -> None:
    model = FakeModel()
    emulator = BedrockEmulator(ExtractiveGenerator(), minilm=model, warm_on_start=True, warm_delay_seconds=0.5)  # type: ignore[arg-type]
    emulator.router()
    assert not model.done.wait(0.2)
    assert model.done.wait(10)


def test_the_runtime_emulator_warms_on_start() -> None:
    emulator = bootstrap.build_bedrock_emulator(Settings())
    assert emulator.name == "bedrock" and emulator._warm_on_start
    assert 0 < emulator._warm_delay <= 60  # after the start's own work, not during it


def test_health_lists_the_service(bedrock_emulator: BedrockEmulatorServer) -> None:
    assert httpx.get(f"{bedrock_emulator.url}/_campusbot/health").json()["services"] == ["bedrock"]


def test_faults_are_served_in_order_per_operation() -> None:
    faults = Faults()
    faults.fail_next("converse", "ThrottlingException")
    faults.fail_next("converse", "ServiceUnavailableException")
    assert faults.take("invoke") is None
    first, second = faults.take("converse"), faults.take("converse")
    assert first is not None and first.code == "ThrottlingException"
    assert second is not None and second.code == "ServiceUnavailableException"
    assert faults.take("converse") is None and faults.served == {"invoke": 0, "converse": 2}


def test_only_modelled_errors_can_be_injected() -> None:
    with pytest.raises(ValueError, match="not a bedrock-runtime error"):
        Faults().fail_next("invoke", "TeapotException")


def test_injected_errors_have_the_service_models_status(
    bedrock_emulator: BedrockEmulatorServer, bedrock_faults: Faults
) -> None:
    bedrock_faults.fail_next("invoke", "ModelTimeoutException")
    response = httpx.post(f"{bedrock_emulator.url}/model/amazon.titan-embed-text-v2:0/invoke", content=b"{}")
    assert response.status_code == 408
    assert response.headers["x-amzn-ErrorType"].startswith("ModelTimeoutException:")
    assert response.json() == {"message": "ModelTimeoutException"}
