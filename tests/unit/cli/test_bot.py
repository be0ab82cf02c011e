"""`platform bot render|check`, and the deploy's refusal of a stale bot template."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from campusbot.bot import cloudformation as cf
from campusbot.cli.main import app
from campusbot.deploy.pipeline import DeployError
from campusbot.deploy.stackrun import require_current_bot_template

runner = CliRunner()


@pytest.fixture
def stale_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the committed template with one utterance gone, standing in for the committed file."""
    template = json.loads(cf.TEMPLATE_PATH.read_text(encoding="utf-8"))
    template["Resources"]["Bot"]["Properties"]["BotLocales"][0]["Intents"][0]["SampleUtterances"].pop()
    path = tmp_path / "bot.template.json"
    path.write_text(cf.template_text(template), encoding="utf-8")
    monkeypatch.setattr(cf, "TEMPLATE_PATH", path)
    return path


def test_render_check_passes_on_the_committed_template() -> None:
    result = runner.invoke(app, ["bot", "render", "--check"])
    assert result.exit_code == 0, result.output
    assert "what definition.yaml renders to" in result.output


def test_render_check_fails_on_a_stale_template_and_render_fixes_it(stale_copy: Path) -> None:
    result = runner.invoke(app, ["bot", "render", "--check"])
    assert result.exit_code == 1 and "stale: run `platform bot render`" in result.output
    result = runner.invoke(app, ["bot", "render"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "13 intents" in result.output  # issue 13 added five
    assert stale_copy.read_text(encoding="utf-8") == cf.rendered_text()
    again = runner.invoke(app, ["bot", "render"])
    assert again.exit_code == 0 and "already up to date" in again.output


def test_check_reports_lint_size_and_currency_as_json() -> None:
    result = runner.invoke(app, ["bot", "check", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["current"] is True and report["errors"] == 0
    assert report["size"] < report["deploy_size"] <= report["limit"] == 1_048_576
    assert report["deploy_values"]["UniversityName"] > 100


def test_check_fails_on_a_stale_template(stale_copy: Path) -> None:
    result = runner.invoke(app, ["bot", "check"])
    assert result.exit_code == 1
    assert "STALE" in result.output and "fails its checks" in result.output


def test_the_deploy_refuses_a_template_the_definition_no_longer_renders_to(tmp_path: Path) -> None:
    bot = tmp_path / "src" / "campusbot" / "bot"
    shutil.copytree(cf.TEMPLATE_PATH.parent, bot, ignore=shutil.ignore_patterns("__pycache__"))
    require_current_bot_template(tmp_path)
    raw = yaml.safe_load((bot / "definition.yaml").read_text(encoding="utf-8"))
    raw["locale"]["nlu_confidence_threshold"] = 0.5
    (bot / "definition.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(DeployError, match=r"not what definition\.yaml renders to") as raised:
        require_current_bot_template(tmp_path)
    assert raised.value.fix is not None and "platform bot render" in raised.value.fix


def test_platform_up_warns_when_the_emulator_would_run_a_stale_bot(
    stale_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from campusbot.cli.local_runtime import _warn_if_bot_template_is_stale

    _warn_if_bot_template_is_stale()
    assert "`platform bot render` updates it" in capsys.readouterr().err
