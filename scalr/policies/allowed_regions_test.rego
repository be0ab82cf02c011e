package terraform

import rego.v1

# Every case in allowed_regions_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test allowed_regions.rego allowed_regions_test.rego allowed_regions_mock.json

test_allowed_regions_literal_allowed_region if allowed_regions_case("literal_allowed_region")

test_allowed_regions_literal_other_region if allowed_regions_case("literal_other_region")

test_allowed_regions_region_from_variable if allowed_regions_case("region_from_variable")

test_allowed_regions_resource_region_on_aws_6 if allowed_regions_case("resource_region_on_aws_6")

allowed_regions_case(name) if {
	case := data.mock.allowed_regions[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
