package terraform

import rego.v1

# Every case in no_provisioners_mock.json is a plan-shaped input and the exact messages deny must give.
# Run one policy at a time, as Scalr evaluates them (from scalr/policies):
#   opa test no_provisioners.rego no_provisioners_test.rego no_provisioners_mock.json

test_no_provisioners_local_exec_in_module if no_provisioners_case("local_exec_in_module")

test_no_provisioners_no_provisioners if no_provisioners_case("no_provisioners")

test_no_provisioners_remote_exec_and_file_in_root if no_provisioners_case("remote_exec_and_file_in_root")

no_provisioners_case(name) if {
	case := data.mock.no_provisioners[name]
	deny == {msg | some msg in case.deny} with input as case.input
}
