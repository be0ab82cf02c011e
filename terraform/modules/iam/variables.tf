variable "name_prefix" {
  description = "Prefix of every role name (e.g. campusbot-dev); the Scalr role may only manage roles and policies with this prefix."
  type        = string
}

################################################################################
# Scalr
################################################################################

variable "create_scalr_oidc_role" {
  description = "Whether to create the role Scalr assumes through OIDC to plan and apply the stacks."
  type        = bool
  default     = false
}

variable "create_scalr_oidc_provider" {
  description = "Whether to create the IAM OIDC identity provider for Scalr (one per account; false: pass scalr_oidc_provider_arn)."
  type        = bool
  default     = true
}

variable "scalr_oidc_provider_arn" {
  description = "ARN of an existing Scalr OIDC provider, used when create_scalr_oidc_provider is false."
  type        = string
  default     = null
}

variable "scalr_hostname" {
  description = "Host of the Scalr OIDC issuer; Scalr documents the issuer URL https://scalr.io."
  type        = string
  default     = "scalr.io"
}

variable "scalr_audience" {
  description = "Audience (aud) of the Scalr workload identity token, as set in the Scalr AWS provider configuration."
  type        = string
  default     = "aws.scalr-run-workload"
}

variable "scalr_subjects" {
  description = "Allowed token subjects (sub, StringLike), e.g. account:<account>:environment:campusbot-dev:workspace:*."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.scalr_subjects : startswith(s, "account:")])
    error_message = "Scalr subjects start with account:<account-name>:."
  }
}

variable "scalr_role_managed_policy_names" {
  description = "AWS managed policies (names under arn:aws:iam::aws:policy/) attached to the Scalr role. IAM write is granted separately, limited to the name prefix."
  type        = list(string)
  default     = ["PowerUserAccess"]

  validation {
    condition     = !contains(var.scalr_role_managed_policy_names, "AdministratorAccess")
    error_message = "The Scalr role must not get AdministratorAccess."
  }
}

variable "scalr_extra_role_names" {
  description = "Role names outside the prefix that the Scalr role may manage (the account-wide DMS roles)."
  type        = list(string)
  default     = ["dms-vpc-role", "dms-cloudwatch-logs-role"]
}

variable "scalr_passed_to_services" {
  description = "Services the Scalr role may pass the project's roles to (iam:PassedToService): those whose principals the stacks' roles trust. The regional CloudWatch Logs and DMS principals are added."
  type        = list(string)
  default = [
    "apigateway.amazonaws.com",
    "bedrock.amazonaws.com",
    "dms.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "firehose.amazonaws.com",
    "glue.amazonaws.com",
    "lambda.amazonaws.com",
    "lexv2.amazonaws.com",
    "logs.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "rds.amazonaws.com",
    "redshift.amazonaws.com",
    "redshift-serverless.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
  ]
}

variable "scalr_role_max_session_duration" {
  description = "Maximum session duration of the Scalr role in seconds."
  type        = number
  default     = 3600
}

################################################################################
# ECS
################################################################################

variable "create_ecs_roles" {
  description = "Whether to create the ECS task execution role and task role."
  type        = bool
  default     = false
}

variable "ecs" {
  description = "What the ECS roles may touch: image repositories, log groups, container secrets and their KMS keys, buckets, extra statements and managed policies (map key: static name)."
  type = object({
    ecr_repository_arns = optional(list(string), [])
    log_group_names     = optional(list(string), [])
    secret_arns         = optional(list(string), [])
    kms_key_arns        = optional(list(string), [])
    s3_bucket_arns      = optional(list(string), [])
    policy_arns         = optional(map(string), {})
    statements = optional(list(object({
      sid       = string
      actions   = list(string)
      resources = list(string)
      conditions = optional(list(object({
        test     = string
        variable = string
        values   = list(string)
      })), [])
    })), [])
  })
  default = {}

  validation {
    condition = alltrue([for s in var.ecs.statements :
      !contains(s.actions, "*") && !(contains(s.resources, "*") && anytrue([for a in s.actions : endswith(a, ":*")]))
    ])
    error_message = "No \"*\" action, and no service wildcard action on \"*\" resources."
  }
}

################################################################################
# Lambda
################################################################################

variable "lambda_roles" {
  description = "One execution role per Lambda function (map key: function key). Logs, X-Ray and the DLQ (<function_name>-dlq) are always granted; add VPC ENI management, KMS decrypt, extra statements and managed policies (map key: static name)."
  type = map(object({
    function_name = string
    vpc_access    = optional(bool, false)
    kms_key_arns  = optional(list(string), [])
    policy_arns   = optional(map(string), {})
    statements = optional(list(object({
      sid       = string
      actions   = list(string)
      resources = list(string)
      conditions = optional(list(object({
        test     = string
        variable = string
        values   = list(string)
      })), [])
    })), [])
  }))
  default = {}

  validation {
    condition = alltrue(flatten([for r in var.lambda_roles : [for s in r.statements :
      !contains(s.actions, "*") && !(contains(s.resources, "*") && anytrue([for a in s.actions : endswith(a, ":*")]))
    ]]))
    error_message = "No \"*\" action, and no service wildcard action on \"*\" resources."
  }
}

################################################################################
# DMS
################################################################################

variable "create_dms_roles" {
  description = "Whether to create the DMS S3-target and secret-access roles."
  type        = bool
  default     = false
}

variable "create_dms_service_roles" {
  description = "Whether to also create the account-wide dms-vpc-role and dms-cloudwatch-logs-role (false when the account already has them)."
  type        = bool
  default     = true
}

variable "dms" {
  description = "What DMS may touch: the lake bucket ARN and prefix it writes, the source secret ARNs and the KMS keys involved."
  type = object({
    s3_bucket_arn = optional(string)
    s3_prefix     = optional(string, "dms/")
    secret_arns   = optional(list(string), [])
    kms_key_arns  = optional(list(string), [])
  })
  default = {}
}

################################################################################
# Lex
################################################################################

variable "create_lex_bot_role" {
  description = "Whether to create the Lex V2 bot's service role."
  type        = bool
  default     = false
}

variable "lex_conversation_log_group_name" {
  description = "Name of the log group receiving the bot's text conversation logs."
  type        = string
  default     = "/aws/lex/campusbot"
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
