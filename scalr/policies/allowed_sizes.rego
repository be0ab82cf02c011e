# allowed_sizes: database, warehouse and Fargate sizes stay within what each environment needs.
#
# The environment type comes from the run: the Scalr workspace type (tfrun.workspace.environment_type:
# production -> prod, development/testing/staging -> dev), else the Scalr environment name
# (tfrun.environment.name, e.g. campusbot-prod), else the stacks' `env` variable. An environment that none of
# them names counts as prod.
#
# Checked: aws_db_instance / aws_rds_cluster_instance instance_class, Aurora Serverless v2
# max_capacity (ACUs), aws_redshift_cluster node_type, aws_redshiftserverless_workgroup
# base_capacity (RPUs), and the task-level cpu / memory of Fargate aws_ecs_task_definition.
package terraform

import rego.v1

import input.tfplan as tfplan

sizes_rds_classes := {
	"dev": {"db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.serverless"},
	"prod": {
		"db.t4g.medium", "db.t4g.large",
		"db.m7g.large", "db.m7g.xlarge", "db.r7g.large", "db.r7g.xlarge",
		"db.serverless",
	},
}

sizes_aurora_max_acu := {"dev": 4, "prod": 32}

sizes_redshift_nodes := {"dev": {"ra3.large"}, "prod": {"ra3.large", "ra3.xlplus"}}

sizes_redshift_serverless_base_rpu := {"dev": 8, "prod": 32}

# Fargate task size ceilings: cpu units and MiB.
sizes_fargate_max := {"dev": {"cpu": 1024, "memory": 2048}, "prod": {"cpu": 4096, "memory": 8192}}

sizes_env := env if {
	env := sizes_env_of(input.tfrun.workspace.environment_type)
} else := env if {
	env := sizes_env_of(input.tfrun.environment.name)
} else := env if {
	env := sizes_env_of(tfplan.variables.env.value)
} else := "prod"

sizes_env_of(name) := "prod" if sizes_env_word(name) in {"production", "prod"}

sizes_env_of(name) := "dev" if sizes_env_word(name) in {"development", "dev", "testing", "test", "staging", "stage"}

# "production", "prod" or a prefixed name such as "campusbot-prod": the last dash-separated word.
sizes_env_word(name) := word if {
	is_string(name)
	words := split(lower(name), "-")
	word := words[count(words) - 1]
}

sizes_resources contains rc if {
	some rc in tfplan.resource_changes
	rc.mode == "managed"
	rc.change.after != null
}

deny contains msg if {
	some rc in sizes_resources
	rc.type in {"aws_db_instance", "aws_rds_cluster_instance"}
	class := rc.change.after.instance_class
	is_string(class)
	not class in sizes_rds_classes[sizes_env]
	msg := concat("", [
		sprintf("%s: instance class %s is not allowed in %s (allowed: ", [rc.address, class, sizes_env]),
		concat(", ", sort(sizes_rds_classes[sizes_env])), ")",
	])
}

deny contains msg if {
	some rc in sizes_resources
	rc.type == "aws_rds_cluster"
	some scaling in rc.change.after.serverlessv2_scaling_configuration
	scaling.max_capacity > sizes_aurora_max_acu[sizes_env]
	msg := sprintf(
		"%s: Aurora Serverless v2 max_capacity %v ACU is above the %s ceiling of %v",
		[rc.address, scaling.max_capacity, sizes_env, sizes_aurora_max_acu[sizes_env]],
	)
}

deny contains msg if {
	some rc in sizes_resources
	rc.type == "aws_redshift_cluster"
	node := rc.change.after.node_type
	not node in sizes_redshift_nodes[sizes_env]
	msg := concat("", [
		sprintf("%s: Redshift node type %s is not allowed in %s (allowed: ", [rc.address, node, sizes_env]),
		concat(", ", sort(sizes_redshift_nodes[sizes_env])), ")",
	])
}

deny contains msg if {
	some rc in sizes_resources
	rc.type == "aws_redshiftserverless_workgroup"
	rc.change.after.base_capacity > sizes_redshift_serverless_base_rpu[sizes_env]
	msg := sprintf(
		"%s: Redshift Serverless base_capacity %v RPU is above the %s ceiling of %v",
		[rc.address, rc.change.after.base_capacity, sizes_env, sizes_redshift_serverless_base_rpu[sizes_env]],
	)
}

deny contains msg if {
	some rc in sizes_resources
	rc.type == "aws_ecs_task_definition"
	"FARGATE" in rc.change.after.requires_compatibilities
	some dimension in ["cpu", "memory"]
	value := to_number(rc.change.after[dimension])
	value > sizes_fargate_max[sizes_env][dimension]
	msg := sprintf(
		"%s: Fargate task %s %v is above the %s ceiling of %v",
		[rc.address, dimension, value, sizes_env, sizes_fargate_max[sizes_env][dimension]],
	)
}
