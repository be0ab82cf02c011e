variable "create" {
  description = "Whether to create the API."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the REST API (also of its usage plan, key, log group and CloudWatch role)."
  type        = string
}

variable "description" {
  description = "Description of the REST API."
  type        = string
  default     = "campusbot chat API: POST /chat"
}

variable "lambda_function_name" {
  description = "Name of the Lambda function behind POST /chat (lex_proxy)."
  type        = string
}

variable "lambda_invoke_arn" {
  description = "Invoke ARN of the Lambda function behind POST /chat."
  type        = string
}

variable "authorizer_function_name" {
  description = "Name of the Lambda REQUEST authorizer of POST /chat (campusbot.lambdas.authorizer). null: no authorizer."
  type        = string
  default     = null
}

variable "authorizer_invoke_arn" {
  description = "Invoke ARN of that authorizer Lambda (with authorizer_function_name)."
  type        = string
  default     = null
}

variable "stage_name" {
  description = "Name of the stage."
  type        = string
  default     = "v1"
}

variable "cors_allow_origin" {
  description = "Value of Access-Control-Allow-Origin for browsers (the web client's origin; * allows any)."
  type        = string
  default     = "*"
}

variable "max_message_length" {
  description = "Longest accepted chat message, in characters (request validation)."
  type        = number
  default     = 2000
}

variable "integration_timeout_ms" {
  description = "Timeout of the Lambda integration in milliseconds (at most 29000 by default quota)."
  type        = number
  default     = 29000
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second (stage and usage plan)."
  type        = number
  default     = 20
}

variable "throttling_burst_limit" {
  description = "Burst of requests (stage and usage plan)."
  type        = number
  default     = 40
}

variable "quota_per_day" {
  description = "Requests per day per API key."
  type        = number
  default     = 20000
}

variable "logging_level" {
  description = "Execution logging level of the stage: OFF, ERROR or INFO."
  type        = string
  default     = "ERROR"
}

variable "create_account_cloudwatch_role" {
  description = "Whether to create the account-level API Gateway CloudWatch role (one per account and region; needed for execution logs)."
  type        = bool
  default     = true
}

variable "create_waf_web_acl" {
  description = "Whether to create a WAFv2 web ACL (managed rule groups and a per-IP rate limit) for the stage."
  type        = bool
  default     = true
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests per client IP per 5 minutes above which WAF blocks the IP."
  type        = number
  default     = 1000
}

variable "waf_web_acl_arn" {
  description = "ARN of an existing WAFv2 web ACL (REGIONAL) to associate instead, when create_waf_web_acl is false. null: no WAF."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Retention of the access log group in days."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "KMS key encrypting the access log group."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
