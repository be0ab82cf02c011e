package terraform

import rego.v1

# Every case in prod_deletion_protection_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test prod_deletion_protection.rego prod_deletion_protection_test.rego prod_deletion_protection_mock.json

test_prod_deletion_protection_dev_db if prod_deletion_protection_case("dev_db")

test_prod_deletion_protection_environment_from_stack_variable if prod_deletion_protection_case("environment_from_stack_variable")

test_prod_deletion_protection_prefixed_environment_name if prod_deletion_protection_case("prefixed_environment_name")

test_prod_deletion_protection_protected_prod_db if prod_deletion_protection_case("protected_prod_db")

test_prod_deletion_protection_unprotected_prod_db if prod_deletion_protection_case("unprotected_prod_db")

test_prod_deletion_protection_workspace_type_before_environment_name if prod_deletion_protection_case("workspace_type_before_environment_name")

prod_deletion_protection_case(name) if {
	case := data.mock.prod_deletion_protection[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
