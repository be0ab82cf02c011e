"""Every policy against real `terraform show -json` plans (tests/policies/fixtures, see generate.py).

Each policy has a compliant and a non-compliant plan of the same configuration. The non-compliant
one must give exactly the messages below, and no other policy may fire on any fixture: that keeps
each policy from misreading the plan shapes the others care about.
"""

from __future__ import annotations

import pytest

from tests.policies.policy_eval import FIXTURE_DIR, deny, fixture, policy_names

EXPECTED: dict[str, list[str]] = {
    "no_public_data": [
        "aws_db_instance.main: publicly_accessible is true; databases and warehouses stay inside the VPC",
        "aws_redshiftserverless_workgroup.lake: publicly_accessible is true; "
        "databases and warehouses stay inside the VPC",
        "aws_s3_bucket_public_access_block.lake: block_public_policy must be true",
        "module.docs.aws_s3_bucket.this: no aws_s3_bucket_public_access_block refers to this bucket",
        "module.web.aws_s3_bucket_acl.this[0]: canned ACL 'public-read' makes the bucket public",
    ],
    "encryption_at_rest": [
        "aws_db_instance.main: storage_encrypted must be true",
        "aws_rds_cluster.analytics: storage_encrypted must be true",
        "aws_redshift_cluster.warehouse: encrypted must be true",
        "module.docs.aws_s3_bucket.this: no aws_s3_bucket_server_side_encryption_configuration refers to this bucket",
    ],
    "cloudwatch_logs_kms": [
        "aws_cloudwatch_log_group.fulfillment: kms_key_id is not set; "
        "encrypt the log group with a customer managed KMS key",
    ],
    "required_tags": [
        "aws_iam_role.vectorizer: missing required tags project, environment "
        "(set them in the provider's default_tags or on the resource)",
        "aws_kms_key.data: missing required tags project, environment, owner "
        "(set them in the provider's default_tags or on the resource)",
        "aws_sqs_queue.chat_events: missing required tags owner "
        "(set them in the provider's default_tags or on the resource)",
    ],
    "no_iam_admin_wildcard": [
        "aws_iam_policy.operator: a statement allows every action (*) on every resource (*)",
        "aws_iam_role.vectorizer inline_policy logs: a statement allows every action (*) on every resource (*)",
        "aws_iam_role_policy_attachment.vectorizer: attaches AdministratorAccess",
        "data.aws_iam_policy_document.vectorizer: a statement allows every action (*) on every resource (*)",
    ],
    "allowed_sizes": [
        "aws_db_instance.main: instance class db.r7g.xlarge is not allowed in dev "
        "(allowed: db.serverless, db.t4g.medium, db.t4g.micro, db.t4g.small)",
        "aws_ecs_task_definition.api: Fargate task cpu 2048 is above the dev ceiling of 1024",
        "aws_ecs_task_definition.api: Fargate task memory 4096 is above the dev ceiling of 2048",
        "aws_rds_cluster.analytics: Aurora Serverless v2 max_capacity 16 ACU is above the dev ceiling of 4",
        "aws_redshiftserverless_workgroup.lake: Redshift Serverless base_capacity 32 RPU is above the dev ceiling of 8",
    ],
    "prod_deletion_protection": [
        "aws_db_instance.main: deletion_protection must be true in prod",
        "aws_db_instance.main: skip_final_snapshot must be false in prod",
        "aws_rds_cluster.analytics: deletion_protection must be true in prod",
    ],
    "no_provisioners": [
        "module.migrate.terraform_data.migrate: local-exec provisioner; "
        "use a resource, a Lambda or the deploy CLI instead",
        "terraform_data.bootstrap: remote-exec provisioner; use a resource, a Lambda or the deploy CLI instead",
    ],
    "allowed_regions": [
        "provider aws: region eu-central-1 is not allowed (allowed: us-east-1, us-west-2)",
    ],
    "monthly_cost_cap": [
        "proposed monthly cost $486.75 is above the dev cap of $150 (now $438.07, change $48.68)",
    ],
}

FIXTURES = sorted(path.stem for path in FIXTURE_DIR.glob("*.json"))


def test_every_policy_has_expectations_and_fixtures() -> None:
    assert sorted(EXPECTED) == policy_names()
    for policy in policy_names():
        assert f"{policy}.valid" in FIXTURES
        assert f"{policy}.invalid" in FIXTURES


@pytest.mark.parametrize("policy", policy_names())
def test_policy_denies_its_invalid_plan(policy: str) -> None:
    assert deny(policy, fixture(f"{policy}.invalid")) == sorted(EXPECTED[policy])


@pytest.mark.parametrize("policy", policy_names())
def test_policy_passes_its_valid_plan(policy: str) -> None:
    assert deny(policy, fixture(f"{policy}.valid")) == []


@pytest.mark.parametrize("name", FIXTURES)
def test_only_the_fixtures_own_policy_fires(name: str) -> None:
    document = fixture(name)
    fired = {policy for policy in policy_names() if deny(policy, document)}
    owner, variant = name.split(".")
    assert fired == ({owner} if variant == "invalid" else set())


@pytest.mark.parametrize("name", ["full_stack.dev", "full_stack.prod"])
def test_full_stack_passes_every_policy(name: str) -> None:
    document = fixture(name)
    assert {policy: deny(policy, document) for policy in policy_names()} == {p: [] for p in policy_names()}


def as_environment(document: dict[str, object], env: str) -> dict[str, object]:
    """The same plan, run in another Scalr environment."""
    run = dict(document["tfrun"])  # type: ignore[call-overload]
    run["environment"] = {"id": "env-v0p4k2c1s9bmq7du", "name": f"campusbot-{env}"}
    run["workspace"] = {**run["workspace"], "environment_type": "production" if env == "prod" else "development"}
    return {**document, "tfrun": run}


def test_prod_sizes_are_allowed_in_prod() -> None:
    assert deny("allowed_sizes", as_environment(fixture("allowed_sizes.invalid"), "prod")) == []


def test_deletion_protection_is_only_required_in_prod() -> None:
    assert deny("prod_deletion_protection", as_environment(fixture("prod_deletion_protection.invalid"), "dev")) == []


def test_cost_cap_follows_the_environment() -> None:
    assert deny("monthly_cost_cap", as_environment(fixture("monthly_cost_cap.invalid"), "prod")) == []


def test_cost_cap_needs_an_estimate() -> None:
    document = fixture("monthly_cost_cap.invalid")
    del document["tfrun"]["cost_estimate"]
    assert deny("monthly_cost_cap", document) == []


def test_environment_falls_back_to_the_stack_variable() -> None:
    document = fixture("prod_deletion_protection.invalid")
    del document["tfrun"]
    assert document["tfplan"]["variables"]["environment"]["value"] == "prod"
    assert deny("prod_deletion_protection", document) == sorted(EXPECTED["prod_deletion_protection"])
