"""`platform bot render|check`: the bot's CloudFormation template, rendered from definition.yaml and checked."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help=(
        "The Lex bot's CloudFormation template (src/campusbot/bot/bot.template.json): rendered from "
        "definition.yaml, deployed by Terraform, run by the local Lex emulator."
    ),
    no_args_is_help=True,
)


@app.command()
def render(
    check: Annotated[
        bool, typer.Option("--check", help="write nothing; exit 1 when the committed template is stale")
    ] = False,
) -> None:
    """Render definition.yaml into bot.template.json (commit the result: Terraform and the emulator read it).

    Run it after every edit of definition.yaml; a test and `make validate` fail while the template is stale.
    """
    from campusbot.bot.cloudformation import TEMPLATE_PATH, is_current, load_bot, rendered_text
    from campusbot.bot.model import DefinitionError
    from campusbot.cli.console import abort, info, success

    try:
        text = rendered_text()
    except DefinitionError as exc:
        abort(f"the bot definition is invalid: {exc}")
    current = is_current()
    if check:
        if not current:
            abort(f"{TEMPLATE_PATH.name} is stale: run `platform bot render`")
        success(f"{TEMPLATE_PATH.name} is what definition.yaml renders to")
        return
    if current:
        info(f"{TEMPLATE_PATH} is already up to date")
        return
    TEMPLATE_PATH.write_text(text, encoding="utf-8")
    bot = load_bot(TEMPLATE_PATH)
    success(f"wrote {TEMPLATE_PATH} ({len(bot.intents)} intents, {len(bot.slot_types)} slot types); commit it")


@app.command()
def check(
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    seed_value: Annotated[
        int | None, typer.Option("--seed", help="seed of the data whose slot values the deploy passes")
    ] = None,
) -> None:
    """Check the template: current with definition.yaml, zero cfn-lint errors, within the TemplateBody limit.

    cfn-lint runs on the committed template and on the one `platform deploy` sends (with the seeded
    universities as UniversityName values); the size is that of the latter, as Terraform encodes it.
    Exits 1 when a check fails.
    """
    from dataclasses import asdict

    from campusbot.bot.checks import check_template
    from campusbot.bot.model import DefinitionError
    from campusbot.cli.console import abort, emit_json, success, table, warn
    from campusbot.settings import get_settings

    seed = get_settings().seed_random if seed_value is None else seed_value
    try:
        report = check_template(seed=seed)
    except DefinitionError as exc:
        abort(f"the bot definition is invalid: {exc}")
    if as_json:
        emit_json(
            {
                **asdict(report),
                "path": str(report.path),
                "errors": len(report.errors),
                "ok": report.ok,
            }
        )
    else:
        values = ", ".join(f"{n} {name}" for name, n in report.deploy_values.items()) or "none"
        table(
            f"bot template {report.path.name} (definition {report.definition_hash})",
            ["check", "result"],
            [
                ("current with definition.yaml", "yes" if report.current else "STALE: run `platform bot render`"),
                ("cfn-lint errors", len(report.errors) if report.linted else "not run (install the dev extra)"),
                ("cfn-lint warnings", sum(1 for f in report.findings if not f.is_error) if report.linted else ""),
                ("template bytes, rendered", f"{report.size:,}"),
                (f"template bytes, deployed from S3 ({values})", f"{report.deploy_size:,} of {report.limit:,}"),
            ],
        )
        if report.findings:
            table(
                "cfn-lint",
                ["template", "rule", "line", "message"],
                [(f.template, f.rule, f.line, f.message) for f in report.findings],
            )
        if not report.linted:
            warn("cfn-lint is not installed: `pip install -e .[dev]`")
    if not report.ok:
        abort("the bot template fails its checks")
    if not as_json:
        success(f"bot template OK: {report.limit - report.deploy_size:,} bytes below the TemplateURL limit (1 MB)")
