"""The IAM policy lint of `make test-infra` (tests/terraform/iam_lint.py): which documents it reads
from a `terraform show -json`, and that parliament's verdicts reach it (unknown actions, resource
mismatches), with only the one documented false positive (a colon in a Bedrock model id) dropped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.terraform import iam_lint


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def issues(text: str, kind: str = "identity") -> list[str]:
    return [f.issue for f in iam_lint.lint(iam_lint.Document("aws_iam_policy.x", "policy", kind, text)) if f.failing]


def show(*resources: dict[str, Any], child: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": list(resources)}
    if child:
        root["child_modules"] = [{"address": "module.m", "resources": child}]
    return {"format_version": "1.0", "values": {"root_module": root}}


def test_documents_are_read_from_resources_and_child_modules() -> None:
    state = show(
        {
            "address": "aws_iam_role.r",
            "mode": "managed",
            "type": "aws_iam_role",
            "values": {"assume_role_policy": "{}"},
        },
        {"address": "data.aws_iam_policy_document.d", "mode": "data", "type": "aws_iam_policy_document", "values": {}},
        child=[
            {
                "address": "module.m.aws_s3_bucket_policy.this[0]",
                "mode": "managed",
                "type": "aws_s3_bucket_policy",
                "values": {"policy": policy(allow("s3:GetObject", "arn:aws:s3:::b/*"))},
            }
        ],
    )
    found = iam_lint.documents(state)
    assert [(d.address, d.attribute, d.kind) for d in found] == [
        ("aws_iam_role.r", "assume_role_policy", "trust"),
        ("module.m.aws_s3_bucket_policy.this[0]", "policy", "resource"),
    ]


def test_a_clean_policy_passes() -> None:
    assert issues(policy(allow(["s3:GetObject", "s3:GetObjectVersion"], "arn:aws:s3:::docs/*"))) == []


@pytest.mark.parametrize(
    ("statement", "issue"),
    [
        (allow("bedrock:Converse", "*"), "UNKNOWN_ACTION"),  # Converse is authorized by bedrock:InvokeModel
        (allow("bogus:Thing", "*"), "UNKNOWN_PREFIX"),
        (allow("s3:GetObject", "arn:aws:s3:::docs"), "RESOURCE_MISMATCH"),  # an object action on the bucket
        (allow("kms:GenerateDataKey", "arn:aws:sqs:us-east-1:123456789012:q"), "RESOURCE_MISMATCH"),
    ],
)
def test_what_aws_would_reject_or_never_match_fails(statement: dict[str, Any], issue: str) -> None:
    assert issue in issues(policy(statement))


def test_a_colon_in_a_bedrock_model_id_is_not_a_mismatch() -> None:
    model = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"
    assert issues(policy(allow("bedrock:InvokeModel", model))) == []
    # ... but a model ARN for an action on another resource type still is
    assert "RESOURCE_MISMATCH" in issues(policy(allow("bedrock:ApplyGuardrail", model)))


def test_the_command_fails_on_a_failing_finding(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.json"
    bad = tmp_path / "bad.json"
    resource = {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy"}
    good.write_text(json.dumps(show({**resource, "values": {"policy": policy(allow("sqs:SendMessage", "*"))}})))
    bad.write_text(json.dumps(show({**resource, "values": {"policy": policy(allow("sqs:Send", "*"))}})))
    assert iam_lint.main([str(good)]) == 0
    assert iam_lint.main([str(good), str(bad)]) == 1
    assert "UNKNOWN_ACTION" in capsys.readouterr().err
    assert iam_lint.main([str(tmp_path / "good.json")]) == 0


def test_a_trust_policy_is_read_as_one() -> None:
    oidc = {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/campusbot.scalr.io"},
        "Condition": {"StringEquals": {"campusbot.scalr.io:aud": "aws.scalr-run-workload"}},
    }
    service = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}
    assert issues(policy(oidc, service), kind="trust") == []
    # ... but not as an identity policy, and an unknown action in a trust policy still fails
    assert "MALFORMED" in issues(policy(service))
    assert "UNKNOWN_ACTION" in issues(policy({**service, "Action": "sts:AssumeRoles"}), kind="trust")


def test_iam_accepts_numbers_as_strings_and_arn_operators_on_kms_encryption_context() -> None:
    tls = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::docs", "arn:aws:s3:::docs/*"],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }
    logs = {
        "Effect": "Allow",
        "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:1:log-group:*"}},
    }
    assert issues(policy(tls, logs), kind="resource") == []
    # a word where a number belongs is still a type mismatch
    assert "MISMATCHED_TYPE" in issues(policy({**tls, "Condition": {"NumericLessThan": {"s3:TlsVersion": "tls"}}}))
