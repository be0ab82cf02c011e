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

variable "api_image_uri" {
  description = "Image of the API (<ecr repository url>:<immutable tag>), set by the CLI after it pushes the image."
  type        = string
}

variable "lambda_artifacts" {
  description = "Zip artifacts built by the CLI, by function key (fulfillment, vectorizer; lex_proxy is read by the conversation stack): a local path or an S3 location, and the base64 SHA-256 of the zip."
  type = map(object({
    path      = optional(string)
    s3_bucket = optional(string)
    s3_key    = optional(string)
    hash      = string
  }))

  validation {
    condition     = alltrue([for k in ["fulfillment", "vectorizer"] : contains(keys(var.lambda_artifacts), k)])
    error_message = "lambda_artifacts needs the fulfillment and vectorizer artifacts."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency per function key (-1: unreserved; new accounts with a concurrency quota of 10 cannot reserve any)."
  type        = map(number)
  default = {
    fulfillment = 20
    vectorizer  = 5
  }
}

variable "chat_model_id" {
  description = "Bedrock chat model or inference profile id (CAMPUSBOT_CHAT_MODEL)."
  type        = string
  default     = "us.anthropic.claude-sonnet-4-20250514-v1:0"
}

variable "embedding_model_id" {
  description = "Bedrock embedding model id (CAMPUSBOT_EMBEDDING_MODEL)."
  type        = string
  default     = "amazon.titan-embed-text-v2:0"
}

variable "embedding_dimensions" {
  description = "Dimensions of the embeddings (CAMPUSBOT_EMBEDDING_DIMENSIONS; Titan Text Embeddings V2: 256, 512 or 1024)."
  type        = number
  default     = 1024
}

variable "bedrock_invocation_logging" {
  description = "Whether this environment owns Bedrock model invocation logging. It is ONE setting per AWS account and region: with dev and prod in one account, exactly one of them may set true (else each apply overwrites the other's); it then logs the invocations of every environment there. Opt-in."
  type        = bool
  default     = false
}

variable "bedrock_guardrail" {
  description = "Whether to create a Bedrock guardrail (the API reads its id from the stack outputs)."
  type        = bool
  default     = false
}

variable "api_cpu" {
  description = "CPU units of an API task."
  type        = number
  default     = 512
}

variable "api_memory" {
  description = "Memory (MiB) of an API task."
  type        = number
  default     = 1024
}

variable "api_autoscaling" {
  description = "Whether the API scales on CPU and requests per target (off only where Application Auto Scaling is unavailable, e.g. moto)."
  type        = bool
  default     = true
}

variable "api_desired_count" {
  description = "Initial number of API tasks."
  type        = number
  default     = 2
}

variable "api_min_count" {
  description = "Autoscaling minimum of API tasks."
  type        = number
  default     = 2
}

variable "api_max_count" {
  description = "Autoscaling maximum of API tasks."
  type        = number
  default     = 6
}

variable "alb_deletion_protection" {
  description = "Whether the internal ALB has deletion protection."
  type        = bool
  default     = true
}
