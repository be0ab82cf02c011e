# Scalr for campusbot: two environments, one workspace per stack and environment, run triggers in
# stack order, AWS credentials through OIDC, the OPA policy group of scalr/policies and Checkov.

locals {
  # Stacks in apply order; each one reads what the ones before it wrote (SSM /campusbot/<env>/...).
  layers = ["foundation", "data", "app", "conversation", "analytics"]

  environments = {
    dev  = { type = "development", auto_apply = true }
    prod = { type = "production", auto_apply = false }
  }

  # Files outside the stack folders that a stack reads: the conversation stack deploys the bot's
  # CloudFormation template (rendered from definition.yaml by `platform bot render`).
  extra_trigger_paths = {
    conversation = ["/src/campusbot/bot/bot.template.json"]
  }

  workspaces = {
    for pair in setproduct(keys(local.environments), local.layers) : "${pair[0]}/${pair[1]}" => {
      env   = pair[0]
      layer = pair[1]
      name  = "${var.name_prefix}-${pair[0]}-${pair[1]}"
      trigger_patterns = join("\n", concat(
        [
          "/terraform/stacks/${pair[1]}/**",
          "/terraform/modules/**",
          "/terraform/environments/${pair[0]}.tfvars",
        ],
        lookup(local.extra_trigger_paths, pair[1], []),
      ))
    }
  }

  # foundation -> data -> app -> conversation -> analytics, within each environment.
  run_triggers = {
    for pair in setproduct(keys(local.environments), range(length(local.layers) - 1)) :
    "${pair[0]}/${local.layers[pair[1]]}->${local.layers[pair[1] + 1]}" => {
      upstream   = "${pair[0]}/${local.layers[pair[1]]}"
      downstream = "${pair[0]}/${local.layers[pair[1] + 1]}"
    }
  }

  environment_terraform_variables = merge([
    for env in keys(local.environments) : {
      for key, value in merge({ environment = env }, lookup(var.environment_terraform_variables, env, {})) :
      "${env}/${key}" => { env = env, key = key, value = value }
    }
  ]...)

  account_name = split(".", var.scalr_hostname)[0]
}

resource "scalr_tag" "project" {
  name       = var.name_prefix
  account_id = var.account_id
}

resource "scalr_environment" "this" {
  for_each = local.environments

  name       = "${var.name_prefix}-${each.key}"
  account_id = var.account_id
  tag_ids    = [scalr_tag.project.id]
}

# One AWS provider configuration per environment (each may be its own AWS account): Scalr signs a
# workload identity token per run and the run assumes the iam module's Scalr role with it.
resource "scalr_provider_configuration" "aws" {
  for_each = local.environments

  name                   = "${var.name_prefix}-${each.key}-aws-oidc"
  account_id             = var.account_id
  environments           = [scalr_environment.this[each.key].id]
  export_shell_variables = false
  tag_ids                = [scalr_tag.project.id]

  aws {
    account_type     = "regular"
    credentials_type = "oidc"
    role_arn         = var.aws_oidc_role_arns[each.key]
    audience         = var.aws_oidc_audience
  }
}

resource "scalr_workspace" "stack" {
  for_each = local.workspaces

  name              = each.value.name
  environment_id    = scalr_environment.this[each.value.env].id
  iac_platform      = var.iac_platform
  terraform_version = var.terraform_version
  working_directory = "terraform/stacks/${each.value.layer}"
  var_files         = ["terraform/environments/${each.value.env}.tfvars"]

  type                  = local.environments[each.value.env].type
  auto_apply            = local.environments[each.value.env].auto_apply
  auto_queue_runs       = "always"
  run_operation_timeout = var.run_operation_timeout
  tag_ids               = [scalr_tag.project.id]

  # Deleting a workspace that still holds resources is refused (the provider's default, stated).
  deletion_protection_enabled = true

  vcs_provider_id = var.vcs_driven_workspaces ? var.vcs_provider_id : null

  dynamic "vcs_repo" {
    for_each = var.vcs_driven_workspaces ? [1] : []
    content {
      identifier       = var.vcs_repo_identifier
      branch           = var.vcs_branch
      dry_runs_enabled = true
      trigger_patterns = each.value.trigger_patterns
    }
  }

  provider_configuration {
    id = scalr_provider_configuration.aws[each.value.env].id
  }
}

resource "scalr_run_trigger" "stack_order" {
  for_each = local.run_triggers

  upstream_id   = scalr_workspace.stack[each.value.upstream].id
  downstream_id = scalr_workspace.stack[each.value.downstream].id
}

# Environment-scoped Terraform variables, final so that no tfvars file can point a prod workspace
# at dev (or the reverse).
resource "scalr_variable" "environment" {
  for_each = local.environment_terraform_variables

  key            = each.value.key
  value          = each.value.value
  category       = "terraform"
  final          = true
  environment_id = scalr_environment.this[each.value.env].id
  description    = "Set by scalr/ for the ${each.value.env} environment."
}

# The policies of scalr/policies (scalr-policy.hcl sets each one's enforcement level), enforced on
# every run of both environments.
resource "scalr_policy_group" "guardrails" {
  name            = "${var.name_prefix}-guardrails"
  account_id      = var.account_id
  opa_version     = var.opa_version
  vcs_provider_id = var.vcs_provider_id
  environments    = [for env in scalr_environment.this : env.id]

  vcs_repo {
    identifier = var.vcs_repo_identifier
    branch     = var.vcs_branch
    path       = "scalr/policies"
  }
}

# Checkov scans the configuration before terraform init in every run of both environments.
resource "scalr_checkov_integration" "this" {
  name         = "${var.name_prefix}-checkov"
  cli_args     = var.checkov_cli_args
  version      = var.checkov_version
  environments = [for env in scalr_environment.this : env.id]
}
