package terraform

import rego.v1

# opa test scalr/policies/no_provisioners.rego scalr/policies/no_provisioners_test.rego scalr/policies/no_provisioners_mock.json
# Every case in no_provisioners_mock.json is a plan-shaped input and the exact messages deny must give.

test_no_provisioners_local_exec_in_module if no_provisioners_case("local_exec_in_module")

test_no_provisioners_no_provisioners if no_provisioners_case("no_provisioners")

test_no_provisioners_remote_exec_and_file_in_root if no_provisioners_case("remote_exec_and_file_in_root")

no_provisioners_case(name) if {
	case := data.mock.no_provisioners[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
