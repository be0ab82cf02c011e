output "environment_ids" {
  description = "Scalr environment id per environment key (dev, prod)."
  value       = { for key, env in scalr_environment.this : key => env.id }
}

output "environment_names" {
  description = "Scalr environment name per environment key; the `organization` of a remote backend."
  value       = { for key, env in scalr_environment.this : key => env.name }
}

output "workspace_ids" {
  description = "Workspace id per <env>/<layer>."
  value       = { for key, ws in scalr_workspace.stack : key => ws.id }
}

output "workspace_names" {
  description = "Workspace name per <env>/<layer>, as the deploy CLI looks them up."
  value       = { for key, ws in scalr_workspace.stack : key => ws.name }
}

output "stack_order" {
  description = "Stack layers in apply order (destroy runs in reverse)."
  value       = local.layers
}

output "provider_configuration_ids" {
  description = "AWS OIDC provider configuration id per environment key."
  value       = { for key, pcfg in scalr_provider_configuration.aws : key => pcfg.id }
}

output "aws_oidc_subjects" {
  description = "Per environment, the token subject to trust: pass it as scalr_subjects to terraform/modules/iam."
  value = {
    for key, env in scalr_environment.this :
    key => "account:${local.account_name}:environment:${env.name}:workspace:${var.name_prefix}-${key}-*"
  }
}

output "policy_group_id" {
  description = "Id of the policy group that enforces scalr/policies."
  value       = scalr_policy_group.guardrails.id
}

output "checkov_integration_id" {
  description = "Id of the Checkov integration."
  value       = scalr_checkov_integration.this.id
}
