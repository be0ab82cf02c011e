package terraform

import rego.v1

# Every case in encryption_at_rest_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test encryption_at_rest.rego encryption_at_rest_test.rego encryption_at_rest_mock.json

test_encryption_at_rest_bucket_with_configuration_by_name if encryption_at_rest_case("bucket_with_configuration_by_name")

test_encryption_at_rest_bucket_without_configuration if encryption_at_rest_case("bucket_without_configuration")

test_encryption_at_rest_configuration_without_default_rule if encryption_at_rest_case("configuration_without_default_rule")

test_encryption_at_rest_encrypted_rds if encryption_at_rest_case("encrypted_rds")

test_encryption_at_rest_existing_bucket_reports_inline_default if encryption_at_rest_case("existing_bucket_reports_inline_default")

test_encryption_at_rest_unencrypted_redshift if encryption_at_rest_case("unencrypted_redshift")

test_encryption_at_rest_unset_aurora_encryption_is_unknown if encryption_at_rest_case("unset_aurora_encryption_is_unknown")

test_encryption_at_rest_unset_rds_encryption_is_null if encryption_at_rest_case("unset_rds_encryption_is_null")

encryption_at_rest_case(name) if {
	case := data.mock.encryption_at_rest[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
