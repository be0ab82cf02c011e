# monthly_cost_cap: a run may not raise a workspace's estimated monthly cost above its cap.
#
# Reads tfrun.cost_estimate.proposed_monthly_cost (USD), which Scalr fills when cost estimation
# is on; a run without an estimate is not judged here. Caps per environment type, resolved as in
# allowed_sizes (Scalr workspace type, else environment name, else the stacks' `env` variable;
# unnamed counts as prod). Soft-mandatory: an approver can override a deliberate increase.
package terraform

import rego.v1

cost_caps := {"dev": 150, "prod": 1500}

cost_env := env if {
	env := cost_env_of(input.tfrun.workspace.environment_type)
} else := env if {
	env := cost_env_of(input.tfrun.environment.name)
} else := env if {
	env := cost_env_of(input.tfplan.variables.env.value)
} else := "prod"

cost_env_of(name) := "prod" if cost_env_word(name) in {"production", "prod"}

cost_env_of(name) := "dev" if cost_env_word(name) in {"development", "dev", "testing", "test", "staging", "stage"}

# "production", "prod" or a prefixed name such as "campusbot-prod": the last dash-separated word.
cost_env_word(name) := word if {
	is_string(name)
	words := split(lower(name), "-")
	word := words[count(words) - 1]
}

deny contains msg if {
	estimate := input.tfrun.cost_estimate
	proposed := to_number(estimate.proposed_monthly_cost)
	proposed > cost_caps[cost_env]
	msg := sprintf("proposed monthly cost $%v is above the %s cap of $%v (now $%v, change $%v)", [
		cost_cents(proposed),
		cost_env,
		cost_caps[cost_env],
		cost_cents(object.get(estimate, "prior_monthly_cost", 0)),
		cost_cents(object.get(estimate, "delta_monthly_cost", 0)),
	])
}

# Dollars rounded to cents; printed with %v, which every Rego engine formats the same way.
cost_cents(amount) := round(to_number(amount) * 100) / 100
