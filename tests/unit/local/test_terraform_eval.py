"""The Terraform expression evaluator on small stacks written per case (the real stacks: test_aws_environment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from campusbot.local.terraform_eval import (
    EvaluationError,
    LazyMap,
    NoStandIns,
    StackSet,
    Unresolvable,
    force,
    read_tfvars,
)

FOUNDATION = """
variable "env" {
  type = string
}

locals {
  name = "campusbot-${var.env}"
  ssm_outputs = {
    "s3/bucket"   = "${local.name}-docs"
    "kms/key_arn" = aws_kms_key.this.arn
  }
}

resource "aws_kms_key" "this" {
  description = "key"
}
"""

APP = """
variable "env" {
  type = string
}

variable "size" {
  type    = number
  default = 1024
}

variable "enabled" {
  type    = bool
  default = false
}

variable "optional_id" {
  type    = string
  default = null
}

data "aws_region" "current" {}

locals {
  ssm_inputs = ["s3/bucket", "kms/key_arn", "rds/host"]
  in         = { for k, p in data.aws_ssm_parameter.in : k => p.insecure_value }
  name       = "campusbot-${var.env}"
  chosen     = var.enabled ? module.fn.computed : coalesce(var.optional_id, "none")
  parts      = split(",", "a,b,c")
}

data "aws_ssm_parameter" "in" {
  for_each = toset(local.ssm_inputs)
  name     = "/campusbot/${var.env}/${each.value}"
}

module "fn" {
  source        = "../../modules/fn"
  function_name = "${local.name}-fn"
  environment_variables = {
    BUCKET     = local.in["s3/bucket"]
    DIMENSIONS = tostring(var.size)
    REGION     = data.aws_region.current.id
    CHOSEN     = local.chosen
    SECOND     = local.parts[1]
    UPPER      = upper(var.env)
  }
}
"""

MODULE = """
variable "function_name" {
  type = string
}

variable "timeout" {
  type    = number
  default = 30
}

variable "environment_variables" {
  type    = map(string)
  default = {}
}

variable "create" {
  type    = bool
  default = true
}

locals {
  log_group = "/aws/lambda/${var.function_name}"
}

resource "aws_cloudwatch_log_group" "this" {
  count = var.create ? 1 : 0
  name  = local.log_group
}

