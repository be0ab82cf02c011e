variable "create" {
  description = "Whether to create the bot (false: nothing is created and the outputs are null, e.g. against moto)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the bot and of its CloudFormation stack, e.g. campusbot-dev."
  type        = string
}

variable "template_path" {
  description = "Path of the bot's CloudFormation template, rendered from src/campusbot/bot/definition.yaml by `platform bot render` (src/campusbot/bot/bot.template.json)."
  type        = string
}

variable "template_bucket" {
  description = "Bucket the template is uploaded to and deployed from (template_url, CloudFormation's 1 MB limit): private, encrypted and versioned, in the stack's region. null: the template is sent inline (template_body, 51,200 bytes)."
  type        = string
  default     = null
}

variable "template_key_prefix" {
  description = "Key prefix of the uploaded template (then <name>/bot-<hash of the body>.template.json)."
  type        = string
  default     = "lex"
}

variable "template_kms_key_arn" {
  description = "KMS key the uploaded template is encrypted with (SSE-KMS). null: SSE-S3. The identity that deploys the stack (or cloudformation_role_arn) needs s3:GetObject on the object and kms:Decrypt on the key."
  type        = string
  default     = null
}

variable "role_arn" {
  description = "Service role of the bot (iam module, lex_bot_role_arn)."
  type        = string
}

variable "fulfillment_lambda_arn" {
  description = "ARN of the fulfillment Lambda, wired as the code hook of the alias (and of the test alias)."
  type        = string
}

variable "alias_name" {
  description = "Name of the alias that the runtime calls."
  type        = string
  default     = "live"
}

variable "slot_type_values" {
  description = "Values of the template's values_from: database slot types by name (the deploy step fills UniversityName from the data); the rendered values are the default."
  type = map(list(object({
    value    = string
    synonyms = optional(list(string), [])
  })))
  default = {}
}

variable "enable_conversation_logs" {
  description = "Whether the alias writes text conversation logs to CloudWatch Logs."
  type        = bool
  default     = true
}

variable "conversation_log_group_name" {
  description = "Name of the conversation log group (the bot role must be allowed to write to it)."
  type        = string
  default     = "/aws/lex/campusbot"
}

variable "log_retention_days" {
  description = "Retention of the conversation log group in days."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "KMS key encrypting the conversation log group."
  type        = string
  default     = null
}

variable "cloudformation_role_arn" {
  description = "Service role CloudFormation uses for the stack. null: the caller's credentials."
  type        = string
  default     = null
}

variable "stack_timeout_minutes" {
  description = "Timeout of stack operations in minutes (a locale build takes a few minutes)."
  type        = number
  default     = 60
}

variable "tags" {
  description = "Tags added to every resource: the stack's tags (CloudFormation propagates them), and the template's Tag<Key> parameters (Project, Environment, Stack, ManagedBy) on the bot and alias."
  type        = map(string)
  default     = {}
}
