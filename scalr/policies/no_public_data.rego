# no_public_data: nothing that holds campus data is reachable from the internet.
#
# Denies, for every managed resource the plan keeps (creates, updates or leaves as is):
#   * RDS and Redshift with publicly_accessible = true (aws_db_instance, aws_rds_cluster_instance,
#     aws_redshift_cluster, aws_redshiftserverless_workgroup; Redshift clusters default to public
#     on hashicorp/aws 5.x, so leaving it unset is caught too);
#   * S3 canned ACLs that open a bucket (aws_s3_bucket_acl, or the deprecated inline acl of
#     aws_s3_bucket) and ACL grants to the AllUsers / AuthenticatedUsers groups;
#   * an aws_s3_bucket_public_access_block with any of its four settings not true;
#   * an aws_s3_bucket that no aws_s3_bucket_public_access_block refers to. The block is matched
#     through the configuration (its `bucket` expression references the bucket, in the same module),
#     or by bucket name when both names are known. An account-wide
#     aws_s3_account_public_access_block with all four settings true covers every bucket.
#
# Scalr evaluates each policy file on its own, so helpers carry the policy's prefix.
package terraform

import rego.v1

import input.tfplan as tfplan

public_data_private_types := {
	"aws_db_instance",
	"aws_rds_cluster_instance",
	"aws_redshift_cluster",
	"aws_redshiftserverless_workgroup",
}

public_data_public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_data_public_groups := {
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

public_data_block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# Managed resources that exist after the apply.
public_data_resources contains rc if {
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.change.after != null
}

deny contains msg if {
	some rc in public_data_resources
	rc.type in public_data_private_types
	rc.change.after.publicly_accessible == true
	msg := sprintf("%s: publicly_accessible is true; databases and warehouses stay inside the VPC", [rc.address])
}

deny contains msg if {
	some rc in public_data_resources
	rc.type in {"aws_s3_bucket", "aws_s3_bucket_acl"}
	rc.change.after.acl in public_data_public_acls
	msg := sprintf("%s: canned ACL '%s' makes the bucket public", [rc.address, rc.change.after.acl])
}

deny contains msg if {
	some rc in public_data_resources
	rc.type == "aws_s3_bucket_acl"
	some acp in rc.change.after.access_control_policy
	some grant in acp.grant
	some grantee in grant.grantee
	grantee.uri in public_data_public_groups
	msg := sprintf("%s: ACL grants %s to %s", [rc.address, grant.permission, grantee.uri])
}

deny contains msg if {
	some rc in public_data_resources
	rc.type == "aws_s3_bucket"
	some grant in rc.change.after.grant
	grant.uri in public_data_public_groups
	msg := concat("", [rc.address, ": ACL grants ", concat("/", grant.permissions), " to ", grant.uri])
}

deny contains msg if {
	some rc in public_data_resources
	rc.type == "aws_s3_bucket_public_access_block"
	some setting in public_data_block_settings
	rc.change.after[setting] != true
	msg := sprintf("%s: %s must be true", [rc.address, setting])
}

deny contains msg if {
	some rc in public_data_resources
	rc.type == "aws_s3_bucket"
	not public_data_account_blocked
	not public_data_bucket_blocked(rc)
	msg := sprintf("%s: no aws_s3_bucket_public_access_block refers to this bucket", [rc.address])
}

public_data_account_blocked if {
	some rc in public_data_resources
	rc.type == "aws_s3_account_public_access_block"
	every setting in public_data_block_settings {
		rc.change.after[setting] == true
	}
}

# A block in the same module whose `bucket` expression references this bucket.
public_data_bucket_blocked(bucket) if {
	some block in public_data_resources
	block.type == "aws_s3_bucket_public_access_block"
	object.get(block, "module_address", "") == object.get(bucket, "module_address", "")
	some entry in public_data_config_resources
	entry.calls == public_data_module_calls(object.get(bucket, "module_address", ""))
	res := entry.resource
	res.address == sprintf("%s.%s", [block.type, block.name])
	sprintf("aws_s3_bucket.%s", [bucket.name]) in res.expressions.bucket.references
}

# Or a block naming the bucket, when both names are known at plan time.
public_data_bucket_blocked(bucket) if {
	some block in public_data_resources
	block.type == "aws_s3_bucket_public_access_block"
	block.change.after.bucket == bucket.change.after.bucket
}

# Configuration resources with the module calls that lead to them (["docs"] for module.docs).
public_data_config_resources contains {"calls": calls, "resource": res} if {
	walk(tfplan.configuration.root_module, [path, res])
	count(path) > 1
	path[count(path) - 2] == "resources"
	res.mode == "managed"
	calls := [path[i + 1] | some i; path[i] == "module_calls"]
}

# module.docs["x"].module.inner -> ["docs", "inner"]
public_data_module_calls(address) := [m[1] |
	some m in regex.find_all_string_submatch_n(`module\.([A-Za-z0-9_-]+)`, address, -1)
]