output "log_group_name" {
  value = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "computed" {
  value = try(aws_cloudwatch_log_group.this[0].arn, null)
}

output "missing" {
  value = try(aws_cloudwatch_log_group.this[5].name, "fallback")
}
"""


class StandIns(NoStandIns):
    def __init__(self, ssm: dict[str, str] | None = None, region: str | None = "eu-west-1") -> None:
        self.ssm = ssm or {}
        self.region = region

    def ssm_parameter(self, key: str) -> str | None:
        return self.ssm.get(key)

    def data_attribute(self, data_type: str, attribute: str) -> Any | None:
        return self.region if (data_type, attribute) == ("aws_region", "id") else None


@pytest.fixture
def terraform(tmp_path: Path) -> Path:
    root = tmp_path / "terraform"
    for relative, text in {
        "stacks/foundation/main.tf": FOUNDATION,
        "stacks/app/main.tf": APP,
        "modules/fn/main.tf": MODULE,
        "environments/dev.tfvars": 'env = "dev"\nsize = 512\nflags = { a = true }\n',
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def stacks(terraform: Path, **stand_ins: Any) -> StackSet:
    return StackSet(terraform, read_tfvars(terraform / "environments" / "dev.tfvars"), StandIns(**stand_ins))


def environment(stack_set: StackSet) -> LazyMap:
    value = stack_set.scope("app").module("fn").var("environment_variables")
    assert isinstance(value, LazyMap)
    return value


def test_tfvars_are_literals(terraform: Path) -> None:
    assert read_tfvars(terraform / "environments" / "dev.tfvars") == {"env": "dev", "size": 512, "flags": {"a": True}}


def test_module_arguments_are_evaluated_in_the_calling_stack(terraform: Path) -> None:
    env = environment(stacks(terraform, ssm={"rds/host": "db"}))
    assert env["DIMENSIONS"] == "512"  # tfvars over the default, tostring of a number
    assert env["REGION"] == "eu-west-1"  # a data source: the stand-in
    assert env["CHOSEN"] == "none"  # a conditional, coalesce over a null default
    assert env["SECOND"] == "b" and env["UPPER"] == "DEV"


def test_an_ssm_parameter_is_what_the_writing_stack_gives_it(terraform: Path) -> None:
    assert environment(stacks(terraform))["BUCKET"] == "campusbot-dev-docs"


def test_a_stand_in_wins_over_the_writing_stack(terraform: Path) -> None:
    assert environment(stacks(terraform, ssm={"s3/bucket": "local-docs"}))["BUCKET"] == "local-docs"


def test_a_parameter_written_from_a_computed_attribute_is_unresolvable_with_its_origin(terraform: Path) -> None:
    ssm = stacks(terraform).scope("app").local("in")
    with pytest.raises(Unresolvable, match=r"kms/key_arn \(written by stack foundation as aws_kms_key.this.arn"):
        _ = ssm["kms/key_arn"]


def test_a_parameter_nobody_writes_and_nobody_stands_in_for_is_an_error(terraform: Path) -> None:
    ssm = stacks(terraform).scope("app").local("in")
    with pytest.raises(EvaluationError, match="no stack writes the SSM parameter rds/host"):
        _ = ssm["rds/host"]
    with pytest.raises(KeyError):  # not among the stack's ssm_inputs: Terraform would fail too
        _ = ssm["network/vpc_id"]


def test_values_are_evaluated_lazily_key_by_key(terraform: Path) -> None:
    """Reading one variable never evaluates the others (kms/key_arn is unresolvable, rds/host unknown)."""
    env = environment(stacks(terraform))
    assert env["UPPER"] == "DEV"
    assert "BUCKET" in env and len(env) == 6


def test_module_outputs_evaluate_inside_the_module_with_count_and_try(terraform: Path) -> None:
    app = stacks(terraform).scope("app")
    assert app.module_output("fn", "log_group_name") == "/aws/lambda/campusbot-dev-fn"
    assert app.module_output("fn", "missing") == "fallback"  # index out of range: try() takes the next
    with pytest.raises(Unresolvable, match="arn is computed by AWS"):  # try() never hides what only AWS knows
        app.module_output("fn", "computed")


def test_a_module_variable_falls_back_to_its_default(terraform: Path) -> None:
    assert stacks(terraform).scope("app").module("fn").var("timeout") == 30


def test_unknown_references_and_functions_are_errors_naming_them(terraform: Path) -> None:
    app = stacks(terraform).scope("app")
    with pytest.raises(EvaluationError, match="no variable 'nope'"):
        app.var("nope")
    with pytest.raises(EvaluationError, match="no local 'nope'"):
        app.local("nope")
    with pytest.raises(EvaluationError, match="no module 'nope'"):
        app.module_output("nope", "x")


def test_unsupported_functions_say_which(tmp_path: Path, terraform: Path) -> None:
    (terraform / "stacks" / "app" / "extra.tf").write_text('locals {\n  odd = cidrsubnet("10.0.0.0/16", 8, 1)\n}\n')
    with pytest.raises(EvaluationError, match=r"function cidrsubnet\(\) is not supported"):
        stacks(terraform).scope("app").local("odd")


def test_force_evaluates_nested_lazy_values(terraform: Path) -> None:
    env = force(environment(stacks(terraform, ssm={"rds/host": "db"})))
    assert isinstance(env, dict) and env["BUCKET"] == "campusbot-dev-docs"


def test_the_parse_cache_reads_an_unchanged_file_back_and_parses_a_changed_one(tmp_path: Path) -> None:
    import pickle

    from campusbot.local.terraform_eval import Configuration, literal, parse_file, use_parse_cache

    def stack_of(folder: Path, name: str) -> Path:
        folder.mkdir(exist_ok=True)
        (folder / "main.tf").write_text(f'locals {{\n  name = "{name}"\n}}\n')
        return folder

    stack = stack_of(tmp_path / "stack", "first")
    source = stack / "main.tf"
    cache = tmp_path / "cache"
    use_parse_cache(cache)
    try:
        assert literal(Configuration(stack).locals["name"][0]) == "first"  # parsed, then kept
        [kept] = cache.glob("*.pickle")
        # what the cache holds is what is read back: blocks kept under the file's key come out unchanged
        use_parse_cache(tmp_path / "other-cache")
        Configuration(stack_of(tmp_path / "other", "from the cache"))
        [other] = (tmp_path / "other-cache").glob("*.pickle")
        kept.write_bytes(other.read_bytes())
        use_parse_cache(cache)
        assert literal(Configuration(stack).locals["name"][0]) == "from the cache"
        # a changed input is parsed again, under a new key
        source.write_text('locals {\n  name = "second"\n}\n')
        assert literal(Configuration(stack).locals["name"][0]) == "second"
        assert len(list(cache.glob("*.pickle"))) == 2
        # a torn cache file is parsed again and replaced
        kept.write_bytes(b"not a pickle")
        source.write_text('locals {\n  name = "first"\n}\n')
        assert literal(Configuration(stack).locals["name"][0]) == "first"
        [(kind, labels, body)] = pickle.loads(kept.read_bytes())
        assert (kind, labels) == ("locals", ()) and isinstance(body, bytes)  # each body pickled on its own
        [block] = Configuration(stack).blocks  # read back: a block's body is unpickled when first used
        assert isinstance(block.content, bytes)
        assert literal(block.attributes["name"]) == "first" and not isinstance(block.content, bytes)
        # whole parse trees (tfvars) are kept the same way
        use_parse_cache(None)
        fresh = parse_file(source)
        use_parse_cache(cache)
        assert parse_file(source) == fresh and parse_file(source) == fresh  # parsed and kept, then read back
    finally:
        use_parse_cache(None)
