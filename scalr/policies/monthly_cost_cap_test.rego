package terraform

import rego.v1

# Every case in monthly_cost_cap_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test monthly_cost_cap.rego monthly_cost_cap_test.rego monthly_cost_cap_mock.json

test_monthly_cost_cap_above_dev_cap if monthly_cost_cap_case("above_dev_cap")

test_monthly_cost_cap_above_prod_cap if monthly_cost_cap_case("above_prod_cap")

test_monthly_cost_cap_no_estimate if monthly_cost_cap_case("no_estimate")

test_monthly_cost_cap_prefixed_environment_name if monthly_cost_cap_case("prefixed_environment_name")

test_monthly_cost_cap_under_dev_cap if monthly_cost_cap_case("under_dev_cap")

test_monthly_cost_cap_under_prod_cap if monthly_cost_cap_case("under_prod_cap")

monthly_cost_cap_case(name) if {
	case := data.mock.monthly_cost_cap[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
