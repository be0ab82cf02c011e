# no_provisioners: no local-exec, remote-exec or file provisioners anywhere in the configuration.
#
# Provisioners run arbitrary commands on the Scalr runner or on hosts, outside the plan and
# outside policy. They are read from the configuration (root module and every module call),
# so a provisioner is caught whether or not its resource changes in this run.
package terraform

import rego.v1

import input.tfplan as tfplan

deny contains msg if {
	walk(tfplan.configuration.root_module, [path, res])
	count(path) > 1
	path[count(path) - 2] == "resources"
	some provisioner in res.provisioners
	msg := concat("", [
		provisioners_address(path, res.address), ": ", provisioner.type,
		" provisioner; use a resource, a Lambda or the deploy CLI instead",
	])
}

# module.app.module.task.terraform_data.migrate for a resource reached through module calls.
provisioners_address(path, address) := concat(".", array.concat(calls, [address])) if {
	calls := [sprintf("module.%s", [path[i + 1]]) | some i; path[i] == "module_calls"]
}
