variable "scalr_hostname" {
  description = "Host of the Scalr account, <account-name>.scalr.io; the first label is the account name used in OIDC subjects."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*(\\.[a-z0-9-]+)+$", var.scalr_hostname))
    error_message = "scalr_hostname is a bare host name such as campusbot.scalr.io (no scheme, no path)."
  }
}

variable "account_id" {
  description = "Scalr account that owns every object, acc-<id>."
  type        = string

  validation {
    condition     = startswith(var.account_id, "acc-")
    error_message = "account_id looks like acc-xxxxxxxxxx."
  }
}

variable "name_prefix" {
  description = "Prefix of every Scalr object name: environments <prefix>-dev and <prefix>-prod, workspaces <prefix>-<env>-<layer>."
  type        = string
  default     = "campusbot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix is lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "vcs_provider_id" {
  description = "Scalr VCS provider (vcs-<id>) that reaches the campusbot repository; the policy group syncs scalr/policies through it (the stack workspaces are CLI-driven)."
  type        = string

  validation {
    condition     = startswith(var.vcs_provider_id, "vcs-")
    error_message = "vcs_provider_id looks like vcs-xxxxxxxxxx."
  }
}

variable "vcs_repo_identifier" {
  description = "Repository of the campusbot code as the VCS provider names it, <org>/<repo>."
  type        = string

  validation {
    condition     = can(regex("^[^/\\s]+(/[^/\\s]+)+$", var.vcs_repo_identifier))
    error_message = "vcs_repo_identifier is <org>/<repo> (Azure DevOps: <org>/<project>/<repo>)."
  }
}

variable "vcs_branch" {
  description = "Branch the policy group follows."
  type        = string
  default     = "main"
}

variable "opentofu_version" {
  description = "Exact OpenTofu version of every stack workspace. Scalr runs Terraform only up to 1.5.7 (the last MPL release) and OpenTofu after it; the stacks need 1.10+ (S3 lockfile). Check what the account offers: GET /api/iacp/v3/software-versions?filter[software-type]=opentofu."
  type        = string
  default     = "1.10.6"

  validation {
    condition     = can(regex("^1\\.(1[0-9]|[2-9][0-9])\\.[0-9]+$", var.opentofu_version))
    error_message = "opentofu_version is an exact OpenTofu release, 1.10.0 or later (the stacks' required_version and S3 lockfile)."
  }
}

variable "aws_oidc_role_arns" {
  description = "Per environment (dev, prod), the IAM role Scalr assumes through OIDC: the scalr_oidc_role_arn output of terraform/modules/iam in that AWS account."
  type        = map(string)

  validation {
    condition     = alltrue([for env in ["dev", "prod"] : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", lookup(var.aws_oidc_role_arns, env, "")))])
    error_message = "aws_oidc_role_arns needs a role ARN for both dev and prod."
  }
}

variable "aws_oidc_audience" {
  description = "Audience (aud) of the Scalr workload identity token; must match scalr_audience of terraform/modules/iam."
  type        = string
  default     = "aws.scalr-run-workload"
}

variable "environment_terraform_variables" {
  description = "Extra Terraform variables per environment (dev, prod), set at environment scope and final (no workspace of the environment can set another value)."
  type        = map(map(string))
  default     = {}

  validation {
    condition     = alltrue([for env in keys(var.environment_terraform_variables) : contains(["dev", "prod"], env)])
    error_message = "environment_terraform_variables is keyed by dev and prod."
  }
}

variable "opa_version" {
  description = "OPA version of the policy group, pinned (Scalr's default could be older than the policies). Every policy is Rego v1 with `import rego.v1`: OPA 0.59 or later. Check what the account offers: GET /api/iacp/v3/software-versions?filter[software-type]=opa."
  type        = string
  default     = "1.4.2"

  validation {
    condition     = can(regex("^(0\\.(59|[6-9][0-9])|[1-9][0-9]*\\.[0-9]+)\\.[0-9]+$", var.opa_version))
    error_message = "opa_version is an exact OPA release, 0.59.0 or later (import rego.v1)."
  }
}

variable "checkov_version" {
  description = "Checkov version Scalr runs before terraform init; null takes Scalr's default."
  type        = string
  default     = null
}

variable "checkov_cli_args" {
  description = "Arguments Scalr passes to checkov. Exceptions belong in the code as #checkov:skip=<ID>:<reason> comments, as `make validate` expects."
  type        = string
  default     = "--framework terraform --compact --quiet"
}

variable "run_operation_timeout" {
  description = "Minutes a plan or apply may run before Scalr stops it."
  type        = number
  default     = 60

  validation {
    condition     = var.run_operation_timeout >= 10 && var.run_operation_timeout <= 720
    error_message = "run_operation_timeout is between 10 and 720 minutes."
  }
}
