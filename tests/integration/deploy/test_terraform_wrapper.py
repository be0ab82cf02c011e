"""TerraformStack with real terraform and the real hashicorp/aws provider against moto, on a small root
module (an S3 bucket and an SSM parameter): the LocalStack provider override and a local backend as the
deploy writes them; plan → apply → outputs → no-op re-plan → destroy. Skips without terraform."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from campusbot.deploy import backend, localstack
from campusbot.deploy.terraform import Event, TerraformStack

pytestmark = pytest.mark.slow

MODULE = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100, < 7" }
  }
}
provider "aws" {
  region = "us-east-1"
  default_tags { tags = { Project = "campusbot" } }
}
variable "env" { type = string }
resource "aws_s3_bucket" "docs" { bucket = "campusbot-${var.env}-wrapper-docs" }
resource "aws_ssm_parameter" "out" {
  name  = "/campusbot/${var.env}/s3/docs_bucket_name"
  type  = "String"
  value = aws_s3_bucket.docs.id
}
output "docs_bucket_name" { value = aws_s3_bucket.docs.id }
output "secret" {
  value     = "hidden"
  sensitive = true
}
"""


def test_plan_apply_output_replan_destroy(
    tmp_path: Path, apply_terraform_env: dict[str, str], moto_server: str
) -> None:
    stack_dir = tmp_path / "stacks" / "wrapper"
    stack_dir.mkdir(parents=True)
    (stack_dir / "main.tf").write_text(MODULE)
    localstack.write_provider_override(stack_dir, moto_server, "us-east-1")
    backend.write_override(stack_dir, backend.LocalBackend(tmp_path / "state" / "wrapper.tfstate"))
    variables = tmp_path / "vars.tfvars.json"
    variables.write_text('{"env": "wrap"}')
    tf = TerraformStack("wrapper", stack_dir, data_dir=tmp_path / "work", var_files=[variables])
    tf.init()

    events: list[Event] = []
    plan = tf.plan(on_event=events.append)
    assert (plan.add, plan.change, plan.destroy) == (2, 0, 0)
    assert {c.address for c in plan.changes} == {"aws_s3_bucket.docs", "aws_ssm_parameter.out"}
    applied = tf.apply(plan, on_event=events.append)
    assert applied.add == 2
    assert [e.address for e in events if e.kind == "done"] == ["aws_s3_bucket.docs", "aws_ssm_parameter.out"]

    assert tf.output() == {"docs_bucket_name": "campusbot-wrap-wrapper-docs", "secret": "hidden"}
    assert tf.sensitive_outputs() == {"secret"}
    ssm = boto3.client("ssm", region_name="us-east-1", endpoint_url=moto_server)
    assert (
        ssm.get_parameter(Name="/campusbot/wrap/s3/docs_bucket_name")["Parameter"]["Value"]
        == "campusbot-wrap-wrapper-docs"
    )
    assert (tmp_path / "state" / "wrapper.tfstate").exists(), "state lives where the backend override says"
    assert not (stack_dir / ".terraform").exists(), "TF_DATA_DIR keeps the stack folder clean"

    assert not tf.plan().has_changes, "a re-plan after apply is a no-op"

    destroy = tf.plan(destroy=True)
    assert destroy.destroy == 2 and destroy.destroy_plan
    tf.apply(destroy)
    assert tf.state_resources() == []
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_server)
    assert "campusbot-wrap-wrapper-docs" not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
