package terraform

import rego.v1

# Every case in cloudwatch_logs_kms_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test cloudwatch_logs_kms.rego cloudwatch_logs_kms_test.rego cloudwatch_logs_kms_mock.json

test_cloudwatch_logs_kms_key_known_at_apply if cloudwatch_logs_kms_case("key_known_at_apply")

test_cloudwatch_logs_kms_known_key if cloudwatch_logs_kms_case("known_key")

test_cloudwatch_logs_kms_no_key if cloudwatch_logs_kms_case("no_key")

cloudwatch_logs_kms_case(name) if {
	case := data.mock.cloudwatch_logs_kms[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
