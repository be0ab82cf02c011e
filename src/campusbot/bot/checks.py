"""What `platform bot check` (and `make validate`) asks of the bot template before anything deploys it.

- current: the committed template is exactly what definition.yaml renders to;
- cfn-lint (the AWS::Lex::Bot, BotVersion and BotAlias resource schemas, intrinsic functions, parameters)
  finds no error, in the committed template and in the one the deploy sends (with the data's slot values);
- size: the template the deploy sends fits CloudFormation's limit for a template deployed from S3 (TemplateURL,
  1,048,576 bytes; the conversation stack uploads it, since inline TemplateBody allows only 51,200).

cfn-lint is a development dependency (the `dev` extra); without it the lint is reported as not run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campusbot.bot import cloudformation
from campusbot.bot.cloudformation import (
    TEMPLATE_URL_LIMIT,
    body_size,
    deploy_template,
    is_current,
    template_text,
)

LINT_REGIONS = ("us-east-1",)


@dataclass(frozen=True)
class Finding:
    """One cfn-lint match: rule id (E = error, W = warning, I = informational), where, and what."""

    template: str
    rule: str
    severity: str
    line: int
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class TemplateReport:
    path: Path
    current: bool
    definition_hash: str
    size: int  # bytes of the committed template as Terraform sends it (compact JSON)
    deploy_size: int  # the same with the data's slot values, as `platform deploy` passes them
    deploy_values: dict[str, int]  # slot type → number of values the deploy passes
    findings: list[Finding] = field(default_factory=list)
    linted: bool = True
    limit: int = TEMPLATE_URL_LIMIT

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def ok(self) -> bool:
        return self.current and self.linted and not self.errors and self.deploy_size <= self.limit


def lint_template(template: Any, name: str = "template", regions: tuple[str, ...] = LINT_REGIONS) -> list[Finding]:
    """cfn-lint's matches for `template` (ImportError when cfn-lint is not installed)."""
    from cfnlint.api import ManualArgs, lint

    matches = lint(template_text(template), regions=list(regions), config=ManualArgs(regions=list(regions)))
    return [
        Finding(
            template=name,
            rule=str(match.rule.id),
            severity=str(match.rule.severity),
            line=int(match.linenumber),
            message=str(match.message),
        )
        for match in matches
    ]


def check_template(
    template_path: Path | None = None,
    definition_path: Path | None = None,
    *,
    seed: int,
    lint: bool = True,
) -> TemplateReport:
    """Everything `platform bot check` reports about the template at `template_path` (default: the committed one)."""
    from campusbot.deploy.lex_bot import slot_type_values

    path = template_path or cloudformation.TEMPLATE_PATH
    template = json.loads(path.read_text(encoding="utf-8"))
    values = slot_type_values(path, seed)
    deployed = deploy_template(template, values)
    findings: list[Finding] = []
    linted = lint
    if lint:
        try:
            findings = lint_template(template, path.name) + lint_template(
                deployed, f"{path.name} with the data's values"
            )
        except ImportError:
            linted = False
    return TemplateReport(
        path=path,
        current=is_current(path, definition_path),
        definition_hash=str(template["Metadata"]["Campusbot"]["DefinitionHash"]),
        size=body_size(template),
        deploy_size=body_size(deployed),
        deploy_values={name: len(v) for name, v in values.items()},
        findings=findings,
        linted=linted,
    )
