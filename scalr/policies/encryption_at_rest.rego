# encryption_at_rest: S3, RDS and Redshift encrypt what they store.
#
# What a hashicorp/aws 5.x/6.x plan shows, and what this policy asks for:
#   * S3 encrypts new objects with SSE-S3 by default since January 2023, but a new bucket's
#     server_side_encryption_configuration is unknown until apply. The policy wants the choice
#     in code: an aws_s3_bucket_server_side_encryption_configuration that refers to the bucket
#     (same module, or same bucket name) with an apply_server_side_encryption_by_default rule,
#     or the bucket's own (deprecated) inline configuration when the plan knows it.
#   * aws_db_instance.storage_encrypted is null when unset (unencrypted): it must be true.
#   * aws_rds_cluster.storage_encrypted is unknown when unset (AWS picks per engine mode):
#     it must be set to true.
#   * aws_redshift_cluster.encrypted defaults to false on 5.x: it must not be false.
# CloudWatch log groups are covered by cloudwatch_logs_kms (advisory).
package terraform

import rego.v1

import input.tfplan as tfplan

encryption_resources contains rc if {
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.change.after != null
}

deny contains msg if {
	some rc in encryption_resources
	rc.type in {"aws_db_instance", "aws_rds_cluster"}
	not rc.change.after.storage_encrypted == true
	msg := sprintf("%s: storage_encrypted must be true", [rc.address])
}

deny contains msg if {
	some rc in encryption_resources
	rc.type == "aws_redshift_cluster"
	rc.change.after.encrypted == false
	msg := sprintf("%s: encrypted must be true", [rc.address])
}

deny contains msg if {
	some rc in encryption_resources
	rc.type == "aws_s3_bucket"
	not encryption_inline(rc)
	not encryption_bucket_configured(rc)
	msg := sprintf("%s: no aws_s3_bucket_server_side_encryption_configuration refers to this bucket", [rc.address])
}

deny contains msg if {
	some rc in encryption_resources
	rc.type == "aws_s3_bucket_server_side_encryption_configuration"
	not encryption_default_rule(rc)
	msg := sprintf("%s: no rule sets apply_server_side_encryption_by_default", [rc.address])
}

encryption_default_rule(rc) if {
	some rule in rc.change.after.rule
	some by_default in rule.apply_server_side_encryption_by_default
	by_default.sse_algorithm in {"AES256", "aws:kms", "aws:kms:dsse"}
}

encryption_inline(bucket) if {
	some conf in bucket.change.after.server_side_encryption_configuration
	some rule in conf.rule
	count(rule.apply_server_side_encryption_by_default) > 0
}

# A configuration resource in the same module whose `bucket` expression references this bucket.
encryption_bucket_configured(bucket) if {
	some sse in encryption_resources
	sse.type == "aws_s3_bucket_server_side_encryption_configuration"
	object.get(sse, "module_address", "") == object.get(bucket, "module_address", "")
	some entry in encryption_config_resources
	entry.calls == encryption_module_calls(object.get(bucket, "module_address", ""))
	res := entry.resource
	res.address == sprintf("%s.%s", [sse.type, sse.name])
	sprintf("aws_s3_bucket.%s", [bucket.name]) in res.expressions.bucket.references
}

# Or one naming the bucket, when both names are known at plan time.
encryption_bucket_configured(bucket) if {
	some sse in encryption_resources
	sse.type == "aws_s3_bucket_server_side_encryption_configuration"
	sse.change.after.bucket == bucket.change.after.bucket
}

encryption_config_resources contains {"calls": calls, "resource": res} if {
	walk(tfplan.configuration.root_module, [path, res])
	count(path) > 1
	path[count(path) - 2] == "resources"
	res.mode == "managed"
	calls := [path[i + 1] | some i; path[i] == "module_calls"]
}

encryption_module_calls(address) := [m[1] |
	some m in regex.find_all_string_submatch_n(`module\.([A-Za-z0-9_-]+)`, address, -1)
]
