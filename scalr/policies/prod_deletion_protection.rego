# prod_deletion_protection: production databases cannot be deleted by accident.
#
# In prod, aws_db_instance and aws_rds_cluster need deletion_protection = true and keep a final
# snapshot (skip_final_snapshot = false). Aurora cluster instances inherit the cluster's setting.
# The environment type is resolved as in allowed_sizes: the Scalr workspace type, else the Scalr
# environment name, else the stacks' `env` variable; an unnamed environment counts as prod.
package terraform

import rego.v1

import input.tfplan as tfplan

protection_env := env if {
	env := protection_env_of(input.tfrun.workspace.environment_type)
} else := env if {
	env := protection_env_of(input.tfrun.environment.name)
} else := env if {
	env := protection_env_of(tfplan.variables.env.value)
} else := "prod"

protection_env_of(name) := "prod" if protection_env_word(name) in {"production", "prod"}

protection_env_of(name) := "dev" if protection_env_word(name) in {"development", "dev", "testing", "test", "staging", "stage"}

# "production", "prod" or a prefixed name such as "campusbot-prod": the last dash-separated word.
protection_env_word(name) := word if {
	is_string(name)
	words := split(lower(name), "-")
	word := words[count(words) - 1]
}

protection_databases contains rc if {
	protection_env == "prod"
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.type in {"aws_db_instance", "aws_rds_cluster"}
	rc.change.after != null
}

deny contains msg if {
	some rc in protection_databases
	not rc.change.after.deletion_protection == true
	msg := sprintf("%s: deletion_protection must be true in prod", [rc.address])
}

deny contains msg if {
	some rc in protection_databases
	rc.change.after.skip_final_snapshot == true
	msg := sprintf("%s: skip_final_snapshot must be false in prod", [rc.address])
}
