"""Lint every IAM policy document the stacks render, with parliament (duo-labs/parliament, the IAM
action and resource database of AWS's Service Authorization Reference).

    .venv/bin/python -m tests.terraform.iam_lint STATE.json...   # `terraform show -json` outputs

Reads the documents AWS receives, from the state (or a plan's `planned_values`): identity policies
(`aws_iam_policy`, `aws_iam_role_policy`), trust policies (`aws_iam_role.assume_role_policy`) and
resource policies (buckets, keys, queues, topics, repositories, secrets, log resource policies, REST
APIs). `make test-infra` runs it on the state of every stack it applies against moto; a finding of
the kinds in FAILING fails the run. Prints one line per document and per finding.

Two parliament rules are wrong for these documents and are corrected here, narrowly, in
RESOURCE_MISMATCH findings only:
- an action whose resource types are alternatives (bedrock:InvokeModel takes a foundation model *or*
  an inference profile *or* ...) is reported for every type the statement does not name; it is a
  mismatch only when none of its types matches (parliament's own per-type verdicts are kept);
- parliament refuses a colon in the resource-id part of an ARN when the action's ARN format has
  none, but Bedrock model ids carry one (`foundation-model/amazon.titan-embed-text-v2:0`): such a
  resource counts as matching when the format, read as an AWS wildcard pattern, matches it.
- MISMATCHED_TYPE for a Numeric operator whose values are numbers written as strings
  (`"NumericLessThan": {"s3:TlsVersion": "1.2"}`, as aws_iam_policy_document renders every value;
  IAM accepts them), and for `ArnLike`/`ArnEquals` on a `kms:EncryptionContext:` key whose values
  are ARNs (the CloudWatch Logs key-policy statement, as AWS's documentation writes it).
And parliament reads every document as an identity policy: a role's trust policy has no Resource
(the role is the resource), so it is linted with `"Resource": "*"` added to each statement, and
UNKNOWN_FEDERATION_SOURCE for an IAM OIDC provider of the account (Scalr's) is dropped.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Findings that fail the lint: what AWS would reject or what would grant nothing / the wrong thing.
FAILING = frozenset(
    {
        "UNKNOWN_ACTION",
        "UNKNOWN_PREFIX",
        "RESOURCE_MISMATCH",
        "MALFORMED",
        "MALFORMED_JSON",
        "INVALID_ARN",
        "UNKNOWN_OPERATOR",
        "MISMATCHED_TYPE",
        "UNKNOWN_FEDERATION_SOURCE",
        "UNKNOWN_PRINCIPAL",
    }
)

# resource type -> the attributes holding a policy document, and what kind of policy it is
POLICY_ATTRIBUTES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "aws_iam_policy": (("policy", "identity"),),
    "aws_iam_role_policy": (("policy", "identity"),),
    "aws_iam_user_policy": (("policy", "identity"),),
    "aws_iam_group_policy": (("policy", "identity"),),
    "aws_iam_role": (("assume_role_policy", "trust"),),
    "aws_s3_bucket_policy": (("policy", "resource"),),
    "aws_kms_key": (("policy", "resource"),),
    "aws_sqs_queue_policy": (("policy", "resource"),),
    "aws_sns_topic_policy": (("policy", "resource"),),
    "aws_ecr_repository_policy": (("policy", "resource"),),
    "aws_ecr_lifecycle_policy": (),
    "aws_secretsmanager_secret_policy": (("policy", "resource"),),
    "aws_cloudwatch_log_resource_policy": (("policy_document", "resource"),),
    "aws_api_gateway_rest_api_policy": (("policy", "resource"),),
    "aws_glue_resource_policy": (("policy", "resource"),),
    "aws_lambda_layer_version_permission": (),
}


@dataclass(frozen=True)
class Document:
    address: str
    attribute: str
    kind: str  # identity | trust | resource
    text: str


@dataclass(frozen=True)
class Finding:
    document: Document
    issue: str
    detail: Any

    @property
    def failing(self) -> bool:
        return self.issue in FAILING

    def __str__(self) -> str:
        return f"{self.document.address}.{self.document.attribute}: {self.issue} {json.dumps(self.detail, default=str)}"


def documents(show_json: Mapping[str, Any]) -> list[Document]:
    """The policy documents in a `terraform show -json` of a state or a plan."""
    root = (show_json.get("values") or show_json.get("planned_values") or {}).get("root_module") or {}
    found = []
    for resource in _resources(root):
        if resource.get("mode") != "managed":
            continue
        values = resource.get("values") or {}
        for attribute, kind in POLICY_ATTRIBUTES.get(resource["type"], ()):
            text = values.get(attribute)
            if isinstance(text, str) and text.strip():
                found.append(Document(resource["address"], attribute, kind, text))
    return found


def _resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _resources(child)


def lint(document: Document) -> list[Finding]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parliament imports pkg_resources, which warns
        from parliament import analyze_policy_string

    text = document.text
    if document.kind == "trust":
        parsed = json.loads(text)
        parsed["Statement"] = [{"Resource": "*", **statement} for statement in _statements(parsed)]
        text = json.dumps(parsed)
    policy = analyze_policy_string(text, include_community_auditors=False)
    findings = []
    for finding in policy.findings:
        detail = finding.detail
        if finding.issue == "RESOURCE_MISMATCH":
            detail = _real_mismatches(detail, document)
            if not detail:
                continue
        if document.kind == "trust" and _trust_policy_shape(finding.issue, detail):
            continue
        if finding.issue == "MISMATCHED_TYPE" and _accepted_type(str(detail), document):
            continue
        findings.append(Finding(document, finding.issue, detail))
    return findings


NUMBER = re.compile(r"-?\d+(\.\d+)?")
TYPE_MISMATCH = re.compile(r"Type mismatch: (\S+) requires a value of type (\w+) but given (.*)")


def _accepted_type(detail: str, document: Document) -> bool:
    """The two MISMATCHED_TYPE verdicts IAM does not share (module docstring)."""
    match = TYPE_MISMATCH.fullmatch(detail)
    if match is None:
        return False
    subject, wanted, given = match.groups()
    if wanted == "Numeric":
        values = re.findall(r"'([^']*)'", given) or [given]
        return all(NUMBER.fullmatch(v) for v in values)
    if wanted == "Arn" and subject in {"ArnLike", "ArnEquals"}:
        conditions = [st.get("Condition", {}).get(subject, {}) for st in _statements(json.loads(document.text))]
        keys = [(k, v) for c in conditions for k, v in c.items()]
        return bool(keys) and all(
            k.startswith("kms:EncryptionContext:") and all(x.startswith("arn:") for x in _as_list(v)) for k, v in keys
        )
    return False


def _trust_policy_shape(issue: str, detail: Any) -> bool:
    if issue == "RESOURCE_STAR":
        return True  # the "*" the lint added itself
    if issue == "UNKNOWN_FEDERATION_SOURCE":
        return bool(re.fullmatch(r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/.+", str(detail)))
    return False


def _real_mismatches(detail: list[Mapping[str, Any]], document: Document) -> list[Mapping[str, Any]]:
    """The (action, required_format) pairs of actions none of whose resource types the statements match."""
    mismatched: dict[str, set[str]] = {}
    for item in detail:
        mismatched.setdefault(str(item["action"]), set()).add(str(item["required_format"]))
    real = []
    for action, formats in mismatched.items():
        if _required_formats(action) - formats:
            continue  # parliament matched one of the action's alternative resource types
        if any(_colon_match(action, required, document) for required in formats):
            continue
        real += [{"action": action, "required_format": required} for required in sorted(formats)]
    return real


def _required_formats(action: str) -> set[str]:
    from parliament.statement import get_arn_format, get_privilege_info

    service, name = action.split(":", 1)
    info = get_privilege_info(service, name)
    types = [t["resource_type"] for t in info["resource_types"] if "*" in t["resource_type"]]
    return {"*" if not t else get_arn_format(t, info["service_resources"]) for t in types}


def _colon_match(action: str, required: str, document: Document) -> bool:
    """parliament's colon rule (see the module docstring): a resource with a colon in its id that the
    required format, as an AWS wildcard pattern, matches, in a statement that grants the action."""
    for statement in _statements(json.loads(document.text)):
        actions = {a.lower() for a in _as_list(statement.get("Action"))}
        if not any(fnmatch.fnmatchcase(action.lower(), a) for a in actions):
            continue
        for resource in _as_list(statement.get("Resource")):
            resource_id = ":".join(resource.split(":")[5:])
            if ":" in resource_id and fnmatch.fnmatchcase(resource, required):
                return True
    return False


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(__doc__ or "")
        return 2
    failing = 0
    total = 0
    for path in argv:
        for document in documents(json.loads(Path(path).read_text())):
            total += 1
            findings = lint(document)
            bad = [f for f in findings if f.failing]
            failing += len(bad)
            mark = "FAIL" if bad else "ok  "
            sys.stderr.write(f"  {mark}  {document.kind:<8} {document.address}.{document.attribute}\n")
            for finding in findings:
                sys.stderr.write(f"        {'x' if finding.failing else '-'} {finding.issue} {finding.detail}\n")
    sys.stderr.write(f"iam_lint: {total} policy documents, {failing} failing findings\n")
    return 1 if failing or not total else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
