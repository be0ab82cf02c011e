package terraform

import rego.v1

# Every case in no_iam_admin_wildcard_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test no_iam_admin_wildcard.rego no_iam_admin_wildcard_test.rego no_iam_admin_wildcard_mock.json

test_no_iam_admin_wildcard_administrator_access_attachment if no_iam_admin_wildcard_case("administrator_access_attachment")

test_no_iam_admin_wildcard_deferred_policy_document if no_iam_admin_wildcard_case("deferred_policy_document")

test_no_iam_admin_wildcard_deny_statement if no_iam_admin_wildcard_case("deny_statement")

test_no_iam_admin_wildcard_policy_unknown_until_apply if no_iam_admin_wildcard_case("policy_unknown_until_apply")

test_no_iam_admin_wildcard_scoped_policy if no_iam_admin_wildcard_case("scoped_policy")

test_no_iam_admin_wildcard_star_in_lists if no_iam_admin_wildcard_case("star_in_lists")

test_no_iam_admin_wildcard_star_on_star if no_iam_admin_wildcard_case("star_on_star")

no_iam_admin_wildcard_case(name) if {
	case := data.mock.no_iam_admin_wildcard[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
