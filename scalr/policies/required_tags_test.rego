package terraform

import rego.v1

# Every case in required_tags_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test required_tags.rego required_tags_test.rego required_tags_mock.json

test_required_tags_empty_value if required_tags_case("empty_value")

test_required_tags_entirely_unknown_tags_skipped if required_tags_case("entirely_unknown_tags_skipped")

test_required_tags_owner_missing if required_tags_case("owner_missing")

test_required_tags_tags_all_complete if required_tags_case("tags_all_complete")

test_required_tags_unknown_tags_all_with_provider_defaults if required_tags_case("unknown_tags_all_with_provider_defaults")

test_required_tags_unknown_tags_all_without_defaults if required_tags_case("unknown_tags_all_without_defaults")

test_required_tags_untaggable_resource if required_tags_case("untaggable_resource")

test_required_tags_value_known_at_apply if required_tags_case("value_known_at_apply")

required_tags_case(name) if {
	case := data.mock.required_tags[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
