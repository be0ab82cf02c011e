package terraform

import rego.v1

# Every case in allowed_sizes_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test allowed_sizes.rego allowed_sizes_test.rego allowed_sizes_mock.json

test_allowed_sizes_aurora_serverless_ceiling if allowed_sizes_case("aurora_serverless_ceiling")

test_allowed_sizes_ec2_task_not_fargate if allowed_sizes_case("ec2_task_not_fargate")

test_allowed_sizes_environment_from_scalr_environment_name if allowed_sizes_case("environment_from_scalr_environment_name")

test_allowed_sizes_environment_from_stack_variable if allowed_sizes_case("environment_from_stack_variable")

test_allowed_sizes_large_fargate_in_dev if allowed_sizes_case("large_fargate_in_dev")

test_allowed_sizes_large_rds_in_dev if allowed_sizes_case("large_rds_in_dev")

test_allowed_sizes_large_rds_in_prod if allowed_sizes_case("large_rds_in_prod")

test_allowed_sizes_redshift_node_type if allowed_sizes_case("redshift_node_type")

test_allowed_sizes_redshift_serverless_base if allowed_sizes_case("redshift_serverless_base")

test_allowed_sizes_small_fargate_in_dev if allowed_sizes_case("small_fargate_in_dev")

test_allowed_sizes_unknown_environment_counts_as_prod if allowed_sizes_case("unknown_environment_counts_as_prod")

test_allowed_sizes_unlisted_rds_in_prod if allowed_sizes_case("unlisted_rds_in_prod")

allowed_sizes_case(name) if {
	case := data.mock.allowed_sizes[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
