package terraform

import rego.v1

# Every case in no_public_data_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test no_public_data.rego no_public_data_test.rego no_public_data_mock.json

test_no_public_data_account_block_covers_buckets if no_public_data_case("account_block_covers_buckets")

test_no_public_data_all_users_grant if no_public_data_case("all_users_grant")

test_no_public_data_bucket_with_block if no_public_data_case("bucket_with_block")

test_no_public_data_bucket_without_block if no_public_data_case("bucket_without_block")

test_no_public_data_deleted_resource_ignored if no_public_data_case("deleted_resource_ignored")

test_no_public_data_private_rds if no_public_data_case("private_rds")

test_no_public_data_public_canned_acl if no_public_data_case("public_canned_acl")

test_no_public_data_public_rds if no_public_data_case("public_rds")

test_no_public_data_public_redshift_default_on_aws_5 if no_public_data_case("public_redshift_default_on_aws_5")

test_no_public_data_weak_block if no_public_data_case("weak_block")

no_public_data_case(name) if {
	case := data.mock.no_public_data[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
