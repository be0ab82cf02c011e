variable "env" {
  description = "Environment name (dev, prod, ...): part of every resource name and of the SSM prefix /campusbot/<env>/."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.env))
    error_message = "env must be 2-10 lower-case letters or digits, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the deployment."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Extra tags for every resource (Project, Environment, Stack and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the CloudWatch log groups in days."
  type        = number
  default     = 365
}

variable "lambda_artifacts" {
  description = "Zip artifacts built by the CLI, by function key (this stack reads lex_proxy and authorizer): a local path or an S3 location, and the base64 SHA-256 of the zip."
  type = map(object({
    path      = optional(string)
    s3_bucket = optional(string)
    s3_key    = optional(string)
    hash      = string
  }))

  validation {
    condition     = contains(keys(var.lambda_artifacts), "lex_proxy") && contains(keys(var.lambda_artifacts), "authorizer")
    error_message = "lambda_artifacts needs the lex_proxy and authorizer artifacts."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency per function key (-1: unreserved; new accounts with a concurrency quota of 10 cannot reserve any)."
  type        = map(number)
  default = {
    lex_proxy = 20
  }
}

variable "create_lex_bot" {
  description = "Whether to create the Lex V2 bot (false where Lex is unavailable, e.g. against moto; the bot_id/bot_alias_id variables then name an existing bot)."
  type        = bool
  default     = true
}

variable "bot_template_path" {
  description = "Path of the bot's CloudFormation template. null: src/campusbot/bot/bot.template.json of this repository (rendered from definition.yaml)."
  type        = string
  default     = null
}

variable "lex_slot_type_values" {
  description = "Values of the bot template's values_from: database slot types by name; the deploy step fills UniversityName from the data."
  type = map(list(object({
    value    = string
    synonyms = optional(list(string), [])
  })))
  default = {}
}

variable "lex_alias_name" {
  description = "Name of the bot alias the runtime calls."
  type        = string
  default     = "live"
}

variable "bot_id" {
  description = "ID of an existing bot, used only when create_lex_bot is false."
  type        = string
  default     = null
}

variable "bot_alias_id" {
  description = "Alias ID of an existing bot, used only when create_lex_bot is false."
  type        = string
  default     = null
}

variable "api_stage_name" {
  description = "Stage of the chat API."
  type        = string
  default     = "v1"
}

variable "api_cors_allow_origin" {
  description = "Origin allowed to call the chat API from a browser (* for any); empty: the web chat's CloudFront URL (module web), or * without it."
  type        = string
  default     = ""
}

variable "create_web" {
  description = "Whether to create the web chat's bucket and CloudFront distribution (module web)."
  type        = bool
  default     = true
}

variable "web_widget_hosts" {
  description = "Origins whose pages may embed the chat widget (CSP frame-ancestors), e.g. [\"https://www.university.example\"]."
  type        = list(string)
  default     = []
}

variable "web_connect_origins" {
  description = "Origins the web chat may call besides the chat API and Cognito of the stack's region (e.g. a custom API domain)."
  type        = list(string)
  default     = []
}

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second of the chat API."
  type        = number
  default     = 20
}

variable "api_throttling_burst_limit" {
  description = "Request burst of the chat API."
  type        = number
  default     = 40
}

variable "api_quota_per_day" {
  description = "Requests per day per API key."
  type        = number
  default     = 20000
}

variable "apigw_create_account_role" {
  description = "Whether this stack sets the account's API Gateway CloudWatch role (once per account and region)."
  type        = bool
  default     = true
}

variable "create_waf" {
  description = "Whether to put a WAF web ACL (managed rules, per-IP rate limit) in front of the chat API."
  type        = bool
  default     = true
}

variable "alarm_email_addresses" {
  description = "Email addresses that receive the alarms."
  type        = list(string)
  default     = []
}

variable "cognito_password_minimum_length" {
  description = "Shortest password of the students' user pool."
  type        = number
  default     = 12
}

variable "cognito_id_token_validity_minutes" {
  description = "Lifetime of the ID tokens the chat accepts, in minutes."
  type        = number
  default     = 60
}

variable "cognito_access_token_validity_minutes" {
  description = "Lifetime of access tokens, in minutes."
  type        = number
  default     = 60
}

variable "cognito_refresh_token_validity_days" {
  description = "Lifetime of refresh tokens, in days."
  type        = number
  default     = 30
}

variable "cognito_allow_password_auth" {
  description = "Whether the app client accepts USER_PASSWORD_AUTH (`platform chat --as`)."
  type        = bool
  default     = true
}

variable "cognito_self_sign_up" {
  description = "Whether students may sign themselves up (false: administrators create users)."
  type        = bool
  default     = false
}

variable "cognito_deletion_protection" {
  description = "Whether the user pool refuses deletion."
  type        = bool
  default     = false
}

variable "cognito_jwks_cache_seconds" {
  description = "How long the authorizer keeps the pool's signing keys (JWKS) between invocations."
  type        = number
  default     = 3600
}
