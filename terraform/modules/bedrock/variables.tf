variable "name" {
  description = "Name prefix of the policies, role, log group and guardrail, e.g. campusbot-dev."
  type        = string
}

variable "chat_model_id" {
  description = "Chat model: a foundation model id, a cross-region inference profile id (us./eu./apac./global. prefix) or an ARN."
  type        = string
  default     = "us.anthropic.claude-sonnet-4-20250514-v1:0"
}

variable "embedding_model_id" {
  description = "Embedding model id."
  type        = string
  default     = "amazon.titan-embed-text-v2:0"
}

variable "additional_model_ids" {
  description = "Further model or inference profile ids the chat policy allows (e.g. a fallback model)."
  type        = list(string)
  default     = []
}

variable "create_invocation_logging" {
  description = "Whether to configure model invocation logging to CloudWatch Logs. A single setting per account and region, so an opt-in: let exactly one caller per account and region set it."
  type        = bool
  default     = false
}

variable "log_text_data" {
  description = "Whether invocation logs include prompts and completions (they may contain what users typed)."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the invocation log group in days."
  type        = number
  default     = 365
}

variable "kms_key_arn" {
  description = "KMS key encrypting the invocation logs and the guardrail."
  type        = string
  default     = null
}

variable "create_guardrail" {
  description = "Whether to create a guardrail (content filters, prompt-attack filter, PII masking)."
  type        = bool
  default     = false
}

variable "guardrail_filter_strength" {
  description = "Strength of the content filters: NONE, LOW, MEDIUM or HIGH."
  type        = string
  default     = "MEDIUM"
}

variable "guardrail_blocked_message" {
  description = "What the user sees when the guardrail blocks an input or an answer."
  type        = string
  default     = "Sorry, I can't help with that. Ask me about programs, admissions or opportunities."
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
