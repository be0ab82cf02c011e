# Scalr for campusbot: two environments, one workspace per stack and environment, AWS credentials
# through OIDC, the OPA policy group of scalr/policies and Checkov.
#
# One orchestrator per run: the workspaces are CLI-driven (no VCS binding, no run triggers, no
# automatic runs). `platform deploy --via scalr` builds the image and the Lambda zips, uploads each
# stack's configuration with them and queues the runs in stack order itself (README: "Why CLI-driven").

locals {
  # Stacks in apply order; each one reads what the ones before it wrote (SSM /campusbot/<env>/...).
  layers = ["foundation", "data", "app", "conversation", "analytics"]

  environments = {
    dev  = { type = "development", auto_apply = true }
    prod = { type = "production", auto_apply = false }
  }

  workspaces = {
    for pair in setproduct(keys(local.environments), local.layers) : "${pair[0]}/${pair[1]}" => {
      env   = pair[0]
      layer = pair[1]
      name  = "${var.name_prefix}-${pair[0]}-${pair[1]}"
    }
  }

  # `env` is the variable every stack declares (and names its resources and SSM prefix with).
  environment_terraform_variables = merge([
    for env in keys(local.environments) : {
      for key, value in merge({ env = env }, lookup(var.environment_terraform_variables, env, {})) :
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
  iac_platform      = "opentofu"
  terraform_version = var.opentofu_version
  working_directory = "terraform/stacks/${each.value.layer}"
  var_files         = ["terraform/environments/${each.value.env}.tfvars"]

  type       = local.environments[each.value.env].type
  auto_apply = local.environments[each.value.env].auto_apply
  # Runs start only when the CLI queues them (POST /runs after its upload), never by themselves.
  auto_queue_runs       = "never"
  run_operation_timeout = var.run_operation_timeout
  tag_ids               = [scalr_tag.project.id]

  # Deleting a workspace that still holds resources is refused (the provider's default, stated).
  deletion_protection_enabled = true

  # No vcs_provider_id / vcs_repo: a push does not start a run here (see the header).

  provider_configuration {
    id = scalr_provider_configuration.aws[each.value.env].id
  }
}

# Environment-scoped Terraform variables, final so that no workspace of the environment can set
# another value: env = "dev" / "prod" (the stacks' variable), plus environment_terraform_variables.
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
